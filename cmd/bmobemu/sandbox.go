package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/paysim"
	"github.com/bmobemu/bmobemu/paysim/builtin"
)

// sandboxKeys is `bmobemu sandbox keys`.
func sandboxKeys(_ context.Context, inv invocation) error {
	fs := newFlagSet("sandbox keys")
	db := fs.String("db", defaultDB, "bbolt database file; the keys are kept beside it in <db>.sandbox.json")
	if err := parseFlags(fs, inv.args); err != nil {
		return err
	}
	keys, err := builtin.LoadOrCreateKeys(paysim.KeysFile(*db))
	if err != nil {
		return err
	}
	fmt.Fprintf(inv.stdout, "# kept in %s\n", paysim.KeysFile(*db))
	return keys.WriteConfig(inv.stdout)
}

// sandboxTrades is `bmobemu sandbox trades`.
func sandboxTrades(ctx context.Context, inv invocation) error {
	fs := newFlagSet("sandbox trades")
	newClient := clientFlags(fs)
	if err := parseFlags(fs, inv.args); err != nil {
		return err
	}
	trades, err := newClient().Trades(ctx)
	if err != nil {
		return err
	}
	if len(trades) == 0 {
		fmt.Fprintln(inv.stdout, "no trades yet")
	}
	for _, t := range trades {
		fmt.Fprintf(inv.stdout, "%-7s %-28s %-15s %8s yuan  refunded %s  %s\n", t.Provider, t.OutTradeNo, t.Status,
			paysim.FormatYuan(t.TotalFen), paysim.FormatYuan(t.RefundedFen), t.NotifyURL)
	}
	return nil
}

// sandboxNotifies is `bmobemu sandbox notifies [--replay ID]`.
func sandboxNotifies(ctx context.Context, inv invocation) error {
	fs := newFlagSet("sandbox notifies")
	newClient := clientFlags(fs)
	replay := fs.String("replay", "", "deliver notify ID again (a new delivery of the same bytes)")
	if err := parseFlags(fs, inv.args); err != nil {
		return err
	}
	c := newClient()
	if *replay != "" {
		d, err := c.Replay(ctx, *replay)
		if err != nil {
			return err
		}
		fmt.Fprintf(inv.stdout, "replaying %s as %s\n", *replay, d.ID)
		return printAttempted(ctx, c, d.ID, inv.stdout)
	}
	ds, err := c.Notifies(ctx)
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		fmt.Fprintln(inv.stdout, "no notifies yet")
	}
	for _, d := range ds {
		printDelivery(inv.stdout, d)
	}
	return nil
}

// clientFlags registers --addr and --master-key and returns the client they
// describe, to call after parsing.
func clientFlags(fs *flag.FlagSet) func() *paysim.Client {
	addr := fs.String("addr", defaultAddr, "address of the running bmobemu serve")
	key := fs.String("master-key", os.Getenv("BMOBEMU_MASTER_KEY"), "the server's master key: needed when it listens off loopback (env BMOBEMU_MASTER_KEY)")
	return func() *paysim.Client {
		base := *addr
		if !strings.Contains(base, "://") {
			base = "http://" + base
		}
		return &paysim.Client{Base: base, MasterKey: *key}
	}
}

// sandboxTrigger is `bmobemu sandbox pay|close|refund`.
func sandboxTrigger(ctx context.Context, inv invocation) error {
	action, stdout := inv.word, inv.stdout
	fs := newFlagSet("sandbox " + action)
	newClient := clientFlags(fs)
	var req paysim.TriggerRequest
	fs.StringVar(&req.Provider, "provider", "", "alipay or wechat")
	fs.StringVar(&req.OutTradeNo, "out-trade-no", "", "the merchant's order number (out_trade_no)")
	fs.StringVar(&req.Amount, "amount", "", "yuan, e.g. 0.01 (pay: creates an order the sandbox has not seen; refund: empty refunds what remains)")
	fs.StringVar(&req.NotifyURL, "notify-url", "", "notify_url of an order the sandbox has not seen")
	fs.StringVar(&req.Subject, "subject", "", "subject of an order the sandbox has not seen")
	if err := parseFlags(fs, inv.args); err != nil {
		return err
	}
	if req.OutTradeNo == "" {
		return fmt.Errorf("sandbox %s: --out-trade-no is required", action)
	}
	c := newClient()
	var res paysim.TriggerResult
	var err error
	switch action {
	case "pay":
		res, err = c.Pay(ctx, req)
	case "close":
		res, err = c.Close(ctx, req)
	default:
		res, err = c.Refund(ctx, req)
	}
	if err != nil {
		return fmt.Errorf("sandbox %s %s: %w", action, req.OutTradeNo, err)
	}
	t := res.Trade
	fmt.Fprintf(stdout, "%s %s: %s, %s yuan", t.Provider, t.OutTradeNo, t.Status, paysim.FormatYuan(t.TotalFen))
	if t.RefundedFen > 0 {
		fmt.Fprintf(stdout, ", %s refunded", paysim.FormatYuan(t.RefundedFen))
	}
	if t.TradeNo != "" {
		fmt.Fprintf(stdout, " (trade no %s)", t.TradeNo)
	}
	fmt.Fprintln(stdout)
	if len(res.Notifies) == 0 {
		fmt.Fprintln(stdout, "no notify sent (the trade has no notify_url, or the provider sends none for this)")
	}
	for _, d := range res.Notifies {
		if err := printAttempted(ctx, c, d.ID, stdout); err != nil {
			return err
		}
	}
	return nil
}

// printAttempted waits (up to 10 s) for the first attempt of a delivery and prints it.
func printAttempted(ctx context.Context, c *paysim.Client, id string, w io.Writer) error {
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	d, err := c.WaitAttempted(wctx, id)
	if err != nil {
		return err
	}
	printDelivery(w, d)
	return nil
}

func printDelivery(w io.Writer, d paysim.Delivery) {
	target := d.URL
	if r, err := paysim.RouteNotify(d.URL); err == nil && r.Function != "" {
		target = "function " + r.Function + " (" + d.URL + ")"
	}
	replay := ""
	if d.ReplayOf != "" {
		replay = " (replay of " + d.ReplayOf + ")"
	}
	fmt.Fprintf(w, "notify %s%s: %s %s %s -> %s: %s, %d attempt(s)\n", d.ID, replay, d.Provider, d.Event, d.OutTradeNo, target, d.State, len(d.Attempts))
	for _, a := range d.Attempts {
		answer := a.Error
		if answer == "" {
			answer = fmt.Sprintf("HTTP %d %q", a.Status, a.Body)
		}
		verdict := "acknowledged"
		if !a.Acknowledged {
			verdict = "not acknowledged (" + d.Rule + " wanted)"
		}
		fmt.Fprintf(w, "  #%d %s  %s  %s  %.1fms\n", a.N, a.At.In(bjtime.Location).Format("15:04:05.000"), answer, verdict, a.Millis)
	}
	if !d.NextAttemptAt.IsZero() {
		fmt.Fprintf(w, "  next attempt at %s\n", d.NextAttemptAt.In(bjtime.Location).Format("15:04:05.000"))
	}
}
