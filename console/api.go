package console

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bmobemu/bmobemu/internal/bjtime"
)

// maxAnswer bounds what the console reads of one answer (a function's body, a
// REST page) so a huge answer cannot fill the server's memory through it.
const maxAnswer = 4 << 20

// invokeLogLines is how many log lines of one invoke the answer shows; the
// rest are counted as dropped.
const invokeLogLines = 256

// invokeRequest is the invoke form.
type invokeRequest struct {
	Name        string            `json:"name"`
	Method      string            `json:"method"`
	Query       string            `json:"query"`
	ContentType string            `json:"contentType"`
	Body        string            `json:"body"`
	Headers     map[string]string `json:"headers"`
}

// invokeAnswer is what the form shows: the answer, its time and the call's log.
type invokeAnswer struct {
	Status   int                 `json:"status"`
	Headers  map[string][]string `json:"headers"`
	Body     string              `json:"body"`
	Base64   bool                `json:"base64,omitempty"`
	Millis   float64             `json:"ms"`
	Logs     []Line              `json:"logs"`
	Dropped  int64               `json:"dropped,omitempty"`
	Error    string              `json:"error,omitempty"`
	Truncate bool                `json:"truncated,omitempty"`
}

// invoke calls a function through the server, as an HTTP client would, and
// answers with what came back and the lines the function logged meanwhile
// (another call of the same function running at the same time would show
// its lines too).
func (c *Console) invoke(w http.ResponseWriter, r *http.Request) {
	var in invokeRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, maxAnswer)).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the invoke form is not JSON: " + err.Error()})
		return
	}
	if in.Name == "" || strings.ContainsAny(in.Name, "/?#") {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "name a function"})
		return
	}
	method := strings.ToUpper(in.Method)
	if method != http.MethodGet && method != http.MethodPost {
		method = http.MethodPost // Bmob's direct URLs answer GET and POST
	}
	u := &url.URL{Scheme: "http", Host: r.Host, Path: "/" + c.opts.Keys.SecretKey + "/" + in.Name, RawQuery: strings.TrimPrefix(in.Query, "?")}
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(in.Body)
	}
	req, err := http.NewRequestWithContext(r.Context(), method, u.String(), body)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	for k, v := range in.Headers {
		if k = strings.TrimSpace(k); k != "" {
			req.Header.Set(k, v)
		}
	}
	if method == http.MethodPost && in.ContentType != "" {
		req.Header.Set("Content-Type", in.ContentType)
	}
	sub, _ := c.opts.Hub.Subscribe(in.Name, invokeLogLines)
	start := time.Now()
	resp, err := c.opts.Local(req)
	var out invokeAnswer
	out.Millis = float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		out.Error = err.Error()
	} else {
		data, truncated, rerr := readCapped(resp.Body)
		_ = resp.Body.Close()
		out.Millis = float64(time.Since(start).Microseconds()) / 1000
		out.Status, out.Headers, out.Truncate = resp.StatusCode, resp.Header, truncated
		if rerr != nil {
			out.Error = rerr.Error()
		}
		out.Body, out.Base64 = text(data)
	}
	out.Logs = []Line{}
	if sub != nil {
		out.Logs = sub.Take(out.Logs)
		out.Dropped = sub.Dropped()
		sub.Close()
	}
	writeJSON(w, http.StatusOK, out)
}

// rest sends /_console/api/rest/<path> to the REST API with the app's keys and
// the master key: the very path a REST client's write takes.
func (c *Console) rest(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/_console/api/rest")
	if !strings.HasPrefix(path, "/1/") && !strings.HasPrefix(path, "/2/") {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "only /1/ and /2/ REST paths"})
		return
	}
	u := &url.URL{Scheme: "http", Host: r.Host, Path: path, RawQuery: r.URL.RawQuery}
	body, _, err := readCapped(r.Body)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	k := c.opts.Keys
	req.Header.Set("X-Bmob-Application-Id", k.AppID)
	req.Header.Set("X-Bmob-REST-API-Key", k.RESTKey)
	req.Header.Set("X-Bmob-Master-Key", k.MasterKey)
	if len(body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.opts.Local(req)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
		return
	}
	defer resp.Body.Close()
	data, _, err := readCapped(resp.Body)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error()})
		return
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(data)
}

// sandbox hands /_console/api/sandbox/<x> to the payment sandbox's /_sandbox/<x>.
func (c *Console) sandbox(w http.ResponseWriter, r *http.Request) {
	if c.opts.Sandbox == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "the payment sandbox is off (--sandbox=off)"})
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/_sandbox/" + strings.TrimPrefix(r.URL.Path, "/_console/api/sandbox/")
	r2.URL.RawPath = ""
	r2.RequestURI = r2.URL.RequestURI()
	c.opts.Sandbox.ServeHTTP(w, r2)
}

// tasks hands /_console/api/tasks/<x> to the timed tasks' routes with the
// master key, which they always want (the console's guard has admitted the
// request already).
func (c *Console) tasks(w http.ResponseWriter, r *http.Request) {
	if c.opts.Tasks == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no timed tasks"})
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = c.opts.TasksPath + strings.TrimPrefix(r.URL.Path, "/_console/api/tasks/")
	r2.URL.RawPath = ""
	r2.RequestURI = r2.URL.RequestURI()
	r2.Header.Set("X-Bmob-Master-Key", c.opts.Keys.MasterKey)
	c.opts.Tasks.ServeHTTP(w, r2)
}

// fileRow is one uploaded file.
type fileRow struct {
	Path     string `json:"path"` // YYYY/MM/DD/name.ext, also its URL path
	Size     int64  `json:"size"`
	Modified string `json:"modified"`
}

// maxFiles bounds the files listing.
const maxFiles = 1000

// files lists the uploaded files, newest first.
func (c *Console) files(w http.ResponseWriter, r *http.Request) {
	rows := []fileRow{}
	if c.opts.FilesDir != "" {
		err := filepath.WalkDir(c.opts.FilesDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
				return nil
			}
			rel, rerr := filepath.Rel(c.opts.FilesDir, p)
			if rerr != nil || strings.Count(filepath.ToSlash(rel), "/") != 3 {
				return nil
			}
			info, ierr := d.Info()
			if ierr != nil {
				return nil
			}
			rows = append(rows, fileRow{Path: filepath.ToSlash(rel), Size: info.Size(), Modified: bjtime.Format(info.ModTime())})
			return nil
		})
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": fmt.Sprintf("listing files: %v", err)})
			return
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Path > rows[j].Path })
	truncated := len(rows) > maxFiles
	if truncated {
		rows = rows[:maxFiles]
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": rows, "truncated": truncated})
}

// readCapped reads at most maxAnswer bytes.
func readCapped(r io.Reader) (data []byte, truncated bool, err error) {
	data, err = io.ReadAll(io.LimitReader(r, maxAnswer+1))
	if len(data) > maxAnswer {
		return data[:maxAnswer], true, err
	}
	return data, false, err
}

// text is a body as a JSON string: itself when UTF-8, else base64 (marked).
func text(b []byte) (string, bool) {
	if utf8.Valid(b) {
		return string(b), false
	}
	return base64.StdEncoding.EncodeToString(b), true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
