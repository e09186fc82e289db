package bmob

import "time"

// workers runs the Go side of a VM's Bmob calls. A worker that finishes waits
// a while for the next job, so a busy VM reuses goroutines whose stacks have
// already grown to what a store call needs, instead of starting (and growing)
// one per call; a job that finds no idle worker gets a new one, so calls never
// wait for each other.
type workers struct {
	jobs chan func() // unbuffered: a send succeeds only into an idle worker
	idle time.Duration
}

// workerIdle is how long a worker waits for its next job before it ends.
const workerIdle = 10 * time.Second

func newWorkers() *workers { return &workers{jobs: make(chan func()), idle: workerIdle} }

// run runs job on an idle worker, or on a new one.
func (w *workers) run(job func()) {
	select {
	case w.jobs <- job:
	default:
		go w.loop(job)
	}
}

func (w *workers) loop(job func()) {
	timer := time.NewTimer(w.idle)
	defer timer.Stop()
	for {
		job()
		timer.Reset(w.idle)
		select {
		case job = <-w.jobs:
		case <-timer.C:
			return
		}
	}
}
