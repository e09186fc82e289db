package restapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// tunnelHeaders map the body fields of old SDKs' tunnelled requests to the
// headers they stand for (bmob-api.md §5.1).
var tunnelHeaders = map[string]string{
	"_ApplicationId": "X-Bmob-Application-Id",
	"_RestKey":       "X-Bmob-REST-API-Key",
	"_MasterKey":     "X-Bmob-Master-Key",
	"_SessionToken":  "X-Bmob-Session-Token",
}

// tunnelOnly are tunnelling fields that carry nothing the emulator uses.
var tunnelOnly = map[string]bool{"_Method": true, "_method": true, "_ClientVersion": true, "_InstallationId": true}

// untunnel rewrites a legacy tunnelled request: a POST whose JSON body holds
// _Method (GET, PUT, DELETE), the keys as _ApplicationId, _RestKey, _MasterKey,
// _SessionToken, and, for GET, the query parameters. It reports whether req was
// tunnelled; anything else is left as it is.
func untunnel(req *Request) bool {
	if req.Method != http.MethodPost || !bytes.Contains(req.Body, []byte(`"_`)) {
		return false
	}
	trimmed := bytes.TrimSpace(req.Body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return false
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(trimmed, &fields) != nil {
		return false
	}
	method := http.MethodPost
	if raw, ok := fields["_Method"]; ok {
		method = jsonString(raw)
	} else if raw, ok := fields["_method"]; ok {
		method = jsonString(raw)
	}
	_, hasApp := fields["_ApplicationId"]
	_, hasMaster := fields["_MasterKey"]
	if method == http.MethodPost && !hasApp && !hasMaster {
		return false // an ordinary body that happens to hold "_"
	}
	method = strings.ToUpper(method)
	for field, header := range tunnelHeaders {
		if raw, ok := fields[field]; ok {
			req.Header.Set(header, jsonString(raw))
			delete(fields, field)
		}
	}
	for field := range tunnelOnly {
		delete(fields, field)
	}
	req.Method = method
	switch method {
	case http.MethodGet, http.MethodDelete:
		q := url.Values{}
		for k, raw := range fields {
			q.Set(k, jsonString(raw))
		}
		req.Query, req.Body = q, nil
		req.Header.Del("Content-Type")
	default:
		body, _ := json.Marshal(fields)
		req.Body = body
		req.Header.Set("Content-Type", "application/json")
	}
	return true
}

// jsonString is a JSON string's value, or any other value's compact JSON text
// (a `where` object travels as its JSON, as in a query string).
func jsonString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return string(raw)
	}
	return buf.String()
}
