package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/bmobemu/bmobemu/emulator"
	"github.com/bmobemu/bmobemu/runtime"
	"github.com/bmobemu/bmobemu/server"
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

	req, err := invokeRequest(*method, *body, form, query, headers)
	if err != nil {
		return err
	}
	req.Params = map[string]string{"functions": name}
	resp, err := emu.Functions.Invoke(ctx, name, req)
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
	if resp.Kind != runtime.Sent {
		return fmt.Errorf("%s did not answer normally (status %d)", name, resp.Status)
	}
	return nil
}

func invokeRequest(method, body string, form, query, headers listFlag) (*runtime.Request, error) {
	h := http.Header{}
	for _, kv := range headers {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("--header %q: want k=v", kv)
		}
		h.Add(k, v)
	}
	var rawQuery []string
	for _, kv := range query {
		rawQuery = append(rawQuery, kv)
	}
	req := &runtime.Request{Header: h, Query: server.ParsePairs(strings.Join(rawQuery, "&")),
		IP: "127.0.0.1", Hostname: "localhost", Protocol: "http"}
	switch {
	case body != "" && len(form) > 0:
		return nil, errors.New("give --body or --form, not both")
	case body != "":
		h.Set("Content-Type", "application/json")
		b, err := server.DecodeBody("application/json", []byte(body), nil)
		if err != nil {
			return nil, fmt.Errorf("--body: %w", err)
		}
		req.Body = b
	case len(form) > 0:
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		var pairs []runtime.Pair
		for _, kv := range form {
			k, v, _ := strings.Cut(kv, "=")
			pairs = append(pairs, runtime.Pair{Key: k, Value: v})
		}
		req.Body = runtime.Body{Kind: runtime.BodyForm, Form: pairs}
	}
	switch {
	case method != "":
		req.Method = strings.ToUpper(method)
	case body != "" || len(form) > 0:
		req.Method = http.MethodPost
	default:
		req.Method = http.MethodGet
	}
	if req.Method != http.MethodGet && req.Method != http.MethodPost {
		return nil, fmt.Errorf("--method must be GET or POST")
	}
	req.Path = "/invoke"
	req.URL = req.Path
	if len(rawQuery) > 0 {
		req.URL += "?" + strings.Join(rawQuery, "&")
	}
	return req, nil
}
