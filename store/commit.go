package store

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// maxGroup bounds how many writes one group commit applies, so one
// transaction (and the retries after a failing member) stays small.
const maxGroup = 1000

// maxYields bounds how many times the commit loop yields to let more writers
// join a group before taking it (each yield is a scheduler round, no sleep).
const maxYields = 8

// errStoreClosed answers writes that reach a closed store.
var errStoreClosed = fmt.Errorf("store closed: %w", bolt.ErrDatabaseNotOpen)

// committer is the bbolt engine's group commit: one goroutine takes every
// write queued since its last commit, applies them in queue order in one
// transaction, commits (one fsync for all of them), and only then answers
// each caller. A lone write is committed at once; writes that arrive while a
// commit is on disk wait for the next one, so groups grow with the load with
// no delay added to fill them.
//
// A write whose function fails (or panics: see contained) is taken out of its
// group, which is rolled back and applied again without it, as bbolt's Batch
// did: it fails alone, its neighbours commit. Its error is the one it met
// after the writes queued before it, which are the ones that commit before
// it (Batch ran it once more on its own; that order is kept here instead).
type committer struct {
	db *bolt.DB

	mu       sync.Mutex
	queue    []*pendingWrite
	closed   bool // Close was called: no new writes
	maxGroup int  // writes per transaction, beyond which a group is cut (not inside a writeGroup)
	wake     chan struct{}
	done     chan struct{} // closed when the loop has ended
}

// pendingWrite is one caller's write waiting for its group to commit.
type pendingWrite struct {
	ctx context.Context
	fn  func(tx *bolt.Tx) error
	err error
	ok  chan struct{} // closed once err is final
	// follows: commit in the same transaction as the write queued just
	// before (the members of one writeGroup after the first).
	follows bool
}

func newCommitter(db *bolt.DB) *committer {
	c := &committer{db: db, wake: make(chan struct{}, 1), done: make(chan struct{}), maxGroup: maxGroup}
	go c.loop()
	return c
}

// do queues fn and waits until it has committed (nil) or failed. fn may run
// more than once (its group is retried without a failing member), so it must
// only read its inputs; it must not block on other writes.
func (c *committer) do(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w := &pendingWrite{ctx: ctx, fn: fn, ok: make(chan struct{})}
	if err := c.enqueue(w); err != nil {
		return err
	}
	<-w.ok // never abandoned: the caller learns whether its write is on disk
	return w.err
}

func (c *committer) enqueue(ws ...*pendingWrite) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errStoreClosed
	}
	c.queue = append(c.queue, ws...)
	c.mu.Unlock()
	c.signal()
	return nil
}

func (c *committer) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// close stops taking writes, lets the queued ones commit, and waits for the
// loop to end.
func (c *committer) close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
	}
	c.mu.Unlock()
	c.signal()
	<-c.done
}

func (c *committer) loop() {
	defer close(c.done)
	for {
		c.mu.Lock()
		for len(c.queue) == 0 && !c.closed {
			c.mu.Unlock()
			<-c.wake
			c.mu.Lock()
		}
		if len(c.queue) == 0 { // closed and drained
			c.mu.Unlock()
			return
		}
		// Let the goroutines that are ready to run go first, as long as
		// writers keep joining: writers among them queue before this group
		// is taken. With few cores (GOMAXPROCS=1) the loop would otherwise
		// run as soon as the first write is queued and commit it alone while
		// the others wait for the next fsync. A lone writer loses nothing:
		// with nothing else ready, a yield returns at once.
		for range maxYields {
			queued := len(c.queue)
			c.mu.Unlock()
			runtime.Gosched()
			c.mu.Lock()
			if len(c.queue) == queued { // nobody joined: take the group now
				break
			}
		}
		n := min(len(c.queue), c.maxGroup)
		for n < len(c.queue) && c.queue[n].follows { // a writeGroup is never cut
			n++
		}
		group := make([]*pendingWrite, n)
		copy(group, c.queue)
		c.queue = append(c.queue[:0], c.queue[n:]...)
		c.mu.Unlock()
		c.commit(group)
	}
}

// commit applies group in one transaction, retrying without each member that
// fails, then answers every member.
func (c *committer) commit(group []*pendingWrite) {
	live := group[:0:0]
	for _, w := range group {
		if err := w.ctx.Err(); err != nil { // gave up before its turn: nothing written
			w.err = err
			continue
		}
		live = append(live, w)
	}
	for len(live) > 0 {
		failed := -1
		err := updateDB(c.db, func(tx *bolt.Tx) error {
			for i, w := range live {
				if err := contained(w.fn)(tx); err != nil {
					failed, w.err = i, err
					return err
				}
			}
			return nil
		})
		if failed >= 0 {
			live = append(live[:failed:failed], live[failed+1:]...)
			continue
		}
		for _, w := range live { // nil, or the commit's own error (disk full, damage)
			w.err = err
		}
		break
	}
	for _, w := range group {
		close(w.ok)
	}
}

