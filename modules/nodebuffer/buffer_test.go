package nodebuffer_test

import (
	"bytes"
	"testing"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
	"github.com/dop251/goja_nodejs/require"

	"github.com/bmobemu/bmobemu/modules/nodebuffer"
)

func newVM(t *testing.T) *goja.Runtime {
	t.Helper()
	vm := goja.New()
	new(require.Registry).Enable(vm)
	nodebuffer.Enable(vm)
	return vm
}

func run(t *testing.T, vm *goja.Runtime, src string) goja.Value {
	t.Helper()
	v, err := vm.RunString(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return v
}

// Expected values are Node 20 outputs (docs/fidelity.md#node-libraries) or follow from
// Node's documented rules.
func TestBufferScripts(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"base64 lenient", `Buffer.from('aGVs bG8=\n!!', 'base64').toString()`, "hello"},
		{"base64 no padding url chars", `Buffer.from('-_8', 'base64').toString('hex')`, "fbff"},
		{"base64url encode", `Buffer.from([0xfb,0xff,0xbf]).toString('base64url')`, "-_-_"},
		{"base64 encode", `Buffer.from('hello').toString('BASE64')`, "aGVsbG8="},
		{"base64url decode", `Buffer.from('aGVsbG8', 'Base64Url').toString()`, "hello"},
		{"hex odd", `Buffer.from('abc', 'hex').toString('hex')`, "ab"},
		{"hex invalid pair", `Buffer.from('zz11', 'hex').length`, "0"},
		{"hex upper name", `Buffer.from('HI').toString('HEX')`, "4849"},
		{"utf8 invalid", `Buffer.from([0x61, 0xe2, 0x82, 0x62, 0xff]).toString('utf-8')`, "a\ufffdb\ufffd"},
		{"ascii masks", `Buffer.from([0xe9, 0x41]).toString('ascii')`, "iA"},
		{"latin1 low byte", `Buffer.from('\u00e9\u0141', 'latin1').toString('hex')`, "e941"},
		{"binary roundtrip", `Buffer.from('\u00ff\u0080', 'binary').toString('binary') === '\u00ff\u0080'`, "true"},
		{"ucs2", `Buffer.from('hi\u20ac', 'ucs2').toString('hex') + Buffer.from('6800', 'hex').toString('utf16le')`, "68006900ac20h"},
		{"unknown encoding", `try { Buffer.from('x', 'nope') } catch (e) { e.code + ' ' + e.message + ' ' + (e instanceof TypeError) }`, "ERR_UNKNOWN_ENCODING Unknown encoding: nope true"},
		{"slice is a view", `var b = Buffer.from('hello'); var s = b.slice(-4, -1); s[0] = 69; b.toString() + s.toString() + Buffer.isBuffer(s)`, "hElloElltrue"},
		{"slice wechat tag", `var c = Buffer.from('0102030405', 'hex'); c.slice(c.length - 2).toString('hex') + c.slice(0, c.length - 2).toString('hex')`, "0405010203"},
		{"subarray", `Buffer.from('hello').subarray(1).toString()`, "ello"},
		{"toJSON", `JSON.stringify(Buffer.from('hi'))`, `{"type":"Buffer","data":[104,105]}`},
		{"isBuffer", `[Buffer.isBuffer(Buffer.alloc(1)), Buffer.isBuffer(new Uint8Array(1)), Buffer.isBuffer('x')].join()`, "true,false,false"},
		{"byteLength", `[Buffer.byteLength('\u20ac'), Buffer.byteLength('aGk=', 'base64'), Buffer.byteLength('abcd', 'hex'), Buffer.byteLength(Buffer.alloc(3))].join()`, "3,2,2,3"},
		{"compare", `[Buffer.compare(Buffer.from('a'), Buffer.from('b')), Buffer.from('b').compare(Buffer.from('a')), Buffer.from('abc').compare(Buffer.from('xbc'), 1, 3, 1, 3)].join()`, "-1,1,0"},
		{"equals", `Buffer.from('ab').equals(Buffer.from('6162', 'hex'))`, "true"},
		{"alloc fill", `Buffer.alloc(5, 'ab').toString() + Buffer.alloc(2, 0x41).toString() + Buffer.alloc(4, 'YQ==', 'base64').toString()`, "ababaAAaaaa"},
		{"allocUnsafe", `Buffer.allocUnsafe(3).length`, "3"},
		{"concat", `Buffer.concat([Buffer.from('a'), Buffer.from('bc')]).toString()`, "abc"},
		{"copy", `var t = Buffer.alloc(4, '-'); var n = Buffer.from('xyz').copy(t, 1, 1); n + t.toString()`, "2-yz-"},
		{"indexOf", `var b = Buffer.from('abcabc'); [b.indexOf('c'), b.indexOf('c', 3), b.indexOf(Buffer.from('ca')), b.indexOf(0x62), b.lastIndexOf('b'), b.includes('bd'), b.includes('6263', 0, 'hex'), b.indexOf('a', -3)].join()`, "2,5,2,1,4,false,true,3"},
		{"legacy ctor number", `var b = Buffer(3); var c = new Buffer(2); b.length + ',' + c.length + ',' + b[0] + ',' + (b instanceof Buffer)`, "3,2,0,true"},
		{"legacy ctor string", `new Buffer('aGk=', 'base64').toString() + Buffer('x').toString()`, "hix"},
		{"length and index", `var b = Buffer.from('AB'); b.length + ':' + b[1]`, "2:66"},
		{"write", `var b = Buffer.alloc(4); var n = b.write('\u20acx', 1); n + b.toString('hex')`, "300e282ac"},
		{"fill", `Buffer.alloc(4).fill('ab', 1).toString('hex')`, "00616261"},
		{"toString range", `Buffer.from('hello').toString('utf8', 1, 3)`, "el"},
		{"require buffer", `require('buffer').Buffer === Buffer && Buffer.prototype.constructor === Buffer && Buffer.name`, "Buffer"},
		{"from number throws", `try { Buffer.from(5) } catch (e) { e.code + ': ' + e.message }`, "ERR_INVALID_ARG_TYPE: The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object. Received type number (5)"},
		{"from String object", `Buffer.from(new String('6869'), 'hex').toString()`, "hi"},
		{"isEncoding", `[Buffer.isEncoding('UTF-8'), Buffer.isEncoding('latin1'), Buffer.isEncoding('x')].join()`, "true,true,false"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vm := newVM(t)
			if got := run(t, vm, tc.src).String(); got != tc.want {
				t.Errorf("%s\n got %q\nwant %q", tc.src, got, tc.want)
			}
		})
	}
}

