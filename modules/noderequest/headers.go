package noderequest

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/dop251/goja"
)

// header is one request header as the script named it.
type header struct {
	name   string
	values []string
}

// headerList is request's caseless header map: names keep the case they were
// first given, lookups ignore case, order is insertion order.
type headerList struct{ list []header }

func (h *headerList) index(name string) int {
	for i, e := range h.list {
		if strings.EqualFold(e.name, name) {
			return i
		}
	}
	return -1
}

func (h *headerList) has(name string) bool { return h.index(name) >= 0 }

func (h *headerList) get(name string) string {
	if i := h.index(name); i >= 0 && len(h.list[i].values) > 0 {
		return h.list[i].values[0]
	}
	return ""
}

// set replaces the value, keeping an existing name's case, or appends the header.
func (h *headerList) set(name string, values ...string) {
	if i := h.index(name); i >= 0 {
		h.list[i].values = values
		return
	}
	h.list = append(h.list, header{name: name, values: values})
}

func (h *headerList) del(name string) {
	if i := h.index(name); i >= 0 {
		h.list = append(h.list[:i], h.list[i+1:]...)
	}
}

func (h *headerList) clone() *headerList {
	out := &headerList{list: make([]header, len(h.list))}
	for i, e := range h.list {
		out.list[i] = header{name: e.name, values: append([]string(nil), e.values...)}
	}
	return out
}

// readHeaders copies options.headers, dropping undefined values as request does.
// Arrays become repeated header lines, as Node's http does.
func readHeaders(v goja.Value) *headerList {
	h := &headerList{}
	obj, ok := v.(*goja.Object)
	if !ok {
		return h
	}
	for _, k := range obj.Keys() {
		val := obj.Get(k)
		if val == nil || goja.IsUndefined(val) {
			continue
		}
		if arr, ok := val.(*goja.Object); ok && arr.ClassName() == "Array" {
			var vals []string
			for _, ik := range arr.Keys() {
				vals = append(vals, arr.Get(ik).String())
			}
			h.list = append(h.list, header{name: k, values: vals})
			continue
		}
		h.list = append(h.list, header{name: k, values: []string{val.String()}})
	}
	return h
}

// validate applies Node's http checks, which throw before anything is sent.
func (h *headerList) validate() *nodeError {
	for _, e := range h.list {
		if !isToken(e.name) {
			return &nodeError{typeError: true, message: fmt.Sprintf("Header name must be a valid HTTP token [%q]", e.name), code: "ERR_INVALID_HTTP_TOKEN"}
		}
		for _, v := range e.values {
			for _, r := range v {
				if r != '\t' && (r < 0x20 || r == 0x7f || r > 0xff) {
					return &nodeError{typeError: true, message: fmt.Sprintf("Invalid character in header content [%q]", e.name), code: "ERR_INVALID_CHAR"}
				}
			}
		}
	}
	return nil
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// latin1 turns a JS string whose characters are all below 256 into the bytes Node
// writes for it.
func latin1(s string) string {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return string(b)
}

// httpHeader builds the Go header to send. Keys are canonicalised so Go's own
// handling of Host, User-Agent, Content-Length and Cookie sees them.
func (h *headerList) httpHeader() (hdr http.Header, host string) {
	hdr = http.Header{}
	for _, e := range h.list {
		key := http.CanonicalHeaderKey(e.name)
		if key == "Host" {
			if len(e.values) > 0 {
				host = latin1(e.values[0])
			}
			continue
		}
		for _, v := range e.values {
			hdr[key] = append(hdr[key], latin1(v))
		}
	}
	if _, ok := hdr["User-Agent"]; !ok {
		hdr["User-Agent"] = nil // present but empty: Go then sends no User-Agent, like request
	}
	if _, ok := hdr["Connection"]; !ok {
		hdr["Connection"] = []string{"keep-alive"} // what Node's agent sends
	}
	return hdr, host
}

// toJS renders the headers as request's `request.headers` object.
func (h *headerList) toJS(vm *goja.Runtime) *goja.Object {
	obj := vm.NewObject()
	for _, e := range h.list {
		switch {
		case strings.EqualFold(e.name, "content-length") && len(e.values) == 1:
			var n int64
			if _, err := fmt.Sscan(e.values[0], &n); err == nil {
				_ = obj.Set(e.name, n)
				continue
			}
			_ = obj.Set(e.name, e.values[0])
		case len(e.values) == 1:
			_ = obj.Set(e.name, e.values[0])
		default:
			items := make([]any, len(e.values))
			for i, v := range e.values {
				items[i] = v
			}
			_ = obj.Set(e.name, vm.NewArray(items...))
		}
	}
	return obj
}
