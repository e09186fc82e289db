package outbound

import (
	"strings"
	"testing"
)

func TestParseUpstream(t *testing.T) {
	tests := []struct {
		in       string
		host     string
		base     string
		errMatch string
	}{
		{in: "api.mch.weixin.qq.com=http://127.0.0.1:9000", host: "api.mch.weixin.qq.com", base: "http://127.0.0.1:9000"},
		{in: "API.Example.com=https://10.0.0.1/prefix/", host: "api.example.com", base: "https://10.0.0.1/prefix"},
		{in: "example.com:8443=http://127.0.0.1:1", host: "example.com:8443", base: "http://127.0.0.1:1"},
		{in: "example.com", errMatch: "want HOST=URL"},
		{in: "=http://127.0.0.1", errMatch: "want HOST=URL"},
		{in: "example.com=", errMatch: "want HOST=URL"},
		{in: "https://example.com=http://127.0.0.1", errMatch: "not a URL"},
		{in: "example.com=127.0.0.1:9000", errMatch: "http:// or https://"},
		{in: "example.com=ftp://127.0.0.1", errMatch: "http:// or https://"},
		{in: "example.com=http://", errMatch: "no host"},
		{in: "example.com=http://127.0.0.1/?a=1", errMatch: "query or fragment"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			host, base, err := ParseUpstream(tc.in)
			if tc.errMatch != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errMatch) {
					t.Fatalf("ParseUpstream(%q) error = %v, want one containing %q", tc.in, err, tc.errMatch)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseUpstream(%q): %v", tc.in, err)
			}
			if host != tc.host || base != tc.base {
				t.Fatalf("ParseUpstream(%q) = %q, %q; want %q, %q", tc.in, host, base, tc.host, tc.base)
			}
		})
	}
}
