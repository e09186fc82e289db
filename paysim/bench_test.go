package paysim

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bmobemu/bmobemu/internal/pgtest"
	"github.com/bmobemu/bmobemu/paysim/provider"
	"github.com/bmobemu/bmobemu/store"
)

// BenchmarkNotifyToAck is one notify from Notify to its acknowledged record,
// with the merchant answering at once: the records in memory only, kept in a
// bbolt file, and shared on PostgreSQL (claimed and settled in the database).
func BenchmarkNotifyToAck(b *testing.B) {
	ack := func(context.Context, *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("success"))}, nil
	}
	open := func(b *testing.B, target string) StateStore {
		st, err := store.OpenDB(target, store.Options{}, store.PostgresOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		return st.(StateStore)
	}
	for _, bc := range []struct {
		name  string
		state func(b *testing.B) StateStore
	}{
		{"memory", func(*testing.B) StateStore { return nil }},
		{"bbolt", func(b *testing.B) StateStore { return open(b, filepath.Join(b.TempDir(), "b.db")) }},
		{"postgres-shared", func(b *testing.B) StateStore { return open(b, pgtest.DSN(b)) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := newDelivering(b, Options{Deliver: ack, State: bc.state(b), MaxDeliveries: 100})
			if err := s.Restore(); err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			n := notification(provider.Alipay)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.Notify(n)
				id := "n" + strconv.Itoa(i+1)
				for !s.acknowledged(id) {
					time.Sleep(20 * time.Microsecond)
				}
			}
		})
	}
}

// acknowledged reports, without looking in the store, whether this process's
// record of delivery id is acknowledged.
func (s *Sandbox) acknowledged(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.find(id)
	return r != nil && r.d.State == StateAcknowledged && r.held == nil
}
