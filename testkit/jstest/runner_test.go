package jstest

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// project writes a throwaway project: functions/<name>.js and tests/<name>.test.js.
func project(t testing.TB, functions, tests map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for sub, files := range map[string]map[string]string{"functions": functions, "tests": tests} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		for name, src := range files {
			if err := os.WriteFile(filepath.Join(dir, sub, name), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

const hello = `function onRequest(request, response, modules) {
  console.log('hello called by', request.body.name);
  modules.oData.insert({ table: 'Hello', data: { name: request.body.name || 'nobody' } }, function () {
    response.send({ hello: request.body.name || 'nobody' });
  });
}`

func run(t *testing.T, dir string, cfg Config) (*Result, string) {
	t.Helper()
	var out bytes.Buffer
	cfg.Dir, cfg.Out = dir, &out
	res, err := Run(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res, out.String()
}

func TestFailingTestFailsWithDiffStackLogAndJUnit(t *testing.T) {
	dir := project(t, map[string]string{"hello.js": hello}, map[string]string{"hello.test.js": `
test('passes', function () { assert.equal(call('hello', { json: { name: 'ada' } }).json.hello, 'ada'); });
test('fails', function () {
  var r = call('hello', { json: { name: 'bob' } });
  assert.deepEqual(r.json, { hello: 'alice' });
});
`})
	res, out := run(t, dir, Config{})
	if res.Passed != 1 || res.Failed != 1 || res.OK() {
		t.Fatalf("passed %d failed %d:\n%s", res.Passed, res.Failed, out)
	}
	for _, want := range []string{
		`-   "hello": "alice"`, `+   "hello": "bob"`, // the diff
		"hello.test.js:5:",                 // the stack frame of the assertion
		"[hello] log: hello called by bob", // the function's log
		"1 passed, 1 failed",               // the summary
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	var junit bytes.Buffer
	if err := res.WriteJUnit(&junit); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(junit.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit is not XML: %v\n%s", err, junit.String())
	}
	if doc.Tests != 2 || doc.Failures != 1 || len(doc.Suites) != 1 || doc.Suites[0].Cases[1].Failure == nil ||
		!strings.Contains(doc.Suites[0].Cases[1].Failure.Text, `"hello": "bob"`) {
		t.Fatalf("JUnit: %+v", doc)
	}
}

func TestOnlySkipAndRunPattern(t *testing.T) {
	dir := project(t, map[string]string{"hello.js": hello}, map[string]string{
		"a.test.js": `
test('one', function () {});
test.only('two', function () {});
test.only('three', function () { assert.fail('ran'); });
`,
		"b.test.js": `
test.skip('skipped', function () { assert.fail('ran'); });
test('alpha', function () {});
test('beta', function () {});
`})
	res, out := run(t, dir, Config{Run: regexp.MustCompile("^(two|alpha)$")})
	if res.Passed != 2 || res.Failed != 0 || res.Skipped != 4 {
		t.Fatalf("passed %d failed %d skipped %d:\n%s", res.Passed, res.Failed, res.Skipped, out)
	}
	res, out = run(t, dir, Config{})
	if res.Passed != 3 || res.Failed != 1 || res.Skipped != 2 || !strings.Contains(out, "AssertionError: ran") {
		t.Fatalf("without -run: passed %d failed %d skipped %d:\n%s", res.Passed, res.Failed, res.Skipped, out)
	}
}

func TestSnapshotsWriteMatchDiffAndUpdate(t *testing.T) {
	dir := project(t, map[string]string{"hello.js": hello}, map[string]string{"s.test.js": `
test('rows', function () {
  call('hello', { json: { name: 'ada' } });
  snapshot('table', db.rows('Hello'));
});`})
	snap := filepath.Join(dir, "tests", "s.test.js.snap.json")
	res, out := run(t, dir, Config{})
	if !res.OK() || res.SnapshotsWritten != 1 {
		t.Fatalf("first run: %s", out)
	}
	first, err := os.ReadFile(snap)
	if err != nil || !strings.Contains(string(first), `"name": "ada"`) || !strings.Contains(string(first), `"rows › table"`) {
		t.Fatalf("snapshot file: %v\n%s", err, first)
	}
	if res, out = run(t, dir, Config{}); !res.OK() || res.SnapshotsWritten != 0 {
		t.Fatalf("second run must match: %s", out)
	}
	// The handler changes: the snapshot fails with a diff and the file stays.
	changed := strings.Replace(hello, "name: request.body.name || 'nobody'", "name: 'x' + request.body.name", 1)
	if err := os.WriteFile(filepath.Join(dir, "functions", "hello.js"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	res, out = run(t, dir, Config{})
	if res.OK() || !strings.Contains(out, `-     "name": "ada"`) || !strings.Contains(out, `+     "name": "xada"`) {
		t.Fatalf("changed handler: %s", out)
	}
	if now, _ := os.ReadFile(snap); !bytes.Equal(now, first) {
		t.Fatal("a failing snapshot rewrote the file")
	}
	if res, out = run(t, dir, Config{UpdateSnapshots: true}); !res.OK() || res.SnapshotsWritten != 1 {
		t.Fatalf("update: %s", out)
	}
	if now, _ := os.ReadFile(snap); !strings.Contains(string(now), `"name": "xada"`) {
		t.Fatalf("updated snapshot: %s", now)
	}
}

func TestUndeclaredOutboundCallFailsTheTest(t *testing.T) {
	dir := project(t, map[string]string{"pay.js": `function onRequest(request, response, modules) {
  modules.oHttp.post({ url: 'https://api.example.com/v3/pay/transactions/app?x=1', json: { a: 1 } }, function (err, res, body) {
    response.send({ err: err ? String(err.message) : null, body: body });
  });
}`}, map[string]string{"pay.test.js": `
test('declared', function () {
  http.on('POST https://api.example.com/v3/pay/transactions/app', { json: { prepay_id: 'wx1' } });
  var r = call('pay');
  assert.deepEqual(r.json.body, { prepay_id: 'wx1' });
  var reqs = http.requests();
  assert.equal(reqs.length, 1);
  assert.deepEqual([reqs[0].method, reqs[0].path, reqs[0].query.x, reqs[0].json], ['POST', '/v3/pay/transactions/app', '1', { a: 1 }]);
});
test('undeclared', function () {
  call('pay'); // the script copes with the error, the test still fails
});
`})
	res, out := run(t, dir, Config{})
	if res.Passed != 1 || res.Failed != 1 ||
		!strings.Contains(out, "undeclared outbound request POST https://api.example.com/v3/pay/transactions/app?x=1") {
		t.Fatalf("%s", out)
	}
}

func TestClockStepsAndTimers(t *testing.T) {
	dir := project(t, map[string]string{
		"slow.js": `function onRequest(request, response, modules) {
  var t0 = Date.now();
  setTimeout(function () { response.send({ waited: Date.now() - t0, iso: new Date().toISOString() }); }, 30000);
}`,
		"later.js": `function onRequest(request, response, modules) {
  response.send('ok');
  setTimeout(function () { modules.oData.insert({ table: 'Later', data: { at: new Date().toISOString() } }, function () {}); }, 600000);
}`,
	}, map[string]string{"clock.test.js": `
configure({ start: '2026-03-04 05:06:07' });
test('a 30 s timer answers at once, 30 s later on the clock', function () {
  var t0 = clock.now();
  assert.deepEqual(call('slow').json, { waited: 30000, iso: '2026-03-03T21:06:37.000Z' });
  assert.equal(clock.now() - t0, 30000);
});
test('work left after the answer waits for clock.advance', function () {
  call('later');
  clock.advance(599999);
  assert.equal(db.count('Later'), 0);
  clock.advance(1);
  assert.deepEqual(db.rows('Later').map(function (r) { return r.at; }), ['2026-03-03T21:16:07.000Z']);
});
test('clock.set and Date in the test agree', function () {
  clock.set('2027-01-01 00:00:00');
  assert.equal(new Date().toISOString(), '2026-12-31T16:00:00.000Z');
  assert.equal(Date.now(), clock.now());
});
test('each test starts at the configured start', function () {
  assert.equal(clock.date().toISOString(), '2026-03-03T21:06:07.000Z');
});
`})
	res, out := run(t, dir, Config{})
	if !res.OK() || res.Passed != 4 {
		t.Fatalf("%s", out)
	}
}

func TestAsyncTestsThrowsMatchAndLoadErrors(t *testing.T) {
	dir := project(t, map[string]string{"hello.js": hello}, map[string]string{
		"ok.test.js": `
test('async test awaits', async function () {
  var v = await new Promise(function (resolve) { setTimeout(function () { resolve(42); }, 5000); });
  assert.equal(v, 42);
});
test('rejected promise fails', async function () { throw new Error('boom'); });
test('throws and match', function () {
  var e = assert.throws(function () { JSON.parse('{'); }, SyntaxError);
  assert.match(String(e), /SyntaxError/);
  assert.throws(function () { assert.equal(1, 2); }, /equal: expected 2, got 1/);
});`,
		"broken.test.js":   `test('x', function () {}); syntax error here`,
		"toplevel.test.js": `call('hello');`,
	})
	res, out := run(t, dir, Config{})
	if res.Passed != 2 || res.Failed != 3 || !strings.Contains(out, "Error: boom") || !strings.Contains(out, "(loading the file)") ||
		!strings.Contains(out, "call() is only available inside a test") {
		t.Fatalf("passed %d failed %d:\n%s", res.Passed, res.Failed, out)
	}
}

func TestSandboxAnswersProviderHostsAfterDeclaredRoutes(t *testing.T) {
	dir := project(t, map[string]string{"certs.js": `function onRequest(request, response, modules) {
  modules.oHttp.get({ url: request.body.url }, function (err, res, body) {
    response.send({ err: err ? String(err.message) : null, status: res && res.statusCode, serial: res && res.headers['wechatpay-serial'], body: body });
  });
}`}, map[string]string{"certs.test.js": `
var URL = 'https://api.mch.weixin.qq.com/v3/certificates';
test('declared wins', function () {
  http.on('GET ' + URL, { json: { data: ['declared'] } });
  var r = call('certs', { json: { url: URL } }).json;
  assert.deepEqual(JSON.parse(r.body), { data: ['declared'] });
  assert.equal(http.requests()[0].sandbox, false);
});
test('otherwise the simulator answers', function () {
  var r = call('certs', { json: { url: URL } }).json;
  assert.equal(r.err, null);
  assert.equal(r.status, 401); // no Authorization: WeChat's error JSON, signed by the simulator
  assert.match(r.body, /SIGN_ERROR|Authorization|签名/);
  assert.equal(http.requests()[0].sandbox, true);
});
test('other hosts stay undeclared', function () {
  call('certs', { json: { url: 'https://api.example.com/x' } });
});
test('no trades yet', function () {
  assert.equal(sandbox.trades().length, 0);
});
`, "off.test.js": `
configure({ sandbox: false });
test('provider hosts are undeclared calls', function () {
  call('certs', { json: { url: 'https://api.mch.weixin.qq.com/v3/certificates' } });
});
test('the sandbox API says it is off', function () {
  assert.throws(function () { sandbox.trades(); }, /payment sandbox is off/);
});
`})
	res, out := run(t, dir, Config{})
	if res.Passed != 4 || res.Failed != 2 ||
		!strings.Contains(out, "FAIL other hosts stay undeclared") || !strings.Contains(out, "FAIL provider hosts are undeclared calls") ||
		!strings.Contains(out, "undeclared outbound request GET https://api.mch.weixin.qq.com/v3/certificates") {
		t.Fatalf("%s", out)
	}
}
