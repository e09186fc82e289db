package console_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// noDialogs answers the page's confirm and prompt (with answer) and records
// its alerts in window.__alerts, as a person clicking OK would.
func noDialogs(answer string) chromedp.Action {
	return chromedp.Evaluate(`window.__alerts = []; window.confirm = () => true; window.prompt = () => `+
		strconv.Quote(answer)+`; window.alert = (m) => window.__alerts.push(String(m));`, nil)
}

// login is GET /1/login with the app's keys: the status it answers.
func (s *served) login(t *testing.T, username, password string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.base+"/1/login?"+url.Values{"username": {username}, "password": {password}}.Encode(), nil)
	req.Header.Set("X-Bmob-Application-Id", s.emu.Keys.AppID)
	req.Header.Set("X-Bmob-REST-API-Key", s.emu.Keys.RESTKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// upload posts a file over REST and returns Bmob's answer.
func (s *served) upload(t *testing.T, name string, data []byte) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.base+"/2/files/"+name, bytes.NewReader(data))
	req.Header.Set("X-Bmob-Application-Id", s.emu.Keys.AppID)
	req.Header.Set("X-Bmob-REST-API-Key", s.emu.Keys.RESTKey)
	req.Header.Set("Content-Type", "image/png")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &out) != nil {
		t.Fatalf("upload %s: %d %s", name, resp.StatusCode, body)
	}
	return out
}

// The users page's password reset and the files page's preview and delete,
// driven in Chromium, checked over REST and on disk.
func TestConsoleUsersAndFilesInChromium(t *testing.T) {
	s := serve(t, "", false)
	b := browser(t, 1280, 800)
	c := s.base + "/_console/"

	t.Run("reset a user's password", func(t *testing.T) {
		user := s.restCall(t, "POST", "/1/users", `{"username":"小刚","password":"old-pw-1"}`)
		id := user["objectId"].(string)
		run(t, b, "resetting the password", chromedp.Navigate(c+"data#class=_User"),
			waitJS(`!!document.querySelector('#rows tr[data-id="`+id+`"]')`), noDialogs("new-pw-2"),
			chromedp.Evaluate(`Array.from(document.querySelectorAll('#rows tr[data-id="`+id+`"] button')).find(b => b.textContent === "Reset password").click()`, nil),
			waitJS(`window.__alerts.length > 0`))
		var alerts []string
		run(t, b, "reading the answer", chromedp.Evaluate(`window.__alerts`, &alerts))
		if len(alerts) != 1 || alerts[0] != "Password reset." {
			t.Fatalf("the page said %q", alerts)
		}
		if got := s.login(t, "小刚", "new-pw-2"); got != http.StatusOK {
			t.Fatalf("login with the new password: %d", got)
		}
		if got := s.login(t, "小刚", "old-pw-1"); got == http.StatusOK {
			t.Fatal("the old password still logs in")
		}
	})

	t.Run("preview and delete a file", func(t *testing.T) {
		// 96×64, so the saved screenshot shows the preview.
		img := image.NewRGBA(image.Rect(0, 0, 96, 64))
		for x := 0; x < 96; x++ {
			for y := 0; y < 64; y++ {
				img.Set(x, y, color.RGBA{R: uint8(120 + x), G: uint8(60 + 2*y), B: 200, A: 255})
			}
		}
		var pic bytes.Buffer
		if err := png.Encode(&pic, img); err != nil {
			t.Fatal(err)
		}
		up := s.upload(t, "照片.png", pic.Bytes())
		u, err := url.Parse(up["url"].(string))
		if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(u.Path, "/")
		onDisk := filepath.Join(s.emu.Config.DBPath+".files", filepath.FromSlash(rel))
		if _, err := os.Stat(onDisk); err != nil {
			t.Fatalf("the upload is not where the console lists files: %v", err)
		}
		var size string
		run(t, b, "previewing", chromedp.Navigate(c+"data#files"),
			waitJS(`!!document.querySelector("#files img.preview")`),
			// The preview is the image itself, loaded: 3×2 pixels.
			waitJS(`(() => { const i = document.querySelector("#files img.preview"); return i.complete && i.naturalWidth === 96 && i.naturalHeight === 64; })()`),
			chromedp.Evaluate(`document.querySelector("#files img.preview").closest("tr").children[2].textContent`, &size))
		if size != strconv.Itoa(pic.Len()) {
			t.Fatalf("size shown %q, want %d", size, pic.Len())
		}
		screenshot(t, b, "files")
		run(t, b, "deleting", noDialogs(""),
			chromedp.Evaluate(`Array.from(document.querySelectorAll("#files button")).find(b => b.textContent === "Delete").click()`, nil),
			waitJS(`document.getElementById("files") && document.getElementById("files").textContent.includes("No uploaded files.")`))
		var alerts []string
		run(t, b, "reading alerts", chromedp.Evaluate(`window.__alerts || []`, &alerts))
		if len(alerts) != 0 {
			t.Fatalf("the delete alerted %q", alerts)
		}
		if _, err := os.Stat(onDisk); !os.IsNotExist(err) {
			t.Fatalf("the file is still on disk after Delete: %v", err)
		}
		resp, err := http.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("GET of the deleted file's URL: %d", resp.StatusCode)
		}
	})
}
