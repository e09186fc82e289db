package noderequest

import (
	"testing"

	"github.com/dop251/goja"
)

func TestQsStringify(t *testing.T) {
	tests := []struct{ js, want string }{
		{`({a: "b", c: 1, d: true})`, "a=b&c=1&d=true"},
		{`({a: {b: {c: "d"}}})`, "a%5Bb%5D%5Bc%5D=d"},
		{`({a: ["x", {y: 1}]})`, "a%5B0%5D=x&a%5B1%5D%5By%5D=1"},
		{`({n: null, u: undefined, e: [], o: {}})`, "n="},
		{`({s: "a b+c&d=é!'()*-._~"})`, "s=a%20b%2Bc%26d%3D%C3%A9%21%27%28%29%2A-._~"},
		{`({d: new Date(Date.UTC(2024, 0, 2, 3, 4, 5))})`, "d=2024-01-02T03%3A04%3A05.000Z"},
		{`"not an object"`, ""},
	}
	for _, tc := range tests {
		vm := goja.New()
		v, err := vm.RunString(tc.js)
		if err != nil {
			t.Fatal(err)
		}
		if got := qsStringify(vm, v); got != tc.want {
			t.Errorf("stringify %s = %q, want %q", tc.js, got, tc.want)
		}
	}
}

func TestQsParse(t *testing.T) {
	tests := []struct{ query, want string }{
		{"a=1&b=x+y", `{"a":"1","b":"x y"}`},
		{"a=1&a=2", `{"a":["1","2"]}`},
		{"a[]=1&a[]=2", `{"a":["1","2"]}`},
		{"a[b][c]=d&a[e]=f", `{"a":{"b":{"c":"d"},"e":"f"}}`},
		{"a[1]=y&a[0]=x", `{"a":["x","y"]}`},
		{"a[25]=z", `{"a":{"25":"z"}}`},
		{"flag&bad=%zz", `{"flag":"","bad":"%zz"}`},
	}
	for _, tc := range tests {
		vm := goja.New()
		obj := qsParse(vm, tc.query)
		out, _ := vm.RunString("JSON.stringify")
		fn, _ := goja.AssertFunction(out)
		s, _ := fn(goja.Undefined(), obj)
		if s.String() != tc.want {
			t.Errorf("parse %q = %s, want %s", tc.query, s, tc.want)
		}
	}
}
