package restapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/store"
)

// FileCDN is the cdn name uploads report. It is Bmob's own ("upyun") because
// clients such as hydrogen-js-sdk build delete paths with it; deletes accept
// any cdn name.
const FileCDN = "upyun"

// Files are kept on disk under the files folder as YYYY/MM/DD/<32 hex>.<ext>
// (Beijing date), the layout of Bmob's CDN paths. Their URL is
// <scheme>://<Host>/<that path> (see fileURL); GET /2/files/upyun/<that path>
// serves the bytes too (these routes need no keys, as a browser fetches
// them), and DELETE /2/files/<cdn>/<path> removes the file, with the path
// taken from the URL as Bmob's docs describe (also with the doubled slash
// hydrogen-js-sdk sends, and for the /2/files/upyun/… URLs handed out before).
func (a *API) fileRoutes() []route {
	h := a.handlerOf
	return []route{
		{http.MethodPost, "/2/files/:name", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.upload(ctx, p["name"], req))
		})},
		{http.MethodGet, "/2/files/:cdn/*path", func(ctx context.Context, req Request, p map[string]string) (any, int, http.Header, error) {
			body, err := a.download(p["path"])
			return body, http.StatusOK, nil, err
		}},
		{http.MethodDelete, "/2/files/:cdn/*path", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(msgOK(), a.deleteFile(p["path"]))
		})},
		{http.MethodDelete, "/1/files/*url", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(msgOK(), a.deleteFile(p["url"]))
		})},
		{http.MethodPost, "/2/cdnBatchDelete", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return a.batchDeleteFiles(req)
		})},
	}
}

func errNoFilesDir() error { return store.Errorf(150, "file upload error: no files folder configured") }

// upload stores the raw body under a fresh name.
func (a *API) upload(ctx context.Context, name string, req Request) (any, error) {
	if a.filesDir == "" {
		return nil, errNoFilesDir()
	}
	name = decodeFileName(name)
	ext := strings.ToLower(path.Ext(name))
	if !validExt(ext) {
		return nil, store.Errorf(146, "file must have suffix")
	}
	if len(req.Body) == 0 {
		return nil, store.Errorf(149, "empty file")
	}
	url, err := a.storeFile(req, ext, req.Body)
	if err != nil {
		return nil, fmt.Errorf("upload %s: %w", name, err)
	}
	return map[string]any{"filename": name, "url": url, "cdn": FileCDN}, nil
}

// storeFile writes data under a fresh name with extension ext and returns its URL.
func (a *API) storeFile(req Request, ext string, data []byte) (string, error) {
	if a.filesDir == "" {
		return "", errNoFilesDir()
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("name: %w", err)
	}
	rel := a.store.Now().In(bjtime.Location).Format("2006/01/02") + "/" + hex.EncodeToString(raw[:]) + ext
	if err := writeFileAtomic(filepath.Join(a.filesDir, filepath.FromSlash(rel)), data); err != nil {
		return "", err
	}
	return fileURL(req, rel), nil
}

// decodeFileName accepts a plain name or, as Bmob allows, a base64 one.
func decodeFileName(name string) string {
	if strings.Contains(name, ".") {
		return name
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(name); err == nil && utf8.Valid(b) && strings.Contains(string(b), ".") {
			return string(b)
		}
	}
	return name
}

// validExt: a dot and 1–16 letters or digits.
func validExt(ext string) bool {
	if len(ext) < 2 || len(ext) > 17 {
		return false
	}
	for _, c := range ext[1:] {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// fileURL is shaped like Bmob's CDN URLs when the request names its Host:
// <scheme>://<Host>/YYYY/MM/DD/<name>.<ext>, the path straight after the
// host, so clients that cut the path off the URL and append it to
// /2/files/upyun/ (hydrogen-js-sdk's File().destroy(url)) reach the file. The
// server serves GET on that path. Without a Host (in-process callers) the URL
// is the REST path /2/files/upyun/<path>.
func fileURL(req Request, rel string) string {
	host := header(req.Header, "Host")
	if host == "" {
		return "/2/files/" + FileCDN + "/" + rel
	}
	scheme := "http"
	if fp := header(req.Header, "X-Forwarded-Proto"); fp == "https" {
		scheme = fp
	}
	return scheme + "://" + host + "/" + rel
}

func writeFileAtomic(dst string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".upload-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return errors.Join(werr, cerr)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// fileRel turns what a client names a file by (the URL, the URL without its
// domain, or /2/files/<cdn>/<path>) into its path under the files folder; ok
// is false for anything that is not YYYY/MM/DD/<name>.<ext>.
func fileRel(ref string) (string, bool) {
	if _, rest, found := strings.Cut(ref, "://"); found {
		_, ref, _ = strings.Cut(rest, "/")
	}
	ref = strings.TrimPrefix(ref, "/")
	if after, found := strings.CutPrefix(ref, "2/files/"); found {
		_, ref, _ = strings.Cut(after, "/")
	}
	segs := strings.Split(ref, "/")
	if len(segs) != 4 {
		return "", false
	}
	for i, s := range segs {
		if s == "" || s == "." || s == ".." {
			return "", false
		}
		for _, c := range s {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
				return "", false
			}
		}
		if i < 3 && strings.ContainsAny(s, "._-") {
			return "", false
		}
	}
	return ref, true
}

func fileNotFound(ref string) error {
	return store.Errorf(156, "%s not found", ref) // a 404 (statusOf)
}

func (a *API) download(ref string) (any, error) {
	rel, valid := fileRel(ref)
	if a.filesDir == "" || !valid {
		return nil, fileNotFound(ref)
	}
	data, err := os.ReadFile(filepath.Join(a.filesDir, filepath.FromSlash(rel)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fileNotFound(ref)
	}
	if err != nil {
		return nil, fmt.Errorf("read file %s: %w", rel, err)
	}
	ct := mime.TypeByExtension(path.Ext(rel))
	if ct == "" {
		ct = "application/octet-stream"
	}
	return rawBody{contentType: ct, data: data}, nil
}

func (a *API) deleteFile(ref string) error {
	rel, valid := fileRel(ref)
	if a.filesDir == "" || !valid {
		return store.Errorf(151, "file delete error:%s", "no file at "+ref)
	}
	err := os.Remove(filepath.Join(a.filesDir, filepath.FromSlash(rel)))
	if errors.Is(err, fs.ErrNotExist) {
		return store.Errorf(151, "file delete error:%s", "no file at "+ref)
	}
	if err != nil {
		return fmt.Errorf("delete file %s: %w", rel, err)
	}
	return nil
}

// batchDeleteFiles is POST /2/cdnBatchDelete {"<cdn>":["<path>",…]}: it deletes
// what it can and lists the rest as {"code":154,"error":…,"fail":{cdn:[…]}}.
func (a *API) batchDeleteFiles(req Request) (answer, error) {
	data, err := jsonBody(req)
	if err != nil {
		return answer{}, err
	}
	fail := map[string]any{}
	for cdn, v := range data {
		refs, isList := v.([]any)
		if !isList {
			return answer{}, store.Errorf(107, "invalid json: %s.", Echo(req.Body))
		}
		var failed []any
		for _, r := range refs {
			ref, _ := r.(string)
			if ref == "" || a.deleteFile(ref) != nil {
				failed = append(failed, r)
			}
		}
		if len(failed) > 0 {
			fail[cdn] = failed
		}
	}
	if len(fail) > 0 {
		return answer{status: http.StatusBadRequest, body: map[string]any{"code": 154, "error": "delete all file error", "fail": fail}}, nil
	}
	return answer{body: msgOK()}, nil
}
