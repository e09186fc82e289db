package nodecrypto_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/modulestest"
	"github.com/bmobemu/bmobemu/modules/nodecrypto"
)

// vectorsPath is research/node-compat-vectors.json in the shared specs beside the repo.
var vectorsPath = filepath.Join("..", "..", "..", "shared", "research", "node-compat-vectors.json")

// newVU returns a test VU with the crypto module as the global `crypto` and the golden
// vectors (outputs of real Node libraries) as the global `V`.
func newVU(t testing.TB, env *modules.Env) *modulestest.VU {
	t.Helper()
	vu := modulestest.New(t, env)
	vu.Load(t, "crypto", nodecrypto.New)
	raw, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatalf("reading golden vectors: %v", err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("parsing golden vectors: %v", err)
	}
	vu.Set("V", v)
	return vu
}

// rsaKey generates a fresh RSA key and sets its PEM forms as globals: PKCS8, PKCS1,
// SPKI and PKCS1PUB.
func rsaKey(t testing.TB, vu *modulestest.VU) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	enc := func(typ string, der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
	}
	vu.Set("PKCS8", enc("PRIVATE KEY", p8))
	vu.Set("PKCS1", enc("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key)))
	vu.Set("SPKI", enc("PUBLIC KEY", spki))
	vu.Set("PKCS1PUB", enc("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&key.PublicKey)))
	return key
}

func mustString(t testing.TB, vu *modulestest.VU, src string) string {
	t.Helper()
	return vu.MustRun(t, src).String()
}
