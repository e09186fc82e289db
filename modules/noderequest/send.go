package noderequest

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bmobemu/bmobemu/internal/capped"
)

// outcome is what the sending goroutine hands back to the JS thread.
type outcome struct {
	err     *nodeError
	resp    *http.Response // body already read and closed
	body    []byte
	uri     *url.URL
	method  string
	headers *headerList
}

// errAborted is the cancellation cause of abort().
var errAborted = errors.New("request aborted by the script")

// call is one request in flight, owned by its goroutine once started.
type call struct {
	s        *spec
	client   *http.Client
	uri      *url.URL
	method   string
	headers  *headerList
	body     []byte
	autoHost bool
	// decompressLimit caps the body inflated for gzip: true (--decompress-limit).
	decompressLimit int64
}

// run sends the request, following redirects as request does, and reads the body.
func (c *call) run(ctx context.Context) outcome {
	redirects := 0
	for {
		resp, body, err := c.hop(ctx)
		if err != nil {
			return outcome{err: err}
		}
		loc := resp.Header.Get("Location")
		if resp.StatusCode < 300 || resp.StatusCode >= 400 || loc == "" || !c.follows() {
			return c.finish(ctx, resp, body)
		}
		if redirects >= c.s.maxRedirects {
			return outcome{err: plainError("Exceeded maxRedirects. Probably stuck in a redirect loop " + c.uri.String())}
		}
		redirects++
		next, perr := c.uri.Parse(autoEscape.Replace(strings.TrimSpace(loc)))
		if perr != nil || next.Host == "" {
			return outcome{err: plainError(`Invalid URI "` + loc + `"`)}
		}
		if next.Scheme != "http" && next.Scheme != "https" {
			return outcome{err: plainError("Invalid protocol: " + next.Scheme + ":")}
		}
		next.Host = strings.ToLower(next.Host)
		next.Fragment, next.RawFragment = "", ""
		c.redirectTo(resp.StatusCode, next)
	}
}

func (c *call) follows() bool {
	if c.s.followAll {
		return true
	}
	if !c.s.followRedirect {
		return false
	}
	switch c.method {
	case "PATCH", "PUT", "POST", "DELETE":
		return false
	}
	return true
}

// redirectTo prepares the next hop: request drops the body and its headers except
// on 307, drops authorization when the host changes, and sets referer.
func (c *call) redirectTo(status int, next *url.URL) {
	prev := c.uri
	if status != 307 && status != 401 {
		c.body = nil
		c.headers.del("content-type")
		c.headers.del("content-length")
		if next.Hostname() != prev.Hostname() {
			c.headers.del("authorization")
		}
	}
	if c.s.followAll && c.method != "HEAD" && status != 307 && status != 401 && !c.s.followOriginal {
		c.method = "GET"
	}
	if !c.s.removeReferer {
		c.headers.set("referer", prev.String())
	}
	if c.autoHost || status != 307 {
		c.headers.set("host", hostHeader(next.Scheme, next.Host, next.Hostname(), next.Port()))
		c.autoHost = true
	}
	c.uri = next
}

// hop sends one request and reads its body under request's two timeouts.
func (c *call) hop(parent context.Context) (*http.Response, []byte, *nodeError) {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	var idle *idleTimer
	if c.s.timeout > 0 {
		idle = newIdleTimer(c.s.timeout, cancel)
		defer idle.stop()
		ctx = httptrace.WithClientTrace(ctx, idle.trace())
	}
	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, c.uri.String(), body)
	if err != nil {
		return nil, nil, plainError(err.Error())
	}
	hdr, host := c.headers.httpHeader()
	req.Header, req.Host = hdr, host
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, nil, failure(ctx, err)
	}
	defer resp.Body.Close()
	var r io.Reader = resp.Body
	if idle != nil {
		idle.touch()
		r = idle.reader(r)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, failure(ctx, err)
	}
	return resp, data, nil
}

// failure prefers the reason the context was cancelled (a timeout, abort()).
func failure(ctx context.Context, err error) *nodeError {
	var t errTimeout
	if cause := context.Cause(ctx); errors.As(cause, &t) {
		return timeoutError(t)
	}
	return transportError(err)
}

// finish decodes gzip/deflate when asked, as request's gzip option does, under
// the decompression cap and only while the call lasts.
func (c *call) finish(ctx context.Context, resp *http.Response, body []byte) outcome {
	out := outcome{resp: resp, body: body, uri: c.uri, method: c.method, headers: c.headers}
	if !c.s.gzip || c.method == "HEAD" || resp.StatusCode == 204 || resp.StatusCode == 304 || len(body) == 0 {
		return out
	}
	var zr io.ReadCloser
	var err error
	switch strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))) {
	case "gzip":
		zr, err = gzip.NewReader(bytes.NewReader(body))
	case "deflate":
		zr, err = zlib.NewReader(bytes.NewReader(body))
	default:
		return out
	}
	if err == nil {
		out.body, err = capped.ReadAll(ctx, zr, c.decompressLimit)
		zr.Close()
	}
	if err != nil {
		return outcome{err: zlibError(err, c.decompressLimit)}
	}
	return out
}

// idleTimer reproduces request's `timeout`: until a connection is obtained it is
// the connect timeout (ETIMEDOUT); after, it is reset by every socket event and
// fires as ESOCKETTIMEDOUT.
type idleTimer struct {
	d         time.Duration
	t         *time.Timer
	connected atomic.Bool
}

func newIdleTimer(d time.Duration, cancel context.CancelCauseFunc) *idleTimer {
	it := &idleTimer{d: d}
	it.t = time.AfterFunc(d, func() { cancel(errTimeout{connect: !it.connected.Load()}) })
	return it
}

func (it *idleTimer) touch() { it.t.Reset(it.d) }
func (it *idleTimer) stop()  { it.t.Stop() }

func (it *idleTimer) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GotConn:              func(httptrace.GotConnInfo) { it.connected.Store(true); it.touch() },
		WroteRequest:         func(httptrace.WroteRequestInfo) { it.touch() },
		GotFirstResponseByte: func() { it.touch() },
	}
}

func (it *idleTimer) reader(r io.Reader) io.Reader { return touchReader{r: r, it: it} }

type touchReader struct {
	r  io.Reader
	it *idleTimer
}

func (t touchReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		t.it.touch()
	}
	return n, err
}
