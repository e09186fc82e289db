package jstest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/store"
	"github.com/bmobemu/bmobemu/testkit"
)

// natives are the Go functions the prelude builds the test API on.
func (f *fileRun) natives() *goja.Object {
	n := f.vm.NewObject()
	set := func(name string, fn func(goja.FunctionCall) goja.Value) { _ = n.Set(name, fn) }
	set("register", f.register)
	set("hook", f.hook)
	set("configure", f.configure)
	set("call", f.call)
	set("rest", f.rest)
	set("find", f.find)
	set("get", f.get)
	set("insert", f.insert)
	set("update", f.update)
	set("clockNow", func(goja.FunctionCall) goja.Value { return f.vm.ToValue(f.clock.Now().UnixMilli()) })
	set("clockAdvance", f.clockAdvance)
	set("clockSet", f.clockSet)
	set("parseTime", f.parseTime)
	set("httpOn", f.httpOn)
	set("httpRequests", f.httpRequests)
	set("snapshot", f.snapshot)
	set("rsa", f.rsa)
	f.sandboxNatives(set)
	f.projectNatives(set)
	set("compare", f.compare)
	set("show", func(c goja.FunctionCall) goja.Value { return f.vm.ToValue(f.show(c.Argument(0))) })
	return n
}

// throw raises a JavaScript Error with msg in the test file.
func (f *fileRun) throw(format string, args ...any) {
	e, err := f.vm.New(f.vm.Get("Error"), f.vm.ToValue(fmt.Sprintf(format, args...)))
	if err != nil {
		panic(f.vm.NewGoError(fmt.Errorf(format, args...)))
	}
	panic(e)
}

func (f *fileRun) session(what string) *testkit.Session {
	if f.sess == nil {
		f.throw("%s is only available inside a test (or beforeEach/afterEach)", what)
	}
	return f.sess
}

func (f *fileRun) register(c goja.FunctionCall) goja.Value {
	if f.started {
		f.throw("test() inside a running test: declare tests at the top level of the file")
	}
	fn, _ := goja.AssertFunction(c.Argument(1))
	f.tests = append(f.tests, &testCase{name: c.Argument(0).String(), fn: fn, mode: c.Argument(2).String()})
	return goja.Undefined()
}

func (f *fileRun) hook(c goja.FunctionCall) goja.Value {
	fn, ok := goja.AssertFunction(c.Argument(1))
	if !ok {
		f.throw("beforeEach/afterEach take a function")
	}
	if c.Argument(0).String() == "before" {
		f.before = append(f.before, fn)
	} else {
		f.after = append(f.after, fn)
	}
	return goja.Undefined()
}

// configure({replace, seed, start, profile, sandbox}) sets the file's sessions up; it must
// run at the top level, before any test.
func (f *fileRun) configure(c goja.FunctionCall) goja.Value {
	if f.started {
		f.throw("configure() must be called at the top level of the file, before the tests run")
	}
	var opts struct {
		Replace map[string]string `json:"replace"`
		Seed    *uint64           `json:"seed"`
		Start   any               `json:"start"`
		Profile string            `json:"profile"`
		Sandbox *bool             `json:"sandbox"`
	}
	f.fromJS(c.Argument(0), &opts, "configure")
	if opts.Replace != nil {
		f.replace = opts.Replace
	}
	if opts.Seed != nil {
		f.seed = *opts.Seed
	}
	if opts.Start != nil {
		switch x := opts.Start.(type) {
		case float64:
			f.start = time.UnixMilli(int64(x)).In(bjtime.Location)
		case string:
			f.start = f.timeFromString(x)
		default:
			f.throw("configure: start is a time in ms or a date text")
		}
		f.clock.set(f.clockAt(f.start))
	}
	if opts.Sandbox != nil {
		f.noSandbox = !*opts.Sandbox
	}
	if opts.Profile != "" {
		p, ok := modules.ParseProfile(opts.Profile)
		if !ok {
			f.throw("configure: profile must be compat or bmob, not %q", opts.Profile)
		}
		f.profile = p
	}
	return goja.Undefined()
}

