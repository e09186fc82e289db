package nodebuffer

import (
	"encoding/hex"
	"testing"
)

// The expected strings are Node 20's Buffer.from(hex, "hex").toString("utf8").
func TestReplaceInvalidUTF8FollowsNode(t *testing.T) {
	cases := []struct{ hex, want string }{
		{"e4b8", "\ufffd"},                       // truncated 3-byte sequence: one U+FFFD
		{"eda080", "\ufffd\ufffd\ufffd"},         // surrogate: every byte
		{"f0908041", "\ufffdA"},                  // truncated 4-byte sequence, then ASCII
		{"c0af", "\ufffd\ufffd"},                 // overlong lead
		{"ff61", "\ufffda"},                      // never a lead byte
		{"e4b8ade69687", "中文"},                   // valid
		{"efbbbf61", "\ufeffa"},                  // the BOM is kept
		{"f4908080", "\ufffd\ufffd\ufffd\ufffd"}, // above U+10FFFF
		{"e0a0", "\ufffd"},                       // truncated after a valid second byte
	}
	for _, c := range cases {
		b, err := hex.DecodeString(c.hex)
		if err != nil {
			t.Fatal(err)
		}
		if got := ReplaceInvalidUTF8(b); got != c.want {
			t.Errorf("%s: got %+q, want %+q", c.hex, got, c.want)
		}
	}
}
