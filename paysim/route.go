package paysim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Route is where a notify_url is delivered.
type Route struct {
	// Function, when set, is the local cloud function that gets the notify.
	Function string
	// URL is the notify_url; when Function is empty it is a loopback URL called
	// over real HTTP.
	URL *url.URL
}

// RouteNotify tells where a notify_url goes. A loopback host (localhost,
// *.localhost, 127.0.0.0/8, ::1) is a server on this machine and is called as is.
// Any other host stands for the deployed function (the tutorials use
// https://cloud.siton.xin/xxxx/payNotify), so the notify goes to the local
// function named by the URL's last path segment: payNotify.
func RouteNotify(rawURL string) (Route, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Route{}, fmt.Errorf("notify_url %q: %w", rawURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return Route{}, fmt.Errorf("notify_url %q: not an http(s) URL", rawURL)
	}
	if u.Host == "" {
		return Route{}, fmt.Errorf("notify_url %q: no host", rawURL)
	}
	if IsLoopback(u.Hostname()) {
		return Route{URL: u}, nil
	}
	path := strings.TrimRight(u.Path, "/")
	name := path[strings.LastIndex(path, "/")+1:]
	if name == "" {
		return Route{}, fmt.Errorf("notify_url %q: no path segment to name the local function that should get it", rawURL)
	}
	return Route{Function: name, URL: u}, nil
}

// IsLoopback reports whether host (no port) names this machine's loopback interface.
func IsLoopback(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Invoker runs the local function name with req (a notify POST: method, headers,
// body and the notify_url's query) and returns its answer.
type Invoker func(ctx context.Context, name string, req *http.Request) (*http.Response, error)

// LocalDeliver is an Options.Deliver that follows RouteNotify: notifies for
// remote hosts go to invoke, loopback ones over client (nil: a client that does
// not follow redirects, since providers do not).
func LocalDeliver(invoke Invoker, client *http.Client) func(ctx context.Context, req *http.Request) (*http.Response, error) {
	if client == nil {
		client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return func(ctx context.Context, req *http.Request) (*http.Response, error) {
		if req.URL == nil {
			return nil, errors.New("notify request without a URL")
		}
		route, err := RouteNotify(req.URL.String())
		if err != nil {
			return nil, err
		}
		if route.Function == "" {
			return client.Do(req.WithContext(ctx))
		}
		resp, err := invoke(ctx, route.Function, req)
		if err != nil {
			return nil, fmt.Errorf("delivering to local function %s: %w", route.Function, err)
		}
		return resp, nil
	}
}
