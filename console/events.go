package console

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/bmobemu/bmobemu/internal/webguard"
)

// keepAlive is how often an idle stream sends a comment, which also finds
// browsers that went away.
const keepAlive = 10 * time.Second

// A stream sends at most one batch of at most maxBatch lines per batchEvery:
// at most 200 lines a second to one browser. More is more than a person reads,
// and drawing it costs the browser CPU that, on the same machine, the
// functions would otherwise have (bench/console-tail.sh).
const (
	maxBatch   = 50
	batchEvery = 250 * time.Millisecond
)

// writeDropped tells the browser how many lines it lost since the last time.
func writeDropped(w *bufio.Writer, sub *Subscription) {
	if n := sub.Dropped(); n > 0 {
		fmt.Fprintf(w, "event: dropped\ndata: {\"dropped\":%d}\n\n", n)
	}
}

// Events is GET EventsPath: the live log as server-sent events, a `lines`
// event per batch of log lines (a JSON array of Line) and a `dropped` event ({"dropped":n}) when
// the browser fell behind and lines were dropped for it. ?function= narrows
// it to one function. The stream ends when the browser goes or the hub closes.
func (c *Console) Events(fc *fiber.Ctx) error {
	r, err := adaptor.ConvertRequest(fc, true)
	if err != nil {
		return fc.Status(fiber.StatusBadRequest).SendString(err.Error())
	}
	if ref := c.opts.Guard.Check(r); ref != nil {
		return adaptor.HTTPHandlerFunc(func(w http.ResponseWriter, _ *http.Request) { webguard.Refuse(w, ref) })(fc)
	}
	sub, ok := c.opts.Hub.Subscribe(fc.Query("function"), SubscriberBuffer)
	if !ok {
		return fc.Status(fiber.StatusServiceUnavailable).SendString("the server is shutting down")
	}
	fc.Set("Content-Type", "text/event-stream")
	fc.Set("Cache-Control", "no-store")
	fc.Set("X-Accel-Buffering", "no")
	fc.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer sub.Close()
		tick := time.NewTicker(keepAlive)
		defer tick.Stop()
		_, _ = fmt.Fprint(w, "retry: 2000\n: connected\n\n")
		if w.Flush() != nil {
			return
		}
		batch := make([]Line, 0, maxBatch)
		for {
			select {
			case line, open := <-sub.C:
				if !open {
					return
				}
				// Everything waiting goes in one event: a browser parses a few
				// events a second, not one per line, however busy the functions.
				// Of a longer backlog only the newest maxBatch lines are sent, the
				// rest are dropped and counted: a person cannot read faster, and
				// the browser's work (on the same machine, often) stays bounded.
				batch = append(batch[:0], line)
				for more := true; more; {
					select {
					case l, open := <-sub.C:
						if open {
							batch = append(batch, l)
						}
						more = open
					default:
						more = false
					}
				}
				if n := len(batch) - maxBatch; n > 0 {
					sub.dropped.Add(int64(n))
					batch = batch[n:]
				}
				writeDropped(w, sub)
				data, _ := json.Marshal(batch)
				fmt.Fprintf(w, "event: lines\ndata: %s\n\n", data)
			case <-tick.C:
				writeDropped(w, sub)
				fmt.Fprint(w, ": keep-alive\n\n")
			}
			if w.Flush() != nil {
				return // the browser went away
			}
			// Lines arriving meanwhile wait in the buffer (or are dropped, and
			// counted, when it is full).
			time.Sleep(batchEvery)
		}
	})
	return nil
}
