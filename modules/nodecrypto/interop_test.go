package nodecrypto_test

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"regexp"
	"testing"

	"github.com/bmobemu/bmobemu/modules"
)

// Digests from scripts must equal Go's for every name and output encoding.
func TestHashAndHmacMatchGo(t *testing.T) {
	cases := []struct {
		alg    string
		newH   func() hash.Hash
		output string
		encode func([]byte) string
	}{
		{"md5", md5.New, "hex", hex.EncodeToString},
		{"SHA1", sha1.New, "base64", base64.StdEncoding.EncodeToString},
		{"sha224", sha256.New224, "hex", hex.EncodeToString},
		{"RSA-SHA256", sha256.New, "base64url", base64.RawURLEncoding.EncodeToString},
		{"sha384", sha512.New384, "hex", hex.EncodeToString},
		{"sha512", sha512.New, "HEX", hex.EncodeToString},
	}
	vu := newVU(t, nil)
	for _, tc := range cases {
		t.Run(tc.alg, func(t *testing.T) {
			h := tc.newH()
			h.Write([]byte("1709600523\u4f1a"))
			h.Write([]byte{0xde, 0xad})
			want := tc.encode(h.Sum(nil))
			got := mustString(t, vu, `crypto.createHash('`+tc.alg+`').update('1709600523').update('\u4f1a', 'utf8').update('dead', 'hex').digest('`+tc.output+`')`)
			if got != want {
				t.Errorf("hash: got %s want %s", got, want)
			}
			mac := hmac.New(tc.newH, []byte("k\u00e9y"))
			mac.Write([]byte("data"))
			want = tc.encode(mac.Sum(nil))
			got = mustString(t, vu, `crypto.createHmac('`+tc.alg+`', 'k\u00e9y').update(Buffer.from('data')).digest('`+tc.output+`')`)
			if got != want {
				t.Errorf("hmac: got %s want %s", got, want)
			}
		})
	}
}

func pkcs7(b []byte) []byte {
	n := aes.BlockSize - len(b)%aes.BlockSize
	return append(append([]byte(nil), b...), bytes.Repeat([]byte{byte(n)}, n)...)
}

