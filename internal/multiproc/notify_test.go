package multiproc

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/internal/pgtest"
	"github.com/bmobemu/bmobemu/paysim"
)

// notifyCounter records every notify it is given as a Seen row (so the test
// counts what the function saw) and answers Alipay's "success", except the
// first notify of a RETRY-… trade, which it refuses so Alipay retries.
const notifyCounter = `function onRequest(request, response, modules) {
  var db = modules.oData;
  var no = String(request.body.out_trade_no);
  db.find({ table: 'Seen', where: { no: no } }, function (err, data) {
    var before = err ? 0 : JSON.parse(data).results.length;
    db.insert({ table: 'Seen', data: { no: no, n: before + 1 } }, function () {
      response.end(no.indexOf('RETRY') === 0 && before === 0 ? 'fail' : 'success');
    });
  });
}
`

// seen counts the Seen rows of trade no, through s.
func seen(t *testing.T, s *server, no string) int {
	t.Helper()
	where := url.QueryEscape(fmt.Sprintf(`{"no":%q}`, no))
	code, out, err := call(context.Background(), "GET", s.base+"/1/classes/Seen?count=1&limit=0&where="+where, "")
	if err != nil || code != 200 {
		t.Fatalf("counting Seen rows: %d %v %v", code, out, err)
	}
	n, _ := out["count"].(float64)
	return int(n)
}

// delivery waits until c lists a delivery for trade no that satisfies cond.
func delivery(t *testing.T, c *paysim.Client, no, what string, cond func(paysim.Delivery) bool) paysim.Delivery {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var last []paysim.Delivery
	for time.Now().Before(deadline) {
		ds, err := c.Notifies(context.Background())
		if err == nil {
			last = ds
			for _, d := range ds {
				if d.OutTradeNo == no && cond(d) {
					return d
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no delivery for %s %s through %s; deliveries: %+v", no, what, c.Base, last)
	return paysim.Delivery{}
}

// TestANotifyIsDeliveredOnceAcrossProcesses is issue 16 item 5's "a notify is
// delivered once": two processes on one database, both running their
// delivery loops. A trade paid through a has its notify delivered exactly once
// (and b lists it); a notify whose retry a had scheduled when it was killed -9
// is retried by b, once.
func TestANotifyIsDeliveredOnceAcrossProcesses(t *testing.T) {
	db := pgtest.DSN(t)
	dir := t.TempDir()
	bin := binary(t)
	fns := functionsDir(t, dir, map[string]string{"payNotify.js": notifyCounter})
	t0 := time.Now()
	defer func() { t.Logf("took %v after the build", time.Since(t0)) }()
	state := filepath.Join(dir, "state")
	a := start(t, bin, db, state, fns, "--sandbox=on")
	b := start(t, bin, db, state, fns, "--sandbox=on")
	ca, cb := &paysim.Client{Base: a.base}, &paysim.Client{Base: b.base}
	ctx := context.Background()
	pay := func(no string) {
		t.Helper()
		_, err := ca.Pay(ctx, paysim.TriggerRequest{Provider: "alipay", OutTradeNo: no, Amount: "0.01",
			NotifyURL: "https://merchant.example/fn/payNotify", Subject: "multiproc"})
		if err != nil {
			t.Fatalf("paying %s through a: %v", no, err)
		}
	}

	t.Logf("both serving after %v", time.Since(t0))
	// Both running: delivered once, and b lists a's delivery as acknowledged.
	pay("ONCE-1")
	d := delivery(t, cb, "ONCE-1", "acknowledged", func(d paysim.Delivery) bool { return d.State == paysim.StateAcknowledged })
	if len(d.Attempts) != 1 {
		t.Fatalf("ONCE-1 took %d attempts: %+v", len(d.Attempts), d.Attempts)
	}

	t.Logf("ONCE-1 acknowledged after %v", time.Since(t0))
	// The trades are shared: a trade paid through a is refunded through b's
	// trigger, a second refund through a is refused, and both list it refunded.
	pay("SHARED-1")
	refund := paysim.TriggerRequest{Provider: "alipay", OutTradeNo: "SHARED-1", Amount: "0.01"}
	if r, err := cb.Refund(ctx, refund); err != nil || r.Trade.RefundedFen != 1 {
		t.Fatalf("refunding SHARED-1 through b: %+v %v", r, err)
	}
	if r, err := ca.Refund(ctx, refund); err == nil {
		t.Fatalf("SHARED-1 refunded twice, the second time through a: %+v", r)
	}
	for _, c := range []*paysim.Client{ca, cb} {
		trades, err := c.Trades(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var refunded int64 = -1
		for _, tr := range trades {
			if tr.OutTradeNo == "SHARED-1" {
				refunded = tr.RefundedFen
			}
		}
		if refunded != 1 {
			t.Fatalf("%s lists SHARED-1 refunded %d fen (-1: not listed), want 1", c.Base, refunded)
		}
	}
	delivery(t, ca, "SHARED-1", "refund notified", func(d paysim.Delivery) bool {
		return d.Event == "refund" && d.State == paysim.StateAcknowledged
	})
	// a makes the first attempt (refused), schedules the retry, and is killed.
	pay("RETRY-1")
	delivery(t, ca, "RETRY-1", "refused once", func(d paysim.Delivery) bool {
		return d.State == paysim.StateRetrying && len(d.Attempts) == 1
	})
	_ = a.cmd.Process.Signal(syscall.SIGKILL)
	<-a.done
	d = delivery(t, cb, "RETRY-1", "retried by b", func(d paysim.Delivery) bool { return d.State == paysim.StateAcknowledged })
	if len(d.Attempts) != 2 {
		t.Fatalf("RETRY-1 took %d attempts: %+v", len(d.Attempts), d.Attempts)
	}

	// Several poll intervals later nothing was delivered again.
	time.Sleep(4 * time.Second)
	if n := seen(t, b, "ONCE-1"); n != 1 {
		t.Fatalf("the function saw ONCE-1's notify %d times, want once", n)
	}
	if n := seen(t, b, "SHARED-1"); n != 2 {
		t.Fatalf("the function saw SHARED-1's notifies %d times, want 2 (the payment, the refund)", n)
	}
	if n := seen(t, b, "RETRY-1"); n != 2 {
		t.Fatalf("the function saw RETRY-1's notify %d times, want 2 (refused, then acknowledged)", n)
	}
}
