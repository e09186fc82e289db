package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/modules"
)

func writeAppFile(t *testing.T, f AlipayAppFile) string {
	t.Helper()
	b, _ := json.Marshal(f)
	p := filepath.Join(t.TempDir(), "app.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadAlipayApp(t *testing.T) {
	app, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(app)
	spki, _ := x509.MarshalPKIXPublicKey(&app.PublicKey)
	pemPrivate := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	barePublic := base64.StdEncoding.EncodeToString(spki)

	got, err := LoadAlipayApp(writeAppFile(t, AlipayAppFile{AppID: "2021000000000009", PrivateKey: pemPrivate, AlipayPublicKey: barePublic, Gateway: "https://openapi-sandbox.dl.alipaydev.com/gateway.do"}))
	if err != nil {
		t.Fatal(err)
	}
	if got.AppID != "2021000000000009" || !got.PrivateKey.Equal(app) || !got.AlipayPublicKey.Equal(&app.PublicKey) || got.Gateway != "https://openapi-sandbox.dl.alipaydev.com/gateway.do" {
		t.Fatalf("loaded %+v", got)
	}
	pkcs1 := base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PrivateKey(app))
	if got, err := LoadAlipayApp(writeAppFile(t, AlipayAppFile{AppID: "1", PrivateKey: pkcs1})); err != nil || !got.PrivateKey.Equal(app) || got.AlipayPublicKey != nil {
		t.Fatalf("bare PKCS#1: %v", err)
	}
	for _, c := range []struct {
		f    AlipayAppFile
		want string
	}{
		{AlipayAppFile{PrivateKey: pemPrivate}, "appId and privateKey are required"},
		{AlipayAppFile{AppID: "1", PrivateKey: "not a key!"}, "privateKey: neither PEM nor base64"},
		{AlipayAppFile{AppID: "1", PrivateKey: barePublic}, "privateKey: not an RSA private key"},
		{AlipayAppFile{AppID: "1", PrivateKey: pemPrivate, AlipayPublicKey: pkcs1[:40]}, "alipayPublicKey"},
	} {
		if _, err := LoadAlipayApp(writeAppFile(t, c.f)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.f, err, c.want)
		}
	}
	if _, err := LoadAlipayApp(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Fatal("a missing file must fail")
	}
}

// The app ctx.cloud signs as: the sandbox's by default, the configured one when set.
func TestAlipayAppDefaultsToTheSandboxApp(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "app.js", `module.exports = async (ctx) => ctx.env.MP_APP_ID`)
	emu, base := serveOnLoopback(t, Config{FunctionsDirs: []string{dir}, DBPath: filepath.Join(t.TempDir(), "a.db")})
	if _, body := postArgs(t, base+"/"+emu.Secret+"/app", `{}`, modules.AlipayUserHeader, "2088000000000001"); body != emu.SandboxKeys.Alipay.AppID {
		t.Fatalf("default app %q, want the sandbox's %q", body, emu.SandboxKeys.Alipay.AppID)
	}
	emu, base = serveOnLoopback(t, Config{FunctionsDirs: []string{dir}, DBPath: filepath.Join(t.TempDir(), "b.db"),
		AlipayApp: &modules.AlipayApp{AppID: "2021000000000077"}})
	if _, body := postArgs(t, base+"/"+emu.Secret+"/app", `{}`, modules.AlipayUserHeader, "2088000000000001"); body != "2021000000000077" {
		t.Fatalf("configured app %q", body)
	}
}
