package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// invocation is one run of a command: the word it was called by (for entries
// that answer to several, "pay" of "sandbox pay|close|refund"), its arguments
// after the command's words, and the streams.
type invocation struct {
	word           string
	args           []string
	stdout, stderr io.Writer
}

// command is one entry of the command line. The overview (`bmobemu help`), each
// command's help (`bmobemu CMD --help`, `bmobemu help CMD`) and the README's
// usage block (checked by TestREADMEUsage) are all made from this table: a new
// command is one entry here and a function that parses its flags with
// newFlagSet and parseFlags.
type command struct {
	// path is the command's words; the last may list alternatives, "sandbox
	// pay|close|refund".
	path string
	// args are the arguments after the words, one string per overview line.
	args []string
	// summary is the one-line description; about adds paragraphs for --help.
	summary, about string
	run            func(ctx context.Context, inv invocation) error
}

// commands is the whole command line, in the order of the overview. (A
// function, not a variable: help's entry refers back to the table.)
func commands() []command {
	return []command{
		{path: "serve", args: []string{
			"[--functions DIR[,DIR…]] [--db FILE] [--addr HOST:PORT] [--secret KEY] [--profile compat|bmob]",
			"[--upstream HOST=URL]... [--timeout 30s] [--body-limit BYTES] [--pool-size N] [--watch=true]",
			"[--run-depth 8] [--decompress-limit BYTES] [--outbound-body-limit BYTES]",
			"[--memory-limit MB] [--max-call-depth N]",
			"[--app-id ID] [--rest-key KEY] [--master-key KEY] [--security-code CODE] [--deploy-dir DIR]",
			"[--sandbox=on|off] [--sandbox-retry-scale 0.01] [--alipay-app FILE] [--try PATH]"},
			summary: "serve the functions over HTTP, with Bmob's REST API and the payment sandbox",
			about: `Every DIR/<name>.js is the function <name> at GET|POST http://ADDR/<secretKey>/<name>; a saved file
is reloaded. The keys are made once and kept beside the db in <db>.keys.json; flags or BMOBEMU_SECRET,
BMOBEMU_SECURITY_CODE, BMOBEMU_APP_ID, BMOBEMU_REST_KEY, BMOBEMU_MASTER_KEY override them. A start that
fails creates nothing.`,
			run: serve},
		{path: "invoke", args: []string{
			"NAME [--body JSON | --form k=v... | --query k=v...] [--method GET|POST] [--header k=v...]",
			"[--functions DIR] [--db FILE] [--profile compat|bmob] [--upstream HOST=URL]... [--sandbox=on|off]",
			"[--memory-limit MB] [--max-call-depth N] [--alipay-app FILE]"},
			summary: "run one call of function NAME without a server; print status, headers, body and log",
			run:     invoke},
		{path: "test", args: []string{"[DIR] [-run PATTERN] [--junit FILE] [--update-snapshots] [--seed N] [--start TIME]"},
			summary: "run the *.test.js handler tests under DIR",
			about: `Each test file uses the project it sits in: the nearest folder above it (up to DIR) that has a
functions/ folder, with that project's fixtures/*.json; a DIR without any functions/ folder is itself
the functions folder. --functions overrides this for every file.`,
			run: test},
		{path: "sandbox keys", args: []string{"[--db FILE]"},
			summary: "print the payment sandbox keys for your scripts' configs (made once, kept in <db>.sandbox.json)",
			run:     sandboxKeys},
		{path: "sandbox pay|close|refund", args: []string{"--provider alipay|wechat --out-trade-no N [--amount 0.01] [--notify-url URL] [--addr HOST:PORT] [--master-key KEY]"},
			summary: "pay, close or refund a sandbox trade on a running serve; its notify is delivered to your function",
			run:     sandboxTrigger},
		{path: "sandbox trades", args: []string{"[--addr HOST:PORT] [--master-key KEY]"},
			summary: "list the sandbox trades of a running serve",
			run:     sandboxTrades},
		{path: "sandbox notifies", args: []string{"[--replay ID] [--addr HOST:PORT] [--master-key KEY]"},
			summary: "list the notify deliveries of a running serve, or deliver one again",
			run:     sandboxNotifies},
		{path: "tasks list", args: []string{"[--addr HOST:PORT] [--db FILE | --master-key KEY]"},
			summary: "the timed tasks of a running serve (bmobemu.yaml): rule, next run, last outcome",
			run:     tasksList},
		{path: "tasks run", args: []string{"NAME [--addr HOST:PORT] [--db FILE | --master-key KEY]"},
			summary: "run timed task NAME now on a running serve and print the run (exit 1 if it failed)",
			run:     tasksRun},
		{path: "data export", args: []string{"[--db FILE] [--out FILE]"},
			summary: "write every class and object of a db as JSON (the db must not be served: see data backup)",
			run:     dataExport},
		{path: "data check", args: []string{"[--db FILE]"},
			summary: "read every object of a db (the server stopped); say in plain words what is damaged",
			run:     dataCheck},
		{path: "data salvage", args: []string{"[--db FILE] --out NEW.db"},
			summary: "copy every readable object of a damaged db into a new file",
			run:     dataSalvage},
		{path: "data import", args: []string{"[--db FILE] --in FILE|DIR... [--class NAME] [--merge]"},
			summary: `import a bmobemu export or Bmob REST JSON ({"results":[…]}, class from the file name)`,
			about:   "Replaces the db's content (--merge keeps the classes the input lacks); on error nothing changes.",
			run:     dataImport},
		{path: "data pull", args: []string{"--url URL --app-id ID --rest-key KEY [--master-key KEY] [--classes A,B] [--db FILE] [--merge] [--out DIR]"},
			summary: "page GET /1/classes/<T> from a Bmob(-compatible) server and import it",
			run:     dataPull},
		{path: "data index", args: []string{"[CLASS FIELD [--drop]] --db postgres://…"},
			summary: "index FIELD of CLASS on PostgreSQL (equality filters), drop it, or list the indexed fields",
			about: `Builds a GIN index on the field's JSONB value for that class alone, concurrently: the servers keep
serving and writing meanwhile. A where clause testing the field for equality (a value, an array holding it,
$in, $all, a Pointer, a Date) then reads only the matching rows; ranges, $regex and order still read the
class. A dotted FIELD indexes a nested one. bbolt files filter in memory and have no indexes.`,
			run: dataIndex},
		{path: "data backup", args: []string{"--out FILE [--addr HOST:PORT] [--db FILE | --master-key KEY] [--export]"},
			summary: "a consistent copy of a running serve's db, taken through the server with the master key",
			about: `Writes a bbolt file (or, with --export, the JSON of data export) taken in one read transaction
while the server keeps serving. The master key is read from <db>.keys.json (--db) unless given.`,
			run: dataBackup},
		{path: "version", summary: "print the version", run: func(_ context.Context, inv invocation) error {
			if err := parseFlags(newFlagSet("version"), inv.args); err != nil {
				return err
			}
			fmt.Fprintln(inv.stdout, "bmobemu", version)
			return nil
		}},
		{path: "help", args: []string{"[COMMAND]"}, summary: "this overview, or the help of one command", run: helpCmd},
	}
}

