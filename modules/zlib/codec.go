package zlib

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
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

// decompress decodes data in format f. Failures are *DataError with Node's wording.
func decompress(f format, data []byte) ([]byte, error) {
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
	out, err := io.ReadAll(r)
	if err != nil {
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
