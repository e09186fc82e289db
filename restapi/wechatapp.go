package restapi

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/bmobemu/bmobemu/store"
)

// The WeChat mini-program helpers and the refund call that Bmob's SDKs reach
// through Bmob (which holds the app's WeChat secret) answer sandbox values
// here; nothing reaches WeChat. Fidelity notes (also in the README):
//
//	POST /1/wechatApp/qr/generatecode {path, width, scene, type}: a real QR
//	  code (PNG) of path (and ?scene=), width pixels (at least 180, default
//	  430). type 1 stores it as a file: {"cdn","filename":"code.png","url"};
//	  type 0 (default) answers {"image":"<base64 PNG>"} (Bmob says only
//	  "base64 data"; WeChat's real code is a mini-program code, not a QR).
//	GET  /1/wechatApp/getAccessToken: {"access_token":"<sandbox token>"}, one
//	  per server run.
//	POST /1/wechatApp/checkMsg {content}: {"msg":"ok"}, except for content that
//	  holds WeChat's own test sample of risky text (sandboxRiskyText), which
//	  gets Bmob's 10007 "CheckMsg errcode:87014, …".
//	POST /1/wechatApp/notifyMsg {touser, template_id, data[, url]}: recorded
//	  in _WechatNotify (master key only) and the log, {"msg":"ok"}.
//	POST /1/pay/refund {order_no, refund_fee[, desc]}: recorded in _PayRefund
//	  (master key only) and the log, {"msg":"ok"}; Bmob refunds an order of its
//	  own payment service, which has no orders here.
//	POST|GET /1/wechatAppv1/<code>: the stand-in of WeChat's jscode2session,
//	  {"openid","session_key","expires_in":7200}; the same code always gives
//	  the same openid, so a test can log the same WeChat user in twice.

// sandboxRiskyText is the sample WeChat's msgSecCheck documentation gives for
// content it flags (errcode 87014).
const sandboxRiskyText = "特3456书yuuo莞6543李zxcz蒜7782法fgnv级"

type sandboxToken struct {
	once  sync.Once
	value string
	err   error
}

func (a *API) wechatAppRoutes() []route {
	h := a.handlerOf
	body := func(fn func(ctx context.Context, req Request, data map[string]any) (any, error)) handler {
		return h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			data, err := jsonBody(req)
			if err != nil {
				return answer{}, err
			}
			return ok(fn(ctx, req, data))
		})
	}
	openID := h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
		a.noteOnce("/1/wechatAppv1", "answers bmobemu's stand-in of WeChat's jscode2session (the same code gives the same openid); Bmob would ask WeChat")
		return ok(weappSession(p["code"]), nil)
	})
	return []route{
		{http.MethodPost, "/1/wechatApp/qr/generatecode", body(a.generateCode)},
		{http.MethodGet, "/1/wechatApp/getAccessToken", h(func(ctx context.Context, c *caller, req Request, p map[string]string) (answer, error) {
			a.noteOnce("/1/wechatApp/getAccessToken", "answers a sandbox token; Bmob would answer the mini-program's real access_token")
			a.token.once.Do(func() { a.token.value, a.token.err = randomHex(32) })
			return ok(map[string]any{"access_token": "sandbox_" + a.token.value}, a.token.err)
		})},
		{http.MethodPost, "/1/wechatApp/checkMsg", body(func(ctx context.Context, req Request, data map[string]any) (any, error) {
			a.noteOnce("/1/wechatApp/checkMsg", "flags only WeChat's risky-text sample; Bmob would ask WeChat's msgSecCheck")
			content, _ := data["content"].(string)
			if content == "" {
				return nil, store.Errorf(107, "content is empty.")
			}
			if strings.Contains(content, sandboxRiskyText) {
				sum := sha256.Sum256([]byte(content))
				return nil, store.Errorf(10007, "CheckMsg errcode:87014, err:risky content hint: [%s]", hex.EncodeToString(sum[:7]))
			}
			return msgOK(), nil
		})},
		{http.MethodPost, "/1/wechatApp/notifyMsg", body(func(ctx context.Context, req Request, data map[string]any) (any, error) {
			return a.record(ctx, "_WechatNotify", data, "WeChat notification (not sent, sandbox)", "touser", "template_id", "data")
		})},
		{http.MethodPost, "/1/pay/refund", body(func(ctx context.Context, req Request, data map[string]any) (any, error) {
			if fee, isNumber := data["refund_fee"].(float64); data["refund_fee"] != nil && (!isNumber || fee <= 0) {
				return nil, store.Errorf(10003, "refund_fee must be a number above 0")
			}
			return a.record(ctx, "_PayRefund", data, "refund (not sent, sandbox: no Bmob payment orders offline)", "order_no", "refund_fee")
		})},
		{http.MethodPost, "/1/wechatAppv1/:code", openID},
		{http.MethodGet, "/1/wechatAppv1/:code", openID},
	}
}

// record keeps a request in class (master key only) after checking its
// required fields (10001 "<field> required."), and logs it.
func (a *API) record(ctx context.Context, class string, data map[string]any, what string, required ...string) (any, error) {
	for _, f := range required {
		if v, ok := data[f]; !ok || v == nil || v == "" {
			return nil, store.Errorf(10001, "%s required.", f)
		}
	}
	row := withoutKeys(data, "ACL")
	row["ACL"] = map[string]any{}
	if _, err := a.store.Create(ctx, class, row); err != nil {
		return nil, err
	}
	text, _ := Encode(data)
	a.logf("info", "%s, kept in %s: %s", what, class, text)
	return msgOK(), nil
}

func (a *API) generateCode(ctx context.Context, req Request, data map[string]any) (any, error) {
	a.noteOnce("/1/wechatApp/qr/generatecode", "makes a plain QR code of the path; Bmob would answer WeChat's mini-program code")
	path, _ := data["path"].(string)
	if path == "" {
		return nil, store.Errorf(10001, "%s required.", "path")
	}
	width := 430
	if w, ok := data["width"].(float64); ok {
		width = int(w)
	}
	if width < 180 || width > 1280 {
		return nil, store.Errorf(10003, "width must be between 180 and 1280, got %d", width)
	}
	text := path
	if scene, ok := data["scene"]; ok && scene != nil && scene != "" {
		text += "?scene=" + fmt.Sprint(scene)
	}
	png, err := qrcode.Encode(text, qrcode.Medium, width)
	if err != nil {
		return nil, fmt.Errorf("generatecode: %w", err)
	}
	if t, _ := data["type"].(float64); t == 1 {
		url, err := a.storeFile(req, ".png", png)
		if err != nil {
			return nil, err
		}
		return map[string]any{"cdn": FileCDN, "filename": "code.png", "url": url}, nil
	}
	return map[string]any{"image": base64.StdEncoding.EncodeToString(png)}, nil
}

// weappSession is the stand-in of WeChat's jscode2session for a login code.
func weappSession(code string) map[string]any {
	sum := sha256.Sum256([]byte("openid:" + code))
	key := sha256.Sum256([]byte("session_key:" + code))
	return map[string]any{
		"openid":      "o" + base64.RawURLEncoding.EncodeToString(sum[:])[:27],
		"session_key": base64.StdEncoding.EncodeToString(key[:16]),
		"expires_in":  7200,
	}
}
