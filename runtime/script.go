package runtime

import (
	"context"
	"errors"
	"fmt"

	"github.com/dop251/goja"

	"github.com/bmobemu/bmobemu/internal/eventloop"
	"github.com/bmobemu/bmobemu/modules"
)

// Script is a VM set up exactly like a function's (require and the registry's
// packages, Buffer, console, process, timers on the engine's clock, Date and
// Math.random from the engine's sources) for code that is not a cloud function:
// handler test files. Its console lines go to the engine's log under its name.
// A Script is used from one goroutine at a time.
type Script struct {
	v *vu
}

// NewScript makes a Script VM; name labels its log lines and filename its
// stack frames.
func (e *Engine) NewScript(name, filename string) (*Script, error) {
	f := newFunction(e, name, filename, nil)
	v, err := f.newBareVU()
	if err != nil {
		return nil, err
	}
	return &Script{v: v}, nil
}

// Runtime is the Script's VM. Use it only inside Run, or between Runs on the
// goroutine that calls them.
func (s *Script) Runtime() *goja.Runtime { return s.v.vm }

// Compile compiles a script the way functions are compiled (sloppy mode).
func (s *Script) Compile(filename string, src []byte) (*goja.Program, error) {
	s.v.fn.engine.sources.Store(filename, append([]byte(nil), src...))
	return compileScript(filename, src)
}

// Run runs first on a fresh event loop, then every callback, timer and promise job
// it leaves, until nothing is pending, ctx is done (the VM is interrupted and
// ctx's error returned) or a callback throws. A frozen clock is stepped to the
// script's timers, so waiting costs nothing.
func (s *Script) Run(ctx context.Context, first func() error) error {
	v := s.v
	inv := newInvocation(v.fn, nil)
	inv.ctx = ctx
	inv.loop = eventloop.New(v.vm, v.trampoline)
	inv.loop.UseClock(v.fn.engine.opts.Clock, nil)
	v.inv = inv
	defer func() { v.inv = nil }()
	stop := context.AfterFunc(ctx, func() { v.interrupt(fmt.Errorf("%s: %w", v.fn.name, context.Cause(ctx))) })
	err := inv.loop.Run(ctx, first)
	var ex *goja.Exception
	if errors.As(err, &ex) {
		if obj, ok := ex.Value().(*goja.Object); ok {
			v.normalizeError(obj)
		}
	}
	if !stop() {
		v.clearInterrupt()
		if err == nil {
			err = ctx.Err()
		}
	}
	return err
}

// DescribeError renders a script error as the runtime reports throws: a one-line
// message ending in the first script frame (file:line:col), and the full stack.
func DescribeError(err error) (msg, stack string) { return describeError(err) }

// VU is the Script's VM as modules see it: what a module constructed for this
// Script is given (modulestest loads modules through it).
func (s *Script) VU() modules.VU { return s.v }
