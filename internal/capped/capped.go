// Package capped reads a stream whole, under a size cap and a context: what a
// script asks to inflate or download can neither outgrow the cap nor outlive
// its call.
package capped

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// chunk is how much is read between two looks at the context: small enough
// that a cancelled call stops within a millisecond or so of inflating.
const chunk = 64 << 10

// ErrTooLarge is wrapped by the error ReadAll returns when the stream is longer
// than its cap.
var ErrTooLarge = errors.New("data over the size limit")

// TooLargeError is ReadAll's error for a stream longer than Limit bytes.
type TooLargeError struct {
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("data larger than %d bytes", e.Limit)
}

// Unwrap makes errors.Is(err, ErrTooLarge) hold.
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// ReadAll reads r to its end and returns the bytes. It stops with a
// *TooLargeError as soon as r yields more than limit bytes (limit <= 0: no cap),
// and with ctx's error once ctx is done, checked between chunks.
func ReadAll(ctx context.Context, r io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("stopped after %d bytes: %w", buf.Len(), err)
		}
		want := int64(chunk)
		if limit > 0 {
			// One byte past the cap tells "exactly at the cap" from "over it".
			want = min(want, limit+1-int64(buf.Len()))
		}
		_, err := io.CopyN(&buf, r, want)
		if limit > 0 && int64(buf.Len()) > limit {
			return nil, &TooLargeError{Limit: limit}
		}
		if errors.Is(err, io.EOF) {
			return buf.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
	}
}
