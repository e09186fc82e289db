package nodeglobals

import (
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/internal/jsdate"
)

func newVM(t *testing.T) *goja.Runtime {
	t.Helper()
	vm := goja.New()
	// As the runtime sets up every VM: Date in Beijing time, then the globals.
	if err := jsdate.Install(vm, bjtime.Location); err != nil {
		t.Fatal(err)
	}
	if err := Enable(vm, Options{Now: time.Now}); err != nil {
		t.Fatal(err)
	}
	return vm
}

func run(t *testing.T, vm *goja.Runtime, src string) string {
	t.Helper()
	v, err := vm.RunString(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return v.String()
}

// The two traps of goja_nodejs's url module that issue 14 names: '+' left
// unescaped by URLSearchParams#toString, and href not following searchParams.
func TestURLSearchParamsEscapesPlusAndHrefFollowsSearchParams(t *testing.T) {
	vm := newVM(t)
	cases := map[string]string{
		`var p = new URLSearchParams(); p.set('sign', 'ab+c/d=='); p.toString()`:                        "sign=ab%2Bc%2Fd%3D%3D",
		`var u = new URL('https://api.example.com/pay?x=1'); u.searchParams.set('sign', 'a+b'); u.href`: "https://api.example.com/pay?x=1&sign=a%2Bb",
		`var u2 = new URL('https://a.com:8443/p'); u2.origin`:                                           "https://a.com:8443",
		`new URL('../x?y=1', 'https://a.com/p/q/r').href`:                                               "https://a.com/p/x?y=1",
		`try { new URL('nope') } catch (e) { e.code + ' ' + e.message }`:                                "ERR_INVALID_URL Invalid URL: nope",
		`Array.from(new URLSearchParams('a=1&b=x+y&c=%E4%B8%AD').entries()).join('|')`:                  "a,1|b,x y|c,中",
	}
	for src, want := range cases {
		if got := run(t, vm, src); got != want {
			t.Errorf("%s = %q, want %q", src, got, want)
		}
	}
}

func TestTextAndBytesGlobals(t *testing.T) {
	vm := newVM(t)
	cases := map[string]string{
		`Array.from(Uint8Array.from('ab', function (c) { return c.charCodeAt(0); })).join(',')`:   "97,98",
		`Array.from(new TextEncoder().encode('中')).join(',')`:                                     "228,184,173",
		`new TextDecoder().decode(new Uint8Array([0x41, 0xe4, 0xb8]))`:                            "A\ufffd",
		`btoa('hi') + ' ' + atob('aGk=')`:                                                         "aGk= hi",
		`try { btoa('中') } catch (e) { e.name }`:                                                  "InvalidCharacterError",
		`new Date(0).toString()`:                                                                  "Thu Jan 01 1970 08:00:00 GMT+0800 (China Standard Time)",
		`var c = new AbortController(); c.abort(); c.signal.aborted + ' ' + c.signal.reason.name`: "true AbortError",
		`typeof performance.now() + ' ' + (new WeakRef({a: 1}).deref().a)`:                        "number 1",
	}
	for src, want := range cases {
		if got := run(t, vm, src); got != want {
			t.Errorf("%s = %q, want %q", src, got, want)
		}
	}
}

// Values checked against Node 16/20 (the differential suite compares many more).
func TestIntlForChineseAndUSUsers(t *testing.T) {
	vm := newVM(t)
	cases := map[string]string{
		`(1234567.891).toLocaleString('zh-CN')`:                                                                     "1,234,567.891",
		`new Intl.NumberFormat('zh-CN', {style: 'currency', currency: 'CNY'}).format(-1234.565)`:                    "-¥1,234.57",
		`new Intl.NumberFormat('en-US', {style: 'currency', currency: 'CNY'}).format(12)`:                           "CN¥12.00",
		`new Intl.NumberFormat('zh-CN', {style: 'percent'}).format(0.256)`:                                          "26%",
		`new Intl.DateTimeFormat('zh-CN').format(new Date(Date.UTC(2026, 11, 5, 11, 7, 17)))`:                       "2026/12/5",
		`new Date(Date.UTC(2026, 11, 5, 11, 7, 17)).toLocaleString('zh-CN')`:                                        "2026/12/5 19:07:17",
		`new Date(Date.UTC(2026, 11, 5, 11, 7, 17)).toLocaleString('en-US')`:                                        "12/5/2026, 7:07:17 PM",
		`new Date(Date.UTC(2026, 11, 5, 11, 7, 17)).toLocaleDateString('zh-CN', {dateStyle: 'full'})`:               "2026年12月5日星期六",
		`['张三', '李四', 'Bob', '王五'].sort(new Intl.Collator('zh-CN').compare).join(',')`:                              "李四,王五,张三,Bob",
		`[1, 2, 3].map(function (n) { return new Intl.PluralRules('en-US', {type: 'ordinal'}).select(n); }).join()`: "one,two,few",
		`Intl.DateTimeFormat().resolvedOptions().timeZone`:                                                          "Asia/Shanghai",
		`try { new Intl.RelativeTimeFormat('en') } catch (e) { /not available in bmobemu/.test(e.message) }`:        "true",
	}
	for src, want := range cases {
		if got := run(t, vm, src); got != want {
			t.Errorf("%s = %q, want %q", src, got, want)
		}
	}
}

// Node 16's JSON.parse texts (V8 9.4), positions in UTF-16 units.
func TestJSONErrorMessage(t *testing.T) {
	cases := map[string]string{
		"undefined":     "Unexpected token u in JSON at position 0",
		"":              "Unexpected end of JSON input",
		`{"a":1 "b":2}`: "Unexpected string in JSON at position 7",
		"[1 2]":         "Unexpected number in JSON at position 3",
		`{"a":`:         "Unexpected end of JSON input",
		`{"名":好}`:       "Unexpected token 好 in JSON at position 5",
		"01":            "Unexpected number in JSON at position 1",
		`"\x"`:          "Unexpected token x in JSON at position 2",
		"[1,]":          "Unexpected token ] in JSON at position 3",
	}
	for in, want := range cases {
		if got := JSONErrorMessage(in); got != want {
			t.Errorf("JSONErrorMessage(%q) = %q, want %q", in, got, want)
		}
	}
}
