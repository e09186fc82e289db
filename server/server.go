// Package server is bmobemu's HTTP face, a fiber app: Bmob's direct function URL
// `GET|POST /<secretKey>/<name>` with Express's body parsing (bmob-api.md §1.2–1.3),
// answering with exactly what the script sent; and Bmob's REST API under /1/ and
// /2/ (§5), which restapi answers whole (keys, CORS, tunnelling, every route):
// the server copies each request in and the answer out.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/valyala/fasthttp"

	"github.com/bmobemu/bmobemu/functions"
	"github.com/bmobemu/bmobemu/restapi"
	"github.com/bmobemu/bmobemu/runtime"
)

// DefaultBodyLimit is Bmob's request body limit, 0.2 MB (bmob-api.md §7), for
// function calls; REST bodies have restapi's limits.
const DefaultBodyLimit = restapi.DefaultBodyLimit

// DefaultMountBodyLimit bounds bodies sent to the mounted handlers (/_sandbox/…).
const DefaultMountBodyLimit = 8 << 20

// Options configure the server.
type Options struct {
	// Functions is the function set calls go to.
	Functions *functions.Set
	// Secret is the app's secret key, the first path segment of direct URLs
	// (required: with none, no direct URL matches).
	Secret string
	// API answers every /1/… and /2/… request (restapi.API.ServeClient) and
	// checks the backup's master key; nil answers them 404.
	API *restapi.API
	// BodyLimit bounds function call bodies in bytes; 0 means DefaultBodyLimit.
	BodyLimit int
	// ParseXML turns a text/xml body into xml2js's explicitArray:false tree,
	// as JSON text with the keys in document order. nil answers text/xml
	// bodies as empty ({}).
	ParseXML func([]byte) ([]byte, error)
	// Log receives server-level lines (not the functions' own logs).
	Log func(level, line string)
	// TrustForwardedFor takes a REST client's IP (the data hook's ip) from the
	// first X-Forwarded-For entry: for tests that play clients from several
	// addresses, or a server behind a proxy that sets it.
	TrustForwardedFor bool
	// Mounts serve path prefixes ("/_sandbox/") with net/http handlers that see
	// the whole path; they are tried before the function routes.
	Mounts map[string]http.Handler
	// Streams answer GET on exact paths with fiber handlers, for answers that
	// stream (the web console's live log), which Mounts' net/http adaptor
	// would buffer whole; they are tried before Mounts.
	Streams map[string]fiber.Handler
	// MountBodyLimit bounds bodies sent to Mounts; 0 means DefaultMountBodyLimit.
	MountBodyLimit int
	// Backup serves BackupPath (nil: not served).
	Backup BackupFunc
}

// New builds the fiber app.
func New(opts Options) *fiber.App {
	if opts.BodyLimit <= 0 {
		opts.BodyLimit = DefaultBodyLimit
	}
	if opts.MountBodyLimit <= 0 {
		opts.MountBodyLimit = DefaultMountBodyLimit
	}
	if opts.Log == nil {
		opts.Log = func(string, string) {}
	}
	restLimit := opts.BodyLimit
	if opts.API != nil {
		restLimit = opts.API.MaxBodyLimit()
	}
	app := fiber.New(fiber.Config{
		// Bodies are streamed, not buffered before the handler runs: limitBody
		// checks each route's own limit first and reads at most that much.
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		BodyLimit:                    max(opts.BodyLimit, restLimit, opts.MountBodyLimit),
		DisableStartupMessage:        true,
		ReadTimeout:                  60 * time.Second,
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			code := fiber.StatusInternalServerError
			var fe *fiber.Error
			if errors.As(err, &fe) {
				code = fe.Code
			}
			return c.Status(code).SendString(err.Error())
		},
	})
	// A panic in a handler answers 500 instead of ending the process.
	app.Use(recover.New())
	app.Use(func(c *fiber.Ctx) error { return limitBody(c, opts) })
	for path, sh := range opts.Streams {
		app.Get(path, sh)
	}
	for prefix, mh := range opts.Mounts {
		app.All(strings.TrimSuffix(prefix, "/")+"/*", adaptor.HTTPHandler(mh))
	}
	h := &handler{opts: opts}
	// REST first: /1/<x> would otherwise match /:secret/:name.
	app.All("/1/*", h.rest)
	app.All("/2/*", h.rest)
	app.Get(BackupPath, h.backup)
	app.Get("/:year/:month/:day/:file", h.fileURL) // uploaded files, at Bmob's CDN URL shape
	app.Get("/:secret/:name", h.direct)
	app.Post("/:secret/:name", h.direct)
	app.Use(func(c *fiber.Ctx) error {
		return c.Status(fiber.StatusNotFound).SendString(fmt.Sprintf("Cannot %s %s", c.Method(), c.Path()))
	})
	return app
}

// bodyRoute is which of the server's limits a request's body falls under.
type bodyRoute int

const (
	directRoute bodyRoute = iota // function calls, /<secret>/<name>
	restRoute                    // /1/…, /2/…
	mountRoute                   // Options.Mounts
)

