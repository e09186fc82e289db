package alipaysim

import (
	"time"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// retries is Alipay's notify retry schedule after the first attempt.
var retries = []time.Duration{
	4 * time.Minute, 10 * time.Minute, 10 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 15 * time.Hour,
}

// NotifyPolicy is Alipay's: the merchant must answer HTTP 200 with the text
// `success` and nothing else (not even a newline); anything else is retried
// after 4m, 10m, 10m, 1h, 2h, 6h and 15h.
func NotifyPolicy() provider.NotifyPolicy {
	return provider.NotifyPolicy{
		Retries: append([]time.Duration(nil), retries...),
		Acked:   func(status int, body []byte) bool { return status == 200 && string(body) == "success" },
		Rule:    `HTTP 200 with body exactly "success"`,
	}
}

// NotifyPolicy implements provider.Provider.
func (s *Simulator) NotifyPolicy() provider.NotifyPolicy { return NotifyPolicy() }
