package wechatsim

import (
	"time"

	"github.com/bmobemu/bmobemu/paysim/provider"
)

// retries is WeChat Pay's notify retry schedule after the first attempt.
var retries = []time.Duration{
	15 * time.Second, 15 * time.Second, 30 * time.Second, 3 * time.Minute, 10 * time.Minute, 20 * time.Minute,
	30 * time.Minute, 30 * time.Minute, 30 * time.Minute, 60 * time.Minute, 3 * time.Hour, 3 * time.Hour,
	3 * time.Hour, 6 * time.Hour, 6 * time.Hour,
}

// NotifyPolicy is WeChat Pay's: HTTP 200 or 204 acknowledges (the body is not
// read); anything else is retried after 15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m,
// 30m, 60m, 3h, 3h, 3h, 6h and 6h.
func NotifyPolicy() provider.NotifyPolicy {
	return provider.NotifyPolicy{
		Retries: append([]time.Duration(nil), retries...),
		Acked:   func(status int, _ []byte) bool { return status == 200 || status == 204 },
		Rule:    "HTTP 200 or 204",
	}
}

// NotifyPolicy implements provider.Provider.
func (s *Simulator) NotifyPolicy() provider.NotifyPolicy { return NotifyPolicy() }
