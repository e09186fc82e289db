package nodecore

import (
	"testing"

	"github.com/bmobemu/bmobemu/modules/modulestest"
)

// urlCases are legacy url calls with what Node 20 returned, JSON-encoded
// (null-prototype query objects copied to plain ones), captured once with node.
var urlCases = []struct{ fn, args, want string }{
	{"parse", "'http://user:pass@Host.COM:8080/p/a/t/h?query=string&a=1#hash'", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":\"user:pass\",\"host\":\"host.com:8080\",\"port\":\"8080\",\"hostname\":\"host.com\",\"hash\":\"#hash\",\"search\":\"?query=string&a=1\",\"query\":\"query=string&a=1\",\"pathname\":\"/p/a/t/h\",\"path\":\"/p/a/t/h?query=string&a=1\",\"href\":\"http://user:pass@host.com:8080/p/a/t/h?query=string&a=1#hash\"}"},
	{"parse", "'http://user:pass@Host.COM:8080/p/a/t/h?query=string&a=1#hash', true", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":\"user:pass\",\"host\":\"host.com:8080\",\"port\":\"8080\",\"hostname\":\"host.com\",\"hash\":\"#hash\",\"search\":\"?query=string&a=1\",\"query\":{\"query\":\"string\",\"a\":\"1\"},\"pathname\":\"/p/a/t/h\",\"path\":\"/p/a/t/h?query=string&a=1\",\"href\":\"http://user:pass@host.com:8080/p/a/t/h?query=string&a=1#hash\"}"},
	{"parse", "'/path/only?x=1&x=2', true", "{\"protocol\":null,\"slashes\":null,\"auth\":null,\"host\":null,\"port\":null,\"hostname\":null,\"hash\":null,\"search\":\"?x=1&x=2\",\"query\":{\"x\":[\"1\",\"2\"]},\"pathname\":\"/path/only\",\"path\":\"/path/only?x=1&x=2\",\"href\":\"/path/only?x=1&x=2\"}"},
	{"parse", "'/path/only'", "{\"protocol\":null,\"slashes\":null,\"auth\":null,\"host\":null,\"port\":null,\"hostname\":null,\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/path/only\",\"path\":\"/path/only\",\"href\":\"/path/only\"}"},
	{"parse", "'/path/only', true", "{\"protocol\":null,\"slashes\":null,\"auth\":null,\"host\":null,\"port\":null,\"hostname\":null,\"hash\":null,\"search\":null,\"query\":{},\"pathname\":\"/path/only\",\"path\":\"/path/only\",\"href\":\"/path/only\"}"},
	{"parse", "'//foo/bar'", "{\"protocol\":null,\"slashes\":null,\"auth\":null,\"host\":null,\"port\":null,\"hostname\":null,\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"//foo/bar\",\"path\":\"//foo/bar\",\"href\":\"//foo/bar\"}"},
	{"parse", "'//foo/bar', false, true", "{\"protocol\":null,\"slashes\":true,\"auth\":null,\"host\":\"foo\",\"port\":null,\"hostname\":\"foo\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/bar\",\"path\":\"/bar\",\"href\":\"//foo/bar\"}"},
	{"parse", "'https://example.com'", "{\"protocol\":\"https:\",\"slashes\":true,\"auth\":null,\"host\":\"example.com\",\"port\":null,\"hostname\":\"example.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/\",\"path\":\"/\",\"href\":\"https://example.com/\"}"},
	{"parse", "'HTTPS://Example.com/A?B#C'", "{\"protocol\":\"https:\",\"slashes\":true,\"auth\":null,\"host\":\"example.com\",\"port\":null,\"hostname\":\"example.com\",\"hash\":\"#C\",\"search\":\"?B\",\"query\":\"B\",\"pathname\":\"/A\",\"path\":\"/A?B\",\"href\":\"https://example.com/A?B#C\"}"},
	{"parse", "'mailto:someone@example.com'", "{\"protocol\":\"mailto:\",\"slashes\":null,\"auth\":\"someone\",\"host\":\"example.com\",\"port\":null,\"hostname\":\"example.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":null,\"path\":null,\"href\":\"mailto:someone@example.com\"}"},
	{"parse", "'javascript:alert(1)'", "{\"protocol\":\"javascript:\",\"slashes\":null,\"auth\":null,\"host\":null,\"port\":null,\"hostname\":null,\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"alert(1)\",\"path\":\"alert(1)\",\"href\":\"javascript:alert(1)\"}"},
	{"parse", "'file:///etc/passwd'", "{\"protocol\":\"file:\",\"slashes\":true,\"auth\":null,\"host\":\"\",\"port\":null,\"hostname\":\"\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/etc/passwd\",\"path\":\"/etc/passwd\",\"href\":\"file:///etc/passwd\"}"},
	{"parse", "'  http://a.com/ b  '", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"a.com\",\"port\":null,\"hostname\":\"a.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/%20b\",\"path\":\"/%20b\",\"href\":\"http://a.com/%20b\"}"},
	{"parse", "'http://a.com\\\\b\\\\c?d\\\\e'", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"a.com\",\"port\":null,\"hostname\":\"a.com\",\"hash\":null,\"search\":\"?d%5Ce\",\"query\":\"d%5Ce\",\"pathname\":\"/b/c\",\"path\":\"/b/c?d%5Ce\",\"href\":\"http://a.com/b/c?d%5Ce\"}"},
	{"parse", "'http://a.com/p?q#h?x'", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"a.com\",\"port\":null,\"hostname\":\"a.com\",\"hash\":\"#h?x\",\"search\":\"?q\",\"query\":\"q\",\"pathname\":\"/p\",\"path\":\"/p?q\",\"href\":\"http://a.com/p?q#h?x\"}"},
	{"parse", "'http://a.com#h'", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"a.com\",\"port\":null,\"hostname\":\"a.com\",\"hash\":\"#h\",\"search\":null,\"query\":null,\"pathname\":\"/\",\"path\":\"/\",\"href\":\"http://a.com/#h\"}"},
	{"parse", "'http://a.com?q'", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"a.com\",\"port\":null,\"hostname\":\"a.com\",\"hash\":null,\"search\":\"?q\",\"query\":\"q\",\"pathname\":\"/\",\"path\":\"/?q\",\"href\":\"http://a.com/?q\"}"},
	{"parse", "'http://[::1]:3000/x'", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"[::1]:3000\",\"port\":\"3000\",\"hostname\":\"::1\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/x\",\"path\":\"/x\",\"href\":\"http://[::1]:3000/x\"}"},
	{"parse", "'http://a b.com/'", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"a\",\"port\":null,\"hostname\":\"a\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"%20b.com/\",\"path\":\"%20b.com/\",\"href\":\"http://a/%20b.com/\"}"},
	{"parse", "'http://a_b.com/x'", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"a_b.com\",\"port\":null,\"hostname\":\"a_b.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/x\",\"path\":\"/x\",\"href\":\"http://a_b.com/x\"}"},
	{"parse", "'http://a.com:/x'", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"a.com\",\"port\":null,\"hostname\":\"a.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/x\",\"path\":\"/x\",\"href\":\"http://a.com/x\"}"},
	{"parse", "'http://a.com/<>\"{}|^`\\''", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"a.com\",\"port\":null,\"hostname\":\"a.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/%3C%3E%22%7B%7D%7C%5E%60%27\",\"path\":\"/%3C%3E%22%7B%7D%7C%5E%60%27\",\"href\":\"http://a.com/%3C%3E%22%7B%7D%7C%5E%60%27\"}"},
	{"parse", "'x?y'", "{\"protocol\":null,\"slashes\":null,\"auth\":null,\"host\":null,\"port\":null,\"hostname\":null,\"hash\":null,\"search\":\"?y\",\"query\":\"y\",\"pathname\":\"x\",\"path\":\"x?y\",\"href\":\"x?y\"}"},
	{"parse", "'?q=1'", "{\"protocol\":null,\"slashes\":null,\"auth\":null,\"host\":null,\"port\":null,\"hostname\":null,\"hash\":null,\"search\":\"?q=1\",\"query\":\"q=1\",\"pathname\":null,\"path\":\"?q=1\",\"href\":\"?q=1\"}"},
	{"parse", "'#frag'", "{\"protocol\":null,\"slashes\":null,\"auth\":null,\"host\":null,\"port\":null,\"hostname\":null,\"hash\":\"#frag\",\"search\":null,\"query\":null,\"pathname\":null,\"path\":null,\"href\":\"#frag\"}"},
	{"parse", "''", "{\"protocol\":null,\"slashes\":null,\"auth\":null,\"host\":null,\"port\":null,\"hostname\":null,\"hash\":null,\"search\":null,\"query\":null,\"pathname\":null,\"path\":null,\"href\":\"\"}"},
	{"parse", "'http://xn--fiq228c.com/'", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"xn--fiq228c.com\",\"port\":null,\"hostname\":\"xn--fiq228c.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/\",\"path\":\"/\",\"href\":\"http://xn--fiq228c.com/\"}"},
	{"parse", "'http://中文.com/路径?名=值'", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"xn--fiq228c.com\",\"port\":null,\"hostname\":\"xn--fiq228c.com\",\"hash\":null,\"search\":\"?名=值\",\"query\":\"名=值\",\"pathname\":\"/路径\",\"path\":\"/路径?名=值\",\"href\":\"http://xn--fiq228c.com/路径?名=值\"}"},
	{"parse", "'http://@a.com'", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":\"\",\"host\":\"a.com\",\"port\":null,\"hostname\":\"a.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/\",\"path\":\"/\",\"href\":\"http://a.com/\"}"},
	{"parse", "'http://a@b@c.com/'", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":\"a@b\",\"host\":\"c.com\",\"port\":null,\"hostname\":\"c.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/\",\"path\":\"/\",\"href\":\"http://a%40b@c.com/\"}"},
	{"parse", "'http://a%20b@c.com/'", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":\"a b\",\"host\":\"c.com\",\"port\":null,\"hostname\":\"c.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/\",\"path\":\"/\",\"href\":\"http://a%20b@c.com/\"}"},
	{"parse", "'http://a.com/?a=1&a=2', true", "{\"protocol\":\"http:\",\"slashes\":true,\"auth\":null,\"host\":\"a.com\",\"port\":null,\"hostname\":\"a.com\",\"hash\":null,\"search\":\"?a=1&a=2\",\"query\":{\"a\":[\"1\",\"2\"]},\"pathname\":\"/\",\"path\":\"/?a=1&a=2\",\"href\":\"http://a.com/?a=1&a=2\"}"},
	{"parse", "'ws://a.com'", "{\"protocol\":\"ws:\",\"slashes\":true,\"auth\":null,\"host\":\"a.com\",\"port\":null,\"hostname\":\"a.com\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/\",\"path\":\"/\",\"href\":\"ws://a.com/\"}"},
	{"parse", "'foo:bar'", "{\"protocol\":\"foo:\",\"slashes\":null,\"auth\":null,\"host\":\"bar\",\"port\":null,\"hostname\":\"bar\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":null,\"path\":null,\"href\":\"foo:bar\"}"},
	{"parse", "'foo://bar/baz'", "{\"protocol\":\"foo:\",\"slashes\":true,\"auth\":null,\"host\":\"bar\",\"port\":null,\"hostname\":\"bar\",\"hash\":null,\"search\":null,\"query\":null,\"pathname\":\"/baz\",\"path\":\"/baz\",\"href\":\"foo://bar/baz\"}"},
	{"format", "{protocol: 'http', host: 'a.com', pathname: '/x y', query: {a: 1, b: 'c d'}}", "\"http://a.com/x y?a=1&b=c%20d\""},
	{"format", "{protocol: 'https:', hostname: 'a.com', port: 8080, pathname: 'x', search: 'q=1', hash: 'h'}", "\"https://a.com:8080/x?q=1#h\""},
	{"format", "{protocol: 'mailto', pathname: 'a@b.com'}", "\"mailto:a@b.com\""},
	{"format", "{protocol: 'file', pathname: '/etc'}", "\"file:///etc\""},
	{"format", "{hostname: '::1', port: 80, protocol: 'http'}", "\"http://[::1]:80\""},
	{"format", "{auth: \"a b:c@d!$&'()*+,;=/?#[]\", host: 'h', protocol: 'http'}", "\"http://a%20b:c%40d!%24%26'()*%2B%2C%3B%3D%2F%3F%23%5B%5D@h\""},
	{"format", "'http://A.com/x?y#z'", "\"http://a.com/x?y#z\""},
	{"format", "{pathname: '/a#b?c', search: '?s#t'}", "\"/a%23b%3Fc?s%23t\""},
	{"format", "{protocol: 'http', slashes: true, host: 'h', query: 'ignored-string', search: ''}", "\"http://h\""},
	{"resolve", "'/one/two/three', 'four'", "\"/one/two/four\""},
	{"resolve", "'http://example.com/', '/one'", "\"http://example.com/one\""},
	{"resolve", "'http://example.com/one', '/two'", "\"http://example.com/two\""},
	{"resolve", "'http://example.com/a/b/c', '../d'", "\"http://example.com/a/d\""},
	{"resolve", "'http://example.com/a/b/c', '../../../../d'", "\"http://example.com/d\""},
	{"resolve", "'http://example.com/a/b/c', './'", "\"http://example.com/a/b/\""},
	{"resolve", "'http://example.com/a/b/c', '.'", "\"http://example.com/a/b/\""},
	{"resolve", "'http://example.com/a/b/c', '..'", "\"http://example.com/a/\""},
	{"resolve", "'http://example.com/a/b/c?x', '?y'", "\"http://example.com/a/b/c?y\""},
	{"resolve", "'http://example.com/a/b/c?x#h', '#k'", "\"http://example.com/a/b/c?x#k\""},
	{"resolve", "'http://example.com/a/b/c', ''", "\"http://example.com/a/b/c\""},
	{"resolve", "'http://example.com/a/b', '//other.com/x'", "\"http://other.com/x\""},
	{"resolve", "'http://example.com/a/b', 'https://other.com/x'", "\"https://other.com/x\""},
	{"resolve", "'http://example.com/a/b', 'mailto:x@y.com'", "\"mailto:x@y.com\""},
	{"resolve", "'one/two', '../x'", "\"x\""},
	{"resolve", "'a/b', '../../c'", "\"../c\""},
	{"resolve", "'http://a.com', 'b/c'", "\"http://a.com/b/c\""},
	{"resolve", "'http://a.com/x/', 'y/./z/../w'", "\"http://a.com/x/y/w\""},
	{"resolve", "'https://api.mch.weixin.qq.com/v3/pay', 'transactions/native'", "\"https://api.mch.weixin.qq.com/v3/transactions/native\""},
}

const urlJSON = `function (k, v) { return v && typeof v === 'object' && Object.getPrototypeOf(v) === null ? Object.assign({}, v) : v }`

func TestURLMatchesNode(t *testing.T) {
	vu := modulestest.New(t, nil)
	vu.Load(t, "url", URL)
	for _, tc := range urlCases {
		t.Run(tc.fn+"("+tc.args+")", func(t *testing.T) {
			src := "JSON.stringify(url." + tc.fn + "(" + tc.args + "), " + urlJSON + ")"
			if got := vu.MustRun(t, src).String(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestURLDetails(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"parse returns a Url", `url.parse('http://a.com/') instanceof url.Url`, "true"},
		{"query object has no prototype", `Object.getPrototypeOf(url.parse('/x?a=1', true).query) === null`, "true"},
		{"parse rejects numbers", `try { url.parse(5) } catch (e) { e.code + ' ' + e.message }`, `ERR_INVALID_ARG_TYPE The "url" argument must be of type string. Received type number (5)`},
		{"parse rejects null", `try { url.parse(null) } catch (e) { e.message }`, `The "url" argument must be of type string. Received null`},
		{"parse rejects objects", `try { url.parse({}) } catch (e) { e.message }`, `The "url" argument must be of type string. Received an instance of Object`},
		{"format rejects numbers", `try { url.format(5) } catch (e) { e.code + ' ' + e.message }`, `ERR_INVALID_ARG_TYPE The "urlObject" argument must be one of type object or string. Received type number (5)`},
		{"format rejects booleans", `try { url.format(true) } catch (e) { e.message }`, `The "urlObject" argument must be one of type object or string. Received type boolean (true)`},
		{"WHATWG URL", `var u = new url.URL('https://a.com:8443/p?x=1#f'); u.host + ' ' + u.pathname + ' ' + u.searchParams.get('x')`, "a.com:8443 /p 1"},
		{"URLSearchParams", `var p = new url.URLSearchParams('a=1&b=2'); p.append('c', '3 4'); p.toString()`, "a=1&b=2&c=3+4"},
		{"domainToASCII", `url.domainToASCII('中文.com')`, "xn--fiq228c.com"},
		{"resolveObject", `url.resolveObject('http://a.com/x/y', '../z').href`, "http://a.com/z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vu := modulestest.New(t, nil)
			vu.Load(t, "url", URL)
			if got := vu.MustRun(t, tc.src).String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