// fromJS decodes a JS value into v through JSON.
func (f *fileRun) fromJS(val goja.Value, v any, what string) {
	if val == nil || goja.IsUndefined(val) || goja.IsNull(val) {
		return
	}
	text, err := f.jsonText(val)
	if err != nil {
		f.throw("%s: %v", what, err)
	}
	if err := json.Unmarshal([]byte(text), v); err != nil {
		f.throw("%s: %v", what, err)
	}
}

func (f *fileRun) jsonText(val goja.Value) (string, error) {
	stringify, _ := goja.AssertFunction(f.vm.Get("JSON").ToObject(f.vm).Get("stringify"))
	out, err := stringify(goja.Undefined(), val)
	if err != nil {
		return "", err
	}
	if goja.IsUndefined(out) {
		return "", fmt.Errorf("%s cannot be written as JSON", f.show(val))
	}
	return out.String(), nil
}

// toJS hands Go data to the test as plain JavaScript objects.
func (f *fileRun) toJS(v any) goja.Value {
	b, err := json.Marshal(v)
	if err != nil {
		f.throw("%v", err)
	}
	parse, _ := goja.AssertFunction(f.vm.Get("JSON").ToObject(f.vm).Get("parse"))
	out, err := parse(goja.Undefined(), f.vm.ToValue(string(b)))
	if err != nil {
		f.throw("%v", err)
	}
	return out
}

// call(name, {method, query, headers, json, body, form, xml, contentType})
func (f *fileRun) call(c goja.FunctionCall) goja.Value {
	sess := f.session("call()")
	name := c.Argument(0).String()
	opts, _ := c.Argument(1).(*goja.Object)
	req := testkit.Request{Header: http.Header{}}
	get := func(k string) goja.Value {
		if opts == nil {
			return nil
		}
		v := opts.Get(k)
		if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
			return nil
		}
		return v
	}
	if v := get("method"); v != nil {
		req.Method = strings.ToUpper(v.String())
	}
	if v := get("query"); v != nil {
		var q map[string]any
		f.fromJS(v, &q, "call: query")
		for _, k := range sortedKeys(q) {
			for _, s := range stringsOf(q[k]) {
				req.Query = append(req.Query, fncall.Pair{Key: k, Value: s})
			}
		}
	}
	if v := get("headers"); v != nil {
		var h map[string]any
		f.fromJS(v, &h, "call: headers")
		for k, val := range h {
			for _, s := range stringsOf(val) {
				req.Header.Add(k, s)
			}
		}
	}
	switch {
	case get("json") != nil:
		text, err := f.jsonText(get("json"))
		if err != nil {
			f.throw("call: json: %v", err)
		}
		req.Body, req.ContentType = []byte(text), "application/json"
	case get("form") != nil:
		var form map[string]any
		f.fromJS(get("form"), &form, "call: form")
		vals := url.Values{}
		for k, v := range form {
			vals[k] = stringsOf(v)
		}
		req.Body, req.ContentType = []byte(vals.Encode()), "application/x-www-form-urlencoded"
	case get("xml") != nil:
		req.Body, req.ContentType = []byte(get("xml").String()), "text/xml"
	case get("body") != nil:
		b := get("body")
		if _, isObj := b.(*goja.Object); isObj {
			text, err := f.jsonText(b)
			if err != nil {
				f.throw("call: body: %v", err)
			}
			req.Body, req.ContentType = []byte(text), "application/json"
		} else {
			req.Body, req.ContentType = []byte(b.String()), "text/plain"
		}
	}
	if v := get("contentType"); v != nil {
		req.ContentType = v.String()
	}
	if req.Body != nil && req.Method == "" {
		req.Method = http.MethodPost
	}
	r, err := sess.Call(f.ctx, name, req)
	if err != nil {
		f.throw("%v", err)
	}
	return f.replyObject(r)
}

func (f *fileRun) replyObject(r *testkit.Reply) goja.Value {
	o := f.vm.NewObject()
	_ = o.Set("status", r.Status)
	h := f.vm.NewObject()
	for _, k := range sortedKeys(r.Header) {
		_ = h.Set(strings.ToLower(k), strings.Join(r.Header[k], ", "))
	}
	_ = o.Set("headers", h)
	_ = o.Set("text", string(r.Body))
	_ = o.Set("log", f.toJS(nonNil(r.Log)))
	return o
}

