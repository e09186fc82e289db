package alipaycloud

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/modules/alipaysdk"
)

// maxAnswer bounds a gateway answer read into memory.
const maxAnswer = 1 << 20

// caller makes the openapi requests of one VM.
type caller struct {
	vu  modules.VU
	vm  *goja.Runtime
	app *modules.AlipayApp // nil: calls fail with "no Alipay app is configured"
}

// request is one openapi call, built on the JS thread.
type request struct {
	api    string
	params url.Values // public parameters and biz_content, signed
}

// call runs one method: it returns a promise settled with Alipay's answer.
func (c *caller) call(m method, call goja.FunctionCall) goja.Value {
	vm := c.vm
	promise, resolve, reject := vm.NewPromise()
	req, err := c.build(m, call)
	if err != nil {
		// The SDK's functions are async: bad arguments reject, they do not throw.
		_ = reject(jsError(vm, err))
		return vm.ToValue(promise)
	}
	app := c.app
	client := c.vu.Env().HTTP
	ctx := c.vu.Context()
	done := c.vu.RegisterCallback()
	go func() {
		raw, err := roundTrip(ctx, client, app, req)
		done(func() error {
			if err != nil {
				_ = reject(jsError(vm, fmt.Errorf("ctx.cloud.payment.common.%s: %w", m.name, err)))
				return nil
			}
			val, perr := c.parse(raw)
			if perr != nil {
				_ = reject(jsError(vm, fmt.Errorf("ctx.cloud.payment.common.%s: %w", m.name, perr)))
				return nil
			}
			_ = resolve(val)
			return nil
		})
	}()
	return vm.ToValue(promise)
}

// build reads the call's arguments in either form and signs the request.
func (c *caller) build(m method, call goja.FunctionCall) (*request, error) {
	env := c.vu.Env()
	app := c.app
	if app == nil || app.PrivateKey == nil {
		return nil, fmt.Errorf("ctx.cloud.payment.common.%s: no Alipay app is configured (start bmobemu with the payment sandbox on, the default, or give --alipay-app FILE)", m.name)
	}
	biz := &orderedJSON{}
	var options goja.Value
	first := call.Argument(0)
	if obj, ok := first.(*goja.Object); ok && !isArray(obj) {
		// ≥ 1.0.0: create({subject, outTradeNo, …}, options)
		known := map[string]string{}
		for _, f := range m.fields {
			known[f.js] = f.biz
		}
		for _, k := range obj.Keys() {
			v := obj.Get(k)
			if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
				continue
			}
			name, ok := known[k]
			if !ok {
				name = alipaysdk.SnakeCaseKey(k) // a further biz_content member, e.g. timeoutExpress
			}
			biz.add(name, v.Export())
		}
		options = call.Argument(1)
	} else {
		// < 1.0.0: create(subject, outTradeNo, totalAmount, buyerId[, options])
		for i, f := range m.fields {
			v := call.Argument(i)
			if goja.IsUndefined(v) || goja.IsNull(v) {
				continue
			}
			biz.add(f.biz, v.String())
		}
		options = call.Argument(len(m.fields))
	}
	params := url.Values{}
	if opts, ok := options.(*goja.Object); ok {
		if notify, ok := opts.Get("notify").(*goja.Object); ok {
			if u := notify.Get("url"); u != nil && !goja.IsUndefined(u) && !goja.IsNull(u) {
				params.Set("notify_url", u.String())
			}
		}
		if u := opts.Get("notifyUrl"); u != nil && !goja.IsUndefined(u) && !goja.IsNull(u) {
			params.Set("notify_url", u.String())
		}
		if t := opts.Get("appAuthToken"); t != nil && !goja.IsUndefined(t) && !goja.IsNull(t) && t.String() != "" {
			params.Set("app_auth_token", t.String())
		}
	}
	bizText, err := biz.marshal()
	if err != nil {
		return nil, fmt.Errorf("ctx.cloud.payment.common.%s: %w", m.name, err)
	}
	now := time.Now
	if env.Now != nil {
		now = env.Now
	}
	params.Set("app_id", app.AppID)
	params.Set("method", m.api)
	params.Set("format", "JSON")
	params.Set("charset", "utf-8")
	params.Set("sign_type", "RSA2")
	params.Set("timestamp", bjtime.Format(now()))
	params.Set("version", "1.0")
	params.Set("biz_content", bizText)
	sig, err := rsa.SignPKCS1v15(nil, app.PrivateKey, crypto.SHA256, digest(signContent(params)))
	if err != nil {
		return nil, fmt.Errorf("signing %s: %w", m.api, err)
	}
	params.Set("sign", base64.StdEncoding.EncodeToString(sig))
	return &request{api: m.api, params: params}, nil
}

