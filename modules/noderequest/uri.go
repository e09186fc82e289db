package noderequest

import (
	"net/url"
	"strings"

	"github.com/dop251/goja"
)

// autoEscape lists what Node's legacy url.parse percent-encodes on its own.
var autoEscape = strings.NewReplacer("\t", "%09", "\n", "%0A", "\r", "%0D", " ", "%20", `"`, "%22",
	"'", "%27", "<", "%3C", ">", "%3E", `\`, "%5C", "^", "%5E", "`", "%60", "{", "%7B", "|", "%7C", "}", "%7D")

// parseURI reads a URI the way request (through url.parse) does: trimmed,
// backslashes before the query turned into slashes, unsafe characters escaped.
// It reports false when there is no host, which request calls an invalid URI.
func parseURI(raw string) (*url.URL, bool) {
	s := strings.TrimSpace(raw)
	if q := strings.IndexAny(s, "?#"); q >= 0 {
		s = strings.ReplaceAll(s[:q], `\`, "/") + s[q:]
	} else {
		s = strings.ReplaceAll(s, `\`, "/")
	}
	u, err := url.Parse(autoEscape.Replace(s))
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, false
	}
	u.Host = strings.ToLower(u.Host)
	if u.Path == "" {
		u.Path = "/"
	}
	u.Fragment, u.RawFragment = "", ""
	return u, true
}

// uriString reads options.uri: a string, or an object such as url.parse's result.
func uriString(v goja.Value) string {
	obj, ok := v.(*goja.Object)
	if !ok {
		return v.String()
	}
	if href := obj.Get("href"); href != nil && !goja.IsUndefined(href) && !goja.IsNull(href) {
		return href.String()
	}
	str := func(name string) string {
		if p := obj.Get(name); p != nil && !goja.IsUndefined(p) && !goja.IsNull(p) {
			return p.String()
		}
		return ""
	}
	host := str("host")
	if host == "" {
		host = str("hostname")
		if port := str("port"); port != "" {
			host += ":" + port
		}
	}
	out := str("protocol")
	if host != "" {
		out += "//" + host
	}
	path := str("path")
	if path == "" {
		path = str("pathname") + str("search")
	}
	return out + path
}

// joinBaseURL joins baseUrl and a relative uri with exactly one slash, as request does.
func joinBaseURL(base, uri string) string {
	baseSlash := strings.HasSuffix(base, "/")
	uriSlash := strings.HasPrefix(uri, "/")
	switch {
	case baseSlash && uriSlash:
		return base + uri[1:]
	case baseSlash || uriSlash:
		return base + uri
	case uri == "":
		return base
	}
	return base + "/" + uri
}

// uriObject renders u as url.parse's result, which request exposes as request.uri.
func uriObject(vm *goja.Runtime, u *url.URL) *goja.Object {
	obj := vm.NewObject()
	orNull := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	var auth any
	if u.User != nil {
		auth = u.User.String()
	}
	search, query := "", ""
	if u.RawQuery != "" || u.ForceQuery {
		search, query = "?"+u.RawQuery, u.RawQuery
	}
	path := u.EscapedPath()
	_ = obj.Set("protocol", u.Scheme+":")
	_ = obj.Set("slashes", true)
	_ = obj.Set("auth", auth)
	_ = obj.Set("host", u.Host)
	_ = obj.Set("port", orNull(u.Port()))
	_ = obj.Set("hostname", u.Hostname())
	_ = obj.Set("hash", nil)
	_ = obj.Set("search", orNull(search))
	_ = obj.Set("query", orNull(query))
	_ = obj.Set("pathname", path)
	_ = obj.Set("path", path+search)
	_ = obj.Set("href", u.String())
	return obj
}
