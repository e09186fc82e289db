package restapi

import (
	"regexp"
	"sync"
	"testing"
	"time"
)

// smsFixture is a fixture whose API logs into lines.
type smsFixture struct {
	*fixture
	mu    sync.Mutex
	lines []string
}

func newSMSFixture(t *testing.T) *smsFixture {
	f := &smsFixture{fixture: newFixture(t)}
	f.api.log = func(level, line string) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.lines = append(f.lines, level+" "+line)
	}
	return f
}

var loggedCode = regexp.MustCompile(`SMS to (\d+) .*您的验证码是(\d{6})，有效期为10分钟。 smsId (\d+)`)

// requestCode asks for a code for phone and returns the code the log shows.
func (f *smsFixture) requestCode(phone string) string {
	f.t.Helper()
	status, m := f.do("POST", "/1/requestSmsCode", `{"mobilePhoneNumber":"`+phone+`"}`)
	if status != 200 || m["smsId"] == nil {
		f.t.Fatalf("requestSmsCode: %d %v", status, m)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.lines) - 1; i >= 0; i-- {
		if g := loggedCode.FindStringSubmatch(f.lines[i]); g != nil && g[1] == phone {
			if jsonText(m["smsId"]) != g[3] {
				f.t.Errorf("smsId %v answered, %s logged", m["smsId"], g[3])
			}
			return g[2]
		}
	}
	f.t.Fatalf("no code logged for %s: %v", phone, f.lines)
	return ""
}

func jsonText(v any) string {
	b, _ := Encode(v)
	return string(b)
}

func TestSMSCodeVerify(t *testing.T) {
	f := newSMSFixture(t)
	code := f.requestCode("13800000001")
	// Wrong number, wrong code: refused; the right pair once, then used up.
	f.wantError("POST", "/1/verifySmsCode/"+code, `{"mobilePhoneNumber":"13800000002"}`, 207, "code error:"+code+".")
	f.wantError("POST", "/1/verifySmsCode/000000x", `{"mobilePhoneNumber":"13800000001"}`, 207, "")
	if status, m := f.do("POST", "/1/verifySmsCode/"+code, `{"mobilePhoneNumber":"13800000001"}`); status != 200 || m["msg"] != "ok" {
		t.Fatalf("verify: %d %v", status, m)
	}
	f.wantError("POST", "/1/verifySmsCode/"+code, `{"mobilePhoneNumber":"13800000001"}`, 207, "")
	// The REST doc's form, and expiry after 10 minutes.
	code = f.requestCode("13800000001")
	if status, m := f.do("POST", "/1/verifySmsCode", `{"mobilePhoneNumber":"13800000001","smsCode":"`+code+`"}`); status != 200 || m["msg"] != "ok" {
		t.Fatalf("verify (REST form): %d %v", status, m)
	}
	code = f.requestCode("13800000001")
	f.clock.Advance(SMSCodeTTL + time.Second)
	f.wantError("POST", "/1/verifySmsCode/"+code, `{"mobilePhoneNumber":"13800000001"}`, 207, "")
	// Bad numbers.
	f.wantError("POST", "/1/requestSmsCode", `{"mobilePhoneNumber":"12345"}`, 301, "手机号码必须是11位的数字")
	f.wantError("POST", "/1/requestSmsCode", `{}`, 20028, "")
	// The codes are the master key's only.
	if status, m := f.do("GET", "/1/classes/_SmsCode", ""); status != 200 || len(m["results"].([]any)) != 0 {
		t.Errorf("codes readable without the master key: %v", m)
	}
	if _, m := f.do("GET", "/1/classes/_SmsCode", "", master()...); len(m["results"].([]any)) != 3 {
		t.Errorf("codes with the master key: %v", m)
	}
}

func TestMobileSignUpLoginAndReset(t *testing.T) {
	f := newSMSFixture(t)
	code := f.requestCode("13900000001")
	status, m := f.do("POST", "/1/usersv1", `{"mobilePhoneNumber":"13900000001","smsCode":"`+code+`","nickName":"ann"}`)
	if status != 201 || m["username"] != "13900000001" || m["mobilePhoneVerified"] != true || m["nickName"] != "ann" || m["sessionToken"] == nil || m["smsCode"] != nil {
		t.Fatalf("first mobile login creates the user: %d %v", status, m)
	}
	id := m["objectId"]
	// The same code again is refused; a new code logs the same user in.
	f.wantError("POST", "/1/usersv1", `{"mobilePhoneNumber":"13900000001","smsCode":"`+code+`"}`, 207, "")
	code = f.requestCode("13900000001")
	status, m = f.do("POST", "/1/users", `{"mobilePhoneNumber":"13900000001","smsCode":"`+code+`"}`)
	if status != 200 || m["objectId"] != id || m["sessionToken"] == nil {
		t.Fatalf("second mobile login (REST doc's /1/users): %d %v", status, m)
	}
	// Reset the password by a code, then log in with it.
	code = f.requestCode("13900000001")
	f.wantError("PUT", "/1/resetPasswordBySmsCode/"+code, `{}`, 118, "")
	if status, m := f.do("PUT", "/1/resetPasswordBySmsCode/"+code, `{"password":"n3w"}`); status != 200 || m["msg"] != "ok" {
		t.Fatalf("reset: %d %v", status, m)
	}
	if status, m := f.do("POST", "/1/login", `{"mobilePhoneNumber":"13900000001","password":"n3w"}`); status != 200 || m["objectId"] != id {
		t.Fatalf("login with the new password: %d %v", status, m)
	}
	f.wantError("PUT", "/1/resetPasswordBySmsCode/"+code, `{"password":"again"}`, 207, "")
	// A code for a number no user has cannot reset anything.
	code = f.requestCode("13900000009")
	f.wantError("PUT", "/1/resetPasswordBySmsCode/"+code, `{"password":"x"}`, 205, "")
}