// AES CBC, ECB and GCM from scripts must agree with Go's cipher package both ways.
func TestCiphersMatchGo(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	iv := []byte("fedcba9876543210")
	plain := []byte("WeChat v2 refund req_info \u9000\u6b3e, 41 bytes+")
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	cbc := make([]byte, len(pkcs7(plain)))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(cbc, pkcs7(plain))
	padded := pkcs7(plain)
	ecb := make([]byte, len(padded))
	for i := 0; i < len(padded); i += aes.BlockSize {
		block.Encrypt(ecb[i:], padded[i:])
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	nonce := []byte("123456789012")
	sealed := gcm.Seal(nil, nonce, plain, []byte("aad"))

	vu := newVU(t, nil)
	vu.Set("KEY", string(key))
	vu.Set("IV", string(iv))
	vu.Set("PLAIN", string(plain))
	cases := []struct{ name, src, want string }{
		{"cbc encrypt in pieces", `var c = crypto.createCipheriv('aes-256-cbc', KEY, IV); c.update(PLAIN.slice(0, 5), 'utf8', 'base64') + c.update(PLAIN.slice(5), 'utf8', 'base64') + c.final('base64')`,
			base64.StdEncoding.EncodeToString(cbc)},
		{"cbc decrypt", `var d = crypto.createDecipheriv('aes-256-cbc', Buffer.from(KEY), Buffer.from(IV)); d.update('` + hex.EncodeToString(cbc) + `', 'hex', 'utf8') + d.final('utf8')`,
			string(plain)},
		{"ecb encrypt", `var c = crypto.createCipheriv('AES-256-ECB', KEY, ''); Buffer.concat([c.update(PLAIN), c.final()]).toString('hex')`,
			hex.EncodeToString(ecb)},
		{"ecb decrypt without auto padding", `var d = crypto.createDecipheriv('aes-256-ecb', KEY, null); d.setAutoPadding(false); Buffer.concat([d.update(Buffer.from('` + hex.EncodeToString(ecb) + `', 'hex')), d.final()]).toString('hex')`,
			hex.EncodeToString(padded)},
		{"gcm encrypt", `var c = crypto.createCipheriv('aes-256-gcm', KEY, '123456789012'); c.setAAD(Buffer.from('aad')); var o = c.update(PLAIN); Buffer.concat([o, c.final(), c.getAuthTag()]).toString('hex')`,
			hex.EncodeToString(sealed)},
		{"gcm decrypt", `var s = Buffer.from('` + hex.EncodeToString(sealed) + `', 'hex'); var d = crypto.createDecipheriv('aes-256-gcm', KEY, '123456789012'); d.setAAD(Buffer.from('aad')); d.setAuthTag(s.slice(-16)); d.update(s.slice(0, -16), undefined, 'utf8') + d.final('utf8')`,
			string(plain)},
		{"gcm 16-byte nonce round trip", `var c = crypto.createCipheriv('aes-128-gcm', KEY.slice(0, 16), IV); var ct = Buffer.concat([c.update(PLAIN), c.final()]); var d = crypto.createDecipheriv('aes-128-gcm', KEY.slice(0, 16), IV); d.setAuthTag(c.getAuthTag()); Buffer.concat([d.update(ct), d.final()]).toString()`,
			string(plain)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := mustString(t, vu, tc.src); got != tc.want {
				t.Errorf("\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// publicEncrypt/privateDecrypt with a generated key, checked against Go.
func TestRSAEncryptionMatchesGo(t *testing.T) {
	vu := newVU(t, nil)
	key := rsaKey(t, vu)
	oaep := mustString(t, vu, `crypto.publicEncrypt(SPKI, Buffer.from('sensitive \u59d3\u540d')).toString('base64')`)
	ct, _ := base64.StdEncoding.DecodeString(oaep)
	if pt, err := rsa.DecryptOAEP(sha1.New(), nil, key, ct, nil); err != nil || string(pt) != "sensitive \u59d3\u540d" {
		t.Errorf("OAEP-SHA1 (WeChat sensitive fields): %q %v", pt, err)
	}
	goCT, err := rsa.EncryptPKCS1v15(rand.Reader, &key.PublicKey, []byte("v15"))
	if err != nil {
		t.Fatal(err)
	}
	vu.Set("GOCT", base64.StdEncoding.EncodeToString(goCT))
	goOAEP, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, &key.PublicKey, []byte("oaep256"), nil)
	if err != nil {
		t.Fatal(err)
	}
	vu.Set("GOOAEP", base64.StdEncoding.EncodeToString(goOAEP))
	cases := []struct{ name, src, want string }{
		{"pkcs1 padding decrypt", `crypto.privateDecrypt({key: PKCS1, padding: crypto.constants.RSA_PKCS1_PADDING}, Buffer.from(GOCT, 'base64')).toString()`, "v15"},
		{"oaep sha256", `crypto.privateDecrypt({key: crypto.createPrivateKey(PKCS8), oaepHash: 'sha256'}, Buffer.from(GOOAEP, 'base64')).toString()`, "oaep256"},
		{"round trip with pkcs1 public pem", `crypto.privateDecrypt(PKCS8, crypto.publicEncrypt(PKCS1PUB, 'hi')).toString()`, "hi"},
		{"privateEncrypt publicDecrypt", `crypto.publicDecrypt(SPKI, crypto.privateEncrypt(PKCS1, Buffer.from('raw'))).toString()`, "raw"},
		{"key object details", `var k = crypto.createPublicKey(PKCS1); k.type + k.asymmetricKeyType + k.asymmetricKeyDetails.modulusLength + (k.export({type: 'spki', format: 'pem'}) === SPKI)`, "publicrsa2048true"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := mustString(t, vu, tc.src); got != tc.want {
				t.Errorf("got %q want %q", got, tc.want)
			}
		})
	}
	sig := mustString(t, vu, `crypto.sign('sha256', Buffer.from('m'), {key: PKCS8, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST}).toString('base64')`)
	raw, _ := base64.StdEncoding.DecodeString(sig)
	sum := sha256.Sum256([]byte("m"))
	if err := rsa.VerifyPSS(&key.PublicKey, crypto.SHA256, sum[:], raw, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}); err != nil {
		t.Errorf("PSS signature rejected by Go: %v", err)
	}
}

// randomBytes and randomUUID read Env.Random, synchronously and through the event loop.
func TestRandomFromEnv(t *testing.T) {
	src := bytes.Repeat([]byte{0xab}, 64)
	vu := newVU(t, &modules.Env{Random: bytes.NewReader(src)})
	got := mustString(t, vu, `crypto.randomBytes(4).toString('hex')`)
	if got != "abababab" {
		t.Errorf("randomBytes = %s", got)
	}
	vu.MustRun(t, `crypto.randomBytes(3, function (err, buf) { result = err === null && buf.toString('hex'); })`)
	if got := vu.Global("result").String(); got != "ababab" {
		t.Errorf("async randomBytes = %s", got)
	}
	uuid := mustString(t, vu, `crypto.randomUUID()`)
	if !regexp.MustCompile(`^abababab-abab-4bab-abab-abababababab$`).MatchString(uuid) {
		t.Errorf("randomUUID = %s", uuid)
	}
	if got := mustString(t, vu, `crypto.timingSafeEqual(Buffer.from('ab'), Buffer.from('ab')) && !crypto.timingSafeEqual(Buffer.from('ab'), Buffer.from('ac')) && crypto.getHashes().indexOf('sha256') >= 0`); got != "true" {
		t.Errorf("timingSafeEqual/getHashes: %s", got)
	}
}

// BenchmarkSignRSASHA256 measures createSign('RSA-SHA256') signatures per second from
// JavaScript; compare with BenchmarkGoSignPKCS1v15 for the cost of the JS layer.
func BenchmarkSignRSASHA256(b *testing.B) {
	vu := newVU(b, nil)
	if _, err := vu.Run(`var msg = V.nodersa.message; var key = V.keys.app_private_pkcs8;
		function signOnce() { return crypto.createSign('RSA-SHA256').update(msg).sign(key, 'base64'); }`); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := vu.Run(`signOnce()`); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGoSignPKCS1v15 is the floor: Go's rsa.SignPKCS1v15 alone on a 2048-bit key.
func BenchmarkGoSignPKCS1v15(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	sum := sha256.Sum256([]byte("POST\n/v3/pay/transactions/app\n"))
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:]); err != nil {
			b.Fatal(err)
		}
	}
}
