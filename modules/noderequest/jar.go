package noderequest

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"github.com/dop251/goja"
)

// A working cookie jar on net/http/cookiejar (no public-suffix list): jar: true
// uses one jar per module instance, request.jar() makes another, and set-cookie
// responses are stored and sent back on later calls and redirects.

func newJar() *cookiejar.Jar {
	j, _ := cookiejar.New(nil) // cannot fail without options
	return j
}

// jarFor resolves options.jar: true, a request.jar() object, or nothing.
func (m *module) jarFor(v goja.Value) http.CookieJar {
	if obj, ok := v.(*goja.Object); ok {
		if j, ok := obj.GetSymbol(m.jarKey).Export().(*cookiejar.Jar); ok {
			return j
		}
		return nil
	}
	if v.ToBoolean() {
		if m.defaultJar == nil {
			m.defaultJar = newJar()
		}
		return m.defaultJar
	}
	return nil
}

// jarObject is request.jar(): setCookie, getCookieString, getCookies.
func (m *module) jarObject() *goja.Object {
	vm := m.vu.Runtime()
	j := newJar()
	obj := vm.NewObject()
	_ = obj.SetSymbol(m.jarKey, vm.ToValue(j))
	parseURL := func(v goja.Value) *url.URL {
		u, ok := parseURI(uriString(v))
		if !ok {
			panic(vm.NewTypeError("Invalid URI " + v.String()))
		}
		return u
	}
	_ = obj.Set("setCookie", func(call goja.FunctionCall) goja.Value {
		cookie, uri := call.Argument(0), call.Argument(1)
		c, err := http.ParseSetCookie(strings.TrimSpace(cookie.String()))
		if err != nil {
			return goja.Undefined()
		}
		j.SetCookies(parseURL(uri), []*http.Cookie{c})
		return m.cookieObject(c)
	})
	_ = obj.Set("getCookieString", func(call goja.FunctionCall) goja.Value {
		uri := call.Argument(0)
		var parts []string
		for _, c := range j.Cookies(parseURL(uri)) {
			parts = append(parts, c.Name+"="+c.Value)
		}
		return vm.ToValue(strings.Join(parts, "; "))
	})
	_ = obj.Set("getCookies", func(call goja.FunctionCall) goja.Value {
		uri := call.Argument(0)
		var items []any
		for _, c := range j.Cookies(parseURL(uri)) {
			items = append(items, m.cookieObject(c))
		}
		return vm.NewArray(items...)
	})
	return obj
}

// cookieObject is the part of tough-cookie's Cookie scripts use.
func (m *module) cookieObject(c *http.Cookie) *goja.Object {
	vm := m.vu.Runtime()
	obj := vm.NewObject()
	_ = obj.Set("key", c.Name)
	_ = obj.Set("value", c.Value)
	_ = obj.Set("domain", nullIfEmpty(c.Domain))
	_ = obj.Set("path", nullIfEmpty(c.Path))
	_ = obj.Set("secure", c.Secure)
	_ = obj.Set("httpOnly", c.HttpOnly)
	full := c.String()
	_ = obj.Set("toString", func() string { return full })
	_ = obj.Set("cookieString", func() string { return c.Name + "=" + c.Value })
	return obj
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// cookie is request.cookie(str): the parsed cookie, or undefined.
func (m *module) cookie(str goja.Value) goja.Value {
	c, err := http.ParseSetCookie(strings.TrimSpace(str.String()))
	if err != nil {
		return goja.Undefined()
	}
	return m.cookieObject(c)
}
