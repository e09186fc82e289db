package console

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"sort"
	"strings"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/runtime"
)

// FunctionSet is what the console reads of the loaded functions
// (*functions.Set).
type FunctionSet interface {
	Names() []string
	Errors() map[string]error
	Get(name string) (*runtime.Function, bool)
}

// pages are the parsed templates, one per page, each with the layout.
type pages struct{ byName map[string]*template.Template }

var pageNames = []string{"overview", "functions", "logs", "data", "payments", "tasks"}

// parsedPages are parsed once per process: emulators open by the hundred in
// handler tests, and the templates never change after start.
var parsedPages = loadPages()

func loadPages() *pages {
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range pageNames {
		p.byName[n] = template.Must(template.New("layout.html").ParseFS(assets, "assets/layout.html", "assets/"+n+".html"))
	}
	return p
}

// page is what every template gets: the layout's fields and the page's own.
type page struct {
	Title   string
	Active  string
	Version string
	Data    any
}

// render executes a page into a buffer first, so a template error is a 500
// rather than half a page.
func (c *Console) render(w http.ResponseWriter, name, title string, data any) {
	var buf bytes.Buffer
	if err := c.pages.byName[name].Execute(&buf, page{Title: title, Active: name, Version: c.opts.Version, Data: data}); err != nil {
		http.Error(w, "rendering the "+name+" page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// baseURL is the server as the browser reached it.
func baseURL(r *http.Request) string { return "http://" + r.Host }

type functionRow struct {
	Name, URL, Curl, RESTCurl string
	Broken                    string // the load error, when the file does not load
}

type overviewData struct {
	Keys          []keyRow
	Profile       string
	DBPath        string
	FunctionsDirs string
	Functions     []functionRow
	Sandbox       string
	Extra         [][2]string
	REST          string
}

type keyRow struct{ Name, Value, Use string }

func (c *Console) overview(w http.ResponseWriter, r *http.Request) {
	k := c.opts.Keys
	base := baseURL(r)
	d := overviewData{
		Keys: []keyRow{
			{"Application ID", k.AppID, "X-Bmob-Application-Id"},
			{"REST API Key", k.RESTKey, "X-Bmob-REST-API-Key"},
			{"Master Key", k.MasterKey, "X-Bmob-Master-Key: full access, bypasses ACLs"},
			{"Secret Key", k.SecretKey, "direct function URLs; Bmob.initialize(secretKey, securityCode)"},
			{"Security code (API 安全码)", k.SecurityCode, "the JS SDK's request signing"},
		},
		Profile: c.opts.Profile, DBPath: c.opts.DBPath, FunctionsDirs: strings.Join(c.opts.FunctionsDirs, ", "),
		REST: base + "/1/",
	}
	d.Functions = c.functionRows(base)
	if c.opts.Sandbox != nil {
		d.Sandbox = "on: " + strings.Join(c.opts.SandboxProviders, ", ") + " answered locally"
	} else {
		d.Sandbox = "off: Alipay and WeChat Pay calls go to the real gateways"
	}
	if c.opts.Extra != nil {
		d.Extra = c.opts.Extra()
	}
	c.render(w, "overview", "Overview", d)
}

func (c *Console) functionRows(base string) []functionRow {
	k := c.opts.Keys
	var rows []functionRow
	for _, n := range c.opts.Functions.Names() {
		url := base + "/" + k.SecretKey + "/" + n
		rows = append(rows, functionRow{Name: n, URL: url,
			Curl: fmt.Sprintf("curl -s -X POST -H 'Content-Type: application/json' -d '{}' '%s'", url),
			RESTCurl: fmt.Sprintf("curl -s -X POST -H 'X-Bmob-Application-Id: %s' -H 'X-Bmob-REST-API-Key: %s' -H 'Content-Type: application/json' -d '{}' %s/1/functions/%s",
				k.AppID, k.RESTKey, base, n)})
	}
	errs := c.opts.Functions.Errors()
	broken := make([]string, 0, len(errs))
	for n := range errs {
		broken = append(broken, n)
	}
	sort.Strings(broken)
	for _, n := range broken {
		if _, loaded := c.opts.Functions.Get(n); loaded {
			continue // a reload failed; the last good version serves and shows its error on its page
		}
		rows = append(rows, functionRow{Name: n, Broken: errs[n].Error()})
	}
	return rows
}

type sourceLine struct {
	N      int
	Text   string
	Errors []string // compile errors on this line
}

type functionsData struct {
	Functions []functionRow
	Selected  string
	File      string
	Version   string
	LoadedAt  string
	LoadError string
	Source    []sourceLine
	ReadError string
	URL       string
}

func (c *Console) functionsPage(w http.ResponseWriter, r *http.Request) {
	base := baseURL(r)
	d := functionsData{Functions: c.functionRows(base), Selected: r.URL.Query().Get("name")}
	if d.Selected == "" && len(d.Functions) > 0 {
		d.Selected = d.Functions[0].Name
	}
	if d.Selected != "" {
		c.describe(&d, base)
	}
	c.render(w, "functions", "Functions", d)
}

// describe fills in the selected function's version, source and errors.
func (c *Console) describe(d *functionsData, base string) {
	name := d.Selected
	fn, loaded := c.opts.Functions.Get(name)
	loadErr := c.opts.Functions.Errors()[name]
	if !loaded && loadErr == nil {
		d.LoadError = "no function " + name
		return
	}
	d.URL = base + "/" + c.opts.Keys.SecretKey + "/" + name
	byLine := map[int][]string{}
	if loaded {
		d.File, d.Version, d.LoadedAt = fn.File(), fn.Version(), bjtime.Format(fn.LoadedAt())
	}
	if loadErr != nil {
		d.LoadError = loadErr.Error()
		var ce *runtime.CompileError
		if errors.As(loadErr, &ce) {
			if d.File == "" {
				d.File = ce.File
			}
			for _, se := range ce.Errors {
				byLine[se.Line] = append(byLine[se.Line], fmt.Sprintf("%d:%d %s", se.Line, se.Column, se.Message))
			}
		}
	}
	if d.File == "" {
		return
	}
	src, err := os.ReadFile(d.File)
	if err != nil {
		d.ReadError = err.Error()
		return
	}
	for i, text := range strings.Split(strings.TrimSuffix(string(src), "\n"), "\n") {
		d.Source = append(d.Source, sourceLine{N: i + 1, Text: text, Errors: byLine[i+1]})
	}
}

func (c *Console) logsPage(w http.ResponseWriter, r *http.Request) {
	names := append(c.opts.Functions.Names(), "bmobemu", "sandbox", "tasks", "project")
	c.render(w, "logs", "Logs", struct{ Functions []string }{names})
}

func (c *Console) dataPage(w http.ResponseWriter, r *http.Request) {
	c.render(w, "data", "Data", struct{ DBPath string }{c.opts.DBPath})
}

type paymentsData struct {
	On        bool
	Providers []string
	Config    string
}

func (c *Console) paymentsPage(w http.ResponseWriter, r *http.Request) {
	d := paymentsData{On: c.opts.Sandbox != nil, Providers: c.opts.SandboxProviders}
	if c.opts.SandboxConfig != nil {
		d.Config = c.opts.SandboxConfig()
	}
	c.render(w, "payments", "Payments", d)
}

type tasksData struct {
	Hook  string
	Tasks bool
}

func (c *Console) tasksPage(w http.ResponseWriter, r *http.Request) {
	d := tasksData{Tasks: c.opts.Tasks != nil}
	if c.opts.Hook != nil {
		d.Hook = c.opts.Hook()
	}
	c.render(w, "tasks", "Tasks & hook", d)
}
