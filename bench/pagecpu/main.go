// Command pagecpu reports how much of a Chromium page's main thread a page
// costs while it is open: it connects to a running Chromium's DevTools
// endpoint, opens the page in a new tab, waits for it to settle, and prints
// the per-second growth of Chromium's Performance.getMetrics counters (task,
// script, layout and style time) over the measuring window. bench/console-tail.sh
// measures the tail's effect on calls/s; this says where the browser's own
// time goes, e.g. while wrk loads the server:
//
//	chromium --headless --remote-debugging-port=9222 about:blank &
//	go run ./bench/pagecpu -devtools ws://127.0.0.1:9222 -for 6s http://127.0.0.1:8080/_console/logs
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/chromedp"
)

func main() {
	devtools := flag.String("devtools", "ws://127.0.0.1:9222", "the DevTools address of a running Chromium")
	settle := flag.Duration("settle", 2*time.Second, "how long the page loads before measuring")
	window := flag.Duration("for", 6*time.Second, "how long to measure")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: pagecpu [-devtools ws://HOST:PORT] [-settle D] [-for D] URL")
		os.Exit(2)
	}
	if err := measure(*devtools, flag.Arg(0), *settle, *window); err != nil {
		fmt.Fprintln(os.Stderr, "pagecpu:", err)
		os.Exit(1)
	}
}

// measure opens url in a new tab of the Chromium at devtools and prints the
// metrics' growth per second over window.
func measure(devtools, url string, settle, window time.Duration) error {
	actx, cancelAlloc := chromedp.NewRemoteAllocator(context.Background(), devtools)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(actx)
	defer cancelTab()
	if err := chromedp.Run(ctx, performance.Enable(), chromedp.Navigate(url)); err != nil {
		return fmt.Errorf("opening %s: %w", url, err)
	}
	time.Sleep(settle)
	before, err := metrics(ctx)
	if err != nil {
		return err
	}
	time.Sleep(window)
	after, err := metrics(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("%s over %v, per second:\n", url, window)
	for _, name := range []string{"TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration"} {
		fmt.Printf("  %-20s %7.1f ms\n", name, (after[name]-before[name])*1000/window.Seconds())
	}
	for _, name := range []string{"LayoutCount", "RecalcStyleCount"} {
		fmt.Printf("  %-20s %7.1f\n", name, (after[name]-before[name])/window.Seconds())
	}
	return nil
}

// metrics reads the tab's Performance.getMetrics counters by name.
func metrics(ctx context.Context) (map[string]float64, error) {
	var got []*performance.Metric
	err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		got, err = performance.GetMetrics().Do(ctx)
		return err
	}))
	if err != nil {
		return nil, fmt.Errorf("reading the page's metrics: %w", err)
	}
	byName := make(map[string]float64, len(got))
	for _, m := range got {
		byName[m.Name] = m.Value
	}
	return byName, nil
}
