package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"

	"github.com/bmobemu/bmobemu/emulator"
	"github.com/bmobemu/bmobemu/runtime"
	"github.com/bmobemu/bmobemu/store"
)

// serve is `bmobemu serve`.
func serve(ctx context.Context, inv invocation) error {
	stdout, stderr := inv.stdout, inv.stderr
	fs := newFlagSet("serve")
	var c common
	c.register(fs)
	addr := fs.String("addr", defaultAddr, "address to listen on")
	watch := fs.Bool("watch", true, "reload a function when its file changes")
	try := fs.String("try", "", "the call the start banner's try: line shows, NAME[?QUERY] (default: the first function)")
	if err := parseFlags(fs, inv.args); err != nil {
		return err
	}
	cfg, err := c.config(stderr)
	if err != nil {
		return err
	}
	cfg.Watch = *watch
	// Listen first: the sandbox's cashier pages link back to the real address.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", *addr, err)
	}
	runtime.LimitRegexpMatches(cfg.Timeout) // before any VM runs
	tuneGC(os.Getenv)
	cfg.Sandbox.BaseURL = "http://" + browsable(ln.Addr())
	cfg.ListenAddr = ln.Addr().String()
	cfg.Version = version
	emu, err := emulator.Open(cfg)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer emu.Close()
	if emu.Guard.Public() {
		fmt.Fprint(stderr, publicWarning(ln.Addr().String()))
	}
	banner(stdout, emu, ln.Addr().String(), *try)
	return emu.Serve(ctx, ln)
}

// banner is what serve prints at start: the keys, every function's URL and a
// call to try (try, NAME[?QUERY], or the first function).
func banner(w io.Writer, emu *emulator.Emulator, addr, try string) {
	cfg := emu.Config
	names := emu.Functions.Names()
	fmt.Fprintf(w, "bmobemu %s: %d functions from %s, profile %s\n", version, len(names), strings.Join(cfg.FunctionsDirs, ", "), cfg.Profile)
	fmt.Fprintf(w, "  data:       %s\n", store.Redact(cfg.DBPath))
	k := emu.Keys
	fmt.Fprintf(w, "  secret key:     %s   (direct URLs; Bmob.initialize(secretKey, securityCode) in the JS SDK)\n", k.SecretKey)
	fmt.Fprintf(w, "  security code:  %s\n", k.SecurityCode)
	fmt.Fprintf(w, "  application id: %s\n", k.AppID)
	fmt.Fprintf(w, "  REST API key:   %s\n", k.RESTKey)
	fmt.Fprintf(w, "  master key:     %s\n", k.MasterKey)
	fmt.Fprintf(w, "  REST API:       http://%s/1/  (Bmob.domain(\"http://%s\"))\n", addr, addr)
	fmt.Fprintf(w, "  web console:    %s/_console/\n", cfg.Sandbox.BaseURL)
	if len(cfg.Upstreams) > 0 {
		hosts := make([]string, 0, len(cfg.Upstreams))
		for h := range cfg.Upstreams {
			hosts = append(hosts, h)
		}
		sort.Strings(hosts)
		for _, h := range hosts {
			fmt.Fprintf(w, "  upstream:   %s -> %s\n", h, cfg.Upstreams[h])
		}
	}
	if emu.Sandbox != nil {
		var providers []string
		for _, p := range emu.Sandbox.Providers() {
			providers = append(providers, p.Name())
		}
		fmt.Fprintf(w, "  sandbox:        on (%s answered locally; keys: bmobemu sandbox keys --db %s) %s/_sandbox/\n",
			strings.Join(providers, ", "), cfg.StateBase, cfg.Sandbox.BaseURL)
	} else {
		fmt.Fprintln(w, "  WARNING:        payment sandbox off (--sandbox=off): Alipay and WeChat Pay calls go to the real gateways")
	}
	projectBanner(w, emu)
	base := fmt.Sprintf("http://%s/%s", addr, emu.Secret)
	for _, n := range names {
		fmt.Fprintf(w, "  GET|POST %s/%s\n", base, n)
	}
	loadErrs := emu.Functions.Errors()
	broken := make([]string, 0, len(loadErrs))
	for name := range loadErrs {
		broken = append(broken, name)
	}
	sort.Strings(broken)
	for _, name := range broken {
		fmt.Fprintf(w, "  NOT LOADED %s: %s\n", name, strings.ReplaceAll(loadErrs[name].Error(), "\n", "\n    "))
	}
	if try == "" && len(names) > 0 {
		try = names[0]
	}
	if try != "" {
		name, _, _ := strings.Cut(try, "?")
		fmt.Fprintf(w, "try: curl -s '%s/%s'   (GET; POST a JSON body with -H 'Content-Type: application/json' -d '{...}')\n", base, try)
		fmt.Fprintf(w, "     curl -s -X POST -H 'X-Bmob-Application-Id: %s' -H 'X-Bmob-REST-API-Key: %s' -H 'Content-Type: application/json' -d '{}' http://%s/1/functions/%s\n",
			k.AppID, k.RESTKey, addr, name)
	}
}

// publicWarning is printed when serve listens where other machines reach it.
func publicWarning(addr string) string {
	return fmt.Sprintf("WARNING: listening on %s, reachable from other machines. Anyone who can reach it can call your functions "+
		"and the REST API with the app's keys; the payment sandbox (/_sandbox/) and admin routes now need the master key "+
		"(X-Bmob-Master-Key, or as the password the browser asks for). Use --addr 127.0.0.1:PORT to keep it on this machine.\n", addr)
}

// browsable is a listener's address as a browser on this machine can open it:
// a wildcard host (0.0.0.0, ::) becomes 127.0.0.1.
func browsable(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok && (t.IP == nil || t.IP.IsUnspecified()) {
		return net.JoinHostPort("127.0.0.1", strconv.Itoa(t.Port))
	}
	return a.String()
}

// servingGCPercent is the collector's GOGC while serving. Each call allocates
// a few kB of short-lived JavaScript objects over a live heap of a few MB, so
// at Go's default of 100 the collector runs every few thousand calls and takes
// about a third of a trivial call's CPU (BenchmarkDirectMin: ~30 -> ~19 µs of
// CPU a call at 400); the peak heap grows with it, a few MB at idle.
const servingGCPercent = 400

// tuneGC sets servingGCPercent unless the operator chose a GOGC.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(servingGCPercent)
	}
}
