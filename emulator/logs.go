package emulator

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
)

// Logs is the functions' log: every line goes to an io.Writer with a Beijing-time
// timestamp and the function's name, and the last lines of each function are
// kept for `invoke` and tests.
type Logs struct {
	mu   sync.Mutex
	out  io.Writer
	keep int
	now  func() time.Time
	tail map[string][]string
	// tap, when set, also gets every line (the web console's live log).
	tap atomic.Pointer[func(at time.Time, function, level, line string)]
}

// Tap sends every line, from now on, to t as well (nil: stop). t must not block.
func (l *Logs) Tap(t func(at time.Time, function, level, line string)) {
	if t == nil {
		l.tap.Store(nil)
		return
	}
	l.tap.Store(&t)
}

// NewLogs writes to out (nil: nowhere) and keeps the last keep lines per function.
func NewLogs(out io.Writer, keep int, now func() time.Time) *Logs {
	if now == nil {
		now = time.Now
	}
	return &Logs{out: out, keep: keep, now: now, tail: map[string][]string{}}
}

// FunctionLog implements runtime.LogSink.
//
// A line is the script's to write, so it cannot forge another function's: every
// line of a multi-line message carries this function's name (continuation lines
// are marked "level|" instead of "level:"), and other control characters (a
// lone CR, ANSI escapes) are written escaped.
func (l *Logs) FunctionLog(function, level, line string) {
	at := l.now()
	if t := l.tap.Load(); t != nil {
		// The console shows the line as text in its own element: a script's
		// line cannot pose as another function's there.
		(*t)(at, function, level, line)
	}
	line = formatLine(bjtime.Format(at), function, level, line)
	text := line[:len(line)-1] // without the newline
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.out != nil {
		_, _ = io.WriteString(l.out, line)
	}
	if l.keep > 0 {
		t := append(l.tail[function], text)
		if len(t) > l.keep {
			t = t[len(t)-l.keep:]
		}
		l.tail[function] = t
	}
}

// Tail returns the kept lines of one function.
func (l *Logs) Tail(function string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.tail[function]...)
}

// formatLine is a log line as the file gets it, newline included: the stamp,
// the function and level before each of the line's lines (continuations
// marked "level|"), CR LF and lone CRs as line breaks, other control
// characters but tab written as \xNN. One pass, one allocation.
func formatLine(stamp, function, level, line string) string {
	var b strings.Builder
	prefix := func(mark byte) {
		b.WriteString(stamp)
		b.WriteString(" [")
		b.WriteString(function)
		b.WriteString("] ")
		b.WriteString(level)
		b.WriteByte(mark)
		b.WriteByte(' ')
	}
	b.Grow(len(stamp) + len(function) + len(level) + len(line) + 8)
	prefix(':')
	for i, r := range line {
		switch {
		case r == '\r' && strings.HasPrefix(line[i+1:], "\n"):
			// the \n that follows breaks the line
		case r == '\r' || r == '\n':
			b.WriteByte('\n')
			prefix('|')
		case r < 0x20 && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\n')
	return b.String()
}
