package alipaysdk

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/dop251/goja"
)

// httpResult is what the gateway answered, carried from the HTTP goroutine back to
// the JS thread.
type httpResult struct {
	status int
	header http.Header
	body   string
	err    error
}

// jsExec is exec(method, params = {}, option = {}): it signs, POSTs to the gateway
// through Env.HTTP and returns a Promise of the camel-cased `<method>_response`.
// Business errors (code != 10000) resolve; HTTP, format and signature failures
// reject with the SDK's plain objects; network failures reject with an Error.
func (m *module) jsExec(call goja.FunctionCall) goja.Value {
	vm := m.vm
	promise, resolve, reject := vm.NewPromise()
	method := call.Argument(0)
	params, option := call.Argument(1), call.Argument(2)
	if goja.IsUndefined(params) {
		params = vm.NewObject()
	}
	if goja.IsUndefined(option) {
		option = vm.NewObject()
	}
	req, cancel, config, err := m.prepareExec(call.This, method, params, option)
	if err != nil {
		// exec is an async function in the SDK: its synchronous failures reject.
		_ = reject(err)
		return vm.ToValue(promise)
	}
	validate := truthy(get(option.ToObject(vm), "validateSign"))
	done := m.vu.RegisterCallback()
	go func() {
		defer cancel()
		res := m.roundTrip(req)
		done(func() error {
			m.settleExec(res, method.String(), validate, config, resolve, reject)
			return nil
		})
	}()
	return vm.ToValue(promise)
}

// prepareExec signs and builds the request on the JS thread. A thrown JS error comes
// back as the value to reject with.
func (m *module) prepareExec(this, method, params, option goja.Value) (req *http.Request, cancel context.CancelFunc, config *goja.Object, rejection any) {
	defer func() {
		if r := recover(); r != nil {
			rejection = thrownValue(r)
		}
	}()
	if truthy(get(option.ToObject(m.vm), "formData")) {
		m.throwError("Error", "alipay-sdk exec with option.formData (multipart upload / page form) is not supported by bmobemu; use pageExec", nil)
	}
	config = m.config(this)
	data := m.sign(method, params, config)
	url := m.formatURL(get(config, "gateway").String(), data)
	var body []string
	for _, k := range data.Keys() {
		body = append(body, encodeQuery(k)+"="+encodeQuery(queryValue(get(data, k))))
	}
	timeout := time.Duration(get(config, "timeout").ToFloat() * float64(time.Millisecond))
	if timeout <= 0 || math.IsNaN(float64(timeout)) {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(m.vu.Context(), timeout)
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(strings.Join(body, "&")))
	if err != nil {
		cancel()
		m.throwError("Error", "[AlipaySdk]exec error", map[string]any{"name": "RequestError", "cause": err.Error()})
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("User-Agent", SDKVersion)
	return r, cancel, config, nil
}

// roundTrip runs on its own goroutine: no goja here.
func (m *module) roundTrip(req *http.Request) httpResult {
	client := m.vu.Env().HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return httpResult{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return httpResult{err: err}
	}
	return httpResult{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

// settleExec is the SDK's response handling, on the JS thread.
func (m *module) settleExec(res httpResult, method string, validate bool, config *goja.Object,
	resolve, reject func(any) error) {
	vm := m.vm
	if res.err != nil {
		_ = reject(m.networkError(res.err))
		return
	}
	serverResult := vm.NewObject()
	_ = serverResult.Set("data", res.body)
	_ = serverResult.Set("status", res.status)
	headers := vm.NewObject()
	for k, v := range res.header {
		_ = headers.Set(strings.ToLower(k), strings.Join(v, ", "))
	}
	_ = serverResult.Set("headers", headers)
	failure := func(msg string) *goja.Object {
		o := vm.NewObject()
		_ = o.Set("serverResult", serverResult)
		_ = o.Set("errorMessage", msg)
		return o
	}
	if res.status != 200 {
		o := failure("[AlipaySdk]HTTP 请求错误")
		_ = o.Set("traceId", res.header.Get("trace_id"))
		_ = reject(o)
		return
	}
	responseKey := strings.ReplaceAll(method, ".", "_") + "_response"
	parsed, err := m.jsonParse(goja.Undefined(), vm.ToValue(res.body))
	if err != nil || goja.IsNull(parsed) || goja.IsUndefined(parsed) {
		_ = reject(failure("[AlipaySdk]Response 格式错误"))
		return
	}
	data := get(parsed.ToObject(vm), responseKey)
	if !truthy(data) {
		_ = reject(failure("[AlipaySdk]HTTP 请求错误"))
		return
	}
	verified, thrown := m.tryJS(func() goja.Value {
		return vm.ToValue(!validate || m.checkResponseSign(vm.ToValue(res.body), responseKey, config))
	})
	switch {
	case thrown != nil:
		_ = reject(thrown)
		return
	case !verified.ToBoolean():
		_ = reject(failure("[AlipaySdk]验签失败"))
		return
	}
	result, thrown := m.tryJS(func() goja.Value {
		if truthy(get(config, "camelcase")) {
			return m.mapKeys(data, CamelCaseKey, true)
		}
		return data
	})
	if thrown != nil {
		_ = reject(thrown)
		return
	}
	_ = resolve(result)
}

// networkError is urllib's request error as the SDK rejects it: an Error whose
// message the SDK overwrote, with Node's errno code.
func (m *module) networkError(err error) *goja.Object {
	props := map[string]any{"name": "RequestError"}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		props["name"] = "ResponseTimeoutError"
		props["code"] = "ETIMEDOUT"
	case errors.Is(err, syscall.ECONNREFUSED):
		props["code"] = "ECONNREFUSED"
	case errors.Is(err, syscall.ECONNRESET):
		props["code"] = "ECONNRESET"
	case errors.Is(err, syscall.EHOSTUNREACH):
		props["code"] = "EHOSTUNREACH"
	case errors.Is(err, syscall.ENETUNREACH):
		props["code"] = "ENETUNREACH"
	default:
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			props["code"] = "ENOTFOUND"
		}
	}
	return m.newError("Error", "[AlipaySdk]exec error", props)
}

// tryJS runs fn and turns a JavaScript throw into the thrown value.
func (m *module) tryJS(fn func() goja.Value) (out goja.Value, thrown any) {
	defer func() {
		if r := recover(); r != nil {
			thrown = thrownValue(r)
		}
	}()
	return fn(), nil
}

// thrownValue is the JavaScript value behind a panic raised on the JS thread.
func thrownValue(r any) any {
	switch e := r.(type) {
	case *goja.Exception:
		return e.Value()
	case *goja.Object:
		return e
	case goja.Value:
		return e
	}
	panic(r)
}

// queryValue is Node querystring's stringifyPrimitive: strings as they are, finite
// numbers and booleans as text, anything else empty.
func queryValue(v goja.Value) string {
	switch x := v.Export().(type) {
	case string:
		return x
	case bool:
		return v.String()
	case int64:
		return v.String()
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return ""
		}
		return v.String()
	}
	return ""
}

// encodeQuery escapes like Node's querystring.escape, which leaves the same set
// unescaped as encodeURIComponent: A-Z a-z 0-9 - _ . ! ~ * ' ( ).
func encodeQuery(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isASCIIAlnum(rune(c)) || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
