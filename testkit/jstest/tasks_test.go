package jstest

import (
	"strings"
	"testing"
)

// TestThrowingTaskOrHookFailsTheTestWithItsLog: a timed task that throws while
// clock.advance runs it, or through tasks.run, and a hook that throws on an
// api() call each fail their test, and the failure shows the function's log.
func TestThrowingTaskOrHookFailsTheTestWithItsLog(t *testing.T) {
	dir := project(t, map[string]string{
		"boom.js": `function onRequest(request, response, modules) {
  console.log('boom is counting');
  throw new Error('the scores table is gone');
}`,
		"fine.js": `function onRequest(request, response, modules) { response.end({ msg: 'ok' }); }`,
		"badHook.js": `function onRequest(request, response, modules) {
  console.log('hook sees', request.body.table);
  undefinedThing.check(request.body);
}`,
		"bmobemu.yaml": "hook:\n  function: fine\ntasks:\n  - {name: boom, rule: '0 0 * * * *', function: boom}\n",
	}, map[string]string{"tasks.test.js": `
test('advance past a throwing task', function () { clock.advance('1h'); });
test('run a throwing task', function () { tasks.run('boom'); });
test('a throwing hook', function () { datahook.use('badHook'); api('GET', '/1/classes/Item'); });
test('a working hook and no due task', function () {
  clock.advance('30m');
  assert.equal(api('POST', '/1/classes/Item', { json: { a: 1 } }).status, 201);
  assert.equal(tasks.list()[0].next, '2026-01-01T11:00:00+08:00');
});
`})
	res, out := run(t, dir, Config{})
	if res.Passed != 1 || res.Failed != 3 {
		t.Fatalf("passed %d failed %d:\n%s", res.Passed, res.Failed, out)
	}
	for _, want := range []string{
		"task boom (boom) at 2026-01-01 11:00:00 failed: Error: the scores table is gone (",
		"/functions/boom.js:3:9)",
		"task boom (boom) failed: Error: the scores table is gone",
		"[boom] log: boom is counting",
		"the data hook failed: data hook error: data hook badHook: ReferenceError: undefinedThing is not defined",
		"[badHook] log: hook sees Item",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
