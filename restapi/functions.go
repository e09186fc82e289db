package restapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/bmobemu/bmobemu/store"
)

// Functions is the function registry /1/functions works on (bmob-api.md §3.3,
// §5.3): it runs, deploys and removes cloud functions by name. Errors say what
// happened with ErrNoFunction, ErrFunctionsBusy and *CompileError; any other
// error's text goes into Bmob's error message.
type Functions interface {
	// Run calls name as Bmob's REST layer does: a form body of string fields in
	// order (`_e` first). It returns the text the function sent, or an error
	// (an exception, no answer, a function that does not compile).
	Run(ctx context.Context, name string, form []FormField) (string, error)
	// ValidName reports whether name can be deployed.
	ValidName(name string) bool
	// Deploy installs src as name; a *CompileError leaves the old version serving.
	Deploy(name string, src []byte) error
	// Remove deletes a deployed function.
	Remove(name string) error
}

// FormField is one field of a function's form body.
type FormField struct{ Key, Value string }

// Errors a Functions registry answers with.
var (
	// ErrNoFunction is a name no function has.
	ErrNoFunction = errors.New("no such function")
	// ErrFunctionsBusy is a call beyond the functions' capacity.
	ErrFunctionsBusy = errors.New("functions busy")
)

// CompileError is deployed code that does not compile or whose top level throws.
type CompileError struct{ Err error }

func (e *CompileError) Error() string { return e.Err.Error() }

// Unwrap returns the compiler's error.
func (e *CompileError) Unwrap() error { return e.Err }

// WithFunctions serves /1/functions from f; without it every function name is
// unknown (311).
func WithFunctions(f Functions) Option { return func(a *API) { a.functions = f } }

// functionsPrefix is the route of functions; the name after it is taken as
// sent, before unescaping, so a name that is not a path segment ("a/b",
// "%zz") is Bmob's 311 rather than a missing route.
const functionsPrefix = "/1/functions/"

// functionRoutes are /1/functions/<name>: POST runs the function, PUT deploys
// it, DELETE removes it. Deploying and removing change the server's code, so
// they need the master key: the REST API key ships inside every client app,
// and with it any user could replace payNotify.
func (a *API) functionRoutes() []route {
	return []route{{anyMethod, functionsPrefix + "**name", a.functionRoute}}
}

func (a *API) functionRoute(ctx context.Context, req Request, p map[string]string) (any, int, http.Header, error) {
	name, err := url.PathUnescape(p["name"])
	if err != nil || name == "" || strings.Contains(name, "/") {
		return nil, 0, nil, store.Errorf(311, "invalid cloudcode name: %s.", p["name"])
	}
	if req.Method != http.MethodPost && !equal(header(req.Header, HeaderMasterKey), a.keys.MasterKey) {
		const why = "deploying and removing functions needs the master key (X-Bmob-Master-Key): the REST API key ships inside client apps"
		a.logf("warn", "401 %s %s: %s", req.Method, req.Path, why)
		return nil, 0, nil, unauthorized{why: why}
	}
	// A function runs as the server, not as the client: its own data calls
	// do not pass through the data hook.
	ctx = WithoutClient(ctx)
	var v any
	switch req.Method {
	case http.MethodPost:
		v, err = a.callFunction(ctx, req, name)
	case http.MethodPut:
		v, err = a.deployFunction(req, name)
	case http.MethodDelete:
		v, err = a.removeFunction(name)
	default:
		err = noRoute(req)
	}
	if busy, ok := v.(functionsBusy); ok {
		return busy, http.StatusInternalServerError, nil, err
	}
	return v, http.StatusOK, nil, err
}

// functionsBusy is Bmob's answer to a call beyond capacity, status 500.
type functionsBusy struct {
	Error string `json:"error"`
}

// callFunction runs a function as Bmob's REST layer does: every body value
// turned into a string, `_e` added, the answer {"result":"<the body as text>"}.
func (a *API) callFunction(ctx context.Context, req Request, name string) (any, error) {
	if ct := req.Header.Get("Content-Type"); ct != "" && !isJSONMedia(ct) {
		return nil, store.Errorf(107, "This endpoint only supports Content-Type: application/json requests, not %s.", Echo(ct))
	}
	form, err := stringFields(req.Body)
	if err != nil {
		return nil, store.Errorf(107, "invalid json: %s.", Echo(req.Body))
	}
	if a.functions == nil {
		return nil, store.Errorf(311, "invalid cloudcode name: %s.", name)
	}
	text, err := a.functions.Run(ctx, name, append([]FormField{{Key: "_e", Value: name}}, form...))
	switch {
	case errors.Is(err, ErrNoFunction):
		return nil, store.Errorf(311, "invalid cloudcode name: %s.", name)
	case errors.Is(err, ErrFunctionsBusy):
		return functionsBusy{Error: "It is busy...Try it later!"}, nil
	case err != nil:
		return nil, store.Errorf(310, "call cloudcode error:%s", err)
	}
	return map[string]any{"result": text}, nil
}

// deployRequest is the body Bmob's upload tools send (bmobup, bmob publish).
type deployRequest struct {
	Code     *string `json:"code"`
	Language *int    `json:"language"`
	Comment  string  `json:"comment"`
}

func (a *API) deployFunction(req Request, name string) (any, error) {
	if a.functions == nil || !a.functions.ValidName(name) {
		return nil, store.Errorf(311, "invalid cloudcode name: %s.", name)
	}
	var d deployRequest
	if err := json.Unmarshal(req.Body, &d); err != nil {
		return nil, store.Errorf(107, "invalid json: %s.", Echo(req.Body))
	}
	if d.Code == nil || *d.Code == "" {
		return nil, store.Errorf(312, "请传入云代码")
	}
	if d.Language != nil && *d.Language != 1 {
		return nil, store.Errorf(313, "update cloudcode err: language %d is not supported, only 1 (JavaScript)", *d.Language)
	}
	src, err := decodeBase64(*d.Code)
	if err != nil {
		return nil, store.Errorf(313, "update cloudcode err: code is not base64: %s", err)
	}
	var ce *CompileError
	switch err := a.functions.Deploy(name, src); {
	case errors.As(err, &ce):
		return nil, store.Errorf(320, "解析云端代码错误: %s", ce.Err)
	case err != nil:
		return nil, store.Errorf(316, "生成云端代码文件错误: %s", err)
	}
	return msgOK(), nil
}

func (a *API) removeFunction(name string) (any, error) {
	if a.functions == nil {
		return nil, store.Errorf(314, "该云端代码不存在，没法删除")
	}
	switch err := a.functions.Remove(name); {
	case errors.Is(err, ErrNoFunction):
		return nil, store.Errorf(314, "该云端代码不存在，没法删除")
	case err != nil:
		return nil, store.Errorf(315, "删除云端代码错误: %s", err)
	}
	return msgOK(), nil
}

// decodeBase64 accepts standard and URL-safe base64, padded or not.
func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	_, err := base64.StdEncoding.DecodeString(s)
	return nil, err
}

// stringFields turns a JSON object body into form fields in the body's order:
// strings as they are, numbers as their text, booleans as true/false, objects
// and arrays as their compact JSON text; null is left out (bmob-api.md §1.3).
// An empty body is {}.
func stringFields(body []byte) ([]FormField, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	var out []FormField
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if string(raw) == "null" {
			continue
		}
		out = append(out, FormField{Key: key, Value: jsonString(raw)})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("text after the JSON object")
	}
	return out, nil
}

// isJSONMedia reports whether a Content-Type is application/json, parameters
// allowed (a malformed one is not).
func isJSONMedia(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}
