// Command fillkeys prepares the payment examples for `make run`: it copies each
// example's functions folder with its key placeholders filled from the payment
// sandbox keys kept beside the db (made on first use, the same keys `bmobemu
// sandbox keys --db DB` prints and the served simulators hold).
//
//	go run ./examples/internal/fillkeys -db .bmobemu/examples.db -out .bmobemu/examples.db.examples [-addr 127.0.0.1:8080] examples/alipay-app/functions …
//
// Each folder lands in OUT/<example name>; the output lists them comma-separated
// for `bmobemu serve --functions`.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/bmobemu/bmobemu/examples/internal/placeholders"
	"github.com/bmobemu/bmobemu/paysim"
	"github.com/bmobemu/bmobemu/paysim/builtin"
)

func main() {
	db := flag.String("db", ".bmobemu/examples.db", "the db whose sandbox keys fill the placeholders")
	out := flag.String("out", ".bmobemu/functions", "where the filled folders go")
	addr := flag.String("addr", "", "fail at once, making nothing, when this address is taken (make run's ADDR)")
	flag.Parse()
	if *addr != "" {
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			fmt.Fprintf(os.Stderr, "fillkeys: %s is taken (another make run?): stop it, or make run ADDR=127.0.0.1:8090 RUN_DB=.bmobemu/other.db\n  (%v)\n", *addr, err)
			os.Exit(1)
		}
		_ = ln.Close()
	}
	if err := run(*db, *out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "fillkeys:", err)
		os.Exit(1)
	}
}

func run(db, out string, dirs []string) error {
	if len(dirs) == 0 {
		return fmt.Errorf("name the functions folders to fill")
	}
	keys, err := builtin.LoadOrCreateKeys(paysim.KeysFile(db))
	if err != nil {
		return err
	}
	values := placeholders.FromSandbox(keys)
	filled := make([]string, len(dirs))
	for i, dir := range dirs {
		name := filepath.Base(filepath.Dir(filepath.Clean(dir))) // examples/<name>/functions
		filled[i] = filepath.Join(out, name)
		if err := placeholders.Fill(dir, filled[i], values); err != nil {
			return err
		}
	}
	fmt.Println(strings.Join(filled, ","))
	return nil
}
