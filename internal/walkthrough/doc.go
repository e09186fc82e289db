// Package walkthrough holds the tests that follow the README and the Makefile
// as a new user does: the payment walk-through pasted into a shell, and
// `make run` started and stopped. It has no code of its own.
package walkthrough