func (f *fileRun) rest(c goja.FunctionCall) goja.Value {
	sess := f.session("rest()")
	var body map[string]any
	f.fromJS(c.Argument(1), &body, "rest: body")
	r, err := sess.REST(f.ctx, c.Argument(0).String(), body)
	if err != nil {
		f.throw("%v", err)
	}
	return f.replyObject(r)
}

// find(table, where, {order, limit, skip, keys})
func (f *fileRun) find(c goja.FunctionCall) goja.Value {
	sess := f.session("db")
	q := store.Query{Limit: store.MaxLimit}
	f.fromJS(c.Argument(1), &q.Where, "db.find: where")
	var opts struct {
		Order any `json:"order"`
		Limit *int
		Skip  int
		Keys  string
	}
	f.fromJS(c.Argument(2), &opts, "db.find: options")
	switch o := opts.Order.(type) {
	case string:
		q.Order = strings.Split(o, ",")
	case []any:
		for _, e := range o {
			q.Order = append(q.Order, fmt.Sprint(e))
		}
	}
	if opts.Limit != nil {
		q.Limit = *opts.Limit
	}
	q.Skip = opts.Skip
	if opts.Keys != "" {
		q.Keys = strings.Split(opts.Keys, ",")
	}
	rows, err := sess.Find(f.ctx, c.Argument(0).String(), q)
	if err != nil {
		f.throw("%v", err)
	}
	return f.toJS(rows)
}

func (f *fileRun) get(c goja.FunctionCall) goja.Value {
	row, err := f.session("db").Get(f.ctx, c.Argument(0).String(), c.Argument(1).String())
	if err != nil {
		f.throw("%v", err)
	}
	return f.toJS(row)
}

func (f *fileRun) insert(c goja.FunctionCall) goja.Value {
	sess := f.session("db")
	var row map[string]any
	f.fromJS(c.Argument(1), &row, "db.insert: row")
	if row == nil {
		f.throw("db.insert(table, row): row must be an object")
	}
	created, err := sess.Insert(f.ctx, c.Argument(0).String(), row)
	if err != nil {
		f.throw("%v", err)
	}
	return f.toJS(map[string]string{"objectId": created.ObjectID, "createdAt": bjtime.Format(created.CreatedAt)})
}

func (f *fileRun) update(c goja.FunctionCall) goja.Value {
	sess := f.session("db")
	var data map[string]any
	f.fromJS(c.Argument(2), &data, "db.update: data")
	if err := sess.Update(f.ctx, c.Argument(0).String(), c.Argument(1).String(), data); err != nil {
		f.throw("%v", err)
	}
	return goja.Undefined()
}

func (f *fileRun) clockAdvance(c goja.FunctionCall) goja.Value {
	if err := f.session("clock.advance()").Advance(f.ctx, f.duration(c.Argument(0))); err != nil {
		f.throw("%v", err)
	}
	return goja.Undefined()
}

func (f *fileRun) clockSet(c goja.FunctionCall) goja.Value {
	ms := c.Argument(0).ToFloat()
	if ms != ms {
		f.throw("clock.set: not a time: %s", c.Argument(0))
	}
	t := time.UnixMilli(int64(ms)).In(bjtime.Location)
	if err := f.session("clock.set()").SetTime(f.ctx, t); err != nil {
		f.throw("%v", err)
	}
	return goja.Undefined()
}

func (f *fileRun) parseTime(c goja.FunctionCall) goja.Value {
	return f.vm.ToValue(f.timeFromString(c.Argument(0).String()).UnixMilli())
}