func TestAuthDataLogin(t *testing.T) {
	f := newFixture(t)
	weapp := `{"authData":{"weapp":{"openid":"oA","session_key":"k1"}}}`
	status, m := f.do("POST", "/1/usersv1", weapp)
	if status != 201 || m["sessionToken"] == nil || !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(m["username"].(string)) {
		t.Fatalf("first weapp login: %d %v", status, m)
	}
	id := m["objectId"]
	status, m = f.do("POST", "/1/users", `{"authData":{"weapp":{"openid":"oA","session_key":"k2"}}}`)
	auth, _ := m["authData"].(map[string]any)
	if status != 200 || m["objectId"] != id || auth["weapp"].(map[string]any)["session_key"] != "k2" {
		t.Fatalf("same openid logs the same user in, with the fresh session key: %d %v", status, m)
	}
	if _, m := f.do("POST", "/1/usersv1", `{"authData":{"weapp":{"openid":"oB","session_key":"k"}}}`); m["objectId"] == id {
		t.Errorf("another openid got the same user")
	}
	if _, m := f.do("POST", "/1/usersv1", `{"authData":{"qq":{"openid":"oA","access_token":"t","expires_in":7200}}}`); m["objectId"] == id {
		t.Errorf("the same id on another platform got the same user")
	}
	if status, m := f.do("POST", "/1/usersv1", `{"authData":{"apple":{"id":"a.1","token":"t"}}}`); status != 201 {
		t.Errorf("apple with id and token: %d %v", status, m)
	}
	f.wantError("POST", "/1/usersv1", `{"authData":{"weibo":{"uid":"1","access_token":"t"}}}`, 208, "authData error: weibo needs expires_in")
	f.wantError("POST", "/1/usersv1", `{"authData":{"weapp":{"openid":"oA"}}}`, 208, "authData error: weapp needs session_key or sk")
	f.wantError("POST", "/1/usersv1", `{"authData":{"myspace":{"id":"1"}}}`, 208, "")
	f.wantError("POST", "/1/usersv1", `{"username":"x"}`, 109, "")
}

func TestLinkAuthDataToUser(t *testing.T) {
	f := newFixture(t)
	id, tok := f.signUp("ann", "pw")
	weibo := `{"authData":{"weibo":{"uid":"u1","access_token":"t","expires_in":1}}}`
	if status, m := f.do("PUT", "/1/users/"+id, weibo, session(tok)...); status != 200 || m["updatedAt"] == nil {
		t.Fatalf("link weibo: %d %v", status, m)
	}
	if status, m := f.do("PUT", "/1/users/"+id, `{"authData":{"qq":{"openid":"q1","access_token":"t","expires_in":1}}}`, session(tok)...); status != 200 {
		t.Fatalf("link qq: %d %v", status, m)
	}
	// Both platforms now log ann in.
	for _, body := range []string{weibo, `{"authData":{"qq":{"openid":"q1","access_token":"t2","expires_in":1}}}`} {
		if status, m := f.do("POST", "/1/users", body); status != 200 || m["objectId"] != id || m["username"] != "ann" {
			t.Errorf("login by %s: %d %v", body, status, m)
		}
	}
	// Another user cannot take the same weibo account; bad data is refused; a stranger cannot link.
	other, otherTok := f.signUp("bob", "pw")
	f.wantError("PUT", "/1/users/"+other, weibo, 208, "authData error OR authData already linked by other user", session(otherTok)...)
	f.wantError("PUT", "/1/users/"+other, `{"authData":{"weibo":{"uid":"u2"}}}`, 208, "", session(otherTok)...)
	f.wantError("PUT", "/1/users/"+id, `{"authData":{"weibo":{"uid":"u3","access_token":"t","expires_in":1}}}`, 206, "", session(otherTok)...)
}
