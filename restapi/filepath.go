package restapi

import "strings"

// cleanFilePath collapses repeated slashes in a /2/files/ path.
// hydrogen-js-sdk's File().destroy(url) sends /2/files/upyun/ + the URL's
// path, which starts with a slash, so Bmob sees (and tolerates)
// /2/files/upyun//2026/…; every other path keeps its empty segments (a 404).
func cleanFilePath(p string) string {
	if !strings.HasPrefix(p, "/2/files/") || !strings.Contains(p, "//") {
		return p
	}
	var b strings.Builder
	b.Grow(len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && i > 0 && p[i-1] == '/' {
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}
