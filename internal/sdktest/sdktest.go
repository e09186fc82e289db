// Package sdktest signs requests as hydrogen-js-sdk (Bmob's JS SDK) signs them, for
// the tests of the REST API in restapi and server. It follows the SDK's
// axiosRequest.js and shares no code with restapi's check of the signature, so a
// request signed here tests the server against the SDK, not against itself.
package sdktest

import (
	"crypto/md5"
	"encoding/hex"
)

// SDKVersion is the X-Bmob-SDK-Version the SDK's node build sends; it is part of
// what the SDK signs.
const SDKVersion = "10"

// MD5Hex is the lower-case hex MD5 of s.
func MD5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Sign is the SDK's X-Bmob-Safe-Sign:
// md5(route + timestamp + securityCode + nonce + body + sdkVersion).
func Sign(route, ts, securityCode, nonce, body, sdkVersion string) string {
	return MD5Hex(route + ts + securityCode + nonce + body + sdkVersion)
}

// Headers are the headers the SDK's node build sends with a signed request, as
// name, value pairs: ts is the timestamp as sent (the SDK sends seconds), body the
// body as the SDK signs it.
func Headers(securityCode, secretKey, route, ts, nonce, body string) []string {
	return []string{
		"Content-Type", "application/json",
		"X-Bmob-SDK-Type", "nodejs",
		"X-Bmob-Safe-Sign", Sign(route, ts, securityCode, nonce, body, SDKVersion),
		"X-Bmob-Safe-Timestamp", ts,
		"X-Bmob-Noncestr-Key", nonce,
		"X-Bmob-SDK-Version", SDKVersion,
		"X-Bmob-Secret-Key", secretKey,
	}
}
