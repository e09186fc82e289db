package jstest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Run over a folder of several projects (`bmobemu test examples`): each test
// file calls the functions and sees the fixtures of its own project, and a file
// with no project fails saying so.
func TestEachFileUsesItsOwnProject(t *testing.T) {
	root := t.TempDir()
	write := func(rel, src string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_ = os.Mkdir(filepath.Join(root, ".git"), 0o755) // the walk up stops here
	for _, name := range []string{"alpha", "beta"} {
		write(name+"/functions/who.js", `function onRequest(q, r) { r.send("`+name+`") }`)
		write(name+"/functions/"+name+"Only.js", `function onRequest(q, r, m) { m.oData.find({table: "Row"}, function (e, d) { r.send(d) }) }`)
		write(name+"/fixtures/rows.json", `{"format":"bmobemu-export","version":1,"classes":{"Row":[{"owner":"`+name+`"}]}}`)
		write(name+"/tests/deep/"+name+".test.js", `
test('calls its own project', function () {
  assert.equal(call('who').text, '`+name+`');
  assert.equal(call('`+name+`Only').json.results[0].owner, '`+name+`');
});`)
	}
	write("stray/tests/orphan.test.js", `test('x', function () {});`)

	res, out := run(t, root, Config{})
	if res.Passed != 2 || res.Failed != 1 {
		t.Fatalf("passed %d failed %d:\n%s", res.Passed, res.Failed, out)
	}
	for _, want := range []string{"ok   alpha/tests/deep/alpha.test.js", "ok   beta/tests/deep/beta.test.js", "FAIL stray/tests/orphan.test.js",
		"no functions folder for " + filepath.Join(root, "stray/tests/orphan.test.js"), "has a functions/ folder"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The same file run from inside its project's tests folder.
	res, out = run(t, filepath.Join(root, "alpha", "tests"), Config{})
	if res.Passed != 1 || res.Failed != 0 {
		t.Fatalf("from the tests folder: %d/%d\n%s", res.Passed, res.Failed, out)
	}
}
