package testkit

import (
	"encoding/binary"
	"io"
	"math/rand/v2"
	"sync"
)

// seeded holds the randomness of one session, all derived from one seed: the
// byte stream (objectIds, crypto.randomBytes) and Math.random are separate
// streams, so a script that calls one more Math.random does not change the
// objectIds of later rows.
type seeded struct {
	mu    sync.Mutex
	bytes *rand.ChaCha8
	float *rand.Rand
}

func newSeeded(seed uint64) *seeded {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	copy(key[8:], "bmobemu testkit bytes seed")
	return &seeded{bytes: rand.NewChaCha8(key), float: rand.New(rand.NewPCG(seed, 0x626d6f62656d75))}
}

// Read implements io.Reader for Config.Random; it is safe for concurrent use.
func (s *seeded) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytes.Read(p)
}

// Float64 is Math.random; it is safe for concurrent use.
func (s *seeded) Float64() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.float.Float64()
}

// SeededReader is a deterministic byte stream from seed, safe for concurrent use
// (the test runner gives test files their crypto.randomBytes from it).
func SeededReader(seed uint64) io.Reader { return newSeeded(seed) }

// SeededFloats is a deterministic Math.random from seed, safe for concurrent use.
func SeededFloats(seed uint64) func() float64 { return newSeeded(seed).Float64 }
