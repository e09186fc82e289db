package shop

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/examples/internal/exampletest"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/testkit"
)

// TestShopOverHTTP serves the example as `make run` does (both profiles: its
// rules are hourly or rarer, so the bmob profile loads them) and sends client
// requests over loopback: the hook guards Order and AdminNote.
func TestShopOverHTTP(t *testing.T) {
	for _, profile := range []modules.Profile{modules.Compat, modules.Bmob} {
		t.Run(string(profile), func(t *testing.T) {
			emu := exampletest.Start(t, "functions", profile, nil)
			base := strings.TrimSuffix(emu.Base, "/"+emu.Secret)
			rest := func(method, path, body string, header ...string) (int, map[string]any) {
				h := http.Header{"X-Bmob-Application-Id": {emu.Keys.AppID}, "X-Bmob-Rest-Api-Key": {emu.Keys.RESTKey}}
				for i := 0; i+1 < len(header); i += 2 {
					h.Set(header[i], header[i+1])
				}
				req, err := http.NewRequest(method, base+path, strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header = h
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var m map[string]any
				_ = json.NewDecoder(resp.Body).Decode(&m)
				return resp.StatusCode, m
			}
			st, m := rest("POST", "/1/classes/Order", `{"orderNo":"X-1","status":"unpaid","payWith":"支付宝"}`)
			if st != 201 {
				t.Fatalf("order: %d %v", st, m)
			}
			rows := emu.Rows(t, "Order")
			if len(rows) != 1 || rows[0]["channel"] != 1.0 || rows[0]["payWith"] != nil {
				t.Fatalf("stored order: %v", rows)
			}
			if st, m := rest("POST", "/1/classes/Order", `{"orderNo":"X-1"}`); st != 400 || m["error"] != "order X-1 exists already" {
				t.Fatalf("duplicate: %d %v", st, m)
			}
			if st, m := rest("POST", "/1/classes/Order", `{"orderNo":"X-2"}`, "X-Bmob-SDK-Type", "ios"); st != 400 || m["code"] != 324.0 {
				t.Fatalf("iOS: %d %v", st, m)
			}
			if st, m := rest("GET", "/1/classes/AdminNote", ""); st != 400 || m["error"] != "AdminNote is not open to clients" {
				t.Fatalf("AdminNote: %d %v", st, m)
			}
			if list := emu.Tasks.List(); len(list) != 3 || list[0].Next.IsZero() || list[0].Next.Minute() != 0 || list[0].Next.Second() != 0 {
				t.Fatalf("tasks: %+v", list)
			}
		})
	}
}

// TestLeaderboardTask drives the timed task with the Go testkit on the frozen
// clock: an hour later the leaderboard is there; a REST score write goes
// through (Score is not guarded) and the next hour ranks it.
func TestLeaderboardTask(t *testing.T) {
	fx, err := testkit.LoadFixtures("fixtures", testkit.DefaultStart)
	if err != nil {
		t.Fatal(err)
	}
	k := testkit.New(t, testkit.Options{Functions: []string{"functions"}, Fixtures: fx, NoSandbox: true})
	if err := k.Advance(t.Context(), time.Hour); err != nil {
		t.Fatal(err)
	}
	top := k.JSON(k.Get("leaderboard", ""))["top"].([]any)
	if len(top) != 3 || top[0].(map[string]any)["player"] != "grace" {
		t.Fatalf("top: %v", top)
	}
	if r := k.API(testkit.APIRequest{Method: "POST", Path: "/1/classes/Score", Body: []byte(`{"player":"zoe","score":999}`)}); r.Status != 201 {
		t.Fatalf("score: %d %s", r.Status, r.Body)
	}
	if err := k.Advance(t.Context(), time.Hour); err != nil {
		t.Fatal(err)
	}
	top = k.JSON(k.Get("leaderboard", ""))["top"].([]any)
	if top[0].(map[string]any)["player"] != "zoe" {
		t.Fatalf("top after the second run: %v", top)
	}
	if r := k.RunTask("expire-orders"); r.Outcome != "ok" {
		t.Fatalf("run: %+v", r)
	}
}
