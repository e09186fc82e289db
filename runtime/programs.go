package runtime

import (
	"crypto/sha256"
	"sync"

	"github.com/dop251/goja"
)

// ProgramCache shares compiled programs between engines. A goja.Program is
// immutable and may run on any number of VMs, so engines that load the same file
// with the same content (one per handler test) compile it once. It is safe for
// concurrent use; the zero value is ready.
type ProgramCache struct {
	m sync.Map // programKey -> *goja.Program
}

type programKey struct {
	filename string
	sum      [sha256.Size]byte
}

// compile returns the cached program of filename with this content, compiling it
// on first use. A nil cache always compiles.
func (c *ProgramCache) compile(filename string, src []byte) (*goja.Program, error) {
	if c == nil {
		return compileScript(filename, src)
	}
	key := programKey{filename: filename, sum: sha256.Sum256(src)}
	if prg, ok := c.m.Load(key); ok {
		return prg.(*goja.Program), nil
	}
	prg, err := compileScript(filename, src)
	if err != nil {
		return nil, err
	}
	actual, _ := c.m.LoadOrStore(key, prg)
	return actual.(*goja.Program), nil
}
