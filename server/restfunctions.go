package server

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/bmobemu/bmobemu/functions"
	"github.com/bmobemu/bmobemu/modules"
	"github.com/bmobemu/bmobemu/restapi"
	"github.com/bmobemu/bmobemu/runtime"
)

// RESTFunctions is the function registry restapi's /1/functions works on: a
// functions.Set seen through restapi.Functions. The set is built after the API
// (its engine needs the API's modules), so it is bound later; until then every
// name is unknown.
type RESTFunctions struct {
	set atomic.Pointer[functions.Set]
}

// Bind serves set's functions.
func (f *RESTFunctions) Bind(set *functions.Set) { f.set.Store(set) }

// Run implements restapi.Functions.
func (f *RESTFunctions) Run(ctx context.Context, name string, form []restapi.FormField) (string, error) {
	set := f.set.Load()
	if set == nil {
		return "", fmt.Errorf("%w: %s", restapi.ErrNoFunction, name)
	}
	if _, ok := set.Get(name); !ok {
		if loadErr, broken := set.Errors()[name]; broken {
			return "", &functions.NotLoadedError{Name: name, Err: loadErr}
		}
		return "", fmt.Errorf("%w: %s", restapi.ErrNoFunction, name)
	}
	fields := make([]modules.FormField, len(form))
	for i, kv := range form {
		fields[i] = modules.FormField{Key: kv.Key, Value: kv.Value}
	}
	resp, err := set.Call(ctx, name, fields)
	switch {
	case errors.Is(err, functions.ErrNotFound): // removed meanwhile
		return "", fmt.Errorf("%w: %s", restapi.ErrNoFunction, name)
	case errors.Is(err, runtime.ErrBusy):
		return "", fmt.Errorf("%w: %v", restapi.ErrFunctionsBusy, err)
	case err != nil:
		return "", err
	}
	if resp.Kind != runtime.Sent {
		return "", errors.New(string(resp.Body))
	}
	return string(resp.Body), nil
}

// ValidName implements restapi.Functions.
func (f *RESTFunctions) ValidName(name string) bool { return functions.ValidName(name) }

// Deploy implements restapi.Functions.
func (f *RESTFunctions) Deploy(name string, src []byte) error {
	set := f.set.Load()
	if set == nil {
		return fmt.Errorf("deploying %s: no functions", name)
	}
	var ce *functions.CompileError
	if err := set.Deploy(name, src); errors.As(err, &ce) {
		return &restapi.CompileError{Err: ce.Err}
	} else if err != nil {
		return err
	}
	return nil
}

// Remove implements restapi.Functions.
func (f *RESTFunctions) Remove(name string) error {
	set := f.set.Load()
	if set == nil {
		return fmt.Errorf("%w: %s", restapi.ErrNoFunction, name)
	}
	err := set.Remove(name)
	if errors.Is(err, functions.ErrNotFound) {
		return fmt.Errorf("%w: %s", restapi.ErrNoFunction, name)
	}
	return err
}
