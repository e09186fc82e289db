package sandbox

import (
	"time"

	"github.com/bmobemu/bmobemu/sandbox/provider"
)

// policy is how a provider judges a notify's answer and when it retries.
type policy struct {
	retries []time.Duration // delays before the 2nd, 3rd, … attempt
	acked   func(status int, body []byte) bool
	rule    string // the judgement in words, for records
}

// alipayRetries is Alipay's notify retry schedule (after the first attempt).
var alipayRetries = []time.Duration{
	4 * time.Minute, 10 * time.Minute, 10 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 15 * time.Hour,
}

// wechatRetries is WeChat Pay's notify retry schedule (after the first attempt).
var wechatRetries = []time.Duration{
	15 * time.Second, 15 * time.Second, 30 * time.Second, 3 * time.Minute, 10 * time.Minute, 20 * time.Minute,
	30 * time.Minute, 30 * time.Minute, 30 * time.Minute, 60 * time.Minute, 3 * time.Hour, 3 * time.Hour,
	3 * time.Hour, 6 * time.Hour, 6 * time.Hour,
}

// policyFor is the provider's policy. A provider the sandbox does not know is
// judged by HTTP status (2xx) and not retried.
func policyFor(name string) policy {
	switch name {
	case provider.Alipay:
		// Alipay wants the text `success` and nothing else (not even a newline);
		// anything else, or a non-200 status, is a failure and retried.
		return policy{retries: alipayRetries, rule: `HTTP 200 with body exactly "success"`,
			acked: func(status int, body []byte) bool { return status == 200 && string(body) == "success" }}
	case provider.Wechat:
		return policy{retries: wechatRetries, rule: "HTTP 200 or 204",
			acked: func(status int, _ []byte) bool { return status == 200 || status == 204 }}
	}
	return policy{rule: "HTTP 2xx, no retries",
		acked: func(status int, _ []byte) bool { return status >= 200 && status < 300 }}
}

// RetrySchedule is the provider's notify retry delays after a failed first
// attempt, unscaled: Alipay 4m,10m,10m,1h,2h,6h,15h; WeChat 15s,15s,30s,3m,10m,
// 20m,30m,30m,30m,60m,3h,3h,3h,6h,6h; none for other providers.
func RetrySchedule(providerName string) []time.Duration {
	return append([]time.Duration(nil), policyFor(providerName).retries...)
}
