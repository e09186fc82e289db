package alipaysim

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// hashFor maps sign_type to its digest: RSA2 is SHA256withRSA, RSA SHA1withRSA.
func hashFor(signType string) (crypto.Hash, bool) {
	switch signType {
	case "RSA2":
		return crypto.SHA256, true
	case "RSA":
		return crypto.SHA1, true
	}
	return 0, false
}

func digest(h crypto.Hash, content []byte) []byte {
	if h == crypto.SHA1 {
		sum := sha1.Sum(content)
		return sum[:]
	}
	sum := sha256.Sum256(content)
	return sum[:]
}

// signRSA signs content (PKCS#1 v1.5) and returns it base64-encoded.
func signRSA(key *rsa.PrivateKey, h crypto.Hash, content []byte) (string, error) {
	sig, err := rsa.SignPKCS1v15(nil, key, h, digest(h, content))
	if err != nil {
		return "", fmt.Errorf("alipaysim: signing: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// verifyRSA checks a base64 signature over content.
func verifyRSA(key *rsa.PublicKey, h crypto.Hash, content []byte, sign string) bool {
	sig, err := base64.StdEncoding.DecodeString(sign)
	if err != nil {
		return false
	}
	return rsa.VerifyPKCS1v15(key, h, digest(h, content), sig) == nil
}

// contentOptions say how a sign content is assembled. Alipay's own SDKs skip
// empty values and sort by key; alipay-sdk (Node) signs empty values too and
// smartwalle sorts whole "k=v" pairs, so the gateway tries each variant.
type contentOptions struct {
	skipEmpty bool
	sortPairs bool
}

// signContent is the text Alipay signs or verifies: the parameters except
// those in skip, as key=value (raw values) sorted and joined by '&'.
func signContent(v url.Values, opt contentOptions, skip ...string) string {
	pairs := make([]string, 0, len(v))
	for k, vals := range v {
		if k == "" || slices.Contains(skip, k) || len(vals) == 0 {
			continue
		}
		if opt.skipEmpty && vals[0] == "" {
			continue
		}
		pairs = append(pairs, k+"="+vals[0])
	}
	if opt.sortPairs {
		slices.Sort(pairs)
	} else {
		slices.SortFunc(pairs, func(a, b string) int {
			ka, _, _ := strings.Cut(a, "=")
			kb, _, _ := strings.Cut(b, "=")
			return strings.Compare(ka, kb)
		})
	}
	return strings.Join(pairs, "&")
}

// signValues adds sign to v (a notify or a synchronous return): Alipay signs
// every parameter except sign and sign_type, empty ones left out.
func signValues(key *rsa.PrivateKey, h crypto.Hash, v url.Values) error {
	for k, vals := range v {
		if len(vals) == 0 || vals[0] == "" {
			delete(v, k)
		}
	}
	sig, err := signRSA(key, h, []byte(signContent(v, contentOptions{}, "sign", "sign_type")))
	if err != nil {
		return err
	}
	v.Set("sign", sig)
	return nil
}
