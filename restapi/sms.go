package restapi

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/store"
)

// SMS is emulated offline. A requested code is never sent: it is written to
// the log (WithLog) and kept in the class _SmsCode (readable with the master
// key only, as {mobilePhoneNumber, smsCode, smsId, template, expiresAt,
// used}), then verified as Bmob documents it: six digits, tied to the number,
// valid for SMSCodeTTL (Bmob's default template says %ttl% minutes, 10), and
// gone once a verification, a mobile login or a reset has used it. A wrong,
// used or expired code is 207 "code error:<code>.". Bmob's sending limits
// (10010) and templates (10022) are not emulated: any template name is taken.
//
//	POST /1/requestSmsCode {mobilePhoneNumber[, template]}  -> {"smsId":N}
//	POST /1/verifySmsCode/<code> {mobilePhoneNumber}       -> {"msg":"ok"} (hydrogen-js-sdk)
//	POST /1/verifySmsCode {mobilePhoneNumber, smsCode}     -> {"msg":"ok"} (REST doc)
//	PUT  /1/resetPasswordBySmsCode/<code> {password}       -> {"msg":"ok"}

// SMSCodeTTL is how long a requested code stays valid.
const SMSCodeTTL = 10 * time.Minute

// smsClass holds the requested codes.
const smsClass = "_SmsCode"

// mobileNumber is what Bmob accepts as a mobile number: 11 digits (its SDK
// docs quote 301 "手机号码必须是11位的数字").
var mobileNumber = regexp.MustCompile(`^1[0-9]{10}$`)

// WithLog sets where the API writes what it would have sent (SMS codes) or
// delivered (WeChat notifications); nil discards it.
func WithLog(log func(level, line string)) Option { return func(a *API) { a.log = log } }

func (a *API) logf(level, format string, args ...any) {
	if a.log != nil {
		a.log(level, fmt.Sprintf(format, args...))
	}
}

// noteOnce logs a fidelity note the first time an emulated endpoint is used.
func (a *API) noteOnce(endpoint, what string) {
	if _, seen := a.noted.LoadOrStore(endpoint, true); !seen {
		a.logf("note", "fidelity note: %s %s", endpoint, what)
	}
}

func (a *API) smsRoutes() []route {
	h := a.handlerOf
	return []route{
		{http.MethodPost, "/1/requestSmsCode", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.requestSMSCode(ctx, req))
		})},
		{http.MethodPost, "/1/verifySmsCode/:code", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			data, err := jsonBody(req)
			if err != nil {
				return answer{}, err
			}
			phone, _ := data["mobilePhoneNumber"].(string)
			return ok(msgOK(), a.useSMSCode(ctx, phone, p["code"]))
		})},
		{http.MethodPost, "/1/verifySmsCode", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			data, err := jsonBody(req)
			if err != nil {
				return answer{}, err
			}
			phone, _ := data["mobilePhoneNumber"].(string)
			code, _ := data["smsCode"].(string)
			if code == "" {
				return answer{}, store.Errorf(20029, "Invalid sms code, the format can't be empty or null")
			}
			return ok(msgOK(), a.useSMSCode(ctx, phone, code))
		})},
		{http.MethodPut, "/1/resetPasswordBySmsCode/:code", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			return ok(a.resetPasswordBySMS(ctx, p["code"], req))
		})},
	}
}

func checkMobile(phone string) error {
	if phone == "" {
		return store.Errorf(20028, "Invalid mobile phone number, the format can't be empty or null")
	}
	if !mobileNumber.MatchString(phone) {
		return store.Errorf(301, "手机号码必须是11位的数字")
	}
	return nil
}

func (a *API) requestSMSCode(ctx context.Context, req Request) (any, error) {
	data, err := jsonBody(req)
	if err != nil {
		return nil, err
	}
	phone, _ := data["mobilePhoneNumber"].(string)
	if err := checkMobile(phone); err != nil {
		return nil, err
	}
	template, _ := data["template"].(string)
	code, err := randomDigits(6)
	if err != nil {
		return nil, fmt.Errorf("sms code: %w", err)
	}
	id, err := randomDigits(8)
	if err != nil {
		return nil, fmt.Errorf("sms id: %w", err)
	}
	smsID := 0
	_, _ = fmt.Sscan(id, &smsID)
	smsID += 10_000_000 // eight digits, never a leading zero
	expires := a.store.Now().Add(SMSCodeTTL)
	if _, err := a.store.Create(ctx, smsClass, map[string]any{
		"mobilePhoneNumber": phone, "smsCode": code, "smsId": smsID, "template": template, "used": false,
		"expiresAt": map[string]any{"__type": "Date", "iso": bjtime.Format(expires)},
		"ACL":       map[string]any{},
	}); err != nil {
		return nil, err
	}
	a.logf("info", "SMS to %s (not sent, bmobemu emulates SMS): 您的验证码是%s，有效期为%d分钟。 smsId %d", phone, code, int(SMSCodeTTL/time.Minute), smsID)
	return map[string]any{"smsId": smsID}, nil
}

// findSMSCode finds the live (unused, unexpired) row of code, for phone when
// phone is given.
func (a *API) findSMSCode(ctx context.Context, phone, code string) (id, foundPhone string, err error) {
	where := map[string]any{"smsCode": code, "used": false}
	if phone != "" {
		where["mobilePhoneNumber"] = phone
	}
	res, err := a.store.Find(ctx, smsClass, store.Query{Where: where, Limit: store.MaxLimit, Order: []string{"-createdAt"}})
	if err != nil {
		return "", "", err
	}
	now := a.store.Now()
	for _, row := range res.Results {
		exp, _ := row["expiresAt"].(map[string]any)
		iso, _ := exp["iso"].(string)
		if t, perr := bjtime.Parse(iso); perr != nil || !now.Before(t) {
			continue
		}
		id, _ := row["objectId"].(string)
		p, _ := row["mobilePhoneNumber"].(string)
		return id, p, nil
	}
	return "", "", store.Errorf(207, "code error:%s.", code)
}

// useSMSCode verifies code for phone and uses it up.
func (a *API) useSMSCode(ctx context.Context, phone, code string) error {
	if err := checkMobile(phone); err != nil {
		return err
	}
	id, _, err := a.findSMSCode(ctx, phone, code)
	if err != nil {
		return err
	}
	_, err = a.store.Update(ctx, smsClass, id, map[string]any{"used": true})
	return err
}

// resetPasswordBySMS sets the password of the user whose mobile number the
// code was sent to (the request names no number: the code does).
func (a *API) resetPasswordBySMS(ctx context.Context, code string, req Request) (any, error) {
	data, err := jsonBody(req)
	if err != nil {
		return nil, err
	}
	pw, _ := data["password"].(string)
	if pw == "" {
		return nil, store.Errorf(118, "param %s is need.", "password")
	}
	id, phone, err := a.findSMSCode(ctx, "", code)
	if err != nil {
		return nil, err
	}
	userID, found, err := a.store.Lookup(ctx, "_User", "mobilePhoneNumber", phone)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, store.Errorf(205, "no user found with mobilePhoneNumber '%s'.", phone)
	}
	if _, err := a.store.Update(ctx, smsClass, id, map[string]any{"used": true}); err != nil {
		return nil, err
	}
	if _, err := a.store.Update(ctx, "_User", userID, map[string]any{"password": pw}); err != nil {
		return nil, err
	}
	return msgOK(), nil
}

// randomDigits is n random decimal digits.
func randomDigits(n int) (string, error) {
	out := make([]byte, n)
	for i := range out {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "", err
		}
		out[i] = byte('0' + d.Int64())
	}
	return string(out), nil
}
