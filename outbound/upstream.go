package outbound

import (
	"fmt"
	"net/url"
	"strings"
)

// upstream is one parsed --upstream base URL, or the reason it does not parse.
type upstream struct {
	base *url.URL
	err  error
}

func parseBase(raw string) upstream {
	u, err := parseUpstreamURL(raw)
	if err != nil {
		return upstream{err: fmt.Errorf("outbound: upstream %q: %w", raw, err)}
	}
	return upstream{base: u}
}

// join maps u onto the base: BASE/path?query, keeping u's path and query verbatim.
func (up upstream) join(u *url.URL) *url.URL {
	out := *up.base
	out.User = nil
	out.Path = strings.TrimSuffix(up.base.Path, "/") + u.Path
	if u.RawPath != "" || up.base.RawPath != "" {
		out.RawPath = strings.TrimSuffix(up.base.EscapedPath(), "/") + u.EscapedPath()
	}
	out.RawQuery = u.RawQuery
	out.ForceQuery = u.ForceQuery
	out.Fragment, out.RawFragment = "", ""
	return &out
}

// ParseUpstream parses one --upstream flag value, HOST=URL, such as
// "api.mch.weixin.qq.com=http://127.0.0.1:9000". HOST is a host name, optionally
// with a port; URL is an http or https base URL without query or fragment. The
// host comes back lower-cased and the URL without a trailing slash.
func ParseUpstream(s string) (host, base string, err error) {
	h, raw, ok := strings.Cut(s, "=")
	h = strings.TrimSpace(h)
	raw = strings.TrimSpace(raw)
	if !ok || h == "" || raw == "" {
		return "", "", fmt.Errorf("upstream %q: want HOST=URL, for example api.mch.weixin.qq.com=http://127.0.0.1:9000", s)
	}
	if strings.Contains(h, "/") || strings.ContainsAny(h, " ?#@") {
		return "", "", fmt.Errorf("upstream %q: HOST must be a host name such as api.mch.weixin.qq.com, not a URL", s)
	}
	u, err := parseUpstreamURL(raw)
	if err != nil {
		return "", "", fmt.Errorf("upstream %q: %w", s, err)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	return strings.ToLower(h), u.String(), nil
}

func parseUpstreamURL(raw string) (*url.URL, error) {
	lower := strings.ToLower(raw)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return nil, fmt.Errorf("URL %q must start with http:// or https://", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("URL does not parse: %w", err)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("URL %q has no host", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("URL %q must not have a query or fragment", raw)
	}
	return u, nil
}