const overviewHead = `bmobemu runs Bmob cloud functions (function onRequest(request, response, modules)) locally.

Usage:
`

const overviewTail = `
Defaults: --functions ./functions, --db .bmobemu/bmobemu.db, --addr 127.0.0.1:8080.
Run bmobemu COMMAND --help for a command's flags.
`

// synopsis is the usage block: every command with its arguments, as the README
// shows it.
func synopsis() string {
	var b strings.Builder
	for _, c := range commands() {
		head := "bmobemu " + c.path
		if len(c.args) == 0 {
			b.WriteString(head + "\n")
			continue
		}
		pad := strings.Repeat(" ", len(head)+1)
		for i, a := range c.args {
			if i == 0 {
				b.WriteString(head + " " + a + "\n")
			} else {
				b.WriteString(pad + a + "\n")
			}
		}
	}
	return b.String()
}

// overview is `bmobemu help`.
func overview() string {
	var b strings.Builder
	b.WriteString(overviewHead)
	for _, line := range strings.Split(strings.TrimSuffix(synopsis(), "\n"), "\n") {
		b.WriteString("  " + line + "\n")
	}
	b.WriteString("\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-26s %s\n", c.path, c.summary)
	}
	b.WriteString(overviewTail)
	return b.String()
}

// find returns the command args start with and the arguments after its words.
// A group word ("sandbox", "data") alone finds nothing but is reported by
// group, so its subcommands can be listed.
func find(args []string) (c *command, word string, rest []string) {
	cmds := commands()
	for i := range cmds {
		words := strings.Fields(cmds[i].path)
		if len(args) < len(words) {
			continue
		}
		match := true
		for j, w := range words {
			if !matchWord(w, args[j]) {
				match = false
				break
			}
		}
		if match {
			return &cmds[i], args[len(words)-1], args[len(words):]
		}
	}
	return nil, "", nil
}

// matchWord reports whether arg is w or one of its |-separated alternatives.
func matchWord(w, arg string) bool {
	for _, alt := range strings.Split(w, "|") {
		if alt == arg {
			return true
		}
	}
	return false
}

// group lists the commands under a first word ("sandbox"), or nil.
func group(word string) []*command {
	var out []*command
	cmds := commands()
	for i := range cmds {
		if words := strings.Fields(cmds[i].path); len(words) > 1 && words[0] == word {
			out = append(out, &cmds[i])
		}
	}
	return out
}

