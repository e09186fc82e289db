package console

import (
	"bufio"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
)

// keepAlive is how often an idle stream sends a comment, which also finds
// browsers that went away.
const keepAlive = 10 * time.Second

// Events is GET EventsPath: the live log as server-sent events, one `line`
// event per log line (JSON Line) and a `dropped` event ({"dropped":n}) when
// the browser fell behind and lines were dropped for it. ?function= narrows
// it to one function. The stream ends when the browser goes or the hub closes.
func (c *Console) Events(fc *fiber.Ctx) error {
	r, err := adaptor.ConvertRequest(fc, true)
	if err != nil {
		return fc.Status(fiber.StatusBadRequest).SendString(err.Error())
	}
	if ref := c.opts.Guard.Check(r); ref != nil {
		if ref.Status == fiber.StatusUnauthorized {
			fc.Set("WWW-Authenticate", `Basic realm="bmobemu (password: the master key)", charset="UTF-8"`)
		}
		fc.Set("Content-Type", "text/plain; charset=utf-8")
		return fc.Status(ref.Status).SendString(ref.Reason)
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
		for {
			select {
			case line, open := <-sub.C:
				if !open {
					return
				}
				if n := sub.Dropped(); n > 0 {
					fmt.Fprintf(w, "event: dropped\ndata: {\"dropped\":%d}\n\n", n)
				}
				data, _ := json.Marshal(line)
				fmt.Fprintf(w, "event: line\ndata: %s\n\n", data)
				// Send what else is waiting in one write.
				for more := true; more; {
					select {
					case l, open := <-sub.C:
						if !open {
							_ = w.Flush()
							return
						}
						data, _ := json.Marshal(l)
						fmt.Fprintf(w, "event: line\ndata: %s\n\n", data)
					default:
						more = false
					}
				}
			case <-tick.C:
				if n := sub.Dropped(); n > 0 {
					fmt.Fprintf(w, "event: dropped\ndata: {\"dropped\":%d}\n\n", n)
				}
				fmt.Fprint(w, ": keep-alive\n\n")
			}
			if w.Flush() != nil {
				return // the browser went away
			}
		}
	})
	return nil
}
