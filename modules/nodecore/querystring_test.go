package nodecore

import (
	"testing"

	"github.com/bmobemu/bmobemu/modules/modulestest"
)

// querystringCases are calls with what Node 20 returned, JSON-encoded (objects via
// Object.assign({}, result) since parse returns null-prototype objects), captured
// once with node and pasted here.
var querystringCases = []struct{ fn, args, want string }{
	{"parse", "'a=1&b=2'", "{\"a\":\"1\",\"b\":\"2\"}"},
	{"parse", "'a=1&a=2&a=3'", "{\"a\":[\"1\",\"2\",\"3\"]}"},
	{"parse", "'a+b=c+d%20e'", "{\"a b\":\"c d e\"}"},
	{"parse", "'a=%E4%BD%A0%E5%A5%BD'", "{\"a\":\"你好\"}"},
	{"parse", "'bad=%zz&pct=100%&x=%E4%BD'", "{\"bad\":\"%zz\",\"pct\":\"100%\",\"x\":\"�\"}"},
	{"parse", "'&&a=1&&'", "{\"a\":\"1\"}"},
	{"parse", "'a&b=&=c&='", "{\"a\":\"\",\"b\":\"\",\"\":[\"c\",\"\"]}"},
	{"parse", "'a=b=c'", "{\"a\":\"b=c\"}"},
	{"parse", "''", "{}"},
	{"parse", "'a=1;b=2', ';'", "{\"a\":\"1\",\"b\":\"2\"}"},
	{"parse", "'a:1|b:2', '|', ':'", "{\"a\":\"1\",\"b\":\"2\"}"},
	{"parse", "'a==1&&b==2', '&&', '=='", "{\"a\":\"1\",\"b\":\"2\"}"},
	{"parse", "'a=1&b=2&c=3', null, null, {maxKeys: 2}", "{\"a\":\"1\",\"b\":\"2\"}"},
	{"parse", "'a=1&b=2&c=3', null, null, {maxKeys: 0}", "{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}"},
	{"parse", "'__proto__=x&constructor=y'", "{\"constructor\":\"y\"}"},
	{"parse", "'a=%2B%26'", "{\"a\":\"+&\"}"},
	{"parse", "'a[]=1&a[]=2'", "{\"a[]\":[\"1\",\"2\"]}"},
	{"parse", "'%E4%BD%A0=%C3%A9'", "{\"你\":\"é\"}"},
	{"parse", "42", "{}"},
	{"parse", "'a=1&A=2'", "{\"a\":\"1\",\"A\":\"2\"}"},
	{"stringify", "{a: 1, b: 'x y', c: [1, 2], d: true, e: null, f: undefined, g: {}, h: NaN}", "\"a=1&b=x%20y&c=1&c=2&d=true&e=&f=&g=&h=\""},
	{"stringify", "{'k e': 'v&=?/', u: 'ü€😀', s: \"!'()*-._~\"}", "\"k%20e=v%26%3D%3F%2F&u=%C3%BC%E2%82%AC%F0%9F%98%80&s=!'()*-._~\""},
	{"stringify", "{a: 1, b: 2}, ';', ':'", "\"a:1;b:2\""},
	{"stringify", "'notobj'", "\"\""},
	{"stringify", "{a: [], b: [[1, 2]], big: 10n}", "\"b=&big=10\""},
	{"stringify", "{w: 'a b'}, null, null, {encodeURIComponent: function (s) { return s.toUpperCase() }}", "\"W=A B\""},
	{"escape", "'a b&c=d/é'", "\"a%20b%26c%3Dd%2F%C3%A9\""},
	{"escape", "42", "\"42\""},
	{"escape", "{}", "\"%5Bobject%20Object%5D\""},
	{"unescape", "'a%20b+c'", "\"a b+c\""},
	{"unescape", "'%zz%41'", "\"%zzA\""},
	{"unescape", "'%E4%BD'", "\"�\""},
	{"decode", "'x=1'", "{\"x\":\"1\"}"},
	{"encode", "{x: 1}", "\"x=1\""},
}

func TestQuerystringMatchesNode(t *testing.T) {
	vu := modulestest.New(t, nil)
	vu.Load(t, "querystring", Querystring)
	for _, tc := range querystringCases {
		t.Run(tc.fn+"("+tc.args+")", func(t *testing.T) {
			src := "(function () { var r = querystring." + tc.fn + "(" + tc.args + "); return JSON.stringify(typeof r === 'object' ? Object.assign({}, r) : r) })()"
			if got := vu.MustRun(t, src).String(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestQuerystringDetails(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"parse gives a null-prototype object", `Object.getPrototypeOf(querystring.parse('a=1')) === null`, "true"},
		{"__proto__ is an ordinary key", `querystring.parse('__proto__=x').__proto__`, "x"},
		{"maxKeys counts empty segments", `JSON.stringify(Object.assign({}, querystring.parse('&&a=1', null, null, {maxKeys: 2})))`, "{}"},
		{"custom decoder sees + as %20", `JSON.stringify(Object.assign({}, querystring.parse('a+b=%41', null, null, {decodeURIComponent: function (s) { return '<' + s + '>' }})))`, `{"<a%20b>":"<%41>"}`},
		{"throwing decoder falls back", `querystring.parse('a=%41+b', null, null, {decodeURIComponent: function () { throw new Error('x') }}).a`, "A b"},
		{"unescape keeps bad escapes, truncates code units", `querystring.unescape('\u00e9%zz')`, "\ufffd%zz"},
		{"unescape truncated sequence is one U+FFFD", `querystring.unescape('%E4%BDx')`, "\ufffdx"},
		{"escape lone surrogate throws URIError", `try { querystring.escape('\ud800') } catch (e) { e.name + ' ' + e.code + ' ' + e.message }`, "URIError ERR_INVALID_URI URI malformed"},
		{"escape surrogate pair", `querystring.escape('\ud83d\ude00')`, "%F0%9F%98%80"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vu := modulestest.New(t, nil)
			vu.Load(t, "querystring", Querystring)
			if got := vu.MustRun(t, tc.src).String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
