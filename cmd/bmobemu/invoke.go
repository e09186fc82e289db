package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/bmobemu/bmobemu/emulator"
	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/runtime"
)

// invoke is `bmobemu invoke NAME`.
func invoke(ctx context.Context, inv invocation) error {
	args, stdout := inv.args, inv.stdout
	fs := newFlagSet("invoke")
	var c common
	c.register(fs)
	body := fs.String("body", "", "JSON body (POST, application/json)")
	method := fs.String("method", "", "GET or POST (default: POST with a body or form, else GET)")
	var form, query, headers listFlag
	fs.Var(&form, "form", "k=v form field (POST, urlencoded; repeatable)")
	fs.Var(&query, "query", "k=v query parameter (repeatable)")
	fs.Var(&headers, "header", "k=v request header (repeatable)")
	if wantsHelp(args) {
		return &helpRequest{fs: fs}
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New("invoke: name the function first: bmobemu invoke NAME [flags] (see bmobemu invoke --help)")
	}
	name := args[0]
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	cfg, err := c.config(nil)
	if err != nil {
		return err
	}
	runtime.LimitRegexpMatches(cfg.Timeout) // before any VM runs
	// One call: the timed tasks do not fire meanwhile.
	cfg.ManualTasks = true
	emu, err := emulator.Open(cfg)
	if err != nil {
		return err
	}
	defer emu.Close()

	req, err := invokeRequest(ctx, *method, *body, form, query, headers)
	if err != nil {
		return err
	}
	resp, err := emu.CallHTTP(ctx, name, req)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "status: %d\n", resp.Status)
	keys := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(stdout, "%s: %s\n", k, strings.Join(resp.Header[k], ", "))
	}
	fmt.Fprintf(stdout, "\n%s\n", resp.Body)
	if lines := emu.Logs.Tail(name); len(lines) > 0 {
		fmt.Fprintln(stdout, "\nlog:")
		for _, l := range lines {
			fmt.Fprintln(stdout, "  "+l)
		}
	}
	if resp.Kind != fncall.Sent {
		return fmt.Errorf("%s did not answer normally (status %d)", name, resp.Status)
	}
	return nil
}

// invokeRequest is the HTTP request the flags describe, as a client of the
// direct URL would send it; the emulator parses it as the server does.
func invokeRequest(ctx context.Context, method, body string, form, query, headers listFlag) (*http.Request, error) {
	var payload, contentType string
	switch {
	case body != "" && len(form) > 0:
		return nil, errors.New("give --body or --form, not both")
	case body != "":
		payload, contentType = body, "application/json"
	case len(form) > 0:
		fields := make([]string, len(form))
		for i, kv := range form {
			k, v, _ := strings.Cut(kv, "=")
			fields[i] = url.QueryEscape(k) + "=" + url.QueryEscape(v)
		}
		payload, contentType = strings.Join(fields, "&"), "application/x-www-form-urlencoded"
	}
	switch {
	case method != "":
		method = strings.ToUpper(method)
	case contentType != "":
		method = http.MethodPost
	default:
		method = http.MethodGet
	}
	if method != http.MethodGet && method != http.MethodPost {
		return nil, fmt.Errorf("--method must be GET or POST")
	}
	target := &url.URL{Scheme: "http", Host: "localhost", Path: "/invoke", RawQuery: strings.Join(query, "&")}
	req, err := http.NewRequestWithContext(ctx, method, target.String(), strings.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("invoke: %w", err)
	}
	req.RemoteAddr = "127.0.0.1:0"
	for _, kv := range headers {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("--header %q: want k=v", kv)
		}
		req.Header.Add(k, v)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req, nil
}
