package nodecrypto_test

import (
	"testing"
)

// The expected values below are the outputs of Node 20 and node-rsa stored in the
// golden vectors (global V), never values computed by this package.
func TestGoldenVectors(t *testing.T) {
	cases := []struct{ name, src string }{
		{"createSign RSA-SHA256 equals node-rsa/Node signature", `
			crypto.createSign('RSA-SHA256').update(V.nodersa.message).sign(V.keys.app_private_pkcs8, 'base64') === V.nodersa.signature_pkcs1_sha256`},
		{"sign aliases and Buffer output", `
			['sha256WithRSAEncryption', 'SHA256', 'sha256', 'rsa-sha256'].every(function (alg) {
				return crypto.createSign(alg).update(V.nodersa.message, 'utf8').sign(V.keys.app_private_pkcs8).toString('base64') === V.nodersa.signature_pkcs1_sha256;
			})`},
		{"one-shot sign", `
			crypto.sign('sha256', Buffer.from(V.nodersa.message), {key: V.keys.app_private_pkcs8}).toString('base64') === V.nodersa.signature_pkcs1_sha256`},
		{"KeyObject sign", `
			crypto.createSign('RSA-SHA256').update(V.nodersa.message).sign(crypto.createPrivateKey(V.keys.app_private_pkcs8), 'base64') === V.nodersa.signature_pkcs1_sha256`},
		{"verify request signature", `
			crypto.createVerify('RSA-SHA256').update(V.nodersa.message).verify(V.keys.app_public, V.nodersa.signature_pkcs1_sha256, 'base64') === V.nodersa.verify_utf8_base64`},
		{"verify wechat notify signature", `
			var h = V.wechat.notify.headers;
			var msg = [h['Wechatpay-Timestamp'], h['Wechatpay-Nonce'], JSON.stringify(JSON.parse(V.wechat.notify.body))].join('\n') + '\n';
			msg === V.wechat.notify.signedMessage &&
			crypto.createVerify('RSA-SHA256').update(msg).verify(V.keys.alipay_or_platform_public, h['Wechatpay-Signature'], 'base64') &&
			crypto.verify('RSA-SHA256', Buffer.from(msg), crypto.createPublicKey(V.keys.alipay_or_platform_private_pkcs8), Buffer.from(h['Wechatpay-Signature'], 'base64'))`},
		{"verify with wrong key is false", `
			!crypto.createVerify('RSA-SHA256').update(V.wechat.notify.signedMessage).verify(V.keys.app_public, V.wechat.notify.headers['Wechatpay-Signature'], 'base64')`},
		{"decrypt wechat notify, update + final", `
			var r = JSON.parse(V.wechat.notify.body).resource;
			var data = Buffer.from(r.ciphertext, 'base64');
			var d = crypto.createDecipheriv('aes-256-gcm', V.wechat.notify.apiV3Key, r.nonce);
			d.setAuthTag(data.slice(data.length - 16));
			d.setAAD(Buffer.from(r.associated_data));
			var out = d.update(data.slice(0, data.length - 16), null, 'utf8');
			out += d.final('utf8');
			out === V.wechat.notify.plaintext`},
		{"decrypt wechat notify, update only (unauthenticated)", `
			var r = JSON.parse(V.wechat.notify.body).resource;
			var data = Buffer.from(r.ciphertext, 'base64');
			var d = crypto.createDecipheriv('aes-256-gcm', Buffer.from(V.wechat.notify.apiV3Key), Buffer.from(r.nonce));
			Buffer.concat([d.update(data.slice(0, 10)), d.update(data.slice(10, data.length - 16))]).toString() === V.wechat.notify.plaintext`},
		{"decrypt wechat notify, byte-at-a-time utf8 output keeps characters whole", `
			var r = JSON.parse(V.wechat.notify.body).resource;
			var data = Buffer.from(r.ciphertext, 'base64');
			var d = crypto.createDecipheriv('aes-256-gcm', V.wechat.notify.apiV3Key, r.nonce);
			d.setAAD(Buffer.from(r.associated_data)).setAuthTag(data.slice(-16));
			var s = '';
			for (var i = 0; i < data.length - 16; i++) s += d.update(data.slice(i, i + 1), undefined, 'utf8');
			s + d.final('utf8') === V.wechat.notify.plaintext`},
		{"re-encrypting the plaintext gives the notify ciphertext", `
			var r = JSON.parse(V.wechat.notify.body).resource;
			var c = crypto.createCipheriv('aes-256-gcm', V.wechat.notify.apiV3Key, r.nonce);
			c.setAAD(Buffer.from(r.associated_data));
			var ct = Buffer.concat([c.update(V.wechat.notify.plaintext, 'utf8'), c.final(), c.getAuthTag()]);
			ct.toString('base64') === r.ciphertext`},
	}
	vu := newVU(t, nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := mustString(t, vu, tc.src); got != "true" {
				t.Fatalf("got %s for\n%s", got, tc.src)
			}
		})
	}
}

