package emulator

import (
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/modules"
)

// A program that imports the emulator keeps its own time.Local, and the scripts
// it runs still live in Beijing time, as on Bmob.
func TestScriptsRunInBeijingTimeWithoutTouchingTimeLocal(t *testing.T) {
	local := time.Local
	if local == bjtime.Location {
		t.Fatal("importing the emulator made Beijing time the process's time.Local")
	}
	emu := openWith(t, modules.Compat, map[string]string{"zone.js": `function onRequest(request, response, modules) {
		var d = new Date(Date.UTC(2026, 0, 1, 2, 30));
		response.send([d.toString(), d.getHours(), new Date(2026, 0, 1, 10).toISOString(),
			modules.oMoment(d.getTime()).format("YYYY-MM-DD HH:mm Z"),
			new Intl.DateTimeFormat("en-US", {hour: "numeric", hour12: false}).format(d)].join("|"));
	}`})
	_, body := call(t, emu, "zone")
	want := "Thu Jan 01 2026 10:30:00 GMT+0800 (China Standard Time)|10|2026-01-01T02:00:00.000Z|2026-01-01 10:30 +08:00|10"
	if body != want {
		t.Errorf("got  %s\nwant %s", body, want)
	}
	if time.Local != local {
		t.Error("running a function changed time.Local")
	}
}
