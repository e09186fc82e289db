package noderequest

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"
)

// spec is one call's options, resolved on the JS thread into plain Go values the
// sending goroutine may use.
type spec struct {
	method  string
	uri     string
	headers *headerList
	body    []byte

	json        bool
	jsonReviver goja.Value
	encoding    string // "" is utf8 without BOM stripping; "utf8" strips a BOM, as request does
	rawBuffer   bool   // encoding: null
	gzip        bool
	timeout     time.Duration

	followRedirect   bool
	followAll        bool
	followOriginal   bool
	removeReferer    bool
	maxRedirects     int
	jar              http.CookieJar
	callback         goja.Callable
	callbackProvided bool
}

var formType = regexp.MustCompile(`^application/x-www-form-urlencoded\b`)

// buildSpec follows request's Request.prototype.init for the options it emulates.
// A returned error is what request emits (and so hands the callback) synchronously.
func (m *module) buildSpec(params *goja.Object) (*spec, *nodeError) {
	vm := m.vu.Runtime()
	get := func(name string) goja.Value {
		v := params.Get(name)
		if v == nil {
			return goja.Undefined()
		}
		return v
	}
	truthy := func(name string) bool { return get(name).ToBoolean() }
	s := &spec{followRedirect: true, maxRedirects: 10}
	if cb, ok := goja.AssertFunction(get("callback")); ok {
		s.callback, s.callbackProvided = cb, true
	}

	uri := get("uri")
	if !uri.ToBoolean() && truthy("url") {
		uri = get("url")
	}
	if truthy("baseUrl") {
		base, ok := get("baseUrl").Export().(string)
		if !ok {
			return s, plainError("options.baseUrl must be a string")
		}
		rel, ok := uri.Export().(string)
		if !ok {
			return s, plainError("options.uri must be a string when using options.baseUrl")
		}
		if strings.HasPrefix(rel, "//") || strings.Contains(rel, "://") {
			return s, plainError("options.uri must be a path when using options.baseUrl")
		}
		uri = vm.ToValue(joinBaseURL(base, rel))
	}
	if !uri.ToBoolean() {
		return s, plainError("options.uri is a required argument")
	}
	raw := uriString(uri)
	u, ok := parseURI(raw)
	if !ok {
		return s, plainError(`Invalid URI "` + autoEscape.Replace(strings.TrimSpace(raw)) + `"`)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return s, plainError("Invalid protocol: " + u.Scheme + ":")
	}

	s.headers = readHeaders(get("headers"))
	s.method = "GET"
	if truthy("method") {
		s.method = strings.ToUpper(get("method").String())
	}
	if !s.headers.has("host") {
		s.headers.set("host", hostHeader(u.Scheme, u.Host, u.Hostname(), u.Port()))
	}

	body := get("body")
	if truthy("form") {
		if !formType.MatchString(s.headers.get("content-type")) {
			s.headers.set("content-type", "application/x-www-form-urlencoded")
		}
		if f, ok := get("form").Export().(string); ok {
			body = vm.ToValue(rfc3986(f))
		} else {
			body = vm.ToValue(qsStringify(vm, get("form")))
		}
	}
	if truthy("qs") {
		base := vm.NewObject()
		if u.RawQuery != "" {
			base = qsParse(vm, u.RawQuery)
		}
		q := get("qs").ToObject(vm)
		for _, k := range q.Keys() {
			_ = base.Set(k, q.Get(k))
		}
		if enc := qsStringify(vm, base); enc != "" {
			u.RawQuery, u.ForceQuery = enc, false
		}
	}
	if err := s.applyAuth(vm, get("auth")); err != nil {
		return s, err
	}
	s.gzip = truthy("gzip")
	if s.gzip && !s.headers.has("accept-encoding") {
		s.headers.set("accept-encoding", "gzip, deflate")
	}
	if u.User != nil {
		if !s.headers.has("authorization") {
			pass, _ := u.User.Password()
			s.headers.set("authorization", basic(u.User.Username(), pass, true))
		}
		u.User = nil
	}
	if truthy("json") {
		s.json = true
		var err *nodeError
		if body, err = m.applyJSON(s, get("json"), body); err != nil {
			return s, err
		}
		if fn, ok := goja.AssertFunction(get("jsonReviver")); ok && fn != nil {
			s.jsonReviver = get("jsonReviver")
		}
	}
	if body.ToBoolean() {
		b, ok := bodyBytes(vm, body)
		if !ok || (len(b) == 0 && !s.headers.has("content-length")) {
			return s, plainError("Argument error, options.body.")
		}
		s.body = b
		if !s.headers.has("content-length") {
			s.headers.set("content-length", strconv.Itoa(len(b)))
		}
	}
	if err := s.headers.validate(); err != nil {
		return s, err
	}
	s.uri = u.String()

	if t := get("timeout"); !goja.IsUndefined(t) && !goja.IsNull(t) {
		if ms := t.ToFloat(); ms > 0 {
			s.timeout = time.Duration(ms * float64(time.Millisecond))
		}
	}
	if enc := get("encoding"); goja.IsNull(enc) {
		s.rawBuffer = true
	} else if !goja.IsUndefined(enc) {
		s.encoding = enc.String()
	}
	if f := get("followRedirect"); !goja.IsUndefined(f) {
		s.followRedirect = f.ToBoolean() // a function counts as true: deciding per response is not emulated
	}
	s.followAll = truthy("followAllRedirects")
	s.followOriginal = truthy("followOriginalHttpMethod")
	s.removeReferer = truthy("removeRefererHeader")
	if mr := get("maxRedirects"); !goja.IsUndefined(mr) && !goja.IsNull(mr) {
		s.maxRedirects = int(mr.ToInteger())
	}
	s.jar = m.jarFor(get("jar"))
	return s, nil
}

