package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/testkit/jstest"
)

// test is `bmobemu test [DIR] [-run PATTERN] [--junit FILE] [--update-snapshots]`.
func test(ctx context.Context, inv invocation) error {
	args, stdout := inv.args, inv.stdout
	fs := newFlagSet("test")
	run := fs.String("run", "", "run only the tests whose name matches this regular expression")
	junit := fs.String("junit", "", "write JUnit XML results to FILE")
	update := fs.Bool("update-snapshots", false, "rewrite snapshots that differ instead of failing")
	functions := fs.String("functions", "", "functions folder(s) of every test file, a,b (default: the functions/ folder of each file's project)")
	parallel := fs.Int("parallel", 0, "test files run at once (default: the number of CPUs)")
	seed := fs.Uint64("seed", 0, "seed of Math.random, objectIds and crypto.randomBytes in every test")
	start := fs.String("start", "", `clock start of every test, "YYYY-MM-DD HH:mm:ss" Beijing time (default 2026-01-01 10:00:00)`)
	profile := fs.String("profile", "compat", "compat or bmob")
	// DIR may come before or after the flags.
	dir := "."
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		dir, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		dir = fs.Arg(0)
	}
	cfg := jstest.Config{Dir: dir, UpdateSnapshots: *update, Parallel: *parallel, Out: stdout, Seed: *seed}
	if *run != "" {
		re, err := regexp.Compile(*run)
		if err != nil {
			return fmt.Errorf("-run: %w", err)
		}
		cfg.Run = re
	}
	if *functions != "" {
		cfg.Functions = strings.Split(*functions, ",")
	}
	if *start != "" {
		t, err := bjtime.Parse(*start)
		if err != nil {
			return fmt.Errorf("--start: want YYYY-MM-DD HH:mm:ss: %w", err)
		}
		cfg.Start = t
	}
	p, ok := modules.ParseProfile(*profile)
	if !ok {
		return fmt.Errorf("--profile must be compat or bmob, not %q", *profile)
	}
	cfg.Profile = p
	res, err := jstest.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if *junit != "" {
		f, err := os.Create(*junit)
		if err != nil {
			return fmt.Errorf("--junit: %w", err)
		}
		werr := res.WriteJUnit(f)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("--junit: %w", werr)
		}
	}
	if !res.OK() {
		return fmt.Errorf("%w: %d of %d", jstest.ErrFailed, res.Failed, res.Passed+res.Failed)
	}
	return nil
}
