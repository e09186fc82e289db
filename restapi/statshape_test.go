package restapi

import "testing"

// TestStatisticsShapePerCaller: a REST caller gets Bmob's documented bare
// array, an SDK (X-Bmob-SDK-Type) gets the rows under "results", as its find()
// reads them; plain finds are the same for both.
func TestStatisticsShapePerCaller(t *testing.T) {
	a := newPlainAPI(t)
	for _, body := range []string{`{"name":"a","score":1}`, `{"name":"b","score":2}`} {
		if r := call(a, "POST", "/1/classes/Game", body, "Content-Type", "application/json"); r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
	}
	stats := "/1/classes/Game?sum=score"
	if r := call(a, "GET", stats, ""); string(r.Body) != `[{"_sumScore":3}]` {
		t.Errorf("REST statistics: %s", r.Body)
	}
	for _, sdk := range [][]string{{"X-Bmob-SDK-Type", "nodejs"}, {"X-Bmob-SDK-Type", "wechatApp"}, {"User-Agent", "Dart/3.5 (dart:io)"}} {
		if r := call(a, "GET", stats, "", sdk...); string(r.Body) != `{"results":[{"_sumScore":3}]}` {
			t.Errorf("%v statistics: %s", sdk, r.Body)
		}
	}
	if r := call(a, "GET", stats, "", "User-Agent", "curl/8.5.0"); string(r.Body) != `[{"_sumScore":3}]` {
		t.Errorf("curl statistics: %s", r.Body)
	}
	if r := call(a, "GET", "/1/classes/Game?groupby=name&groupcount=true&order=name", "", "X-Bmob-SDK-Type", "nodejs"); string(r.Body) != `{"results":[{"_count":1,"name":"a"},{"_count":1,"name":"b"}]}` {
		t.Errorf("SDK grouped statistics: %s", r.Body)
	}
	plain := call(a, "GET", "/1/classes/Game?where={\"name\":\"a\"}&keys=name", "")
	fromSDK := call(a, "GET", "/1/classes/Game?where={\"name\":\"a\"}&keys=name", "", "X-Bmob-SDK-Type", "nodejs")
	if string(plain.Body) != string(fromSDK.Body) {
		t.Errorf("a plain find differs per caller: %s vs %s", plain.Body, fromSDK.Body)
	}
}
