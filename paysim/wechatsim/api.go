package wechatsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxBody bounds a request body; WeChat's own requests are a few KB.
const maxBody = 1 << 20

// ServeHTTP answers WeChat Pay v3 under /v3/ and the buyer's pages (see
// pages.go). Paths are the real ones; the sandbox may mount the handler under a
// prefix it strips.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/v3/") {
		s.serveAPI(w, r)
		return
	}
	s.servePage(w, r)
}

// apiHandler answers one authenticated API call with a status and a JSON value
// (nil: no body).
type apiHandler func(r *http.Request, body []byte, args []string) (int, any, *apiError)

// route picks the handler for method and path; args are the path parameters.
func (s *Simulator) route(method, path string) (apiHandler, []string) {
	const (
		txns    = "/v3/pay/transactions/"
		byOut   = txns + "out-trade-no/"
		byID    = txns + "id/"
		refunds = "/v3/refund/domestic/refunds"
	)
	switch {
	case method == http.MethodPost && strings.HasPrefix(path, byOut) && strings.HasSuffix(path, "/close"):
		no := strings.TrimSuffix(strings.TrimPrefix(path, byOut), "/close")
		if no != "" && !strings.Contains(no, "/") {
			return s.handleClose, []string{no}
		}
	case method == http.MethodGet && strings.HasPrefix(path, byOut):
		if no := strings.TrimPrefix(path, byOut); no != "" && !strings.Contains(no, "/") {
			return s.handleQueryByOutTradeNo, []string{no}
		}
	case method == http.MethodGet && strings.HasPrefix(path, byID):
		if id := strings.TrimPrefix(path, byID); id != "" && !strings.Contains(id, "/") {
			return s.handleQueryByID, []string{id}
		}
	case method == http.MethodPost && strings.HasPrefix(path, txns):
		if kind := strings.TrimPrefix(path, txns); tradeTypes[kind] != "" {
			return s.handlePrepay, []string{kind}
		}
	case method == http.MethodPost && path == refunds:
		return s.handleRefund, nil
	case method == http.MethodGet && strings.HasPrefix(path, refunds+"/"):
		if no := strings.TrimPrefix(path, refunds+"/"); no != "" && !strings.Contains(no, "/") {
			return s.handleQueryRefund, []string{no}
		}
	case method == http.MethodGet && path == "/v3/certificates":
		return s.handleCertificates, nil
	}
	return nil, nil
}

// serveAPI authenticates a call, runs its handler and signs the answer.
func (s *Simulator) serveAPI(w http.ResponseWriter, r *http.Request) {
	h, args := s.route(r.Method, r.URL.Path)
	if h == nil {
		s.writeError(w, errNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		s.writeError(w, invalidRequest("读取请求体失败："+err.Error(), nil))
		return
	}
	if len(body) > maxBody {
		s.writeError(w, invalidRequest(fmt.Sprintf("请求体超过 %d 字节", maxBody), nil))
		return
	}
	if aerr := s.verifyRequest(r, body); aerr != nil {
		s.writeError(w, aerr)
		return
	}
	s.warnHeaders(r)
	status, v, aerr := h(r, body, args)
	if aerr != nil {
		s.writeError(w, aerr)
		return
	}
	var out []byte
	if v != nil {
		out = marshal(v)
	}
	s.reply(w, status, out)
}

// warnHeaders reports headers real WeChat insists on and this simulator does not.
func (s *Simulator) warnHeaders(r *http.Request) {
	var missing []string
	for _, h := range []string{"Accept", "User-Agent"} {
		if r.Header.Get(h) == "" {
			missing = append(missing, h)
		}
	}
	if len(missing) > 0 {
		s.cfg.Warn(fmt.Sprintf("wechat: %s %s has no %s header; real WeChat Pay answers 400 "+
			`{"code":"INVALID_REQUEST","message":"Http头缺少Accept或User-Agent"}`,
			r.Method, r.URL.Path, strings.Join(missing, " or ")))
	}
	if r.Method == http.MethodPost {
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			s.cfg.Warn(fmt.Sprintf("wechat: %s %s has Content-Type %q; real WeChat Pay expects application/json",
				r.Method, r.URL.Path, ct))
		}
	}
}

