package capped

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadAllUnderAtAndOverTheCap(t *testing.T) {
	for _, tc := range []struct {
		size, limit int64
		tooLarge    bool
	}{
		{0, 10, false}, {9, 10, false}, {10, 10, false}, {11, 10, true}, {200 << 10, 100 << 10, true},
		{200 << 10, 0, false}, {chunk, chunk, false}, {chunk + 1, chunk, true},
	} {
		data := bytes.Repeat([]byte("z"), int(tc.size))
		got, err := ReadAll(context.Background(), bytes.NewReader(data), tc.limit)
		var tl *TooLargeError
		if tc.tooLarge {
			if !errors.As(err, &tl) || tl.Limit != tc.limit || !errors.Is(err, ErrTooLarge) {
				t.Fatalf("%d bytes, cap %d: err %v, want TooLargeError", tc.size, tc.limit, err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%d bytes, cap %d: %d bytes, err %v", tc.size, tc.limit, len(got), err)
		}
	}
}

// endless yields zeros forever and counts them.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	clear(p)
	e.n += int64(len(p))
	return len(p), nil
}

func TestReadAllStopsAtTheCapOfAnEndlessStream(t *testing.T) {
	src := &endless{}
	_, err := ReadAll(context.Background(), src, 1<<20)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err %v", err)
	}
	if src.n > 1<<20+chunk {
		t.Fatalf("read %d bytes of the stream for a 1 MB cap", src.n)
	}
}

// cancelling cancels ctx once n bytes have been read from it.
type cancelling struct {
	r      io.Reader
	n      int64
	cancel context.CancelFunc
}

func (c *cancelling) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n -= int64(n)
	if c.n <= 0 {
		c.cancel()
	}
	return n, err
}

// Inflating a bomb stops soon after its call is cancelled, whatever the cap.
func TestReadAllStopsWhenTheCallIsCancelled(t *testing.T) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zeros := make([]byte, 1<<20)
	for i := 0; i < 64; i++ {
		_, _ = zw.Write(zeros)
	}
	_ = zw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	zr, err := gzip.NewReader(&bomb)
	if err != nil {
		t.Fatal(err)
	}
	src := &cancelling{r: zr, n: 1 << 20, cancel: cancel}
	_, err = ReadAll(ctx, src, 1<<30)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped after") {
		t.Fatalf("err %v, want cancellation", err)
	}
	if read := (1 << 20) - src.n; read > 1<<20+chunk {
		t.Fatalf("inflated %d bytes after cancelling at 1 MB", read)
	}
}
