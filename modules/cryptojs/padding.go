package cryptojs

import (
	"fmt"
	"io"
)

// padding is one of CryptoJS.pad. pad returns the padded bytes and the sigBytes
// the ciphertext keeps; unpad returns the sigBytes of the plaintext, which like
// crypto-js it takes on trust (a wrong key can make it negative).
type padding struct {
	pad   func(data []byte, random io.Reader) ([]byte, int, error)
	unpad func(data []byte) float64
}

const blockBytes = 16

// fill returns how many bytes bring n to the next block boundary (a whole block if n is on one).
func fill(n int) int { return blockBytes - n%blockBytes }

func lastByte(data []byte) int {
	if len(data) == 0 {
		return 0
	}
	return int(data[len(data)-1])
}

var paddings = map[string]padding{
	"Pkcs7": {
		pad: func(data []byte, _ io.Reader) ([]byte, int, error) {
			n := fill(len(data))
			out := append(append([]byte(nil), data...), repeat(byte(n), n)...)
			return out, len(out), nil
		},
		unpad: func(data []byte) float64 { return float64(len(data) - lastByte(data)) },
	},
	"AnsiX923": {
		pad: func(data []byte, _ io.Reader) ([]byte, int, error) {
			n := fill(len(data))
			out := append(append(append([]byte(nil), data...), make([]byte, n-1)...), byte(n))
			return out, len(out), nil
		},
		unpad: func(data []byte) float64 { return float64(len(data) - lastByte(data)) },
	},
	"Iso10126": {
		pad: func(data []byte, random io.Reader) ([]byte, int, error) {
			n := fill(len(data))
			filler := make([]byte, n-1)
			if _, err := io.ReadFull(random, filler); err != nil {
				return nil, 0, fmt.Errorf("cryptojs: Iso10126 padding: %w", err)
			}
			out := append(append(append([]byte(nil), data...), filler...), byte(n))
			return out, len(out), nil
		},
		unpad: func(data []byte) float64 { return float64(len(data) - lastByte(data)) },
	},
	"Iso97971": {
		pad: func(data []byte, _ io.Reader) ([]byte, int, error) {
			out := append(append([]byte(nil), data...), 0x80)
			out = append(out, make([]byte, zeroFill(len(out)))...)
			return out, len(out), nil
		},
		unpad: func(data []byte) float64 { return stripZeros(data) - 1 },
	},
	"ZeroPadding": {
		pad: func(data []byte, _ io.Reader) ([]byte, int, error) {
			out := append(append([]byte(nil), data...), make([]byte, zeroFill(len(data)))...)
			return out, len(out), nil
		},
		unpad: stripZeros,
	},
	"NoPadding": {
		// Blocks are still whole for the cipher, but the ciphertext keeps only as
		// many significant bytes as the plaintext had, as crypto-js does.
		pad: func(data []byte, _ io.Reader) ([]byte, int, error) {
			out := append(append([]byte(nil), data...), make([]byte, zeroFill(len(data)))...)
			return out, len(data), nil
		},
		unpad: func(data []byte) float64 { return float64(len(data)) },
	},
}

// zeroFill is ZeroPadding's count: nothing when n is already on a block boundary.
func zeroFill(n int) int { return (blockBytes - n%blockBytes) % blockBytes }

// stripZeros drops trailing zero bytes; all zeros leave the length unchanged (crypto-js).
func stripZeros(data []byte) float64 {
	for i := len(data) - 1; i >= 0; i-- {
		if data[i] != 0 {
			return float64(i + 1)
		}
	}
	return float64(len(data))
}

func repeat(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}
