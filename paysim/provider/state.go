package provider

import (
	"encoding/json"
	"fmt"
	"sync"
)

// State is the form a simulator's trades are saved in (Persistent): the
// sequence its ids come from, its trades oldest first and, for a provider that
// keeps them apart, its refunds in the order they were made. T and R are the
// provider's own JSON records.
type State[T, R any] struct {
	Seq     int64 `json:"seq"`
	Trades  []T   `json:"trades"`
	Refunds []R   `json:"refunds,omitempty"`
}

// SaveState is a Persistent provider's Snapshot: capture runs with mu held and
// returns the state, which is encoded after mu is released. who names the
// provider in errors.
func SaveState[T, R any](who string, mu sync.Locker, capture func() State[T, R]) ([]byte, error) {
	mu.Lock()
	st := capture()
	mu.Unlock()
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("%s: snapshot: %w", who, err)
	}
	return b, nil
}

// LoadState is a Persistent provider's Restore: the snapshot is decoded, then
// apply runs with mu held to put it in place. who names the provider in errors.
func LoadState[T, R any](who string, snapshot []byte, mu sync.Locker, apply func(State[T, R]) error) error {
	var st State[T, R]
	if err := json.Unmarshal(snapshot, &st); err != nil {
		return fmt.Errorf("%s: restore: %w", who, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if err := apply(st); err != nil {
		return fmt.Errorf("%s: restore: %w", who, err)
	}
	return nil
}