func TestGojaNodejsHelpersShareTheClass(t *testing.T) {
	vm := newVM(t)
	wrapped := buffer.WrapBytes(vm, []byte("go"))
	_ = vm.Set("w", wrapped)
	if got := run(t, vm, `Buffer.isBuffer(w) && w instanceof Buffer && w.slice(1).toString('latin1')`).String(); got != "o" {
		t.Fatalf("WrapBytes value in JS: %q", got)
	}
	if got := buffer.Bytes(vm, run(t, vm, `Buffer.from('6869', 'HEX')`)); !bytes.Equal(got, []byte("hi")) {
		t.Fatalf("buffer.Bytes = %q", got)
	}
	nodebuffer.Enable(vm) // idempotent
	if got := run(t, vm, `Buffer(2).length`).String(); got != "2" {
		t.Fatalf("after second Enable: %s", got)
	}
}

func TestBytes(t *testing.T) {
	vm := newVM(t)
	cases := []struct {
		name, src, enc string
		want           []byte
		wantErr        string
	}{
		{"utf8 string", `'h\u00e9'`, "", []byte("h\u00e9"), ""},
		{"hex string", `'00ff'`, "hex", []byte{0, 255}, ""},
		{"buffer", `Buffer.from('abc').subarray(1)`, "", []byte("bc"), ""},
		{"uint16array", `new Uint16Array([0x0201])`, "", []byte{1, 2}, ""},
		{"dataview", `new DataView(new Uint8Array([5,6,7]).buffer, 1)`, "", []byte{6, 7}, ""},
		{"arraybuffer", `new Uint8Array([9]).buffer`, "", []byte{9}, ""},
		{"number", `5`, "", nil, `ERR_INVALID_ARG_TYPE: The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received type number (5)`},
		{"object", `({})`, "", nil, `ERR_INVALID_ARG_TYPE: The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received an instance of Object`},
		{"undefined", `undefined`, "", nil, `ERR_INVALID_ARG_TYPE: The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received undefined`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := nodebuffer.Bytes(vm, run(t, vm, tc.src), tc.enc)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestNewAndThrow(t *testing.T) {
	vm := newVM(t)
	_ = vm.Set("b", nodebuffer.New(vm, []byte{1, 2}))
	_ = vm.Set("fail", func(goja.FunctionCall) goja.Value {
		nodebuffer.Throw(vm, nodebuffer.NewError(nodebuffer.KindRangeError, "ERR_X", "bad %d", 7))
		return nil
	})
	got := run(t, vm, `var r; try { fail() } catch (e) { r = (e instanceof RangeError) + e.code + e.message } Buffer.isBuffer(b) + b.toString('hex') + r`).String()
	if got != "true0102trueERR_Xbad 7" {
		t.Fatal(got)
	}
}

func TestDecodeString(t *testing.T) {
	cases := []struct {
		in   string
		enc  nodebuffer.Encoding
		want string
	}{
		{"aGk", nodebuffer.Base64, "hi"},
		{"6869zz", nodebuffer.Hex, "hi"},
		{"\u00e9", nodebuffer.Latin1, "\xe9"},
		{"h", nodebuffer.UTF16LE, "h\x00"},
	}
	for _, tc := range cases {
		if got := string(nodebuffer.DecodeString(tc.in, tc.enc)); got != tc.want {
			t.Errorf("DecodeString(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if tc.enc != nodebuffer.Hex {
			if back := nodebuffer.EncodeToString([]byte(tc.want), tc.enc); back != tc.in && tc.enc != nodebuffer.Base64 {
				t.Errorf("EncodeToString round trip %q", back)
			}
		}
	}
}

// TestFromRefusesAHugeArrayLike: {length: 2 ** 31} used to be copied element
// by element for minutes in one native call, deaf to the call's deadline.
func TestFromRefusesAHugeArrayLike(t *testing.T) {
	vm := newVM(t)
	v, err := vm.RunString(`(() => {
		const ok = Buffer.from({length: 3, 0: 1, 1: 2, 2: 3}).toString("hex");
		let huge; try { Buffer.from({length: 2 ** 31}); huge = "no error"; } catch (e) { huge = e.name + " " + e.code; }
		return ok + " " + huge + " " + Buffer.from(new Uint8Array(4)).length;
	})()`)
	if err != nil {
		t.Fatal(err)
	}
	if v.String() != "010203 RangeError ERR_OUT_OF_RANGE 4" {
		t.Fatalf("got %s", v)
	}
}