// reply writes a signed answer; an empty body goes out without Content-Type.
func (s *Simulator) reply(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	if id, err := s.nonce(32); err == nil {
		h.Set("Request-Id", id)
	}
	if err := s.signedHeaders(h, body); err != nil {
		s.cfg.Warn(err.Error())
	}
	if len(body) > 0 {
		h.Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	if len(body) > 0 {
		_, _ = w.Write(body)
	}
}

// writeError answers with WeChat's error JSON, signed like any answer.
func (s *Simulator) writeError(w http.ResponseWriter, e *apiError) {
	s.reply(w, e.status, marshal(e))
}

// checkMchIDQuery checks the ?mchid= every order query carries.
func (s *Simulator) checkMchIDQuery(r *http.Request) *apiError {
	m := r.URL.Query().Get("mchid")
	if m == "" {
		return &apiError{status: http.StatusBadRequest, Code: "PARAM_ERROR", Message: "参数错误：缺少 mchid",
			Detail: &errorDetail{Field: "mchid", Location: "query", Issue: "is required"}}
	}
	if m != s.cfg.MchID {
		return &apiError{status: http.StatusBadRequest, Code: "PARAM_ERROR", Message: "参数错误：mchid 与签名商户号不一致",
			Detail: &errorDetail{Field: "mchid", Value: m, Location: "query",
				Issue: fmt.Sprintf("the request is signed by merchant %s", s.cfg.MchID)}}
	}
	return nil
}

// handlePrepay creates an order (or repeats an identical one) and answers its
// prepay_id, code_url or h5_url.
func (s *Simulator) handlePrepay(_ *http.Request, body []byte, args []string) (int, any, *apiError) {
	kind := args[0]
	t, aerr := s.parsePrepay(kind, body)
	if aerr != nil {
		return 0, nil, aerr
	}
	s.mu.Lock()
	prev := s.lookupLocked(t.outTradeNo)
	switch {
	case prev == nil:
		t = s.addTradeLocked(t)
	case prev.fingerprint != t.fingerprint:
		s.mu.Unlock()
		return 0, nil, invalidRequest("201 商户订单号重复", nil)
	case prev.state == stateClosed:
		s.mu.Unlock()
		return 0, nil, errOrderClosed
	case prev.state != stateNotPay:
		s.mu.Unlock()
		return 0, nil, errOrderPaid
	default:
		t = prev // the same order again: WeChat answers the same prepay_id
	}
	prepayID := t.prepayID
	s.mu.Unlock()

	switch kind {
	case "native":
		return http.StatusOK, map[string]string{"code_url": s.codeURL(prepayID)}, nil
	case "h5":
		return http.StatusOK, map[string]string{"h5_url": s.h5URL(prepayID)}, nil
	default:
		return http.StatusOK, map[string]string{"prepay_id": prepayID}, nil
	}
}

func (s *Simulator) handleQueryByOutTradeNo(r *http.Request, _ []byte, args []string) (int, any, *apiError) {
	if aerr := s.checkMchIDQuery(r); aerr != nil {
		return 0, nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.lookupLocked(args[0])
	if t == nil {
		return 0, nil, errOrderNotExist
	}
	return http.StatusOK, transactionOf(t), nil
}

func (s *Simulator) handleQueryByID(r *http.Request, _ []byte, args []string) (int, any, *apiError) {
	if aerr := s.checkMchIDQuery(r); aerr != nil {
		return 0, nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.byTxn[args[0]]
	if t == nil {
		return 0, nil, errOrderNotExist
	}
	return http.StatusOK, transactionOf(t), nil
}

func (s *Simulator) handleClose(_ *http.Request, body []byte, args []string) (int, any, *apiError) {
	var req struct {
		MchID string `json:"mchid"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return 0, nil, paramError("/body", "is not valid JSON: "+err.Error())
	}
	if req.MchID == "" {
		return 0, nil, paramError("/mchid", "is required")
	}
	if req.MchID != s.cfg.MchID {
		return 0, nil, paramError("/mchid", "is not the merchant that signed the request")
	}
	if _, aerr := s.close(args[0]); aerr != nil {
		return 0, nil, aerr
	}
	return http.StatusNoContent, nil, nil
}

// refundRequest is the body of POST /v3/refund/domestic/refunds.
type refundRequest struct {
	TransactionID string `json:"transaction_id"`
	OutTradeNo    string `json:"out_trade_no"`
	OutRefundNo   string `json:"out_refund_no"`
	Reason        string `json:"reason"`
	NotifyURL     string `json:"notify_url"`
	Amount        *struct {
		Refund   *int64 `json:"refund"`
		Total    *int64 `json:"total"`
		Currency string `json:"currency"`
	} `json:"amount"`
}

func (s *Simulator) handleRefund(_ *http.Request, body []byte, _ []string) (int, any, *apiError) {
	var req refundRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return 0, nil, paramError("/body", "is not valid JSON for this API: "+err.Error())
	}
	switch {
	case req.TransactionID == "" && req.OutTradeNo == "":
		return 0, nil, paramError("/out_trade_no", "or /transaction_id is required")
	case req.OutRefundNo == "":
		return 0, nil, paramError("/out_refund_no", "is required")
	case len(req.OutRefundNo) > 64:
		return 0, nil, paramError("/out_refund_no", "is longer than 64 characters")
	case req.Amount == nil || req.Amount.Refund == nil:
		return 0, nil, paramError("/amount/refund", "is required")
	case req.Amount.Total == nil:
		return 0, nil, paramError("/amount/total", "is required")
	case req.Amount.Currency == "":
		return 0, nil, paramError("/amount/currency", "is required")
	case req.Amount.Currency != "CNY":
		return 0, nil, paramError("/amount/currency", "must be CNY")
	case *req.Amount.Refund <= 0:
		return 0, nil, paramError("/amount/refund", "must be greater than 0 (fen)")
	}
	if req.NotifyURL != "" {
		if aerr := s.checkNotifyURL(req.NotifyURL); aerr != nil {
			return 0, nil, aerr
		}
	} else {
		s.cfg.Warn("wechat: refund " + req.OutRefundNo + " has no notify_url; real WeChat Pay notifies the " +
			"refund URL configured on the merchant platform, the sandbox uses the order's notify_url")
	}
	rf, _, aerr := s.refund(refundInput{
		outTradeNo: req.OutTradeNo, transactionID: req.TransactionID, outRefundNo: req.OutRefundNo,
		reason: req.Reason, notifyURL: req.NotifyURL, fen: *req.Amount.Refund, total: *req.Amount.Total,
	})
	if aerr != nil {
		return 0, nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return http.StatusOK, refundOf(rf, true), nil
}

func (s *Simulator) handleQueryRefund(_ *http.Request, _ []byte, args []string) (int, any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rf := s.refunds[args[0]]
	if rf == nil {
		return 0, nil, errRefundNotExist
	}
	return http.StatusOK, refundOf(rf, false), nil
}

// certificateJSON is one entry of GET /v3/certificates.
type certificateJSON struct {
	SerialNo           string            `json:"serial_no"`
	EffectiveTime      string            `json:"effective_time"`
	ExpireTime         string            `json:"expire_time"`
	EncryptCertificate encryptedCertJSON `json:"encrypt_certificate"`
}

type encryptedCertJSON struct {
	Algorithm      string `json:"algorithm"`
	Nonce          string `json:"nonce"`
	AssociatedData string `json:"associated_data"`
	Ciphertext     string `json:"ciphertext"`
}

// handleCertificates answers the platform certificate encrypted with the APIv3
// key, as WeChat does.
func (s *Simulator) handleCertificates(_ *http.Request, _ []byte, _ []string) (int, any, *apiError) {
	res, err := s.encrypt(s.cfg.PlatformCertPEM, "certificate")
	if err != nil {
		return 0, nil, &apiError{status: http.StatusInternalServerError, Code: "SYSTEM_ERROR", Message: err.Error()}
	}
	return http.StatusOK, map[string][]certificateJSON{"data": {{
		SerialNo:      s.cfg.PlatformSerial,
		EffectiveTime: wechatTime(s.cert.NotBefore),
		ExpireTime:    wechatTime(s.cert.NotAfter),
		EncryptCertificate: encryptedCertJSON{
			Algorithm: res.Algorithm, Nonce: res.Nonce, AssociatedData: res.AssociatedData, Ciphertext: res.Ciphertext,
		},
	}}}, nil
}

// errorsAs is errors.As for *apiError.
func errorsAs(err error) (*apiError, bool) {
	var aerr *apiError
	ok := errors.As(err, &aerr)
	return aerr, ok
}

// SignedAPIPath implements provider.SignedAPI: every /v3/ call carries the
// merchant's Authorization signature; the pay pages are the buyer's.
func (s *Simulator) SignedAPIPath(path string) bool {
	return strings.HasPrefix(path, "/v3/")
}
