package restapi

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWechatAppSandbox(t *testing.T) {
	f := newSMSFixture(t)
	// generatecode: a PNG of the asked width, inline or as a stored file.
	status, m := f.do("POST", "/1/wechatApp/qr/generatecode", `{"path":"pages/index/index","width":200}`)
	raw, err := base64.StdEncoding.DecodeString(m["image"].(string))
	if status != 200 || err != nil {
		t.Fatalf("generatecode type 0: %d %v", status, m)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil || img.Bounds().Dx() != 200 {
		t.Fatalf("not a 200px PNG: %v %v", err, img)
	}
	status, m = f.do("POST", "/1/wechatApp/qr/generatecode", `{"path":"pages/a","scene":"Bmob","type":1}`, "Host", "127.0.0.1:8080")
	u, _ := url.Parse(m["url"].(string))
	if status != 200 || m["cdn"] != "upyun" || m["filename"] != "code.png" || u.Host != "127.0.0.1:8080" {
		t.Fatalf("generatecode type 1: %d %v", status, m)
	}
	stored, err := os.ReadFile(filepath.Join(f.files, filepath.FromSlash(strings.TrimPrefix(u.Path, "/"))))
	if _, perr := png.Decode(bytes.NewReader(stored)); err != nil || perr != nil {
		t.Fatalf("stored code: %v %v", err, perr)
	}
	f.wantError("POST", "/1/wechatApp/qr/generatecode", `{"width":200}`, 10001, "path required.")
	f.wantError("POST", "/1/wechatApp/qr/generatecode", `{"path":"p","width":100}`, 10003, "")

	// getAccessToken: one sandbox token per server.
	_, a := f.do("GET", "/1/wechatApp/getAccessToken", "")
	_, b := f.do("GET", "/1/wechatApp/getAccessToken", "")
	if tok, _ := a["access_token"].(string); !strings.HasPrefix(tok, "sandbox_") || a["access_token"] != b["access_token"] {
		t.Errorf("access tokens: %v %v", a, b)
	}

	// checkMsg: WeChat's risky sample is flagged, other text passes.
	if status, m := f.do("POST", "/1/wechatApp/checkMsg", `{"content":"hello"}`); status != 200 || m["msg"] != "ok" {
		t.Errorf("checkMsg: %d %v", status, m)
	}
	status, m = f.do("POST", "/1/wechatApp/checkMsg", `{"content":"x `+sandboxRiskyText+`"}`)
	if msg, _ := m["error"].(string); status != 400 || m["code"] != 10007.0 || !strings.HasPrefix(msg, "CheckMsg errcode:87014, err:risky content hint: [") {
		t.Errorf("risky content: %d %v", status, m)
	}
	f.wantError("POST", "/1/wechatApp/checkMsg", `{}`, 107, "content is empty.")

	// notifyMsg and refund are recorded and logged, never sent.
	if status, m := f.do("POST", "/1/wechatApp/notifyMsg", `{"touser":"o1","template_id":"t1","data":{"first":{"value":"hi"}}}`); status != 200 || m["msg"] != "ok" {
		t.Errorf("notifyMsg: %d %v", status, m)
	}
	f.wantError("POST", "/1/wechatApp/notifyMsg", `{"touser":"o1"}`, 10001, "template_id required.")
	if status, m := f.do("POST", "/1/pay/refund", `{"order_no":"n1","refund_fee":0.5,"desc":"退款"}`); status != 200 || m["msg"] != "ok" {
		t.Errorf("refund: %d %v", status, m)
	}
	f.wantError("POST", "/1/pay/refund", `{"order_no":"n1","refund_fee":-1}`, 10003, "")
	f.wantError("POST", "/1/pay/refund", `{"refund_fee":1}`, 10001, "order_no required.")
	for class, field := range map[string]string{"_WechatNotify": "template_id", "_PayRefund": "order_no"} {
		_, open := f.do("GET", "/1/classes/"+class, "")
		_, all := f.do("GET", "/1/classes/"+class, "", master()...)
		rows, _ := all["results"].([]any)
		if len(open["results"].([]any)) != 0 || len(rows) != 1 || rows[0].(map[string]any)[field] == nil {
			t.Errorf("%s: anonymous %v, master %v", class, open, all)
		}
	}
	f.mu.Lock()
	logged := strings.Join(f.lines, "\n")
	f.mu.Unlock()
	if !strings.Contains(logged, "WeChat notification (not sent, sandbox), kept in _WechatNotify") || !strings.Contains(logged, `refund (not sent`) {
		t.Errorf("log: %s", logged)
	}
	for _, endpoint := range []string{"/1/wechatApp/checkMsg", "/1/wechatApp/getAccessToken", "/1/wechatApp/qr/generatecode"} {
		if n := strings.Count(logged, "note fidelity note: "+endpoint+" "); n != 1 {
			t.Errorf("%s noted %d times, want once:\n%s", endpoint, n, logged)
		}
	}

	// The jscode2session stand-in: a code maps to one openid.
	_, s1 := f.do("POST", "/1/wechatAppv1/code-a", `{"anonymous_code":""}`)
	_, s2 := f.do("GET", "/1/wechatAppv1/code-a", "")
	_, s3 := f.do("POST", "/1/wechatAppv1/code-b", `{}`)
	if s1["openid"] == nil || s1["openid"] != s2["openid"] || s1["openid"] == s3["openid"] || s1["session_key"] == nil {
		t.Errorf("sessions: %v %v %v", s1, s2, s3)
	}
}
