package bmob

import (
	"os"
	"testing"

	"github.com/bmobemu/bmobemu/internal/pgtest"
)

// TestMain stops the PostgreSQL server the tests started (BMOBEMU_TEST_STORE=postgres).
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
