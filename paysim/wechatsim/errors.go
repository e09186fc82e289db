package wechatsim

import (
	"fmt"
	"net/http"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// apiError is an error as WeChat Pay v3 answers it: an HTTP status and the JSON
// body {"code","message"[,"detail"]}. kind (provider.ErrNoTrade,
// provider.ErrBadState or nil) lets triggers report it in the contract's terms.
type apiError struct {
	status  int
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Detail  *errorDetail `json:"detail,omitempty"`
	kind    error
}

// errorDetail is the optional detail WeChat adds to parameter and signature errors.
type errorDetail struct {
	Field    string `json:"field,omitempty"`
	Value    string `json:"value,omitempty"`
	Issue    string `json:"issue,omitempty"`
	Location string `json:"location,omitempty"`
}

func (e *apiError) Error() string {
	s := fmt.Sprintf("wechat pay: %d %s: %s", e.status, e.Code, e.Message)
	if e.Detail != nil && e.Detail.Issue != "" {
		s += " (" + e.Detail.Issue + ")"
	}
	return s
}

func (e *apiError) Unwrap() error { return e.kind }

// paramError is a 400 PARAM_ERROR about one field of the body.
func paramError(field, issue string) *apiError {
	return &apiError{
		status:  http.StatusBadRequest,
		Code:    "PARAM_ERROR",
		Message: "参数错误：" + field + " " + issue,
		Detail:  &errorDetail{Field: field, Location: "body", Issue: issue},
	}
}

// invalidRequest is a 400 INVALID_REQUEST with WeChat's message.
func invalidRequest(msg string, kind error) *apiError {
	return &apiError{status: http.StatusBadRequest, Code: "INVALID_REQUEST", Message: msg, kind: kind}
}

// signError is a 401 SIGN_ERROR; issue says what exactly did not match.
func signError(field, issue string) *apiError {
	return &apiError{
		status:  http.StatusUnauthorized,
		Code:    "SIGN_ERROR",
		Message: "签名错误，请检查后再试",
		Detail:  &errorDetail{Field: field, Location: "authorization", Issue: issue},
	}
}

var (
	errOrderNotExist = &apiError{status: http.StatusNotFound, Code: "ORDER_NOT_EXIST",
		Message: "订单不存在", kind: provider.ErrNoTrade}
	errRefundTradeNotExist = &apiError{status: http.StatusNotFound, Code: "RESOURCE_NOT_EXISTS",
		Message: "订单不存在", kind: provider.ErrNoTrade}
	errRefundNotExist = &apiError{status: http.StatusNotFound, Code: "RESOURCE_NOT_EXISTS",
		Message: "退款单不存在", kind: provider.ErrNoTrade}
	errOrderPaid = &apiError{status: http.StatusBadRequest, Code: "ORDERPAID",
		Message: "该订单已支付", kind: provider.ErrBadState}
	errOrderClosed = &apiError{status: http.StatusBadRequest, Code: "ORDER_CLOSED",
		Message: "订单已关闭", kind: provider.ErrBadState}
	errNotFound = &apiError{status: http.StatusNotFound, Code: "NOT_FOUND",
		Message: "请求的资源不存在"}
)
