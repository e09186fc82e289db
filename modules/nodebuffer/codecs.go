package nodebuffer

const (
	stdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	urlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	hexDigits   = "0123456789abcdef"
)

// base64Value maps a character to its 6-bit value, accepting both alphabets as Node
// does; 0xff marks characters Node skips.
func base64Value(c byte) byte {
	switch {
	case c >= 'A' && c <= 'Z':
		return c - 'A'
	case c >= 'a' && c <= 'z':
		return c - 'a' + 26
	case c >= '0' && c <= '9':
		return c - '0' + 52
	case c == '+' || c == '-':
		return 62
	case c == '/' || c == '_':
		return 63
	}
	return 0xff
}

// base64Size is Node's output size for a base64 string of n code units: padding is
// not counted, invalid characters are, and the decoder never writes more.
func base64Size(u []uint16) int {
	n := len(u)
	if n < 2 {
		return 0
	}
	if u[n-1] == '=' {
		n--
		if u[n-1] == '=' {
			n--
		}
	}
	if n < 2 {
		return 0
	}
	size := n / 4 * 3
	switch rem := n % 4; {
	case rem == 1 && size == 0:
		return 0
	case rem == 2 || rem == 1:
		size++
	case rem == 3:
		size += 2
	}
	return size
}

// decodeBase64 follows Node: characters outside both alphabets are skipped, the first
// '=' ends the input, missing padding is fine, and a byte is written as soon as its
// bits are known. Node looks only at the low byte of each code unit.
func decodeBase64(u []uint16) []byte {
	limit := base64Size(u)
	out := make([]byte, 0, limit)
	var acc uint32
	pos := 0
	for _, cu := range u {
		if len(out) >= limit {
			break
		}
		c := byte(cu)
		if c == '=' {
			break
		}
		v := base64Value(c)
		if v == 0xff {
			continue
		}
		acc = acc<<6 | uint32(v)
		switch pos {
		case 1:
			out = append(out, byte(acc>>4))
		case 2:
			out = append(out, byte(acc>>2))
		case 3:
			out = append(out, byte(acc))
		}
		pos = (pos + 1) % 4
	}
	return out
}

func encodeBase64(b []byte, alphabet string, pad bool) string {
	out := make([]byte, 0, (len(b)+2)/3*4)
	for i := 0; i < len(b); i += 3 {
		var chunk [3]byte
		n := copy(chunk[:], b[i:])
		v := uint32(chunk[0])<<16 | uint32(chunk[1])<<8 | uint32(chunk[2])
		out = append(out, alphabet[v>>18&63], alphabet[v>>12&63])
		if n > 1 {
			out = append(out, alphabet[v>>6&63])
		} else if pad {
			out = append(out, '=')
		}
		if n > 2 {
			out = append(out, alphabet[v&63])
		} else if pad {
			out = append(out, '=')
		}
	}
	return string(out)
}

func hexValue(c uint16) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// decodeHex stops at the first pair that is not two hex digits, and drops an odd
// trailing digit, as Node does.
func decodeHex(u []uint16) []byte {
	out := make([]byte, 0, len(u)/2)
	for i := 0; i+1 < len(u); i += 2 {
		hi, lo := hexValue(u[i]), hexValue(u[i+1])
		if hi < 0 || lo < 0 {
			break
		}
		out = append(out, byte(hi<<4|lo))
	}
	return out
}

func encodeHex(b []byte) string {
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i] = hexDigits[c>>4]
		out[2*i+1] = hexDigits[c&15]
	}
	return string(out)
}

// decodeUTF8 decodes bytes as the WHATWG decoder Node uses: each maximal invalid
// subsequence becomes one U+FFFD (Go's range loop would emit one per byte).
func decodeUTF8(b []byte) []rune {
	out := make([]rune, 0, len(b))
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			out = append(out, rune(c))
			i++
			continue
		}
		var need int
		var cp rune
		lower, upper := byte(0x80), byte(0xbf)
		switch {
		case c >= 0xc2 && c <= 0xdf:
			need, cp = 1, rune(c&0x1f)
		case c >= 0xe0 && c <= 0xef:
			need, cp = 2, rune(c&0x0f)
			if c == 0xe0 {
				lower = 0xa0
			} else if c == 0xed {
				upper = 0x9f
			}
		case c >= 0xf0 && c <= 0xf4:
			need, cp = 3, rune(c&0x07)
			if c == 0xf0 {
				lower = 0x90
			} else if c == 0xf4 {
				upper = 0x8f
			}
		default:
			out = append(out, 0xfffd)
			i++
			continue
		}
		j := i + 1
		ok := true
		for k := 0; k < need; k++ {
			if j >= len(b) || b[j] < lower || b[j] > upper {
				ok = false
				break
			}
			cp = cp<<6 | rune(b[j]&0x3f)
			lower, upper = 0x80, 0xbf
			j++
		}
		if !ok {
			out = append(out, 0xfffd)
			i = j
			continue
		}
		out = append(out, cp)
		i = j
	}
	return out
}
