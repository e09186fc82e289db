package emulator

import (
	"os"
	"testing"

	"github.com/bmobemu/bmobemu/internal/pgtest"
)

// TestMain stops the PostgreSQL server the tests started.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