// writeGroup collects the writes of several callers that run concurrently
// (the elements of one /1/batch) so they commit in one transaction, in the
// order of their slots whatever the order they arrive in. Each slot is filled
// by its first write, or emptied by Done; once every slot is settled the
// writes go to the committer together. A slot's later writes are ordinary.
type writeGroup struct {
	c     *committer
	mu    sync.Mutex
	slots []*pendingWrite
	left  int // slots not yet settled
	sent  bool
}

// hold opens a group of n slots; its writes are held back until every slot
// is settled.
func (c *committer) hold(n int) *writeGroup {
	return &writeGroup{c: c, slots: make([]*pendingWrite, n), left: n}
}

// settle fills slot i with w (nil: the slot has no write) and reports whether
// w joined the group; a slot settles once, later writes go on alone.
func (g *writeGroup) settle(i int, w *pendingWrite) (joined bool) {
	g.mu.Lock()
	if g.sent || i < 0 || i >= len(g.slots) || g.slots[i] != nil {
		g.mu.Unlock()
		return false
	}
	g.slots[i] = w
	if w == nil {
		g.slots[i] = &pendingWrite{} // settled, empty
	}
	g.left--
	if g.left > 0 {
		g.mu.Unlock()
		return w != nil
	}
	g.sent = true
	var ws []*pendingWrite
	for _, s := range g.slots {
		if s.fn != nil {
			s.follows = len(ws) > 0
			ws = append(ws, s)
		}
	}
	g.mu.Unlock()
	c := g.c
	c.mu.Lock()
	closed := c.closed
	if !closed {
		c.queue = append(c.queue, ws...)
	}
	c.mu.Unlock()
	if closed {
		for _, w := range ws {
			w.err = errStoreClosed
			close(w.ok)
		}
	}
	c.signal()
	return w != nil
}

// groupSlot is the context value that routes a caller's first write into a
// writeGroup.
type groupSlot struct {
	g *writeGroup
	i int
}

type groupSlotKey struct{}

// WriteGroup lets n concurrent callers commit their first writes in one
// transaction, in slot order: each runs with the context Slot(ctx, i) gives
// and calls Done(i) when it has finished, written or not. A store that does
// not group writes (PostgreSQL) gives each its own transaction.
type WriteGroup interface {
	// Slot returns ctx with slot i attached.
	Slot(ctx context.Context, i int) context.Context
	// Done settles slot i if its caller has not written: every slot must be
	// settled (written or done) before the group commits.
	Done(i int)
}

// GroupWriter is implemented by stores that can commit the writes of
// several callers in one transaction.
type GroupWriter interface {
	// GroupWrites opens a WriteGroup of n slots.
	GroupWrites(n int) WriteGroup
}

// GroupWrites implements GroupWriter.
func (s *boltStore) GroupWrites(n int) WriteGroup { return s.commits.hold(n) }

// Slot implements WriteGroup.
func (g *writeGroup) Slot(ctx context.Context, i int) context.Context {
	return context.WithValue(ctx, groupSlotKey{}, groupSlot{g: g, i: i})
}

// Ungrouped returns ctx without its write group slot: work it starts that is
// not the slot's own write (a data hook's function, say) commits on its own
// instead of taking the slot, or waiting for a group it holds up.
func Ungrouped(ctx context.Context) context.Context {
	return context.WithValue(ctx, groupSlotKey{}, nil)
}

// Done implements WriteGroup.
func (g *writeGroup) Done(i int) { g.settle(i, nil) }

// doInGroup is do, for a write whose context carries a group slot: the write
// joins its group if it is the slot's first.
func (c *committer) doInGroup(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	slot, ok := ctx.Value(groupSlotKey{}).(groupSlot)
	if !ok || slot.g.c != c {
		return c.do(ctx, fn)
	}
	if err := ctx.Err(); err != nil {
		slot.g.Done(slot.i)
		return err
	}
	w := &pendingWrite{ctx: ctx, fn: fn, ok: make(chan struct{})}
	if !slot.g.settle(slot.i, w) {
		return c.do(ctx, fn)
	}
	<-w.ok
	return w.err
}
