// Command bmobemu runs Bmob cloud functions outside Bmob. Run `bmobemu help`.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

const usage = `bmobemu runs Bmob cloud functions (function onRequest(request, response, modules)) locally.

Usage:
  bmobemu serve  [--functions DIR] [--db FILE] [--addr HOST:PORT] [--secret KEY] [--profile compat|bmob]
                 [--upstream HOST=URL]... [--timeout 30s] [--body-limit BYTES] [--pool-size N] [--watch=true]
                 [--app-id ID] [--rest-key KEY] [--master-key KEY] [--security-code CODE]
                 [--sandbox=on|off] [--sandbox-retry-scale 0.01]
  bmobemu invoke NAME [--body JSON | --form k=v... | --query k=v...] [--method GET|POST] [--header k=v...]
                 [--functions DIR] [--db FILE] [--profile compat|bmob] [--upstream HOST=URL]...
                 [--sandbox=on|off] [--sandbox-retry-scale 0.01]
  bmobemu sandbox keys [--db FILE]                  print the payment sandbox keys for your scripts' configs
  bmobemu sandbox pay|close|refund --provider alipay|wechat --out-trade-no N [--amount 0.01] [--addr HOST:PORT]
  bmobemu sandbox trades|notifies [--replay ID] [--addr HOST:PORT]
  bmobemu tasks list|run NAME [--addr HOST:PORT] [--db FILE]   the timed tasks of a running serve (bmobemu.yaml)
  bmobemu test [DIR] [-run PATTERN] [--junit FILE] [--update-snapshots] [--seed N] [--start TIME]
                 run the *.test.js handler tests under DIR (functions in DIR/functions, fixtures in DIR/fixtures)
  bmobemu data export [--db FILE] [--out FILE]      write every class and object as JSON
  bmobemu data import [--db FILE] --in FILE|DIR... [--class NAME] [--merge]
                 import a bmobemu export or Bmob REST JSON ({"results":[…]}, class from the file name)
  bmobemu data pull --url URL --app-id ID --rest-key KEY [--master-key KEY] [--classes A,B] [--db FILE]
                 [--merge] [--out DIR]   page GET /1/classes/<T> from a Bmob(-compatible) server and import
  bmobemu version

Defaults: --functions ./functions, --db ./bmobemu.db, --addr 127.0.0.1:8080. The keys (secret key, security
code, application id, REST API and master keys) are made once and kept beside the db in <db>.keys.json; a flag
or BMOBEMU_SECRET, BMOBEMU_SECURITY_CODE, BMOBEMU_APP_ID, BMOBEMU_REST_KEY, BMOBEMU_MASTER_KEY override them.
Import and pull replace the db's content (--merge keeps the classes the input lacks); on error nothing changes.
The payment sandbox (on by default) answers Alipay's and WeChat Pay's hosts locally and delivers their notifies
to your functions; --sandbox=off lets payment calls reach the real gateways.
`

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
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stdout, stderr)
	case "invoke":
		err = invoke(ctx, args[1:], stdout, stderr)
	case "data":
		err = data(ctx, args[1:], stdout)
	case "test":
		err = test(ctx, args[1:], stdout, stderr)
	case "sandbox":
		err = sandboxCmd(ctx, args[1:], stdout, stderr)
	case "tasks":
		err = tasksCmd(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "bmobemu", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "bmobemu: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "bmobemu:", err)
		return 1
	}
	return 0
}
