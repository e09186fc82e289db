// Command bmobemu runs Bmob cloud functions outside Bmob. Run `bmobemu help`.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is the emulator's version, printed by `bmobemu version`.
const version = "0.1.0"

func main() {
	if os.Getenv("GOGC") == "" {
		// Every call allocates many short-lived JS objects while the live heap stays
		// small; collecting at 4x the live heap instead of 2x gave ~20% more calls/s
		// at the same idle memory (bench/load.sh).
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the whole CLI, testable without a process: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return dispatch(ctx, args, stdout, stderr)
}
