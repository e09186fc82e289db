package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/bmobemu/bmobemu/fncall"
	"github.com/bmobemu/bmobemu/functions"
	"github.com/bmobemu/bmobemu/restapi"
	"github.com/bmobemu/bmobemu/runtime"
)

// restFunction serves /1/functions/<name> (bmob-api.md §3.3, §5.3): POST runs
// the function, PUT deploys it, DELETE removes it. Deploying and removing change
// the server's code, so they need the master key: the REST API key ships inside
// every client app, and with it any user could replace payNotify.
func (h *handler) restFunction(c *fiber.Ctx, req *restRequest, escaped string, level access) error {
	name, err := url.PathUnescape(escaped)
	if err != nil || name == "" || strings.Contains(name, "/") {
		return bmobError(c, 311, "invalid cloudcode name: %s.", escaped)
	}
	if req.method != http.MethodPost && level < master {
		const why = "deploying and removing functions needs the master key (X-Bmob-Master-Key): the REST API key ships inside client apps"
		h.opts.Log("warn", fmt.Sprintf("401 %s %s: %s", req.method, req.path, why))
		c.Set("X-Bmobemu-Unauthorized", why)
		c.Status(http.StatusUnauthorized).Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Send(unauthorized)
	}
	switch req.method {
	case http.MethodPost:
		return h.callFunction(c, req, name)
	case http.MethodPut:
		return h.deployFunction(c, req, name)
	case http.MethodDelete:
		switch err := h.opts.Functions.Remove(name); {
		case errors.Is(err, functions.ErrNotFound):
			return bmobError(c, 314, "该云端代码不存在，没法删除")
		case errors.Is(err, functions.ErrNotDeployed):
			return bmobError(c, 315, "删除云端代码错误: %s", err)
		case err != nil:
			return bmobError(c, 315, "删除云端代码错误: %s", err)
		}
		return sendJSON(c, http.StatusOK, map[string]any{"msg": "ok"})
	}
	return sendJSON(c, http.StatusNotFound, map[string]any{"code": http.StatusNotFound, "error": fmt.Sprintf("no route for %s %s.", req.method, req.path)})
}

// callFunction runs a function as Bmob's REST layer does: every body value
// turned into a string, `_e` added, the answer {"result":"<the body as text>"}.
func (h *handler) callFunction(c *fiber.Ctx, req *restRequest, name string) error {
	if ct := req.header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		return bmobError(c, 107, "This endpoint only supports Content-Type: application/json requests, not %s.", restapi.Echo(ct))
	}
	form, err := stringFields(req.body)
	if err != nil {
		return bmobError(c, 107, "invalid json: %s.", restapi.Echo(req.body))
	}
	if _, ok := h.opts.Functions.Get(name); !ok {
		if loadErr, broken := h.opts.Functions.Errors()[name]; broken {
			return bmobError(c, 310, "call cloudcode error:%s", &functions.NotLoadedError{Name: name, Err: loadErr})
		}
		return bmobError(c, 311, "invalid cloudcode name: %s.", name)
	}
	resp, err := h.opts.Functions.Call(context.Background(), name, append([]fncall.Pair{{Key: "_e", Value: name}}, form...))
	switch {
	case errors.Is(err, functions.ErrNotFound): // removed meanwhile
		return bmobError(c, 311, "invalid cloudcode name: %s.", name)
	case errors.Is(err, runtime.ErrBusy):
		return sendJSON(c, http.StatusInternalServerError, map[string]any{"error": "It is busy...Try it later!"})
	case err != nil:
		return bmobError(c, 310, "call cloudcode error:%s", err)
	}
	if resp.Kind != fncall.Sent {
		return bmobError(c, 310, "call cloudcode error:%s", resp.Body)
	}
	return sendJSON(c, http.StatusOK, map[string]any{"result": string(resp.Body)})
}

// deployRequest is the body Bmob's upload tools send (bmobup, bmob publish).
type deployRequest struct {
	Code     *string `json:"code"`
	Language *int    `json:"language"`
	Comment  string  `json:"comment"`
}

func (h *handler) deployFunction(c *fiber.Ctx, req *restRequest, name string) error {
	if !functions.ValidName(name) {
		return bmobError(c, 311, "invalid cloudcode name: %s.", name)
	}
	var d deployRequest
	if err := json.Unmarshal(req.body, &d); err != nil {
		return bmobError(c, 107, "invalid json: %s.", restapi.Echo(req.body))
	}
	if d.Code == nil || *d.Code == "" {
		return bmobError(c, 312, "请传入云代码")
	}
	if d.Language != nil && *d.Language != 1 {
		return bmobError(c, 313, "update cloudcode err: language %d is not supported, only 1 (JavaScript)", *d.Language)
	}
	src, err := decodeBase64(*d.Code)
	if err != nil {
		return bmobError(c, 313, "update cloudcode err: code is not base64: %s", err)
	}
	var ce *functions.CompileError
	switch err := h.opts.Functions.Deploy(name, src); {
	case errors.As(err, &ce):
		return bmobError(c, 320, "解析云端代码错误: %s", ce.Err)
	case err != nil:
		return bmobError(c, 316, "生成云端代码文件错误: %s", err)
	}
	return sendJSON(c, http.StatusOK, map[string]any{"msg": "ok"})
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
func stringFields(body []byte) ([]fncall.Pair, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	var out []fncall.Pair
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
		out = append(out, fncall.Pair{Key: key, Value: jsonString(raw)})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("text after the JSON object")
	}
	return out, nil
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}
