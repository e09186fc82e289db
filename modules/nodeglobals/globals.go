// Package nodeglobals gives a goja VM the globals of Node 16 that Bmob scripts use
// and goja lacks: URL and URLSearchParams, TextEncoder and TextDecoder, atob and
// btoa, EventTarget, Event, AbortController and AbortSignal, performance, WeakRef
// and FinalizationRegistry, and Intl (NumberFormat, DateTimeFormat, Collator,
// PluralRules and the toLocale*String methods, for zh-CN, zh-TW, en-US and the
// root locale). It also brings goja's built-ins closer to V8's where scripts can
// see the difference: TypedArray.from over a string, Date#toString's zone name and
// JSON.parse's error texts. The differential suite (nodediff) checks all of it
// against real Node.
package nodeglobals

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"fmt"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/nodebuffer"
)

//go:embed globals.js
var globalsSource string

//go:embed url.js
var urlSource string

//go:embed intl.js
var intlSource string

var (
	globalsProgram = goja.MustCompile("node:internal/globals.js", globalsSource, true)
	urlProgram     = goja.MustCompile("node:internal/url.js", urlSource, true)
	intlProgram    = goja.MustCompile("node:internal/intl.js", intlSource, true)
)

// Options configure Enable.
type Options struct {
	// Now is the clock performance.now and Event#timeStamp read; nil is time.Now.
	Now func() time.Time
	// DomainToASCII converts an internationalized host name to punycode for URL
	// (url.domainToASCII); nil rejects non-ASCII hosts.
	DomainToASCII func(string) string
	// Zone is the local zone of Intl.DateTimeFormat; nil is Beijing time.
	Zone *time.Location
}

// Enable defines the globals on vm. It must run before any script.
func Enable(vm *goja.Runtime, opts Options) error {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	origin := now()
	var toASCII goja.Value = goja.Undefined()
	if opts.DomainToASCII != nil {
		toASCII = vm.ToValue(opts.DomainToASCII)
	}
	// URL and URLSearchParams are built on first use: most calls never touch
	// them, and every new VM would pay for them.
	var classes *goja.Object
	loadURL := func() (*goja.Object, error) {
		if classes == nil {
			c, err := modules.CallFactory(vm, urlProgram, modules.AnyResult, toASCII)
			if err != nil {
				return nil, fmt.Errorf("nodeglobals: url: %w", err)
			}
			classes = c
		}
		return classes, nil
	}
	var err error
	native := vm.NewObject()
	set := func(name string, fn any) {
		if err == nil {
			err = native.Set(name, fn)
		}
	}
	set("now", func() float64 { return float64(now().Sub(origin).Nanoseconds()) / 1e6 })
	set("timeOrigin", func() float64 { return float64(origin.UnixNano()) / 1e6 })
	set("utf8Encode", func(s string) goja.ArrayBuffer { return vm.NewArrayBuffer([]byte(s)) })
	set("decode", func(enc string, b []byte, fatal, ignoreBOM bool) goja.Value {
		s, ok := decodeText(enc, b, fatal, ignoreBOM)
		if !ok {
			return goja.Null()
		}
		return vm.ToValue(s)
	})
	set("btoa", func(call goja.FunctionCall) goja.Value {
		units := utf16.Encode([]rune(call.Argument(0).String()))
		if v, ok := call.Argument(0).Export().(string); ok {
			units = stringUnits(v)
		}
		b := make([]byte, len(units))
		for i, u := range units {
			if u > 0xff {
				return goja.Null()
			}
			b[i] = byte(u)
		}
		return vm.ToValue(base64.StdEncoding.EncodeToString(b))
	})
	set("atob", func(s string) goja.Value {
		b, ok := atob(s)
		if !ok {
			return goja.Null()
		}
		return vm.ToValue(latin1(b))
	})
	set("jsonError", JSONErrorMessage)
	if err != nil {
		return fmt.Errorf("nodeglobals: %w", err)
	}
	if _, err := modules.CallFactory(vm, globalsProgram, modules.AnyResult, vm.GlobalObject(), native, vm.ToValue(func() (*goja.Object, error) { return loadURL() })); err != nil {
		return fmt.Errorf("nodeglobals: %w", err)
	}
	zone := opts.Zone
	if zone == nil {
		zone = bjtime.Location
	}
	if err := enableIntl(vm, zone); err != nil {
		return fmt.Errorf("nodeglobals: intl: %w", err)
	}
	return nil
}

// URLClasses returns the VM's URL and URLSearchParams globals, for require('url').
func URLClasses(vm *goja.Runtime) (url, searchParams goja.Value) {
	return vm.Get("URL"), vm.Get("URLSearchParams")
}

// stringUnits is a Go string as goja hands it over, back in UTF-16 code units
// (lone surrogates came through as U+FFFD, which is above 0xff either way).
func stringUnits(s string) []uint16 { return utf16.Encode([]rune(s)) }

func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// atob is Node 16's: any character outside the base64 alphabet, '=' and ASCII
// whitespace is an error; the rest decodes as Buffer.from(s, 'base64') does
// (whitespace skipped, stopping at the first '=', a dangling last character
// dropped). Node 18 and later follow the HTML standard's stricter forgiving-base64.
func atob(s string) ([]byte, bool) {
	clean := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r':
			continue
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '+', r == '/', r == '=':
			clean = append(clean, byte(r))
		default:
			return nil, false
		}
	}
	if i := bytes.IndexByte(clean, '='); i >= 0 {
		clean = clean[:i]
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1]
	}
	// Go's decoder allows non-zero trailing bits unless Strict, as Buffer does.
	b, err := base64.RawStdEncoding.DecodeString(string(clean))
	if err != nil {
		return nil, false
	}
	return b, true
}

// decodeText implements TextDecoder#decode for UTF-8, windows-1252 (as Node
// without full ICU: Latin-1) and UTF-16LE.
func decodeText(enc string, b []byte, fatal, ignoreBOM bool) (string, bool) {
	switch enc {
	case "windows-1252":
		return latin1(b), true
	case "utf-16le":
		if !ignoreBOM && len(b) >= 2 && b[0] == 0xff && b[1] == 0xfe {
			b = b[2:]
		}
		if len(b)%2 == 1 {
			if fatal {
				return "", false
			}
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
		s := string(utf16.Decode(u))
		if len(b)%2 == 1 {
			s += "\ufffd"
		}
		return s, true
	}
	if !ignoreBOM && len(b) >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf {
		b = b[3:]
	}
	if utf8.Valid(b) {
		return string(b), true
	}
	if fatal {
		return "", false
	}
	return nodebuffer.ReplaceInvalidUTF8(b), true
}
