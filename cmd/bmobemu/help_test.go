package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"strings"
	"testing"
)

// Every command answers --help (and `bmobemu help CMD`) with exit 0 on
// standard output: its usage line and every one of its flags.
func TestHelpForEveryCommand(t *testing.T) {
	for _, c := range commands() {
		words := strings.Fields(c.path)
		last := strings.Split(words[len(words)-1], "|")
		for _, alt := range last {
			args := append(append(append([]string{}, words[:len(words)-1]...), alt), "--help")
			if c.path == "help" {
				continue // help --help is the overview, below
			}
			var out, errOut bytes.Buffer
			code := run(context.Background(), args, &out, &errOut)
			if code != 0 || errOut.Len() != 0 {
				t.Errorf("%v: exit %d, stderr %q", args, code, errOut.String())
				continue
			}
			if !strings.HasPrefix(out.String(), "Usage:\n  bmobemu "+c.path) {
				t.Errorf("%v: no usage line:\n%s", args, out.String())
			}
			fs := flagsOf(&c)
			if fs == nil {
				t.Errorf("%s: its flags are not known to help", c.path)
				continue
			}
			if fs != nil {
				fs.VisitAll(func(f *flag.Flag) {
					if !strings.Contains(out.String(), "  -"+f.Name+" ") && !strings.Contains(out.String(), "  -"+f.Name+"\n") {
						t.Errorf("%v: flag -%s is not in the help", args, f.Name)
					}
					if f.Usage == "" {
						t.Errorf("%s: flag -%s has no help text", c.path, f.Name)
					}
				})
			}
			var viaHelp bytes.Buffer
			if code := run(context.Background(), append([]string{"help"}, args[:len(args)-1]...), &viaHelp, &errOut); code != 0 || viaHelp.String() != out.String() {
				t.Errorf("help %v differs from --help (exit %d)", args[:len(args)-1], code)
			}
		}
	}
	// Helps that used to fail: serve --help exited 1, invoke --help without a
	// name printed one line.
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"invoke", "--help"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "-body string") {
		t.Fatalf("invoke --help: %d\n%s", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"invoke", "count", "-h"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "-form value") {
		t.Fatalf("invoke NAME -h: %d\n%s", code, out.String())
	}
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}, {"help", "--help"}} {
		out.Reset()
		if code := run(context.Background(), args, &out, &errOut); code != 0 || out.String() != overview() {
			t.Errorf("%v: exit %d", args, code)
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"data", "--help"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "bmobemu data backup") {
		t.Errorf("data --help: %d\n%s", code, out.String())
	}
}

// Usage errors say what is wrong once and point at --help.
func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "Usage:"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"data"}, 2, "bmobemu data export"},
		{[]string{"data", "zap"}, 2, `unknown data command "zap"`},
		{[]string{"serve", "--nope"}, 1, "serve: flag provided but not defined: -nope (see bmobemu serve --help)"},
		{[]string{"invoke"}, 1, "name the function first"},
		{[]string{"help", "nope"}, 1, `no command "nope"`},
	}
	for _, tc := range cases {
		var out, errOut bytes.Buffer
		code := run(context.Background(), tc.args, &out, &errOut)
		if code != tc.code || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut.String(), tc.code, tc.want)
		}
		if strings.Count(errOut.String(), "flag provided but not defined") > 1 {
			t.Errorf("%v: the error is printed twice", tc.args)
		}
	}
}

// The README's usage block is the CLI's own synopsis: one source of truth.
func TestREADMEUsage(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const start = "## Using it\n\n```\n"
	i := strings.Index(string(readme), start)
	if i < 0 {
		t.Fatal("README has no usage block under ## Using it")
	}
	block := string(readme)[i+len(start):]
	block = block[:strings.Index(block, "```")]
	if block != synopsis() {
		t.Fatalf("README's usage block differs from the CLI's synopsis (bmobemu help); want:\n%s", synopsis())
	}
}
