package guestbook

import (
	"regexp"
	"testing"

	"github.com/bmobemu/bmobemu/examples/internal/exampletest"
	"github.com/bmobemu/bmobemu/modules"
)

func TestGuestbook(t *testing.T) {
	for _, profile := range []modules.Profile{modules.Compat, modules.Bmob} {
		t.Run(string(profile), func(t *testing.T) {
			emu := exampletest.Start(t, "functions", profile, nil)

			first := emu.Post(t, "sign", map[string]any{"author": "ada", "text": "hello"}).JSON(t)
			if first["code"] != float64(200) || !regexp.MustCompile(`^[0-9a-f]{10}$`).MatchString(first["objectId"].(string)) || first["authorTotal"] != float64(1) {
				t.Fatalf("sign: %v", first)
			}
			second := emu.Post(t, "sign", map[string]any{"author": "ada", "text": "again"}).JSON(t)
			if second["authorTotal"] != float64(2) {
				t.Fatalf("second sign: %v", second)
			}
			emu.Post(t, "sign", map[string]any{"author": "bob", "text": "hi"})

			liked := emu.Post(t, "like", map[string]any{"objectId": first["objectId"]}).JSON(t)
			liked = emu.Post(t, "like", map[string]any{"objectId": first["objectId"]}).JSON(t)
			if liked["likes"] != float64(2) {
				t.Fatalf("like: %v", liked)
			}
			if r := emu.Post(t, "like", map[string]any{"objectId": "ffffffffff"}); r.Status != 404 {
				t.Fatalf("like of a missing message: %d %s", r.Status, r.Text)
			}

			list := emu.Get(t, "messages", "limit=2").JSON(t)
			msgs := list["messages"].([]any)
			if len(msgs) != 2 || msgs[0].(map[string]any)["text"] != "hi" {
				t.Fatalf("messages newest first: %v", list)
			}
			top := list["mostLiked"].(map[string]any)
			if top["text"] != "hello" || top["likes"] != float64(2) {
				t.Fatalf("most liked: %v", top)
			}
			if r := emu.Post(t, "sign", map[string]any{"author": "ada"}); r.Status != 400 {
				t.Fatalf("missing text: %d %s", r.Status, r.Text)
			}
			if rows := emu.Rows(t, "Message"); len(rows) != 3 {
				t.Fatalf("stored rows: %v", rows)
			}
		})
	}
}
