package alipaysdk

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// isURLArg tells the signed parameters formatUrl moves into the gateway URL's query.
func isURLArg(k string) bool {
	switch k {
	case "app_id", "method", "format", "charset", "sign_type", "sign", "timestamp", "version", "notify_url",
		"return_url", "auth_token", "app_auth_token", "app_cert_sn", "alipay_root_cert_sn", "ws_service_url":
		return true
	}
	return false
}

// formatURL is the SDK's formatUrl: it appends the URL parameters of params to url,
// in params' order, deleting them from params, which keeps the rest.
func (m *module) formatURL(url string, params *goja.Object) string {
	for _, k := range params.Keys() {
		if !isURLArg(k) {
			continue
		}
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		url += sep + k + "=" + m.encodeURI(get(params, k))
		params.Delete(k)
	}
	return url
}

func (m *module) jsFormatURL(call goja.FunctionCall) goja.Value {
	params := call.Argument(1).ToObject(m.vm)
	url := m.formatURL(call.Argument(0).String(), params)
	out := m.vm.NewObject()
	_ = out.Set("execParams", params)
	_ = out.Set("url", url)
	return out
}

// jsPageExec is pageExec(method, params): a GET URL or an auto-submitting POST form
// for the page-style APIs (alipay.trade.page.pay, alipay.trade.wap.pay).
func (m *module) jsPageExec(call goja.FunctionCall) goja.Value {
	vm := m.vm
	params := call.Argument(1).ToObject(vm)
	httpMethod := "post"
	signParams := vm.NewObject()
	_ = signParams.Set("alipaySdk", SDKVersion)
	for _, k := range params.Keys() {
		v := get(params, k)
		if k == "method" {
			httpMethod = m.lowerCase(v)
			continue
		}
		if isStringValue(v) && isJSONText(v.String()) {
			parsed, err := m.jsonParse(goja.Undefined(), v)
			if err != nil {
				panic(err)
			}
			v = parsed
		}
		_ = signParams.Set(k, v)
	}
	config := m.config(call.This)
	data := m.sign(call.Argument(0), m.mapKeys(signParams, CamelCaseKey, true), config)
	gateway := get(config, "gateway").String()
	if hook := m.hooks.PageGateway; hook != nil {
		if local, ok := hook(gateway); ok {
			m.vu.Note("pageExec's form points at bmobemu's payment sandbox cashier "+local+" instead of "+gateway,
				"return the form for "+gateway+", the real Alipay cashier")
			gateway = local
		}
	}
	url := m.formatURL(gateway, data)
	keys := data.Keys()
	if httpMethod == "get" {
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + m.encodeURI(get(data, k))
		}
		return vm.ToValue(url + "&" + strings.Join(parts, "&"))
	}
	name := "alipaySDKSubmit" + strconv.FormatInt(m.now().UnixMilli(), 10)
	var inputs strings.Builder
	for _, k := range keys {
		value := strings.ReplaceAll(get(data, k).String(), `"`, "&quot;")
		inputs.WriteString(`<input type="hidden" name="` + k + `" value="` + value + `" />`)
	}
	return vm.ToValue("\n      <form action=\"" + url + "\" method=\"post\" name=\"" + name + "\" id=\"" + name + "\">\n        " +
		inputs.String() + "\n      </form>\n      <script>document.forms[\"" + name + "\"].submit();</script>\n    ")
}

// lowerCase is `v?.toLowerCase()`: undefined stays undefined (so the form posts).
func (m *module) lowerCase(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return "undefined"
	}
	if !isStringValue(v) {
		panic(m.vm.NewTypeError("v?.toLowerCase is not a function"))
	}
	return strings.ToLower(v.String())
}

var (
	jsonObjectText = regexp.MustCompile(`^\{.*\}$`)
	jsonArrayText  = regexp.MustCompile(`^\[.*\]$`)
	jsonMember     = regexp.MustCompile(`".*?":`)
)

// isJSONText is is-json 2.0.1's guess at whether a string holds a JSON object or an
// array of objects; pageExec parses such field values before signing them.
func isJSONText(s string) bool {
	s = strings.Map(func(r rune) rune {
		if isJSSpace(r) {
			return -1
		}
		return r
	}, s)
	switch {
	case jsonObjectText.MatchString(s):
		return jsonMember.MatchString(s)
	case jsonArrayText.MatchString(s):
		inner := strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
		pieces := strings.Split(strings.ReplaceAll(inner, "},{", "}\n{"), "\n")
		return isJSONText(pieces[len(pieces)-1])
	}
	return false
}
