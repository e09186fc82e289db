package zlib

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/bmobemu/bmobemu/internal/capped"
)

// format is one of the stream formats Node's zlib speaks.
type format int

const (
	formatGzip    format = iota // RFC 1952, gzip/gunzip
	formatDeflate               // RFC 1950 zlib wrapper, deflate/inflate
	formatRaw                   // RFC 1951 raw deflate, deflateRaw/inflateRaw
	formatAuto                  // unzip: gzip or zlib, chosen by the header
)

// gzipOSUnix is the OS byte zlib writes on Unix hosts (Node's gzip output has it).
const gzipOSUnix = 3

// DataError is a zlib failure shaped like Node's: message, code and errno.
type DataError struct {
	Message string
	Code    string
	Errno   int
}

func (e *DataError) Error() string { return e.Message }

func dataError(msg string) *DataError {
	return &DataError{Message: msg, Code: "Z_DATA_ERROR", Errno: -3}
}

var errUnexpectedEnd = &DataError{Message: "unexpected end of file", Code: "Z_BUF_ERROR", Errno: -5}

// compress encodes data in format f at level (-1 for zlib's default, 0–9).
func compress(f format, data []byte, level int) ([]byte, error) {
	var buf bytes.Buffer
	var w io.WriteCloser
	var err error
	switch f {
	case formatGzip:
		var gw *gzip.Writer
		gw, err = gzip.NewWriterLevel(&buf, level)
		if gw != nil {
			gw.OS = gzipOSUnix
		}
		w = gw
	case formatDeflate:
		w, err = zlib.NewWriterLevel(&buf, level)
	case formatRaw:
		w, err = flate.NewWriter(&buf, level)
	default:
		return nil, fmt.Errorf("zlib: cannot compress in format %d", f)
	}
	if err != nil {
		return nil, fmt.Errorf("zlib: level %d: %w", level, err)
	}
	if _, err := w.Write(data); err != nil {
		return nil, fmt.Errorf("zlib: compressing: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("zlib: compressing: %w", err)
	}
	return buf.Bytes(), nil
}

// TooLargeError is output over the decompression cap, Node's ERR_BUFFER_TOO_LARGE
// (a RangeError). ByFlag tells bmobemu's --decompress-limit from the script's
// own maxOutputLength option.
type TooLargeError struct {
	Limit  int64
	ByFlag bool
}

func (e *TooLargeError) Error() string {
	msg := fmt.Sprintf("Cannot create a Buffer larger than %d bytes", e.Limit)
	if e.ByFlag {
		msg += " (the decompressed data is over bmobemu's --decompress-limit)"
	}
	return msg
}

// limits are the caps of one decompression: bmobemu's flag and the script's
// maxOutputLength option (0: not given).
type limits struct {
	flag, option int64
}

func (l limits) effective() (limit int64, byFlag bool) {
	if l.option > 0 && (l.flag <= 0 || l.option < l.flag) {
		return l.option, false
	}
	return l.flag, true
}

// decompress decodes data in format f, stopping when ctx is done (the call
// ended) or the output outgrows lim. Corrupt input is a *DataError with Node's
// wording, too much output a *TooLargeError.
func decompress(ctx context.Context, f format, data []byte, lim limits) ([]byte, error) {
	if f == formatAuto {
		f = formatDeflate
		if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
			f = formatGzip
		}
	}
	if err := checkHeader(f, data); err != nil {
		return nil, err
	}
	var r io.Reader
	var err error
	switch f {
	case formatGzip:
		r, err = gzip.NewReader(bytes.NewReader(data))
	case formatDeflate:
		r, err = zlib.NewReader(bytes.NewReader(data))
	case formatRaw:
		r = flate.NewReader(bytes.NewReader(data))
	}
	if err != nil {
		return nil, nodeError(err, data, f)
	}
	limit, byFlag := lim.effective()
	out, err := capped.ReadAll(ctx, r, limit)
	switch {
	case errors.Is(err, capped.ErrTooLarge):
		return nil, &TooLargeError{Limit: limit, ByFlag: byFlag}
	case ctx.Err() != nil && err != nil:
		return nil, fmt.Errorf("zlib: inflating stopped, the call has ended: %w", err)
	case err != nil:
		return nil, nodeError(err, data, f)
	}
	return out, nil
}

// nodeError turns a Go decompression error into the error zlib (and so Node) reports.
func nodeError(err error, data []byte, f format) error {
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, zlib.ErrHeader):
		return dataError("incorrect header check")
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, zlib.ErrChecksum):
		return dataError("incorrect data check")
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errUnexpectedEnd
	case errors.As(err, &corrupt):
		return dataError(corruptMessage(data, f))
	}
	return dataError(err.Error())
}

// corruptMessage names a corrupt deflate stream as zlib does when the first block's
// type explains it; Go's reader does not say which check failed, so other cases
// get a generic message (the code, Z_DATA_ERROR, is still Node's).
func corruptMessage(data []byte, f format) string {
	skip := 0
	switch f {
	case formatDeflate:
		skip = 2
	case formatGzip:
		return "invalid block data"
	}
	if len(data) > skip {
		switch (data[skip] >> 1) & 3 {
		case 0:
			return "invalid stored block lengths"
		case 3:
			return "invalid block type"
		}
	}
	return "invalid block data"
}

// checkHeader rejects a bad header from its first bytes, as zlib does while
// streaming, before Go's readers would ask for the rest of the header.
func checkHeader(f format, data []byte) error {
	switch f {
	case formatGzip:
		if (len(data) >= 1 && data[0] != 0x1f) || (len(data) >= 2 && data[1] != 0x8b) {
			return dataError("incorrect header check")
		}
		if len(data) >= 3 && data[2] != 8 {
			return dataError("unknown compression method")
		}
	case formatDeflate:
		if len(data) >= 2 {
			if (int(data[0])<<8|int(data[1]))%31 != 0 {
				return dataError("incorrect header check")
			}
			if data[0]&0x0f != 8 {
				return dataError("unknown compression method")
			}
		}
	}
	return nil
}
