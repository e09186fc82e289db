package sdktest

import (
	"slices"
	"testing"
)

// The expected sums are md5sum's (coreutils) over the same bytes.
func TestSignIsMD5OfTheSDKsConcatenation(t *testing.T) {
	if got, want := MD5Hex("forged"), "ea76aa1d2eceb24df1cae061feb57188"; got != want {
		t.Errorf("MD5Hex = %s, want %s", got, want)
	}
	got := Sign("/1/classes/T", "1700000000", "c0de", "nonce", `{"a":1}`, "10")
	if want := "c43a1fab3842ca59d6adff2c51f966b0"; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestHeadersCarryTheSignAndTheKeys(t *testing.T) {
	h := Headers("c0de", "5ec2e75ec2e75ec2", "/1/classes/T", "1700000000", "nonce", `{"a":1}`)
	want := []string{
		"Content-Type", "application/json",
		"X-Bmob-SDK-Type", "nodejs",
		"X-Bmob-Safe-Sign", "c43a1fab3842ca59d6adff2c51f966b0",
		"X-Bmob-Safe-Timestamp", "1700000000",
		"X-Bmob-Noncestr-Key", "nonce",
		"X-Bmob-SDK-Version", "10",
		"X-Bmob-Secret-Key", "5ec2e75ec2e75ec2",
	}
	if !slices.Equal(h, want) {
		t.Errorf("Headers =\n%q\nwant\n%q", h, want)
	}
}
