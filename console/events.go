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

// A stream sends at most one batch of at most maxBatch lines per interval.
// The interval is quickEvery while the functions log little, so a call's lines
// show at once, and busyEvery once a batch came full or lines were dropped:
// then at most 100 lines a second reach one browser. More is more than a
// person reads, and drawing it costs the browser CPU that, on the same machine,
// the functions would otherwise have (bench/console-tail.sh measures it). Lines
// beyond maxBatch in one interval are dropped as they are logged, before any
// work is spent on them (Hub.Publish), and the browser is told how many.
const (
	maxBatch   = 100
	quickEvery = 250 * time.Millisecond
	busyEvery  = time.Second
)

// writeDropped tells the browser how many lines it lost since the last time,
// if any: it reports whether it did.
func writeDropped(w *bufio.Writer, sub *Subscription) bool {
	n := sub.Dropped()
	if n > 0 {
		fmt.Fprintf(w, "event: dropped\ndata: {\"dropped\":%d}\n\n", n)
	}
	return n > 0
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
	sub, ok := c.opts.Hub.Subscribe(fc.Query("function"), maxBatch)
	if !ok {
		return fc.Status(fiber.StatusServiceUnavailable).SendString("the server is shutting down")
	}
	fc.Set("Content-Type", "text/event-stream")
	fc.Set("Cache-Control", "no-store")
	fc.Set("X-Accel-Buffering", "no")
	fc.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer sub.Close()
		keep := time.NewTicker(keepAlive)
		defer keep.Stop()
		_, _ = fmt.Fprint(w, "retry: 2000\n: connected\n\n")
		if w.Flush() != nil {
			return
		}
		batch := make([]Line, 0, maxBatch)
		var sent time.Time  // when the last batch went out
		every := quickEvery // the interval before the next batch
		wait := time.NewTimer(0)
		<-wait.C
		for {
			select {
			case <-sub.Done():
				return
			case <-sub.Ready():
				// The first line of a window goes out at once when the last
				// batch is older than the interval; otherwise the window stays
				// open until then, gathering at most maxBatch lines (the rest
				// are dropped and counted as they are logged).
				if d := every - time.Since(sent); d > 0 {
					wait.Reset(d)
					select {
					case <-wait.C:
					case <-sub.Done():
						return
					}
				}
				batch = sub.Take(batch[:0])
				sent = time.Now()
				every = quickEvery
				if writeDropped(w, sub) || len(batch) == maxBatch {
					every = busyEvery
				}
				if len(batch) > 0 {
					data, _ := json.Marshal(batch)
					fmt.Fprintf(w, "event: lines\ndata: %s\n\n", data)
				}
			case <-keep.C:
				writeDropped(w, sub)
				fmt.Fprint(w, ": keep-alive\n\n")
			}
			if w.Flush() != nil {
				return // the browser went away
			}
		}
	})
	return nil
}
