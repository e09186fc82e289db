package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/bmobemu/bmobemu/emulator"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/outbound"
	"github.com/bmobemu/bmobemu/paysim"
	"github.com/bmobemu/bmobemu/runtime"
	"github.com/bmobemu/bmobemu/store"
)

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// common are the flags serve and invoke share.
type common struct {
	functions, db, secret, profile string
	appID, restKey, masterKey      string
	securityCode                   string
	upstreams                      listFlag
	timeout                        time.Duration
	bodyLimit, poolSize            int
	runDepth                       int
	decompressLimit, outboundLimit int64
	maxCallDepth                   int
	memoryLimitMB                  int64
	sandbox                        string
	retryScale                     float64
	deployDir                      string
	alipayApp                      string
	state                          string
	pgMaxConns                     int
	pgStatementTimeout             time.Duration
}

// Defaults shared by the commands.
const (
	// defaultDB keeps everything bmobemu makes (the db, <db>.keys.json,
	// <db>.sandbox.json, <db>.files/, <db>.deployed/) in one folder a project
	// git-ignores with one line.
	defaultDB   = ".bmobemu/bmobemu.db"
	defaultAddr = "127.0.0.1:8080"
)

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.functions, "functions", "./functions", "folder of functions: every DIR/<name>.js is the function <name>; several folders: a,b")
	fs.StringVar(&c.db, "db", defaultDB, "bbolt database file (created if missing, with its folder), or a postgres://user:pass@host:port/dbname URL (PG* environment variables fill what it leaves out; tables made and upgraded at start)")
	fs.StringVar(&c.state, "state", "", "path prefix of the files kept beside the db (<state>.keys.json, .sandbox.json, .files/, .deployed/); default: the db file, or "+emulator.DefaultPostgresState+" for PostgreSQL")
	fs.IntVar(&c.pgMaxConns, "pg-max-conns", 0, "PostgreSQL connection pool size (default: the larger of 4 and the CPUs)")
	fs.DurationVar(&c.pgStatementTimeout, "pg-statement-timeout", 0, "PostgreSQL statement_timeout of every statement (0: none)")
	fs.StringVar(&c.secret, "secret", os.Getenv("BMOBEMU_SECRET"), "secret key of the direct URL /<secret>/<name> and of signed SDK requests (env BMOBEMU_SECRET; default: made once, kept in <db>.keys.json)")
	fs.StringVar(&c.appID, "app-id", os.Getenv("BMOBEMU_APP_ID"), "application id, X-Bmob-Application-Id (env BMOBEMU_APP_ID; default: kept in <db>.keys.json)")
	fs.StringVar(&c.restKey, "rest-key", os.Getenv("BMOBEMU_REST_KEY"), "REST API key, X-Bmob-REST-API-Key (env BMOBEMU_REST_KEY; default: kept in <db>.keys.json)")
	fs.StringVar(&c.masterKey, "master-key", os.Getenv("BMOBEMU_MASTER_KEY"), "master key, X-Bmob-Master-Key (env BMOBEMU_MASTER_KEY; default: kept in <db>.keys.json)")
	fs.StringVar(&c.securityCode, "security-code", os.Getenv("BMOBEMU_SECURITY_CODE"), "API security code the JS SDK signs with (env BMOBEMU_SECURITY_CODE; default: kept in <db>.keys.json)")
	fs.StringVar(&c.profile, "profile", "compat", "compat (Bmob plus the tutorials' extensions) or bmob (Bmob exactly)")
	fs.Var(&c.upstreams, "upstream", "HOST=URL: send outbound calls for HOST to URL instead (repeatable)")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "limit of one call; 0 switches it off (debugging)")
	fs.IntVar(&c.bodyLimit, "body-limit", 200*1024, "request body limit in bytes (Bmob: 0.2 MB)")
	fs.IntVar(&c.poolSize, "pool-size", 16, "VMs per function")
	fs.IntVar(&c.runDepth, "run-depth", runtime.DefaultRunDepth, "how many functions deep a chain of oFunctions.run calls may go")
	fs.Int64Var(&c.decompressLimit, "decompress-limit", modules.DefaultDecompressLimit, "largest output in bytes of one decompression a script asks for (zlib, oGzip, oHttp gzip: true)")
	fs.Int64Var(&c.outboundLimit, "outbound-body-limit", outbound.DefaultMaxResponseBody, "largest outbound response body in bytes a script may read (oHttp, alipay-sdk exec, ...)")
	fs.Int64Var(&c.memoryLimitMB, "memory-limit", runtime.DefaultMemoryLimit>>20, "MB of heap running scripts may fill together; past it the calls in progress are stopped with an error naming this limit (0: no limit)")
	fs.IntVar(&c.maxCallDepth, "max-call-depth", runtime.DefaultMaxCallDepth, "call stack frames a script may use; deeper throws RangeError: Maximum call stack size exceeded")
	fs.StringVar(&c.sandbox, "sandbox", "on", "payment sandbox: on (Alipay and WeChat Pay answered locally) or off (calls reach the real gateways)")
	fs.StringVar(&c.deployDir, "deploy-dir", "", "where REST deploys (PUT /1/functions/<name>) write their files (default: <db>.deployed, never your functions folders; name one of them to deploy into your sources)")
	fs.StringVar(&c.alipayApp, "alipay-app", os.Getenv("BMOBEMU_ALIPAY_APP"), "JSON file {appId, privateKey, alipayPublicKey, gateway}: the Alipay app ctx.cloud calls of mini-program functions sign as (env BMOBEMU_ALIPAY_APP; default: the sandbox's app)")
	fs.Float64Var(&c.retryScale, "sandbox-retry-scale", paysim.DefaultRetryScale, "multiplies the providers' notify retry delays (1 = real time; 0.01: Alipay's 4m -> 2.4s)")
}

