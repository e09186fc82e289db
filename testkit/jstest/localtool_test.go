package jstest

import (
	"regexp"
	"strings"
	"testing"
)

// A function file as Bmob's old local debugger wanted it: the handler, the
// export and the trailer that loads bmobcloud-local and AppConfig.json (absent
// here) and calls tool.test.
const localHello = `function onRequest(request, response, modules) {
  var name = request.body.name || request.query.name;
  if (name === 'boom') { throw new Error('boom asked'); }
  modules.oData.insert({ table: 'Hello', data: { name: name } }, function () {
    response.end('hello ' + name + ' ' + typeof request.body.n);
  });
}
exports.localHello = onRequest;

var tool = require("bmobcloud-local");
var options = require("../AppConfig.json");
tool.initialize(options.app_key, options.rest_key);
tool.test(onRequest, {"name": "ada", "n": 1});
tool.test(onRequest, {"method": "GET", "query": "name=bob"});
tool.test(onRequest, {"name": "boom"});
`

// TestLocalToolCallsRunAsTests: each tool.test call of a trailer is a test,
// the request built as the local tool built it, failing when the function
// fails; a project with only such files runs without *.test.js files.
func TestLocalToolCallsRunAsTests(t *testing.T) {
	dir := project(t, map[string]string{"localHello.js": localHello}, nil)
	res, out := run(t, dir, Config{})
	if res.Passed != 2 || res.Failed != 1 {
		t.Fatalf("passed %d failed %d:\n%s", res.Passed, res.Failed, out)
	}
	names := []string{}
	for _, tr := range res.Tests {
		names = append(names, tr.Name+" "+string(tr.Status))
		if tr.File != "functions/localHello.js" {
			t.Errorf("test file %q", tr.File)
		}
	}
	want := []string{"tool.test #1 (localHello.js:13:10) passed", "tool.test #2 (localHello.js:14:10) passed", "tool.test #3 (localHello.js:15:10) failed"}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Errorf("tests:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	if f := res.Tests[2].Failure; !strings.Contains(f, "localHello answered 500") || !strings.Contains(f, "boom asked") {
		t.Errorf("failure report: %s", f)
	}
	// -run selects among them too.
	res, out = run(t, dir, Config{Run: regexp.MustCompile(`#2`)})
	if res.Passed != 1 || res.Failed != 0 || res.Skipped != 2 {
		t.Errorf("-run #2: %d passed, %d failed, %d skipped:\n%s", res.Passed, res.Failed, res.Skipped, out)
	}
}
