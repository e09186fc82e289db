package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/bmobemu/bmobemu/restapi"
)

// rest serves every /1/… and /2/… request: it copies the request out of
// fiber's reused buffers, lets restapi answer it (keys, CORS, tunnelling and
// routes are all restapi's) and writes the answer.
func (h *handler) rest(c *fiber.Ctx) error {
	if h.opts.API == nil {
		c.Status(http.StatusNotFound).Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.SendString(`{"code":404,"error":"no REST API configured"}`)
	}
	raw := c.Request()
	req := restapi.Request{
		Method: string(raw.Header.Method()),
		Path:   string(raw.URI().PathOriginal()), // as sent, not unescaped: the safe-sign covers it
		Header: http.Header{},
		Body:   append([]byte(nil), raw.Body()...),
	}
	if i := strings.IndexByte(req.Path, '?'); i >= 0 {
		req.Path = req.Path[:i]
	}
	req.Query, _ = url.ParseQuery(string(raw.URI().QueryString())) // bad pairs are dropped, like unknown ones
	raw.Header.VisitAll(func(k, v []byte) { req.Header.Add(string(k), string(v)) })
	resp := h.opts.API.ServeClient(context.Background(), req, restapi.Client{IP: h.clientIP(c)})
	writeREST(c.Response(), resp)
	return nil
}

// writeREST writes a REST answer: its headers in restapi's order, so the
// bytes are the same every time.
func writeREST(r *fasthttp.Response, resp restapi.Response) {
	r.SetStatusCode(resp.Status)
	restapi.VisitHeaders(resp.Header, func(k, v string) {
		if !strings.EqualFold(k, "Content-Length") {
			r.Header.Add(k, v)
		}
	})
	r.SetBodyRaw(resp.Body)
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
