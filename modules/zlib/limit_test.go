package zlib

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/modulestest"
)

// A decompression bomb stops at --decompress-limit with Node's RangeError
// (issue 11, item 4), in every entry point: sync, callback, node-gzip.
func TestDecompressionCapInEveryForm(t *testing.T) {
	const bomb = `var bomb = zlib.gzipSync(Buffer.alloc(4 << 20));`
	tests := []struct {
		name, js, want string
	}{
		{"gunzipSync", `try { zlib.gunzipSync(bomb); r = 'inflated' } catch (e) { r = [e.name, e.code, e.message].join('|') }`,
			"RangeError|ERR_BUFFER_TOO_LARGE|Cannot create a Buffer larger than 1048576 bytes (the decompressed data is over bmobemu's --decompress-limit)"},
		{"unzipSync", `try { zlib.unzipSync(bomb); r = 'inflated' } catch (e) { r = e.code }`, "ERR_BUFFER_TOO_LARGE"},
		{"inflateSync", `try { zlib.inflateSync(zlib.deflateSync(Buffer.alloc(2 << 20))); r = 'inflated' } catch (e) { r = e.code }`, "ERR_BUFFER_TOO_LARGE"},
		{"inflateRawSync", `try { zlib.inflateRawSync(zlib.deflateRawSync(Buffer.alloc(2 << 20))); r = 'inflated' } catch (e) { r = e.code }`, "ERR_BUFFER_TOO_LARGE"},
		{"gunzip callback", `zlib.gunzip(bomb, function (e, b) { r = e ? e.name + '|' + e.code : 'inflated' })`, "RangeError|ERR_BUFFER_TOO_LARGE"},
		{"under the cap", `r = String(zlib.gunzipSync(zlib.gzipSync(Buffer.alloc(1 << 20))).length)`, "1048576"},
		{"maxOutputLength below the cap", `try { zlib.gunzipSync(bomb, {maxOutputLength: 1000}); } catch (e) { r = e.code + '|' + e.message }`,
			"ERR_BUFFER_TOO_LARGE|Cannot create a Buffer larger than 1000 bytes"},
		{"maxOutputLength above the cap", `try { zlib.gunzipSync(bomb, {maxOutputLength: 1 << 30}); } catch (e) { r = e.message }`,
			"Cannot create a Buffer larger than 1048576 bytes (the decompressed data is over bmobemu's --decompress-limit)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vu := modulestest.New(t, &modules.Env{DecompressLimit: 1 << 20})
			vu.Load(t, "zlib", New)
			vu.MustRun(t, `var r = 'unsettled'; `+bomb+tt.js)
			if got := vu.Global("r").String(); got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
	vu := modulestest.New(t, &modules.Env{DecompressLimit: 1 << 20})
	vu.Load(t, "zlib", New)
	vu.Load(t, "gzip", NewGzip)
	vu.MustRun(t, `var r = 'unsettled'; `+bomb+`gzip.ungzip(bomb).then(function () { r = 'inflated' }, function (e) { r = e.message })`)
	if got := vu.Global("r").String(); !strings.Contains(got, "--decompress-limit") {
		t.Fatalf("node-gzip: %q", got)
	}
}

// Inflating stops when its call ends, not when the data does.
func TestDecompressStopsWithItsCall(t *testing.T) {
	data, err := compress(formatGzip, make([]byte, 8<<20), -1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = decompress(ctx, formatGzip, data, limits{flag: 1 << 30})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want the call's cancellation", err)
	}
}
