package server

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/bmobemu/bmobemu/restapi"
)

// restRequest is one REST call copied out of fiber's reused buffers.
type restRequest struct {
	method, path string // path as sent, not unescaped (the safe-sign covers it)
	query        url.Values
	header       http.Header
	body         []byte
}

// unauthorized is Bmob's answer to wrong or missing keys (bmob-api.md §5.1).
var unauthorized = []byte(`{"error":"unauthorized"}`)

// rest serves every /1/… and /2/… request: CORS, legacy tunnelling, the app's
// keys, then /1/functions here and everything else in restapi.
func (h *handler) rest(c *fiber.Ctx) error {
	allowCORS(c)
	if c.Method() == fiber.MethodOptions {
		return preflight(c)
	}
	raw := c.Request()
	req := &restRequest{
		method: string(raw.Header.Method()),
		path:   string(raw.URI().PathOriginal()),
		header: http.Header{},
		body:   append([]byte(nil), raw.Body()...),
	}
	if i := strings.IndexByte(req.path, '?'); i >= 0 {
		req.path = req.path[:i]
	}
	req.query, _ = url.ParseQuery(string(raw.URI().QueryString())) // bad pairs are dropped, like unknown ones
	raw.Header.VisitAll(func(k, v []byte) { req.header.Add(string(k), string(v)) })
	limit := h.opts.BodyLimit
	if req.method == http.MethodPost && strings.HasPrefix(req.path, "/2/files/") {
		limit = h.opts.FileBodyLimit
	}
	if len(req.body) > limit {
		return sendJSON(c, http.StatusRequestEntityTooLarge, map[string]any{"code": http.StatusRequestEntityTooLarge,
			"error": fmt.Sprintf("request body larger than the limit of %d bytes", limit)})
	}
	untunnel(req)
	level, why := h.auth.check(req.method, req.path, req.header, req.body)
	if level == denied && isPublicFile(req) {
		level = signed // a file's URL is public, as on Bmob's CDN: browsers fetch it without keys
	}
	if level == denied {
		h.opts.Log("warn", fmt.Sprintf("401 %s %s: %s", req.method, req.path, why))
		c.Set("X-Bmobemu-Unauthorized", why)
		c.Status(http.StatusUnauthorized).Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Send(unauthorized)
	}
	if name, ok := strings.CutPrefix(req.path, "/1/functions/"); ok {
		return h.restFunction(c, req, name, level)
	}
	if h.opts.API == nil {
		return sendJSON(c, http.StatusNotFound, map[string]any{"code": http.StatusNotFound, "error": "no REST API configured"})
	}
	// Marked as a client's request: data requests pass through the data hook.
	ctx := restapi.WithClient(context.Background(), restapi.Client{IP: h.clientIP(c)})
	resp := h.opts.API.Serve(ctx, restapi.Request{
		Method: req.method, Path: req.path, Query: req.query, Header: req.header, Body: req.body,
	})
	setAnswer(c.Response(), resp.Status, resp.Header, resp.Body)
	return nil
}

// allowCORS lets browsers and mini-program devtools read REST answers.
func allowCORS(c *fiber.Ctx) {
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	c.Set(fiber.HeaderAccessControlExposeHeaders, "Location, X-Bmobemu-Unauthorized")
}

// preflight answers a CORS preflight for any REST path: every method the API
// has and whatever headers the page asks to send (Bmob's own and the SDKs').
func preflight(c *fiber.Ctx) error {
	c.Set(fiber.HeaderAccessControlAllowMethods, "GET, POST, PUT, DELETE, OPTIONS")
	headers := c.Get(fiber.HeaderAccessControlRequestHeaders)
	if headers == "" {
		headers = "Content-Type, X-Bmob-Application-Id, X-Bmob-REST-API-Key, X-Bmob-Master-Key, X-Bmob-Session-Token, " +
			"X-Bmob-Safe-Sign, X-Bmob-Safe-Timestamp, X-Bmob-Noncestr-Key, X-Bmob-Secret-Key, X-Bmob-SDK-Type, X-Bmob-SDK-Version"
	}
	c.Set(fiber.HeaderAccessControlAllowHeaders, headers)
	c.Set(fiber.HeaderAccessControlMaxAge, "86400")
	return c.SendStatus(http.StatusNoContent)
}

// sendJSON answers v as compact JSON, the way every REST answer is written.
func sendJSON(c *fiber.Ctx, status int, v any) error {
	body, err := restapi.Encode(v)
	if err != nil {
		return fmt.Errorf("encoding a REST answer: %w", err)
	}
	c.Status(status).Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(body)
}

// bmobError answers {"code":N,"error":"…"} with status 400, Bmob's error shape.
func bmobError(c *fiber.Ctx, code int, format string, args ...any) error {
	return sendJSON(c, http.StatusBadRequest, map[string]any{"code": code, "error": fmt.Sprintf(format, args...)})
}

// isPublicFile is a GET of an uploaded file's URL (/2/files/<cdn>/<path>).
func isPublicFile(req *restRequest) bool {
	return (req.method == http.MethodGet || req.method == http.MethodHead) && strings.HasPrefix(req.path, "/2/files/")
}

// clientIP is the REST client's address: the connection's, or the first
// X-Forwarded-For entry when the server trusts it.
func (h *handler) clientIP(c *fiber.Ctx) string {
	if h.opts.TrustForwardedFor {
		if first, _, _ := strings.Cut(c.Get(fiber.HeaderXForwardedFor), ","); strings.TrimSpace(first) != "" {
			return strings.TrimSpace(first)
		}
	}
	return c.IP()
}
