package nodecrypto

import (
	"github.com/dop251/goja"

	nb "github.com/bmobemu/bmobemu/modules/nodebuffer"
)

// textOut turns cipher output into strings across update/final calls the way Node's
// StringDecoder does: a UTF-8 character, a base64 group or a UTF-16 unit split
// between two calls is held back and emitted whole by the next call.
type textOut struct {
	carry []byte
}

// write returns the string for carry+b minus any incomplete tail, which it keeps.
func (t *textOut) write(b []byte, enc nb.Encoding) goja.Value {
	buf := append(t.carry, b...)
	keep := incompleteTail(buf, enc)
	t.carry = append([]byte(nil), buf[len(buf)-keep:]...)
	return nb.Encode(buf[:len(buf)-keep], enc)
}

// end returns the string for everything left, complete or not.
func (t *textOut) end(b []byte, enc nb.Encoding) goja.Value {
	buf := append(t.carry, b...)
	t.carry = nil
	return nb.Encode(buf, enc)
}

func incompleteTail(b []byte, enc nb.Encoding) int {
	switch enc {
	case nb.Base64, nb.Base64URL:
		return len(b) % 3
	case nb.UTF16LE:
		return len(b) % 2
	case nb.UTF8:
		for back := 1; back <= 3 && back <= len(b); back++ {
			c := b[len(b)-back]
			if c&0xc0 == 0x80 {
				continue // continuation byte: keep looking for the lead
			}
			need := 0
			switch {
			case c >= 0xc2 && c <= 0xdf:
				need = 2
			case c >= 0xe0 && c <= 0xef:
				need = 3
			case c >= 0xf0 && c <= 0xf4:
				need = 4
			}
			if need > back {
				return back
			}
			return 0
		}
	}
	return 0
}

// output renders b for update/final: a Buffer without an encoding, else a string.
func (m *module) output(t *textOut, b []byte, encArg goja.Value, final bool) goja.Value {
	name := nb.OptString(encArg)
	enc, ok := nb.ParseEncoding(name)
	if name == "" || name == "buffer" || !ok {
		return nb.New(m.vm, b)
	}
	if final {
		return t.end(b, enc)
	}
	return t.write(b, enc)
}
