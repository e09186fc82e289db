package bmob

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/restapi"
)

// file is modules.oFile: del({url}) and its alias delete. Bmob's 2018 module
// needed group and url and sent DELETE /1/files/<url>; today's docs call
// del({url}) alone, the CDN delete DELETE /2/files/<cdn>/<path>. So group is
// optional: with it the legacy route, without it the current one. url may be
// the path, the path under /2/files, or the whole URL an upload returned.
func (w *Wrappers) file(vu modules.VU) (goja.Value, error) {
	wr := w.wrapper(vu)
	del := func(c goja.FunctionCall) goja.Value {
		o, cb := opts(c)
		if !has(o, "url") {
			return wr.fail(cb, codeNoFileURL, errNoFileURL)
		}
		path := filePath(text(o.Get("url")), has(o, "group"))
		wr.call(cb, restapi.Request{Method: http.MethodDelete, Path: path})
		return goja.Undefined()
	}
	return wr.object(map[string]func(goja.FunctionCall) goja.Value{"del": del, "delete": del}), nil
}

// filePath is the REST path that deletes the file ref names; a bare path
// ("2017/06/03/x.jpg", as Bmob's docs show) gets the cdn uploads report.
func filePath(ref string, legacy bool) string {
	if u, err := url.Parse(ref); err == nil && u.Scheme != "" && u.Host != "" {
		ref = u.Path
	}
	ref = strings.TrimPrefix(ref, "/")
	segs := strings.Split(ref, "/")
	for i, s := range segs {
		segs[i] = escapeSegment(s)
	}
	rel := strings.Join(segs, "/")
	switch {
	case strings.HasPrefix(ref, "2/files/"):
		return "/" + rel
	case legacy:
		return "/1/files/" + rel
	}
	return "/2/files/" + restapi.FileCDN + "/" + rel
}

// escapeSegment escapes one path segment.
func escapeSegment(s string) string { return url.PathEscape(s) }