func hostHeader(scheme, host, hostname, port string) string {
	if (port == "80" && scheme == "http") || (port == "443" && scheme == "https") {
		return hostname
	}
	return host
}

// applyAuth handles options.auth: {user|username, pass|password, bearer, sendImmediately}.
// Basic credentials are always sent up front; waiting for a 401 is not emulated.
func (s *spec) applyAuth(vm *goja.Runtime, v goja.Value) *nodeError {
	obj, ok := v.(*goja.Object)
	if !ok || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil
	}
	pick := func(a, b string) goja.Value {
		if p := obj.Get(a); p != nil && !goja.IsUndefined(p) {
			return p
		}
		if p := obj.Get(b); p != nil {
			return p
		}
		return goja.Undefined()
	}
	user, pass, bearer := pick("user", "username"), pick("pass", "password"), obj.Get("bearer")
	if bearer != nil && !goja.IsUndefined(bearer) && !goja.IsNull(bearer) {
		s.headers.set("authorization", "Bearer "+bearer.String())
		return nil
	}
	u, userOK := user.Export().(string)
	_, passIsString := pass.Export().(string)
	if !userOK || !(goja.IsUndefined(pass) || passIsString) {
		return plainError("auth() received invalid user or password")
	}
	s.headers.set("authorization", basic(u, pass.String(), !goja.IsUndefined(pass)))
	return nil
}

func basic(user, pass string, withPass bool) string {
	cred := user
	if withPass {
		cred += ":" + pass
	}
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(cred))
}

// applyJSON is request's json(): accept header, then the body stringified (a string
// body too, so it goes out as a JSON string literal) with a JSON content-type.
func (m *module) applyJSON(s *spec, val, body goja.Value) (goja.Value, *nodeError) {
	vm := m.vu.Runtime()
	if !s.headers.has("accept") {
		s.headers.set("accept", "application/json")
	}
	if _, isBool := val.Export().(bool); isBool {
		if goja.IsUndefined(body) {
			return body, nil
		}
		if formType.MatchString(s.headers.get("content-type")) {
			body = vm.ToValue(rfc3986(body.String()))
		} else {
			out, err := m.stringify(body)
			if err != nil {
				return body, err
			}
			body = out
		}
	} else {
		out, err := m.stringify(val)
		if err != nil {
			return body, err
		}
		body = out
	}
	if !s.headers.has("content-type") {
		s.headers.set("content-type", "application/json")
	}
	return body, nil
}

func (m *module) stringify(v goja.Value) (goja.Value, *nodeError) {
	vm := m.vu.Runtime()
	fn, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	out, err := fn(goja.Undefined(), v)
	if err != nil {
		return nil, plainError(err.Error())
	}
	return out, nil
}

// bodyBytes reads a string, Buffer/typed array or array of those; anything else
// is what request rejects with "Argument error, options.body.".
func bodyBytes(vm *goja.Runtime, v goja.Value) ([]byte, bool) {
	if s, ok := v.Export().(string); ok {
		return []byte(s), true
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	if b, ok := obj.Export().([]byte); ok && obj.ExportType() == bytesType {
		return append([]byte(nil), b...), true
	}
	if obj.ClassName() == "Array" {
		var out []byte
		for _, k := range obj.Keys() {
			part, ok := bodyBytes(vm, obj.Get(k))
			if !ok {
				return nil, false
			}
			out = append(out, part...)
		}
		return out, true
	}
	return nil, false
}
