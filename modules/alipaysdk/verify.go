package alipaysdk

import (
	"strings"
	"unicode/utf16"

	"github.com/dop251/goja"
)

// jsCheckNotifySign is checkNotifySign(postData, raw?): Alipay's asynchronous notify
// check. It tries the content with sign_type and then without it, since Alipay signs
// trade notifies without sign_type and other notifies with it.
func (m *module) jsCheckNotifySign(call goja.FunctionCall) goja.Value {
	vm := m.vm
	postData := call.Argument(0).ToObject(vm)
	raw := call.Argument(1).ToBoolean()
	config := m.config(call.This)
	signStr := get(postData, "sign")
	if !truthy(get(config, "alipayPublicKey")) || !truthy(signStr) {
		return vm.ToValue(false)
	}
	signType := get(postData, "sign_type")
	if !truthy(signType) {
		signType = get(config, "signType")
	}
	if !truthy(signType) {
		signType = vm.ToValue("RSA2")
	}
	args := vm.NewObject()
	for _, k := range postData.Keys() {
		_ = args.Set(k, get(postData, k))
	}
	args.Delete("sign")
	_ = args.Set("sign_type", signType)
	if m.notifyRSACheck(args, signStr, signType, raw, config) {
		return vm.ToValue(true)
	}
	args.Delete("sign_type")
	return vm.ToValue(m.notifyRSACheck(args, signStr, signType, raw, config))
}

func (m *module) jsNotifyRSACheck(call goja.FunctionCall) goja.Value {
	args := call.Argument(0).ToObject(m.vm)
	ok := m.notifyRSACheck(args, call.Argument(1), call.Argument(2), call.Argument(3).ToBoolean(), m.config(call.This))
	return m.vm.ToValue(ok)
}

// notifyRSACheck verifies the notify content: keys sorted by UTF-16 code units, empty
// keys dropped, values JSON-stringified unless strings and, unless raw, passed through
// decodeURIComponent (which throws URIError on a bare '%').
func (m *module) notifyRSACheck(args *goja.Object, signStr, signType goja.Value, raw bool, config *goja.Object) bool {
	keys := args.Keys()
	sortUTF16(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if k == "" {
			continue
		}
		v := get(args, k)
		var s string
		switch {
		case isStringValue(v):
			s = v.String()
		default:
			out := m.stringify(v)
			s = "undefined"
			if !goja.IsUndefined(out) {
				s = out.String()
			}
		}
		if !raw {
			s = m.decodeURI(s)
		}
		parts = append(parts, k+"="+s)
	}
	return m.rsaVerify(strings.Join(parts, "&"), signStr, signType, config)
}

// jsCheckResponseSign is checkResponseSign(rawBody, responseKey): the gateway
// response check over the raw text of the <responseKey> object.
func (m *module) jsCheckResponseSign(call goja.FunctionCall) goja.Value {
	return m.vm.ToValue(m.checkResponseSign(call.Argument(0), call.Argument(1).String(), m.config(call.This)))
}

func (m *module) checkResponseSign(signStr goja.Value, responseKey string, config *goja.Object) bool {
	if !truthy(get(config, "alipayPublicKey")) {
		m.vu.Log("warn", "config.alipayPublicKey is empty")
		return true
	}
	if !truthy(signStr) {
		return false
	}
	validate := GetSignStr(signStr.String(), responseKey)
	parsed, err := m.jsonParse(goja.Undefined(), signStr)
	if err != nil {
		panic(err)
	}
	serverSign := get(parsed.ToObject(m.vm), "sign")
	return m.rsaVerify(validate, serverSign, get(config, "signType"), config)
}

func (m *module) jsGetSignStr(call goja.FunctionCall) goja.Value {
	return m.vm.ToValue(GetSignStr(call.Argument(0).String(), call.Argument(1).String()))
}

// GetSignStr is the SDK's getSignStr: the text Alipay signed in a gateway response,
// cut from the raw body between `"<responseKey>"` and the last `"sign"`, then trimmed
// to the outer braces. Positions are UTF-16 offsets of the untrimmed body applied to
// the trimmed one, exactly as the SDK computes them.
func GetSignStr(origin, responseKey string) string {
	o := utf16.Encode([]rune(origin))
	v := utf16.Encode([]rune(strings.TrimFunc(origin, isJSSpace)))
	start := indexUTF16(o, utf16.Encode([]rune(responseKey+`"`)))
	last := lastIndexUTF16(o, utf16.Encode([]rune(`"sign"`)))
	v = substr(v, start+jsLen(responseKey)+1, len(v))
	v = substr(v, 0, last)
	s := string(utf16.Decode(v))
	if i := strings.IndexByte(s, '{'); i >= 0 {
		s = s[i:]
	}
	if i := strings.LastIndexByte(s, '}'); i >= 0 {
		s = s[:i+1]
	}
	return s
}

// substr is String.prototype.substr(start, length) on UTF-16 code units.
func substr(s []uint16, start, length int) []uint16 {
	if start < 0 {
		start = max(len(s)+start, 0)
	}
	if start > len(s) {
		start = len(s)
	}
	end := min(start+max(length, 0), len(s))
	return s[start:end]
}

func indexUTF16(s, sub []uint16) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalUTF16(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func lastIndexUTF16(s, sub []uint16) int {
	for i := len(s) - len(sub); i >= 0; i-- {
		if equalUTF16(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func equalUTF16(a, b []uint16) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
