package alipaysim

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParseYuan(t *testing.T) {
	tests := []struct {
		in   string
		fen  int64
		fail bool
	}{
		{"0.01", 1, false}, {"9.9", 990, false}, {"100", 10000, false}, {"100000000", 10000000000, false},
		{"100000000.01", 0, true}, {"0", 0, true}, {"0.00", 0, true}, {"0.001", 0, true}, {"-1", 0, true},
		{"1.", 0, true}, {".5", 0, true}, {"1e2", 0, true}, {"", 0, true}, {" 1", 0, true}, {"1,00", 0, true},
	}
	for _, tt := range tests {
		fen, err := parseYuan(tt.in)
		if (err != nil) != tt.fail || fen != tt.fen {
			t.Errorf("parseYuan(%q) = %d, %v", tt.in, fen, err)
		}
	}
	if yuan(990) != "9.90" || yuan(1) != "0.01" || yuan(10000) != "100.00" {
		t.Error("yuan formatting")
	}
}

// The hand-written JSON must read back as the same strings.
func TestObjJSONRoundTrip(t *testing.T) {
	tricky := "a\"b\\c\n\r\t\x01</script>&<>\u2028\u2029测试"
	o := obj{{"s", tricky}, {"n", obj{{"k", "v"}}}, {"l", []obj{{{"x", "1"}}, {{"y", "2"}}}}}
	var back struct {
		S string
		N struct{ K string }
		L []map[string]string
	}
	raw := o.appendJSON(nil)
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	if back.S != tricky || back.N.K != "v" || len(back.L) != 2 || back.L[1]["y"] != "2" {
		t.Errorf("round trip: %+v", back)
	}
	if string(obj{{"a", "<&>"}}.appendJSON(nil)) != `{"a":"<&>"}` {
		t.Error("HTML characters must stay as they are")
	}
	if string(obj{{"a", "\xff"}}.appendJSON(nil)) != `{"a":"\ufffd"}` {
		t.Error("invalid UTF-8 becomes U+FFFD")
	}
}

func TestParseTimeoutExpress(t *testing.T) {
	now := start // 09:02:03 Beijing
	tests := []struct {
		in   string
		want time.Duration
		fail bool
	}{
		{"1m", time.Minute, false}, {"90m", 90 * time.Minute, false}, {"15d", 15 * 24 * time.Hour, false},
		{"1c", 14*time.Hour + 57*time.Minute + 57*time.Second, false},
		{"0m", 0, true}, {"16d", 0, true}, {"2c", 0, true}, {"1.5h", 0, true}, {"1w", 0, true}, {"h", 0, true}, {"", 0, true},
	}
	for _, tt := range tests {
		d, err := parseTimeoutExpress(tt.in, now)
		if (err != nil) != tt.fail || d != tt.want {
			t.Errorf("%q: %v, %v", tt.in, d, err)
		}
	}
}