// commandHelp is the help of one command: usage, description and, when its
// flag set is known, every flag with its default.
func commandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage:\n")
	head := "bmobemu " + c.path
	for i, a := range c.args {
		if i == 0 {
			fmt.Fprintf(w, "  %s %s\n", head, a)
		} else {
			fmt.Fprintf(w, "  %s %s\n", strings.Repeat(" ", len(head)), a)
		}
	}
	if len(c.args) == 0 {
		fmt.Fprintf(w, "  %s\n", head)
	}
	fmt.Fprintf(w, "\n%s.\n", strings.ToUpper(c.summary[:1])+c.summary[1:])
	if c.about != "" {
		fmt.Fprintf(w, "\n%s\n", c.about)
	}
	if fs != nil {
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintf(w, "\nFlags:\n")
			fs.SetOutput(w)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
	}
}

func groupHelp(w io.Writer, word string, cmds []*command) {
	fmt.Fprintf(w, "Usage:\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "  bmobemu %-26s %s\n", c.path, c.summary)
	}
	fmt.Fprintf(w, "\nRun bmobemu %s COMMAND --help for a command's flags.\n", word)
}

// helpCmd is `bmobemu help [COMMAND…]`.
func helpCmd(_ context.Context, inv invocation) error {
	if len(inv.args) == 0 || wantsHelp(inv.args[:1]) {
		fmt.Fprint(inv.stdout, overview())
		return nil
	}
	if c, _, _ := find(inv.args); c != nil {
		commandHelp(inv.stdout, c, flagsOf(c))
		return nil
	}
	if cmds := group(inv.args[0]); cmds != nil {
		groupHelp(inv.stdout, inv.args[0], cmds)
		return nil
	}
	return fmt.Errorf("no command %q: see bmobemu help", strings.Join(inv.args, " "))
}

// flagsOf gets a command's flag set by asking it for its help with a throwaway
// invocation: parseFlags stops every command at --help before it does anything.
func flagsOf(c *command) *flag.FlagSet {
	word := strings.Split(strings.Fields(c.path)[len(strings.Fields(c.path))-1], "|")[0]
	err := c.run(context.Background(), invocation{word: word, args: []string{"--help"}, stdout: io.Discard, stderr: io.Discard})
	var h *helpRequest
	if errors.As(err, &h) {
		return h.fs
	}
	return nil
}

// helpRequest is what parseFlags returns for -h/--help: run prints the help
// of the command the flag set belongs to and exits 0.
type helpRequest struct{ fs *flag.FlagSet }

func (h *helpRequest) Error() string { return "help requested" }

// newFlagSet is a command's flag set, named by the command's path. It prints
// nothing itself: parseFlags returns parse errors for run to print once, and
// help requests for run to answer.
func newFlagSet(path string) *flag.FlagSet {
	fs := flag.NewFlagSet(path, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses a command's flags: -h/--help becomes a *helpRequest, any
// other error names the flag set's command and its --help.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return &helpRequest{fs: fs}
	case err != nil:
		return fmt.Errorf("%s: %w (see bmobemu %s --help)", fs.Name(), err, fs.Name())
	}
	return nil
}

// wantsHelp reports whether args ask for help before any positional argument
// (for commands that take one first, like invoke NAME).
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help":
			return true
		case "--":
			return false
		}
	}
	return false
}

// dispatch runs the command args name and returns the exit code: 0, 1 on a
// failure, 2 on a usage error.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		fmt.Fprint(stderr, overview())
		return 2
	case args[0] == "-h" || args[0] == "-help" || args[0] == "--help":
		fmt.Fprint(stdout, overview())
		return 0
	case args[0] == "--version":
		args = []string{"version"}
	}
	c, word, rest := find(args)
	if c == nil {
		if cmds := group(args[0]); cmds != nil {
			if len(args) == 1 || wantsHelp(args[1:2]) {
				out, code := stderr, 2
				if len(args) > 1 {
					out, code = stdout, 0
				}
				groupHelp(out, args[0], cmds)
				return code
			}
			fmt.Fprintf(stderr, "bmobemu: unknown %s command %q\n\n", args[0], args[1])
			groupHelp(stderr, args[0], cmds)
			return 2
		}
		fmt.Fprintf(stderr, "bmobemu: unknown command %q\n\n%s", args[0], overview())
		return 2
	}
	err := c.run(ctx, invocation{word: word, args: rest, stdout: stdout, stderr: stderr})
	var h *helpRequest
	switch {
	case err == nil:
		return 0
	case errors.As(err, &h):
		commandHelp(stdout, c, h.fs)
		return 0
	case errors.Is(err, flag.ErrHelp): // a command that called fs.Parse itself
		commandHelp(stdout, c, nil)
		return 0
	}
	fmt.Fprintln(stderr, "bmobemu:", err)
	return 1
}
