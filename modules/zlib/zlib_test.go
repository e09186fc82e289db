package zlib

import (
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/modules/modulestest"
)

// Expected values below were produced by Node v20.20.2 (zlib 1.3) and node-gzip 1.1.2
// with scripts such as `node -e "console.log(zlib.gzipSync('hello').toString('hex'))"`
// in a scratch folder outside the repository.

func TestDecompressNodeOutput(t *testing.T) {
	tests := []struct {
		name, js, want string
	}{
		{"gunzip node gzip", `zlib.gunzipSync(Buffer.from('1f8b0800000000000003cb48cdc9c9070086a6103605000000','hex')).toString()`, "hello"},
		{"inflate node deflate", `zlib.inflateSync(Buffer.from('789ccb48cdc9c90700062c0215','hex')).toString()`, "hello"},
		{"inflateRaw node raw", `zlib.inflateRawSync(Buffer.from('cb48cdc9c90700','hex')).toString()`, "hello"},
		{"unzip gzip", `zlib.unzipSync(Buffer.from('1f8b0800000000000003cb48cdc9c9070086a6103605000000','hex')).toString()`, "hello"},
		{"unzip deflate", `zlib.unzipSync(Buffer.from('789ccb48cdc9c90700062c0215','hex')).toString()`, "hello"},
		{"gunzip empty member", `zlib.gunzipSync(Buffer.from('1f8b080000000000000303000000000000000000','hex')).length`, "0"},
		{"gunzip two members", `zlib.gunzipSync(Buffer.concat([zlib.gzipSync('hello'), zlib.gzipSync(' world')])).toString()`, "hello world"},
		{"gunzip arraybuffer", `var b = Buffer.from('1f8b0800000000000003cb48cdc9c9070086a6103605000000','hex'); zlib.gunzipSync(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)).toString()`, "hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vu := modulestest.New(t, nil)
			vu.Load(t, "zlib", New)
			if got := vu.MustRun(t, tt.js).String(); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCompressHeadersAndRoundTrip(t *testing.T) {
	tests := []struct {
		name, js, want string
	}{
		// Node's gzip header: mtime 0, XFL 0, OS 3 (Unix).
		{"gzip header", `zlib.gzipSync('hello').toString('hex').slice(0, 20)`, "1f8b0800000000000003"},
		{"gzip level 9 xfl", `zlib.gzipSync('hello', {level: 9}).toString('hex').slice(0, 20)`, "1f8b0800000000000203"},
		{"deflate default header", `zlib.deflateSync('hello').toString('hex').slice(0, 4)`, "789c"},
		{"deflate level 9 header", `zlib.deflateSync('hello', {level: 9}).toString('hex').slice(0, 4)`, "78da"},
		{"deflate level 1 header", `zlib.deflateSync('hello', {level: 1}).toString('hex').slice(0, 4)`, "7801"},
		{"gzip trailer crc and size", `zlib.gzipSync('hello').toString('hex').slice(-16)`, "86a6103605000000"},
		{"deflate trailer adler", `zlib.deflateSync('hello').toString('hex').slice(-8)`, "062c0215"},
		{"gzip round trip", `zlib.gunzipSync(zlib.gzipSync('你好, world')).toString()`, "你好, world"},
		{"deflate round trip", `zlib.inflateSync(zlib.deflateSync(Buffer.from('abcabcabc'))).toString()`, "abcabcabc"},
		{"raw round trip", `zlib.inflateRawSync(zlib.deflateRawSync('raw data')).toString()`, "raw data"},
		{"uint16 input", `zlib.gunzipSync(zlib.gzipSync(new Uint16Array([1, 2]))).toString('hex')`, "01000200"},
		{"returns Buffer", `zlib.gzipSync('x') instanceof Buffer`, "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vu := modulestest.New(t, nil)
			vu.Load(t, "zlib", New)
			if got := vu.MustRun(t, tt.js).String(); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorsLikeNode(t *testing.T) {
	tests := []struct {
		name, js, want string
	}{
		{"gunzip garbage", `zlib.gunzipSync(Buffer.from('hello world'))`, "Error|incorrect header check|Z_DATA_ERROR|-3"},
		{"inflate garbage", `zlib.inflateSync(Buffer.from('hello world'))`, "Error|incorrect header check|Z_DATA_ERROR|-3"},
		{"unzip garbage", `zlib.unzipSync(Buffer.from('hello world'))`, "Error|incorrect header check|Z_DATA_ERROR|-3"},
		{"inflateRaw garbage", `zlib.inflateRawSync(Buffer.from('hello world'))`, "Error|invalid stored block lengths|Z_DATA_ERROR|-3"},
		{"truncated", `zlib.gunzipSync(Buffer.from('1f8b0800000000000003cb48cdc9c9070086a61036','hex'))`, "Error|unexpected end of file|Z_BUF_ERROR|-5"},
		{"empty", `zlib.gunzipSync(Buffer.alloc(0))`, "Error|unexpected end of file|Z_BUF_ERROR|-5"},
		{"bad crc", `zlib.gunzipSync(Buffer.from('1f8b0800000000000003cb48cdc9c9070087a6103605000000','hex'))`, "Error|incorrect data check|Z_DATA_ERROR|-3"},
		{"bad adler", `zlib.inflateSync(Buffer.from('789ccb48cdc9c90700062c0214','hex'))`, "Error|incorrect data check|Z_DATA_ERROR|-3"},
		{"number input", `zlib.gzipSync(5)`, `TypeError|The "buffer" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer. Received type number (5)|ERR_INVALID_ARG_TYPE|undefined`},
		{"object input", `zlib.gzipSync({})`, `TypeError|The "buffer" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer. Received an instance of Object|ERR_INVALID_ARG_TYPE|undefined`},
		{"undefined input", `zlib.gzipSync()`, `TypeError|The "buffer" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer. Received undefined|ERR_INVALID_ARG_TYPE|undefined`},
		{"no callback", `zlib.gzip('x')`, `TypeError|The "callback" argument must be of type function. Received undefined|ERR_INVALID_ARG_TYPE|undefined`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vu := modulestest.New(t, nil)
			vu.Load(t, "zlib", New)
			got := vu.MustRun(t, `try { `+tt.js+`; 'no error' } catch (e) { [e.name, e.message, e.code, String(e.errno)].join('|') }`).String()
			if got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestCallbackForms(t *testing.T) {
	vu := modulestest.New(t, nil)
	vu.Load(t, "zlib", New)
	vu.MustRun(t, `
		var out = [];
		zlib.gzip('hi', function (err, buf) {
			out.push('gzip:' + err + ':' + buf.toString('hex').slice(0, 20));
			zlib.gunzip(buf, function (err, plain) { out.push('gunzip:' + err + ':' + plain.toString()); });
		});
		zlib.gunzip(Buffer.from('xx'), function (err, buf) { out.push('bad:' + err.message + ':' + err.code + ':' + buf); });
		zlib.deflate('z', {level: 9}, function (err, buf) { out.push('level:' + buf.toString('hex').slice(0, 4)); });
	`)
	got := vu.JSON(vu.Global("out"))
	for _, want := range []string{`gzip:null:1f8b0800000000000003`, `gunzip:null:hi`, `bad:incorrect header check:Z_DATA_ERROR:undefined`, `level:78da`} {
		if !strings.Contains(got, want) {
			t.Errorf("callbacks gave %s, missing %q", got, want)
		}
	}
}

func TestNodeGzip(t *testing.T) {
	tests := []struct {
		name, js, want string
	}{
		{"gzip then ungzip", `gzip.gzip('hello').then(function (b) { return gzip.ungzip(b); }).then(function (b) { result = (b instanceof Buffer) + ':' + b.toString(); });`, "true:hello"},
		{"gzip header", `gzip.gzip(Buffer.from('hello')).then(function (b) { result = b.toString('hex').slice(0, 20); });`, "1f8b0800000000000003"},
		{"ungzip node output", `gzip.ungzip(Buffer.from('1f8b0800000000000003cb48cdc9c9070086a6103605000000','hex')).then(function (b) { result = b.toString(); });`, "hello"},
		{"ungzip garbage", `gzip.ungzip(Buffer.from('zz')).catch(function (e) { result = e.name + '|' + e.message + '|' + e.code; });`, "Error|Error: incorrect header check|undefined"},
		{"gzip number", `gzip.gzip(5).catch(function (e) { result = e.name + '|' + e.message + '|' + e.code; });`, `TypeError|The "chunk" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received type number (5)|ERR_INVALID_ARG_TYPE`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vu := modulestest.New(t, nil)
			vu.Load(t, "gzip", NewGzip)
			vu.MustRun(t, `var result = 'unsettled'; `+tt.js)
			if got := vu.Global("result").String(); got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