func (c *common) config(logOut io.Writer) (emulator.Config, error) {
	profile, ok := modules.ParseProfile(c.profile)
	if !ok {
		return emulator.Config{}, fmt.Errorf("--profile must be compat or bmob, not %q", c.profile)
	}
	ups := map[string]string{}
	for _, u := range c.upstreams {
		host, url, err := outbound.ParseUpstream(u)
		if err != nil {
			return emulator.Config{}, fmt.Errorf("--upstream %s: %w", u, err)
		}
		ups[host] = url
	}
	if c.sandbox != "on" && c.sandbox != "off" {
		return emulator.Config{}, fmt.Errorf("--sandbox must be on or off, not %q", c.sandbox)
	}
	if !(c.retryScale > 0) {
		return emulator.Config{}, fmt.Errorf("--sandbox-retry-scale must be above 0, not %v", c.retryScale)
	}
	for _, limit := range []struct {
		flag  string
		value int64
	}{{"run-depth", int64(c.runDepth)}, {"decompress-limit", c.decompressLimit}, {"outbound-body-limit", c.outboundLimit}} {
		if limit.value < 1 {
			return emulator.Config{}, fmt.Errorf("--%s must be at least 1, not %d", limit.flag, limit.value)
		}
	}
	var alipayApp *modules.AlipayApp
	if c.alipayApp != "" {
		app, err := emulator.LoadAlipayApp(c.alipayApp)
		if err != nil {
			return emulator.Config{}, fmt.Errorf("--alipay-app: %w", err)
		}
		alipayApp = app
	}
	memoryLimit := c.memoryLimitMB << 20
	if c.memoryLimitMB <= 0 {
		memoryLimit = -1 // off
	}
	timeout := c.timeout
	if timeout == 0 {
		timeout = -1 // off
	}
	return emulator.Config{
		FunctionsDirs: strings.Split(c.functions, ","), DBPath: c.db, Secret: c.secret, Profile: profile, Upstreams: ups,
		Keys:    emulator.Keys{AppID: c.appID, RESTKey: c.restKey, MasterKey: c.masterKey, SecurityCode: c.securityCode},
		Timeout: timeout, BodyLimit: c.bodyLimit, PoolSize: c.poolSize, MaxCallDepth: c.maxCallDepth, MemoryLimit: memoryLimit,
		LogOutput: logOut,
		RunDepth:  c.runDepth, DecompressLimit: c.decompressLimit, OutboundBodyLimit: c.outboundLimit,
		Sandbox:   emulator.SandboxConfig{Off: c.sandbox == "off", RetryScale: c.retryScale},
		DeployDir: c.deployDir,
		AlipayApp: alipayApp,
		StateBase: c.state,
		Postgres:  store.PostgresOptions{MaxConns: int32(c.pgMaxConns), StatementTimeout: c.pgStatementTimeout},
	}, nil
}
