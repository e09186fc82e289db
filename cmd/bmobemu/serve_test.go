package main

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/internal/webguard"
)

// TestPublicAddressWarns is issue 10 item 3: a non-loopback --addr is warned
// about, naming the address and the master key it now needs.
func TestPublicAddressWarns(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8080", "[::]:8080", "192.168.1.5:8080"} {
		if webguard.IsLoopbackAddr(addr) {
			t.Fatalf("%s seen as loopback", addr)
		}
		w := publicWarning(addr)
		if !strings.HasPrefix(w, "WARNING") || !strings.Contains(w, addr) || !strings.Contains(w, "master key") {
			t.Fatalf("warning for %s: %q", addr, w)
		}
	}
	if !webguard.IsLoopbackAddr("127.0.0.1:8080") {
		t.Fatal("127.0.0.1 not seen as loopback: serve would warn on the default address")
	}
}

func TestTuneGCUnlessGOGCIsSet(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	tuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != servingGCPercent {
		t.Fatalf("GOGC %d after tuneGC, want %d", got, servingGCPercent)
	}
	tuneGC(func(k string) string {
		if k == "GOGC" {
			return "50"
		}
		return ""
	})
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("tuneGC overrode the operator's GOGC: %d", got)
	}
}