// Node's messages and codes for the error paths (docs/fidelity.md#node-libraries).
func TestErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"bare base64 key", `var body = V.keys.app_private_pkcs8.split('\n').slice(1, -2).join(''); crypto.createSign('RSA-SHA256').update('x').sign(body)`,
			"Error|ERR_OSSL_UNSUPPORTED|error:1E08010C:DECODER routines::unsupported"},
		{"pkcs8 body under pkcs1 label", `crypto.createSign('RSA-SHA256').update('x').sign(V.keys.app_private_pkcs8.replace(/PRIVATE KEY/g, 'RSA PRIVATE KEY'))`,
			"Error|ERR_OSSL_UNSUPPORTED|error:1E08010C:DECODER routines::unsupported"},
		{"public key to sign", `crypto.createSign('RSA-SHA256').update('x').sign(V.keys.app_public)`,
			"Error|ERR_OSSL_UNSUPPORTED|error:1E08010C:DECODER routines::unsupported"},
		{"number key", `crypto.createSign('RSA-SHA256').update('x').sign(5)`,
			`TypeError|ERR_INVALID_ARG_TYPE|The "key" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey. Received type number (5)`},
		{"unknown digest", `crypto.createHash('sha999')`, "Error|undefined|Digest method not supported"},
		{"unknown sign digest", `crypto.createSign('nope')`, "TypeError|ERR_CRYPTO_INVALID_DIGEST|Invalid digest"},
		{"unknown hmac digest", `crypto.createHmac('nope', 'k')`, "TypeError|ERR_CRYPTO_INVALID_DIGEST|Invalid digest: nope"},
		{"digest twice", `var h = crypto.createHash('md5'); h.update('a'); h.digest('hex'); h.digest('hex')`,
			"Error|ERR_CRYPTO_HASH_FINALIZED|Digest already called"},
		{"update after digest", `var h = crypto.createHash('sha1'); h.digest(); h.update('a')`,
			"Error|ERR_CRYPTO_HASH_FINALIZED|Digest already called"},
		{"hash number data", `crypto.createHash('sha256').update(5)`,
			`TypeError|ERR_INVALID_ARG_TYPE|The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received type number (5)`},
		{"wrong key length", `crypto.createDecipheriv('aes-256-gcm', 'short', '123456789012')`, "RangeError|ERR_CRYPTO_INVALID_KEYLEN|Invalid key length"},
		{"ecb with iv", `crypto.createCipheriv('aes-128-ecb', '0123456789abcdef', '0123456789abcdef')`, "TypeError|ERR_CRYPTO_INVALID_IV|Invalid initialization vector"},
		{"cbc short iv", `crypto.createCipheriv('aes-128-cbc', '0123456789abcdef', 'short')`, "TypeError|ERR_CRYPTO_INVALID_IV|Invalid initialization vector"},
		{"unknown cipher", `crypto.createCipheriv('des-foo', 'k', 'iv')`, "TypeError|ERR_CRYPTO_UNKNOWN_CIPHER|Unknown cipher"},
		{"wrong tag", `
			var r = JSON.parse(V.wechat.notify.body).resource;
			var data = Buffer.from(r.ciphertext, 'base64');
			var d = crypto.createDecipheriv('aes-256-gcm', V.wechat.notify.apiV3Key, r.nonce);
			var tag = Buffer.from(data.slice(-16)); tag[0] ^= 1;
			d.setAuthTag(tag); d.setAAD(Buffer.from(r.associated_data));
			d.update(data.slice(0, -16)); d.final()`, "Error|undefined|Unsupported state or unable to authenticate data"},
		{"missing tag", `var d = crypto.createDecipheriv('aes-256-gcm', V.wechat.notify.apiV3Key, '123456789012'); d.update('abc'); d.final()`,
			"Error|undefined|Unsupported state or unable to authenticate data"},
		{"wrong aad", `
			var r = JSON.parse(V.wechat.notify.body).resource;
			var data = Buffer.from(r.ciphertext, 'base64');
			var d = crypto.createDecipheriv('aes-256-gcm', V.wechat.notify.apiV3Key, r.nonce);
			d.setAuthTag(data.slice(-16)); d.setAAD(Buffer.from('refund'));
			d.update(data.slice(0, -16)); d.final()`, "Error|undefined|Unsupported state or unable to authenticate data"},
		{"bad tag length", `crypto.createDecipheriv('aes-256-gcm', V.wechat.notify.apiV3Key, '123456789012').setAuthTag(Buffer.alloc(3))`,
			"TypeError|ERR_CRYPTO_INVALID_AUTH_TAG|Invalid authentication tag length: 3"},
		{"getAuthTag before final", `crypto.createCipheriv('aes-128-gcm', '0123456789abcdef', '123456789012').getAuthTag()`,
			"Error|ERR_CRYPTO_INVALID_STATE|Invalid state for operation getAuthTag"},
		{"bad decrypt", `var d = crypto.createDecipheriv('aes-128-cbc', '0123456789abcdef', 'fedcba9876543210'); d.update(Buffer.alloc(16)); d.final()`,
			"Error|ERR_OSSL_BAD_DECRYPT|error:1C800064:Provider routines::bad decrypt"},
		{"no padding wrong length", `var c = crypto.createCipheriv('aes-128-ecb', '0123456789abcdef', null); c.setAutoPadding(false); c.update('abc'); c.final()`,
			"Error|ERR_OSSL_WRONG_FINAL_BLOCK_LENGTH|error:1C80006B:Provider routines::wrong final block length"},
		{"timingSafeEqual lengths", `crypto.timingSafeEqual(Buffer.alloc(1), Buffer.alloc(2))`,
			"RangeError|ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH|Input buffers must have the same byte length"},
		{"randomBytes negative", `crypto.randomBytes(-1)`,
			"RangeError|ERR_OUT_OF_RANGE|The value of \"size\" is out of range. It must be >= 0 && <= 2147483647. Received -1"},
		{"oaep decrypt garbage", `crypto.privateDecrypt(V.keys.app_private_pkcs8, Buffer.alloc(256, 1))`,
			"Error|ERR_OSSL_RSA_OAEP_DECODING_ERROR|error:02000079:RSA routines::oaep decoding error"},
	}
	vu := newVU(t, nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := "(function () { try { " + tc.src + "; return 'no error'; } catch (e) { return e.name + '|' + e.code + '|' + e.message; } })()"
			if got := mustString(t, vu, src); got != tc.want {
				t.Fatalf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestMalformedSignatureIsFalse(t *testing.T) {
	vu := newVU(t, nil)
	for _, sig := range []string{`''`, `'!!!'`, `'AAAA'`, `Buffer.alloc(256)`} {
		src := `crypto.createVerify('RSA-SHA256').update('x').verify(V.keys.app_public, ` + sig + `, 'base64')`
		if got := mustString(t, vu, src); got != "false" {
			t.Errorf("%s = %s", sig, got)
		}
	}
}
