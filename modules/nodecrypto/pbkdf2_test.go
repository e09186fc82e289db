package nodecrypto_test

import (
	"testing"
)

// The vector is Node's: crypto.pbkdf2Sync('pw', 'salt', 1000, 16, 'sha256').
func TestPbkdf2MatchesNode(t *testing.T) {
	vu := newVU(t, nil)
	if got := mustString(t, vu, `crypto.pbkdf2Sync('pw', 'salt', 1000, 16, 'sha256').toString('hex')`); got != "0a38253555ce37f5c72a6b703f996814" {
		t.Fatalf("pbkdf2Sync = %s", got)
	}
	if got := mustString(t, vu, `(function () { try { crypto.pbkdf2Sync('pw', 'salt', 0, 16, 'sha256'); } catch (e) { return e.code; } })()`); got != "ERR_OUT_OF_RANGE" {
		t.Fatalf("iterations 0: %s", got)
	}
	if got := mustString(t, vu, `(function () { try { crypto.pbkdf2Sync('pw', 'salt', 1, 16, 'nope'); } catch (e) { return e.message; } })()`); got != "Invalid digest: nope" {
		t.Fatalf("bad digest: %s", got)
	}
}

func TestRandomIntStaysInRange(t *testing.T) {
	vu := newVU(t, nil)
	got := mustString(t, vu, `(function () {
  var c = crypto, seen = {};
  for (var i = 0; i < 200; i++) { var n = c.randomInt(3, 6); if (n < 3 || n >= 6) return 'out of range ' + n; seen[n] = true; }
  try { c.randomInt(5, 5); } catch (e) { return Object.keys(seen).sort().join(',') + ' ' + e.code; }
  return 'no error';
})()`)
	if got != "3,4,5 ERR_OUT_OF_RANGE" {
		t.Fatalf("got %s", got)
	}
}
