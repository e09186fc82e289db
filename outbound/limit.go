package outbound

import (
	"fmt"
	"io"
)

// DefaultMaxResponseBody is the default of Options.MaxResponseBody: 32 MiB.
const DefaultMaxResponseBody = 32 << 20

// BodyTooLargeError is a response body that went past Options.MaxResponseBody.
// Reading it stops there and the connection is closed, so a server streaming
// forever costs the script at most the cap.
type BodyTooLargeError struct {
	URL   string // the URL the script asked for, credentials redacted
	Limit int64
}

// Error names the flag that sets the cap.
func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("the response body of %s is larger than %d bytes, bmobemu's --outbound-body-limit", e.URL, e.Limit)
}

// cappedBody is a response body that fails once it has yielded more than
// limit bytes.
type cappedBody struct {
	io.ReadCloser
	url  string
	left int64 // bytes still allowed
	cap  int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, &BodyTooLargeError{URL: b.url, Limit: b.cap}
	}
	// Read at most one byte past the cap: enough to tell it was passed.
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n - 1, &BodyTooLargeError{URL: b.url, Limit: b.cap}
	}
	return n, err
}
