package console_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestLiveLogDropsLinesForAStalledBrowser connects to the live log, stops
// reading, and logs far more than any buffer holds: logging never waits, and
// when the browser reads again the stream says how many lines it lost.
func TestLiveLogDropsLinesForAStalledBrowser(t *testing.T) {
	s := serve(t, "", false)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	resp := openEvents(ctx, t, s.base, "/_console/events")
	r := bufio.NewReader(resp.Body)
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "retry:") {
		t.Fatalf("stream start: %q %v", line, err)
	}
	// 200k lines of ~200 bytes: more than the socket buffers and the
	// subscriber's buffer together, while this test reads nothing.
	done := make(chan struct{})
	go func() {
		defer close(done)
		long := strings.Repeat("x", 150)
		for i := 0; i < 200000; i++ {
			s.emu.Logs.FunctionLog("hello", "log", long)
		}
	}()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("logging waited for the stalled browser")
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("the stream ended without a dropped event: %v", err)
		}
		if line == "event: dropped\n" {
			data, _ := r.ReadString('\n')
			if !strings.Contains(data, `"dropped":`) {
				t.Fatalf("dropped event data: %q", data)
			}
			return
		}
	}
}

// TestLiveLogSlowsDownUnderAFlood floods the live log: a batch carries at most
// 100 lines, the rest are reported dropped, and the next batch waits a second,
// so a browser draws at most about 100 lines a second however busy the
// functions are. A quiet log's single line goes out at once.
func TestLiveLogSlowsDownUnderAFlood(t *testing.T) {
	s := serve(t, "", false)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	events := readEvents(openEvents(ctx, t, s.base, "/_console/events").Body)
	next := func() sseEvent {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatal("the stream ended")
			}
			return e
		case <-ctx.Done():
			t.Fatal("no event in time")
		}
		return sseEvent{}
	}

	s.emu.Logs.FunctionLog("hello", "log", "quiet")
	if e := next(); e.name != "lines" || strings.Count(e.data, `"text":`) != 1 {
		t.Fatalf("a quiet line: %+v", e)
	}
	for i := 0; i < 5000; i++ {
		s.emu.Logs.FunctionLog("hello", "log", "flood")
	}
	var sawDropped bool
	var flooded time.Time
	for flooded.IsZero() {
		switch e := next(); e.name {
		case "dropped":
			sawDropped = true
		case "lines":
			if n := strings.Count(e.data, `"text":`); n > 100 {
				t.Fatalf("a batch of %d lines, over 100", n)
			}
			if sawDropped {
				flooded = e.at
			}
		}
	}
	s.emu.Logs.FunctionLog("hello", "log", "after the flood")
	for {
		e := next()
		if e.name == "lines" && strings.Contains(e.data, "after the flood") {
			if gap := e.at.Sub(flooded); gap < 900*time.Millisecond {
				t.Fatalf("the batch after a flood came %v after it, want about a second", gap)
			}
			return
		}
	}
}

// openEvents connects to the live log at path (with its query) until ctx
// ends, and checks that it is an event stream.
func openEvents(ctx context.Context, t *testing.T, base, path string) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return resp
}

type sseEvent struct {
	name, data string
	at         time.Time // when it was read
}

// readEvents parses a server-sent event stream (named events only) until it ends.
func readEvents(body io.Reader) <-chan sseEvent {
	out := make(chan sseEvent, 64)
	go func() {
		defer close(out)
		r := bufio.NewReader(body)
		var e sseEvent
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			switch {
			case strings.HasPrefix(line, "event: "):
				e.name = strings.TrimSpace(strings.TrimPrefix(line, "event: "))
			case strings.HasPrefix(line, "data: "):
				e.data = strings.TrimPrefix(line, "data: ")
			case line == "\n" && e.name != "":
				e.at = time.Now()
				out <- e
				e = sseEvent{}
			}
		}
	}()
	return out
}

func TestLiveLogFiltersByFunction(t *testing.T) {
	s := serve(t, "", false)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := bufio.NewReader(openEvents(ctx, t, s.base, "/_console/events?function=hello").Body)
	if _, err := r.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	s.emu.Logs.FunctionLog("payNotify", "log", "not this one")
	s.emu.Logs.FunctionLog("hello", "warn", "this one")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(line, "not this one") {
			t.Fatalf("filtered stream carried another function's line: %q", line)
		}
		if strings.HasPrefix(line, "data: ") && strings.Contains(line, "this one") {
			if !strings.Contains(line, `"level":"warn"`) || !strings.Contains(line, `"function":"hello"`) {
				t.Fatalf("line: %q", line)
			}
			return
		}
	}
}

func TestConsoleRefusesCrossSiteActions(t *testing.T) {
	s := serve(t, "", false)
	for _, h := range []map[string]string{
		{"Origin": "http://evil.example", "Content-Type": "application/json"},
		{"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"},
		{"Content-Type": "text/plain"}, // a form-like post with no Origin
	} {
		req, _ := http.NewRequest(http.MethodPost, s.base+"/_console/api/rest/1/classes/Note", strings.NewReader(`{"a":1}`))
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site post %v: %d", h, resp.StatusCode)
		}
	}
	// The same post from the console's own page is a REST write.
	req, _ := http.NewRequest(http.MethodPost, s.base+"/_console/api/rest/1/classes/Note", strings.NewReader(`{"a":1}`))
	req.Header.Set("Origin", s.base)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("same-origin post: %d", resp.StatusCode)
	}
}