// timeFromString reads "YYYY-MM-DD HH:mm:ss" (Beijing time) or RFC 3339.
func (f *fileRun) timeFromString(s string) time.Time {
	if t, err := bjtime.Parse(s); err == nil {
		return t
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	f.throw("not a time: %q (use \"YYYY-MM-DD HH:mm:ss\" Beijing time, an ISO date or milliseconds)", s)
	return time.Time{}
}

// httpOn(spec, status, headers, body, times): spec is "[METHOD ]URL".
func (f *fileRun) httpOn(c goja.FunctionCall) goja.Value {
	sess := f.session("http.on()")
	spec := strings.TrimSpace(c.Argument(0).String())
	method := ""
	if m, rest, ok := strings.Cut(spec, " "); ok {
		method, spec = strings.ToUpper(m), strings.TrimSpace(rest)
	}
	u, err := url.Parse(spec)
	if err != nil || u.Host == "" {
		f.throw("http.on(%q): want \"[METHOD ]https://host/path\"", c.Argument(0).String())
	}
	var headers map[string]any
	f.fromJS(c.Argument(2), &headers, "http.on: headers")
	h := http.Header{}
	for k, v := range headers {
		for _, s := range stringsOf(v) {
			h.Add(k, s)
		}
	}
	sess.HTTP.Add(testkit.Route{Method: method, Host: u.Host, Path: u.Path, Status: int(c.Argument(1).ToInteger()),
		Header: h, Body: []byte(c.Argument(3).String()), Times: int(c.Argument(4).ToInteger())})
	return goja.Undefined()
}

func (f *fileRun) httpRequests(goja.FunctionCall) goja.Value {
	type rec struct {
		Method  string            `json:"method"`
		URL     string            `json:"url"`
		Host    string            `json:"host"`
		Path    string            `json:"path"`
		Query   map[string]any    `json:"query"`
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
		Sandbox bool              `json:"sandbox"`
	}
	var out []rec
	for _, r := range f.session("http.requests()").HTTP.Requests() {
		q := map[string]any{}
		vals, _ := url.ParseQuery(r.Query)
		for k, v := range vals {
			if len(v) == 1 {
				q[k] = v[0]
			} else {
				q[k] = v
			}
		}
		h := map[string]string{}
		for k, v := range r.Header {
			h[strings.ToLower(k)] = strings.Join(v, ", ")
		}
		out = append(out, rec{Method: r.Method, URL: r.URL, Host: r.Host, Path: r.Path, Query: q, Headers: h, Body: string(r.Body), Sandbox: r.Sandbox})
	}
	return f.toJS(nonNil(out))
}

// rsa(bits) makes a key pair for tests: PEM texts and the bare base64 bodies
// Alipay's console shows.
func (f *fileRun) rsa(c goja.FunctionCall) goja.Value {
	bits := int(c.Argument(0).ToInteger())
	if bits < 1024 || bits > 4096 {
		f.throw("keys.rsa(bits): bits between 1024 and 4096, not %d", bits)
	}
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		f.throw("keys.rsa: %v", err)
	}
	priv, _ := x509.MarshalPKCS8PrivateKey(key)
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	privPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv}))
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	return f.toJS(map[string]string{"privateKey": privPEM, "publicKey": pubPEM,
		"privateKeyBare": bare(privPEM), "publicKeyBare": bare(pubPEM)})
}

func bare(pemText string) string {
	var b strings.Builder
	for _, line := range strings.Split(pemText, "\n") {
		if !strings.HasPrefix(line, "-----") {
			b.WriteString(strings.TrimSpace(line))
		}
	}
	return b.String()
}

// compare(actual, expected) is null when deep-equal, else the diff.
func (f *fileRun) compare(c goja.FunctionCall) goja.Value {
	a, e := tree(f.vm, c.Argument(0)), tree(f.vm, c.Argument(1))
	if equalTrees(a, e) {
		return goja.Null()
	}
	ra, re := render(a), render(e)
	o := f.vm.NewObject()
	_ = o.Set("diff", lineDiff(re, ra))
	_ = o.Set("multiline", strings.Contains(ra+re, "\n"))
	return o
}

// show is a value on one line, for messages.
func (f *fileRun) show(v goja.Value) string {
	s := render(tree(f.vm, v))
	if strings.Contains(s, "\n") {
		s = strings.Join(strings.Fields(s), " ")
	}
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func stringsOf(v any) []string {
	switch x := v.(type) {
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = scalarText(e)
		}
		return out
	}
	return []string{scalarText(v)}
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case float64, bool:
		return fmt.Sprint(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
