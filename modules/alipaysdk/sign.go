package alipaysdk

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/internal/bjtime"
)

// hashFor maps config.signType to the digest Node's createSign would use
// (ALIPAY_ALGORITHM_MAPPING: RSA -> RSA-SHA1, RSA2 -> RSA-SHA256).
func hashFor(signType goja.Value) (crypto.Hash, bool) {
	if signType == nil {
		return 0, false
	}
	switch signType.Export() {
	case "RSA":
		return crypto.SHA1, true
	case "RSA2":
		return crypto.SHA256, true
	}
	return 0, false
}

func digest(h crypto.Hash, content string) []byte {
	if h == crypto.SHA1 {
		sum := sha1.Sum([]byte(content))
		return sum[:]
	}
	sum := sha256.Sum256([]byte(content))
	return sum[:]
}

// now is the emulator's clock.
func (m *module) now() time.Time {
	if env := m.vu.Env(); env != nil && env.Now != nil {
		return env.Now()
	}
	return time.Now()
}

// sign is alipay-sdk's util.sign: the ordered, snake-cased request parameters with
// `sign` appended last.
func (m *module) sign(method goja.Value, params goja.Value, config *goja.Object) *goja.Object {
	vm := m.vm
	p := params.ToObject(vm)
	signParams := vm.NewObject()
	if get(config, "appCertSn").ToBoolean() && get(config, "alipayRootCertSn").ToBoolean() {
		_ = signParams.Set("appCertSn", get(config, "appCertSn"))
		_ = signParams.Set("alipayRootCertSn", get(config, "alipayRootCertSn"))
	}
	_ = signParams.Set("method", method)
	for _, k := range []string{"appId", "charset", "version", "signType"} {
		_ = signParams.Set(k, get(config, k))
	}
	_ = signParams.Set("timestamp", bjtime.Format(m.now()))
	for _, k := range p.Keys() {
		if k == "bizContent" || k == "needEncrypt" {
			continue
		}
		_ = signParams.Set(k, get(p, k))
	}
	if get(config, "wsServiceUrl").ToBoolean() {
		_ = signParams.Set("wsServiceUrl", get(config, "wsServiceUrl"))
	}
	camel, snake := get(p, "bizContent"), get(p, "biz_content")
	if truthy(camel) && truthy(snake) {
		m.throwError("Error", "不能同时设置 bizContent 和 biz_content", nil)
	}
	biz := camel
	if !truthy(biz) {
		biz = snake
	}
	if truthy(biz) {
		if truthy(get(p, "needEncrypt")) {
			m.throwError("Error", "alipay-sdk needEncrypt (AES) is not supported by bmobemu", nil)
		}
		_ = signParams.Set("bizContent", m.stringify(m.mapKeys(biz, SnakeCaseKey, true)))
	}
	out := m.mapKeys(signParams, SnakeCaseKey, true)
	keys := out.Keys()
	sortUTF16(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m.signValue(get(out, k))
	}
	_ = out.Set("sign", m.rsaSign(strings.Join(parts, "&"), config))
	return out
}

// rsaSign signs content with config.privateKey and config.signType, base64.
func (m *module) rsaSign(content string, config *goja.Object) string {
	h, ok := hashFor(get(config, "signType"))
	if !ok {
		m.throwInvalidArg("algorithm", "of type string", goja.Undefined())
	}
	key, err := m.keys.privateKey(get(config, "privateKey").String())
	if err != nil {
		m.throwDecoder()
	}
	sig, err := rsa.SignPKCS1v15(nil, key, h, digest(h, content))
	if err != nil {
		panic(m.vm.NewGoError(err))
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// rsaVerify checks a base64 signature with config.alipayPublicKey.
func (m *module) rsaVerify(content string, signature goja.Value, signType goja.Value, config *goja.Object) bool {
	h, ok := hashFor(signType)
	if !ok {
		m.throwInvalidArg("algorithm", "of type string", goja.Undefined())
	}
	key, err := m.keys.publicKey(get(config, "alipayPublicKey").String())
	if err != nil {
		m.throwDecoder()
	}
	if !isStringValue(signature) {
		m.throwInvalidArg("signature", "an instance of ArrayBuffer, Buffer, TypedArray, or DataView", signature)
	}
	return rsa.VerifyPKCS1v15(key, h, digest(h, content), decodeNodeBase64(signature.String())) == nil
}

func truthy(v goja.Value) bool { return v != nil && v.ToBoolean() }

// jsSdkExec is sdkExec(method, params): the signed, percent-encoded order string an
// app hands to the Alipay client.
func (m *module) jsSdkExec(call goja.FunctionCall) goja.Value {
	config := m.config(call.This)
	data := m.sign(call.Argument(0), m.mapKeys(call.Argument(1), CamelCaseKey, true), config)
	keys := data.Keys()
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m.encodeURI(get(data, k))
	}
	order := strings.Join(parts, "&")
	if hook := m.hooks.SignedOrder; hook != nil {
		if err := hook(call.Argument(0).String(), order); err != nil {
			m.vu.Log("warn", "bmobemu payment sandbox did not take this order: "+err.Error())
		}
	}
	return m.vm.ToValue(order)
}
