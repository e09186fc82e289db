package alipaysim

import (
	"github.com/bmobemu/bmobemu/paysim/provider"
)

// Error is an answer Alipay's gateway gives instead of success: the public
// error codes (40001 missing, 40002 invalid arguments) and the business ones
// (40004 with an ACQ.* sub_code), with Alipay's own texts.
type Error struct {
	Code    string // "40001", "40002", "40004"
	Msg     string // "Missing Required Arguments", "Invalid Arguments", "Business Failed"
	SubCode string // e.g. "isv.invalid-signature", "ACQ.TRADE_NOT_EXIST"
	SubMsg  string // Alipay's Chinese explanation

	// top puts the error under error_response: the gateway did not get as far
	// as knowing which method's response this is.
	top bool
	// unsigned leaves the response without a sign (Alipay cannot sign for an
	// app it does not know).
	unsigned bool
}

// Error implements error.
func (e *Error) Error() string {
	return "alipay " + e.Code + " " + e.Msg + ": " + e.SubCode + " " + e.SubMsg
}

// Unwrap lets triggers' callers test with errors.Is(err, provider.ErrNoTrade)
// and provider.ErrBadState.
func (e *Error) Unwrap() error {
	switch e.SubCode {
	case subTradeNotExist:
		return provider.ErrNoTrade
	case subStatusError, subHasSuccess, subHasClose, subHasFinished, subRefundTooMuch, subInconsistent:
		return provider.ErrBadState
	}
	return nil
}

// fields is the error as the body of a response.
func (e *Error) fields() obj {
	return obj{{"code", e.Code}, {"msg", e.Msg}, {"sub_code", e.SubCode}, {"sub_msg", e.SubMsg}}
}

func missing(sub, msg string) *Error {
	return &Error{Code: "40001", Msg: "Missing Required Arguments", SubCode: sub, SubMsg: msg}
}

func invalid(sub, msg string) *Error {
	return &Error{Code: "40002", Msg: "Invalid Arguments", SubCode: sub, SubMsg: msg}
}

func business(sub, msg string) *Error {
	return &Error{Code: "40004", Msg: "Business Failed", SubCode: sub, SubMsg: msg}
}

// Business sub_codes the simulator answers.
const (
	subTradeNotExist = "ACQ.TRADE_NOT_EXIST"
	subStatusError   = "ACQ.TRADE_STATUS_ERROR"
	subHasSuccess    = "ACQ.TRADE_HAS_SUCCESS"
	subHasClose      = "ACQ.TRADE_HAS_CLOSE"
	subHasFinished   = "ACQ.TRADE_HAS_FINISHED"
	subRefundTooMuch = "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
	subInconsistent  = "ACQ.CONTEXT_INCONSISTENT"
	subInvalidParam  = "ACQ.INVALID_PARAMETER"
	subDiscordant    = "ACQ.DISCORDANT_REPEAT_REQUEST"
)

func errTradeNotExist() *Error { return business(subTradeNotExist, "交易不存在") }
func errStatus() *Error        { return business(subStatusError, "交易状态不合法") }
func errHasSuccess() *Error    { return business(subHasSuccess, "交易已被支付") }
func errHasClose() *Error      { return business(subHasClose, "交易已经关闭") }
func errHasFinished() *Error   { return business(subHasFinished, "交易已完结") }
func errRefundTooMuch() *Error { return business(subRefundTooMuch, "退款金额超限") }
func errInconsistent() *Error  { return business(subInconsistent, "交易信息被篡改") }
func errDiscordant() *Error    { return business(subDiscordant, "请求信息不一致") }

// errParam is ACQ.INVALID_PARAMETER; Alipay says only "参数无效", the
// simulator adds which parameter so a reader can fix the call.
func errParam(detail string) *Error { return business(subInvalidParam, "参数无效："+detail) }
