package wechatsim

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"time"
)

// prepayRequest is the body of POST /v3/pay/transactions/{app,jsapi,native,h5}.
// Pointers tell a missing field from a zero one.
type prepayRequest struct {
	AppID         string          `json:"appid"`
	MchID         string          `json:"mchid"`
	Description   string          `json:"description"`
	OutTradeNo    string          `json:"out_trade_no"`
	TimeExpire    string          `json:"time_expire,omitempty"`
	Attach        string          `json:"attach,omitempty"`
	NotifyURL     string          `json:"notify_url"`
	GoodsTag      string          `json:"goods_tag,omitempty"`
	SupportFapiao *bool           `json:"support_fapiao,omitempty"`
	Amount        *amountRequest  `json:"amount,omitempty"`
	Payer         *payerJSON      `json:"payer,omitempty"`
	Detail        json.RawMessage `json:"detail,omitempty"`
	SceneInfo     *sceneInfo      `json:"scene_info,omitempty"`
	SettleInfo    json.RawMessage `json:"settle_info,omitempty"`
}

type amountRequest struct {
	Total    *int64 `json:"total,omitempty"`
	Currency string `json:"currency,omitempty"`
}

type sceneInfo struct {
	PayerClientIP string          `json:"payer_client_ip,omitempty"`
	DeviceID      string          `json:"device_id,omitempty"`
	StoreInfo     json.RawMessage `json:"store_info,omitempty"`
	H5Info        *struct {
		Type        string `json:"type,omitempty"`
		AppName     string `json:"app_name,omitempty"`
		AppURL      string `json:"app_url,omitempty"`
		BundleID    string `json:"bundle_id,omitempty"`
		PackageName string `json:"package_name,omitempty"`
	} `json:"h5_info,omitempty"`
}

// outTradeNoPattern is WeChat's rule for out_trade_no: 6–32 of [0-9A-Za-z_-|*].
var outTradeNoPattern = regexp.MustCompile(`^[0-9A-Za-z_\-|*]{6,32}$`)

// parsePrepay reads and validates an order body as WeChat does, returning the
// trade to create (not yet registered).
func (s *Simulator) parsePrepay(kind string, body []byte) (*trade, *apiError) {
	var req prepayRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, paramError("/body", "is not valid JSON for this API: "+err.Error())
	}
	required := []struct{ field, v string }{
		{"/appid", req.AppID}, {"/mchid", req.MchID}, {"/description", req.Description},
		{"/out_trade_no", req.OutTradeNo}, {"/notify_url", req.NotifyURL},
	}
	for _, f := range required {
		if f.v == "" {
			return nil, paramError(f.field, "is required")
		}
	}
	if req.Amount == nil || req.Amount.Total == nil {
		return nil, paramError("/amount/total", "is required")
	}
	if *req.Amount.Total <= 0 {
		return nil, paramError("/amount/total", "must be greater than 0 (fen)")
	}
	currency := req.Amount.Currency
	if currency == "" {
		currency = "CNY"
	}
	if currency != "CNY" {
		return nil, paramError("/amount/currency", "must be CNY")
	}
	if len(req.Description) > 127 {
		return nil, paramError("/description", "is longer than 127 bytes")
	}
	if len(req.Attach) > 128 {
		return nil, paramError("/attach", "is longer than 128 bytes")
	}
	if !outTradeNoPattern.MatchString(req.OutTradeNo) {
		return nil, paramError("/out_trade_no", "must be 6-32 characters of 0-9 A-Z a-z _ - | *")
	}
	if aerr := s.checkNotifyURL(req.NotifyURL); aerr != nil {
		return nil, aerr
	}
	if req.AppID != s.cfg.AppID {
		return nil, &apiError{status: 400, Code: "APPID_MCHID_NOT_MATCH", Message: "appid和mch_id不匹配",
			Detail: &errorDetail{Field: "/appid", Value: req.AppID, Location: "body",
				Issue: fmt.Sprintf("this merchant's appid is %s", s.cfg.AppID)}}
	}
	if req.MchID != s.cfg.MchID {
		return nil, &apiError{status: 400, Code: "MCH_NOT_EXISTS", Message: "商户号不存在",
			Detail: &errorDetail{Field: "/mchid", Value: req.MchID, Location: "body",
				Issue: fmt.Sprintf("the request is signed by merchant %s", s.cfg.MchID)}}
	}
	t := &trade{
		kind: kind, appID: req.AppID, mchID: req.MchID, description: req.Description,
		outTradeNo: req.OutTradeNo, notifyURL: req.NotifyURL, attach: req.Attach,
		total: *req.Amount.Total, currency: currency,
	}
	if req.TimeExpire != "" {
		exp, err := time.Parse(time.RFC3339, req.TimeExpire)
		if err != nil {
			return nil, paramError("/time_expire", "must be RFC 3339, e.g. 2018-06-08T10:34:56+08:00")
		}
		if !exp.After(s.cfg.Clock.Now()) {
			return nil, paramError("/time_expire", "is not in the future")
		}
		t.timeExpire = exp
	}
	switch kind {
	case "jsapi":
		if req.Payer == nil || req.Payer.OpenID == "" {
			return nil, paramError("/payer/openid", "is required")
		}
		t.openID = req.Payer.OpenID
	case "h5":
		if req.SceneInfo == nil || req.SceneInfo.PayerClientIP == "" {
			return nil, paramError("/scene_info/payer_client_ip", "is required")
		}
		if req.SceneInfo.H5Info == nil || req.SceneInfo.H5Info.Type == "" {
			return nil, paramError("/scene_info/h5_info/type", "is required")
		}
	}
	// A repeat may change only the buyer's IP; anything else is a new order.
	if req.SceneInfo != nil {
		req.SceneInfo.PayerClientIP = ""
	}
	t.fingerprint = kind + " " + string(marshal(req))
	return t, nil
}

// checkNotifyURL accepts an absolute http(s) URL and warns where WeChat is
// stricter (https only, no query string).
func (s *Simulator) checkNotifyURL(raw string) *apiError {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return paramError("/notify_url", "must be an absolute http(s) URL")
	}
	if len(raw) > 255 {
		return paramError("/notify_url", "is longer than 255 characters")
	}
	if u.Scheme != "https" {
		s.cfg.Warn(fmt.Sprintf("wechat: notify_url %s is http; real WeChat Pay requires an https notify_url "+
			"on the public internet", raw))
	}
	if u.RawQuery != "" {
		s.cfg.Warn(fmt.Sprintf("wechat: notify_url %s carries a query string; real WeChat Pay refuses that", raw))
	}
	return nil
}
