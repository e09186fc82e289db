package wechatsim

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// authScheme is the only Authorization scheme WeChat Pay v3 accepts here.
const authScheme = "WECHATPAY2-SHA256-RSA2048"

// maxClockSkew is how far a request's timestamp may be from now.
const maxClockSkew = 5 * time.Minute

// authHeader is a parsed Authorization header.
type authHeader struct {
	mchID, nonce, timestamp, serial, signature string
}

// parseAuthorization reads `WECHATPAY2-SHA256-RSA2048 k="v",k="v"` with the
// pairs in any order.
func parseAuthorization(h string) (authHeader, *apiError) {
	var a authHeader
	scheme, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if h == "" {
		return a, signError("authorization", "Authorization header is missing")
	}
	if !ok || scheme != authScheme {
		return a, signError("authorization", "Authorization must start with "+authScheme)
	}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return a, signError("authorization", fmt.Sprintf("malformed pair %q (want key=\"value\")", part))
		}
		v = v[1 : len(v)-1]
		switch k {
		case "mchid":
			a.mchID = v
		case "nonce_str":
			a.nonce = v
		case "timestamp":
			a.timestamp = v
		case "serial_no":
			a.serial = v
		case "signature":
			a.signature = v
		}
	}
	for _, f := range []struct{ name, v string }{
		{"mchid", a.mchID}, {"nonce_str", a.nonce}, {"timestamp", a.timestamp},
		{"serial_no", a.serial}, {"signature", a.signature},
	} {
		if f.v == "" {
			return a, signError(f.name, f.name+" is missing from Authorization")
		}
	}
	return a, nil
}

// verifyRequest checks r's Authorization against the merchant key: mchid,
// certificate serial, timestamp freshness and the RSA-SHA256 signature over
// METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n. The URL may be the one the provider
// sees (a prefix stripped by the mount) or the one the client asked for; a
// client signs whichever it used.
func (s *Simulator) verifyRequest(r *http.Request, body []byte) *apiError {
	a, aerr := parseAuthorization(r.Header.Get("Authorization"))
	if aerr != nil {
		return aerr
	}
	if a.mchID != s.cfg.MchID {
		return signError("mchid", fmt.Sprintf("mchid %q is not this merchant (%s)", a.mchID, s.cfg.MchID))
	}
	if !strings.EqualFold(a.serial, s.cfg.MerchantSerial) {
		return signError("serial_no", fmt.Sprintf("serial_no %q is not the merchant certificate serial %s",
			a.serial, s.cfg.MerchantSerial))
	}
	ts, err := strconv.ParseInt(a.timestamp, 10, 64)
	if err != nil {
		return signError("timestamp", "timestamp is not Unix seconds")
	}
	if d := s.cfg.Clock.Now().Sub(time.Unix(ts, 0)); d > maxClockSkew || d < -maxClockSkew {
		return signError("timestamp", fmt.Sprintf("timestamp %d is more than 5 minutes from now (%d)",
			ts, s.cfg.Clock.Now().Unix()))
	}
	sig, err := base64.StdEncoding.DecodeString(a.signature)
	if err != nil {
		return signError("signature", "signature is not base64")
	}
	for _, uri := range canonicalURLs(r) {
		msg := r.Method + "\n" + uri + "\n" + a.timestamp + "\n" + a.nonce + "\n" + string(body) + "\n"
		sum := sha256.Sum256([]byte(msg))
		if rsa.VerifyPKCS1v15(s.cfg.MerchantPublicKey, crypto.SHA256, sum[:], sig) == nil {
			return nil
		}
	}
	return signError("signature", "sign not match: the signature does not verify with the merchant public key "+
		"over METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n")
}

// canonicalURLs are the URLs (path and query) a client may have signed.
func canonicalURLs(r *http.Request) []string {
	seen := r.URL.RequestURI()
	out := []string{seen}
	if r.RequestURI != "" && r.RequestURI != seen {
		out = append(out, r.RequestURI)
	}
	return out
}

// signedHeaders are the Wechatpay-* headers for a message WeChat sends (a
// response or a notify): TIMESTAMP\nNONCE\nBODY\n signed with the platform key.
func (s *Simulator) signedHeaders(h http.Header, body []byte) error {
	nonce, err := s.nonce(32)
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(s.cfg.Clock.Now().Unix(), 10)
	sum := sha256.Sum256([]byte(ts + "\n" + nonce + "\n" + string(body) + "\n"))
	sig, err := rsa.SignPKCS1v15(nil, s.cfg.PlatformKey, crypto.SHA256, sum[:])
	if err != nil {
		return fmt.Errorf("wechatsim: sign with the platform key: %w", err)
	}
	h.Set("Wechatpay-Timestamp", ts)
	h.Set("Wechatpay-Nonce", nonce)
	h.Set("Wechatpay-Signature", base64.StdEncoding.EncodeToString(sig))
	h.Set("Wechatpay-Serial", s.cfg.PlatformSerial)
	h.Set("Wechatpay-Signature-Type", authScheme)
	return nil
}

// nonceAlphabet is what WeChat's nonces are made of.
const nonceAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// nonce returns n random alphanumerics from cfg.Random.
func (s *Simulator) nonce(n int) (string, error) {
	buf := make([]byte, n)
	s.randMu.Lock()
	_, err := io.ReadFull(s.random, buf)
	s.randMu.Unlock()
	if err != nil {
		return "", fmt.Errorf("wechatsim: read random: %w", err)
	}
	for i, b := range buf {
		buf[i] = nonceAlphabet[int(b)%len(nonceAlphabet)]
	}
	return string(buf), nil
}
