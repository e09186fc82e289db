package noderequest

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/internal/capped"
	"github.com/bmobemu/bmobemu/outbound"
)

// nodeError is an Error to hand to the script, shaped like the one Node or request
// would produce: message, code and the extra properties Node sets.
type nodeError struct {
	message   string
	code      string
	typeError bool
	props     []prop
}

type prop struct {
	name  string
	value any
}

// toJS builds the Error object; it must run on the JS thread.
func (e *nodeError) toJS(vm *goja.Runtime) *goja.Object {
	var obj *goja.Object
	if e.typeError {
		obj = vm.NewTypeError(e.message)
	} else {
		ctor := vm.Get("Error").(*goja.Object)
		o, err := vm.New(ctor, vm.ToValue(e.message))
		if err != nil {
			o = vm.NewGoError(errors.New(e.message))
		}
		obj = o
	}
	if e.code != "" {
		_ = obj.Set("code", e.code)
	}
	for _, p := range e.props {
		_ = obj.Set(p.name, p.value)
	}
	return obj
}

func plainError(msg string) *nodeError { return &nodeError{message: msg} }

// errTimeout tells which of request's two timeouts fired.
type errTimeout struct{ connect bool }

func (e errTimeout) Error() string {
	if e.connect {
		return "ETIMEDOUT"
	}
	return "ESOCKETTIMEDOUT"
}

// timeoutError is request's own error for `timeout`: ETIMEDOUT before the socket
// connects, ESOCKETTIMEDOUT when a connected socket stays idle.
func timeoutError(t errTimeout) *nodeError {
	return &nodeError{message: t.Error(), code: t.Error(), props: []prop{{"connect", t.connect}}}
}

// Linux errno values as Node reports them (negative).
var errnos = map[syscall.Errno]struct {
	code  string
	errno int
}{
	syscall.ECONNREFUSED:  {"ECONNREFUSED", -111},
	syscall.ECONNRESET:    {"ECONNRESET", -104},
	syscall.ETIMEDOUT:     {"ETIMEDOUT", -110},
	syscall.EHOSTUNREACH:  {"EHOSTUNREACH", -113},
	syscall.ENETUNREACH:   {"ENETUNREACH", -101},
	syscall.EPIPE:         {"EPIPE", -32},
	syscall.EADDRNOTAVAIL: {"EADDRNOTAVAIL", -99},
}

// transportError maps a Go client error to the Error Node's http module gives.
func transportError(err error) *nodeError {
	var t errTimeout
	if errors.As(err, &t) {
		return timeoutError(t)
	}
	var tooLarge *outbound.BodyTooLargeError
	if errors.As(err, &tooLarge) {
		return &nodeError{message: tooLarge.Error(), code: "ERR_BODY_TOO_LARGE", props: []prop{{"limit", tooLarge.Limit}}}
	}
	var blocked *outbound.BlockedError
	if errors.As(err, &blocked) {
		return &nodeError{message: blocked.Error(), code: "EBLOCKED", props: []prop{{"hostname", blocked.Host}}}
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		code, errno := "ENOTFOUND", -3008
		if !dns.IsNotFound {
			code, errno = "EAI_AGAIN", -3001
		}
		return &nodeError{message: "getaddrinfo " + code + " " + dns.Name, code: code,
			props: []prop{{"errno", errno}, {"syscall", "getaddrinfo"}, {"hostname", dns.Name}}}
	}
	var op *net.OpError
	if errors.As(err, &op) {
		syscallName := "connect"
		if op.Op == "read" || op.Op == "write" {
			syscallName = op.Op
		}
		addr, port := splitAddr(op.Addr)
		var errno syscall.Errno
		if errors.As(err, &errno) {
			if known, ok := errnos[errno]; ok {
				msg := syscallName + " " + known.code
				props := []prop{{"errno", known.errno}, {"syscall", syscallName}}
				if syscallName == "connect" && addr != "" {
					msg += " " + net.JoinHostPort(addr, strconv.Itoa(port))
					props = append(props, prop{"address", addr}, prop{"port", port})
				}
				return &nodeError{message: msg, code: known.code, props: props}
			}
		}
		if op.Timeout() && op.Op == "dial" {
			return &nodeError{message: "connect ETIMEDOUT " + net.JoinHostPort(addr, strconv.Itoa(port)), code: "ETIMEDOUT",
				props: []prop{{"errno", -110}, {"syscall", "connect"}, {"address", addr}, {"port", port}}}
		}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &nodeError{message: "socket hang up", code: "ECONNRESET"}
	}
	if e := tlsError(err); e != nil {
		return e
	}
	return plainError(unwrapURLError(err).Error())
}

func splitAddr(a net.Addr) (string, int) {
	if a == nil {
		return "", 0
	}
	host, p, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String(), 0
	}
	port, _ := strconv.Atoi(p)
	return host, port
}

// tlsError maps certificate failures to OpenSSL's messages and Node's codes.
func tlsError(err error) *nodeError {
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) {
		if c := unknown.Cert; c != nil && bytes.Equal(c.RawIssuer, c.RawSubject) {
			return &nodeError{message: "self-signed certificate", code: "DEPTH_ZERO_SELF_SIGNED_CERT"}
		}
		return &nodeError{message: "unable to get local issuer certificate", code: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"}
	}
	var host x509.HostnameError
	if errors.As(err, &host) {
		var names []string
		if host.Certificate != nil {
			for _, n := range host.Certificate.DNSNames {
				names = append(names, "DNS:"+n)
			}
		}
		return &nodeError{message: fmt.Sprintf("Hostname/IP does not match certificate's altnames: Host: %s. is not in the cert's altnames: %s", host.Host, strings.Join(names, ", ")),
			code: "ERR_TLS_CERT_ALTNAME_INVALID"}
	}
	var invalid x509.CertificateInvalidError
	if errors.As(err, &invalid) && invalid.Reason == x509.Expired {
		return &nodeError{message: "certificate has expired", code: "CERT_HAS_EXPIRED"}
	}
	return nil
}

func unwrapURLError(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		if _, isURL := err.(interface{ Timeout() bool }); !isURL {
			return err
		}
		err = u
	}
}

// zlibError maps a decompression failure to Node's zlib error.
func zlibError(err error, limit int64) *nodeError {
	switch {
	case errors.Is(err, capped.ErrTooLarge):
		return &nodeError{message: fmt.Sprintf("Cannot create a Buffer larger than %d bytes (the decompressed data is over bmobemu's --decompress-limit)", limit),
			code: "ERR_BUFFER_TOO_LARGE"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &nodeError{message: "unexpected end of file", code: "Z_BUF_ERROR", props: []prop{{"errno", -5}}}
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, zlib.ErrHeader):
		return &nodeError{message: "incorrect header check", code: "Z_DATA_ERROR", props: []prop{{"errno", -3}}}
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, zlib.ErrChecksum):
		return &nodeError{message: "incorrect data check", code: "Z_DATA_ERROR", props: []prop{{"errno", -3}}}
	}
	var corrupt flate.CorruptInputError
	if errors.As(err, &corrupt) {
		return &nodeError{message: "invalid stored block lengths", code: "Z_DATA_ERROR", props: []prop{{"errno", -3}}}
	}
	return &nodeError{message: err.Error(), code: "Z_DATA_ERROR", props: []prop{{"errno", -3}}}
}