// signContent is Alipay's string to sign: every non-empty parameter but sign,
// sorted by name, as name=value joined by &.
func signContent(params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "sign" && params.Get(k) != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + params.Get(k)
	}
	return strings.Join(parts, "&")
}

func digest(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// roundTrip posts the request to the gateway and returns the verified answer
// object's raw JSON.
func roundTrip(ctx context.Context, client *http.Client, app *modules.AlipayApp, req *request) (json.RawMessage, error) {
	gateway := app.Gateway
	if gateway == "" {
		gateway = DefaultGateway
	}
	if client == nil {
		client = http.DefaultClient
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, gateway, strings.NewReader(req.params.Encode()))
	if err != nil {
		return nil, fmt.Errorf("gateway %q: %w", gateway, err)
	}
	httpReq.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	resp, err := client.Do(httpReq)
	if err != nil {
		return nil, fmt.Errorf("calling %s: %w", req.api, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer to %s: %w", req.api, err)
	}
	if len(body) > maxAnswer {
		return nil, fmt.Errorf("the answer to %s is over %d bytes", req.api, maxAnswer)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: the gateway answered HTTP %d: %.200s", req.api, resp.StatusCode, body)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, fmt.Errorf("%s: the gateway's answer is not JSON: %w", req.api, err)
	}
	key := strings.ReplaceAll(req.api, ".", "_") + "_response"
	answer, ok := top[key]
	if !ok {
		if answer, ok = top["error_response"]; !ok {
			return nil, fmt.Errorf("%s: the gateway's answer has no %s", req.api, key)
		}
	}
	var sign string
	if raw, ok := top["sign"]; ok {
		if err := json.Unmarshal(raw, &sign); err != nil {
			return nil, fmt.Errorf("%s: the answer's sign is not a string", req.api)
		}
	}
	if err := verifyAnswer(app, answer, sign); err != nil {
		return nil, fmt.Errorf("%s: %w", req.api, err)
	}
	return answer, nil
}

// errUnsigned is a successful answer that carries no signature.
var errUnsigned = errors.New("the gateway's successful answer is not signed")

// verifyAnswer checks Alipay's RSA2 signature over the answer object's raw
// text. Alipay signs every answer; an error answer without a sign is taken as
// it is (gateway-level failures), a successful one is not.
func verifyAnswer(app *modules.AlipayApp, answer json.RawMessage, sign string) error {
	if sign == "" {
		var head struct {
			Code string `json:"code"`
		}
		if json.Unmarshal(answer, &head) == nil && head.Code == "10000" {
			return errUnsigned
		}
		return nil
	}
	if app.AlipayPublicKey == nil {
		return nil // no key to check with: nothing is configured to trust or distrust
	}
	sig, err := base64.StdEncoding.DecodeString(sign)
	if err != nil {
		return fmt.Errorf("the answer's sign is not base64: %w", err)
	}
	if err := rsa.VerifyPKCS1v15(app.AlipayPublicKey, crypto.SHA256, digest(string(answer)), sig); err != nil {
		return errors.New("the answer's signature does not verify with the Alipay public key")
	}
	return nil
}

// parse turns the answer into a JS object with the gateway's key order.
func (c *caller) parse(raw json.RawMessage) (goja.Value, error) { return parseJSON(c.vm, string(raw)) }

// parseJSON is the VM's own JSON.parse, which keeps the text's key order.
func parseJSON(vm *goja.Runtime, text string) (goja.Value, error) {
	parse, ok := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
	if !ok {
		return nil, errors.New("JSON.parse is not a function")
	}
	return parse(goja.Undefined(), vm.ToValue(text))
}

func isArray(o *goja.Object) bool {
	return o.ClassName() == "Array"
}

// orderedJSON is a JSON object that keeps its members in the order added.
type orderedJSON struct {
	keys   []string
	values map[string]any
}

func (o *orderedJSON) add(k string, v any) {
	if o.values == nil {
		o.values = map[string]any{}
	}
	if _, seen := o.values[k]; !seen {
		o.keys = append(o.keys, k)
	}
	o.values[k] = v
}

func (o *orderedJSON) marshal() (string, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(k)
		val, err := json.Marshal(o.values[k])
		if err != nil {
			return "", fmt.Errorf("biz_content member %s: %w", k, err)
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return b.String(), nil
}
