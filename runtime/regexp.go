package runtime

import (
	"time"

	"github.com/dlclark/regexp2/v2"
)

// goja matches patterns with lookarounds or backreferences with regexp2, a
// backtracking engine that a VM interrupt does not reach: /^(a+)+$(?=)/ on 40
// "a"s and a "!" would hold a core forever, past any deadline. regexp2 can stop
// a match after a timeout, fixed when the pattern compiles, so every match is
// bounded by the longest a call may run: a runaway match ends at most one call
// timeout after it started, the deadline's interrupt then ends the call, and
// its VM is thrown away. (A stopped match reads as "no match" to the script,
// which only a call already past its deadline can see.)
func init() { regexp2.DefaultMatchTimeout = DefaultTimeout }

// LimitRegexpMatches sets the bound of one backtracking regexp match (see
// above) for the whole process, normally to the call timeout when it is not
// the default. It must be called before any VM runs (regexp2 reads it
// unguarded); d <= 0 leaves the bound as it is.
func LimitRegexpMatches(d time.Duration) {
	if d > 0 {
		regexp2.DefaultMatchTimeout = d
	}
}