// routeLimit is the body limit of the route a request goes to, and the route.
func routeLimit(method, path string, opts Options) (int, bodyRoute) {
	switch {
	case strings.HasPrefix(path, "/1/") || strings.HasPrefix(path, "/2/"):
		if opts.API != nil {
			return opts.API.BodyLimit(method, path), restRoute
		}
		return opts.BodyLimit, restRoute
	}
	for prefix := range opts.Mounts {
		if strings.HasPrefix(path, strings.TrimSuffix(prefix, "/")+"/") {
			return opts.MountBodyLimit, mountRoute
		}
	}
	return opts.BodyLimit, directRoute
}

// limitBody enforces the route's body limit before the body is buffered: a
// declared Content-Length over it is refused unread; a chunked body is read up
// to the limit and refused past it. The 413 names the route's own limit.
func limitBody(c *fiber.Ctx, opts Options) error {
	limit, route := routeLimit(c.Method(), c.Path(), opts)
	req := c.Request()
	n := req.Header.ContentLength()
	if n == -1 { // chunked: read at most limit+1 bytes of the stream
		if stream := req.BodyStream(); stream != nil {
			body, err := io.ReadAll(io.LimitReader(stream, int64(limit)+1))
			if err != nil {
				return c.Status(fiber.StatusBadRequest).SendString("reading the request body: " + err.Error())
			}
			n = len(body)
			if n <= limit {
				req.SetBodyRaw(body)
			}
		}
	}
	if n <= limit {
		return c.Next()
	}
	// A body a little over the limit is read and thrown away, so the client
	// (still sending) gets the 413 rather than a reset; past that the rest is
	// never read and the connection is closed.
	if !discardRest(req) {
		c.Set(fiber.HeaderConnection, "close")
	}
	msg := fmt.Sprintf("request body larger than the limit of %d bytes", limit)
	switch route {
	case restRoute:
		writeREST(c.Response(), restapi.TooLarge(limit))
		return nil
	case mountRoute:
		c.Status(fiber.StatusRequestEntityTooLarge).Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		body, _ := json.Marshal(map[string]string{"error": msg})
		return c.Send(body)
	}
	return c.Status(fiber.StatusRequestEntityTooLarge).SendString(msg + " (Bmob allows 0.2 MB; see --body-limit)")
}

// maxDiscard is how much of an over-limit body the server reads and discards.
const maxDiscard = 1 << 20

// discardRest reads the rest of an over-limit body into nothing when it is at
// most maxDiscard bytes, and reports whether the whole body was consumed.
func discardRest(req *fasthttp.Request) bool {
	stream := req.BodyStream()
	if stream == nil {
		return false
	}
	if declared := req.Header.ContentLength(); declared >= 0 && declared > maxDiscard {
		return false
	}
	copied, err := io.CopyN(io.Discard, stream, maxDiscard+1)
	return err == io.EOF && copied <= maxDiscard
}

type handler struct {
	opts Options
}

func (h *handler) direct(c *fiber.Ctx) error {
	if c.Params("secret") != h.opts.Secret {
		return c.Status(fiber.StatusNotFound).SendString("unknown secret key in the URL: use /<secretKey>/<function> with the secret key bmobemu printed at start")
	}
	if len(c.Request().Body()) > h.opts.BodyLimit {
		return c.Status(fiber.StatusRequestEntityTooLarge).SendString(fmt.Sprintf("request body larger than the limit of %d bytes (Bmob allows 0.2 MB; see --body-limit)", h.opts.BodyLimit))
	}
	name := strings.Clone(c.Params("name"))
	req, err := buildRequest(c, h.opts.ParseXML)
	if err != nil {
		return c.Status(fiber.StatusBadRequest).SendString("Bad Request: " + err.Error())
	}
	req.Params = map[string]string{"functions": name}
	resp, err := h.opts.Functions.Invoke(context.Background(), name, req)
	var notLoaded *functions.NotLoadedError
	switch {
	case errors.As(err, &notLoaded):
		return c.Status(fiber.StatusInternalServerError).SendString(err.Error())
	case errors.Is(err, functions.ErrNotFound):
		return c.Status(fiber.StatusNotFound).SendString(strings.ToLower(c.Method()) + " function " + name + " not exists")
	case errors.Is(err, runtime.ErrBusy):
		// Bmob's answer to a function called beyond its capacity (its QPS error).
		h.opts.Log("warn", fmt.Sprintf("invoking %s: %v", name, err))
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"code": 10076, "error": "Cloudcode Qps beyond the limit"})
	case err != nil:
		h.opts.Log("error", fmt.Sprintf("invoking %s: %v", name, err))
		return c.Status(fiber.StatusInternalServerError).SendString(err.Error())
	}
	return writeResponse(c, resp)
}

// writeResponse sends exactly the script's status, headers and body. fasthttp's
// default Content-Type is switched off: Node's res.end sends none.
func writeResponse(c *fiber.Ctx, resp *runtime.Response) error {
	r := c.Response()
	r.Header.SetNoDefaultContentType(true)
	setAnswer(r, resp.Status, resp.Header, resp.Body)
	if resp.Status == http.StatusNoContent || resp.Status == http.StatusNotModified {
		r.ResetBody()
	}
	return nil
}

// setAnswer writes status, headers (fasthttp computes Content-Length itself) and body.
func setAnswer(r *fasthttp.Response, status int, header http.Header, body []byte) {
	r.SetStatusCode(status)
	for k, vals := range header {
		if strings.EqualFold(k, "Content-Length") {
			continue
		}
		for _, v := range vals {
			r.Header.Add(k, v)
		}
	}
	r.SetBodyRaw(body)
}
