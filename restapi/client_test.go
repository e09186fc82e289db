package restapi

import (
	"testing"
	"time"
)

func TestNonceCacheForgetsOnlyAfterTTL(t *testing.T) {
	c := nonceCache{ttl: 20 * time.Second}
	t0 := time.Unix(1000, 0)
	if !c.add("a", t0.Add(20*time.Second), t0) || c.add("a", t0.Add(20*time.Second), t0.Add(time.Second)) {
		t.Fatal("a nonce must be new once, then a replay")
	}
	// Rotations move "a" to the old generation, then drop it; in between it is still a replay.
	c.add("b", t0.Add(40*time.Second), t0.Add(20*time.Second))
	if c.add("a", t0.Add(20*time.Second), t0.Add(19*time.Second)) {
		t.Fatal("a was forgotten before its expiry")
	}
	c.add("c", t0.Add(60*time.Second), t0.Add(40*time.Second))
	if len(c.cur)+len(c.old) > 2 {
		t.Fatalf("expired generations are kept: %v %v", c.cur, c.old)
	}
}
