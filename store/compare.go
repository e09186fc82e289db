package store

import (
	"strings"
	"time"
)

// deepEqual compares decoded JSON values; Pointers compare by class and id,
// Dates by instant.
func deepEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case time.Time:
		y, ok := dateOf(b)
		return ok && x.Unix() == y.Unix()
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !deepEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			if t, isTime := b.(time.Time); isTime {
				d, ok := dateOf(x)
				return ok && d.Unix() == t.Unix()
			}
			return false
		}
		switch x["__type"] {
		case "Pointer", "Object":
			return (y["__type"] == "Pointer" || y["__type"] == "Object") &&
				x["className"] == y["className"] && x["objectId"] == y["objectId"]
		case "Date":
			dx, ok1 := dateOf(x)
			dy, ok2 := dateOf(y)
			if ok1 && ok2 {
				return dx.Equal(dy)
			}
		}
		if len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !deepEqual(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// kind ranks values for ordering: missing and null first, then booleans,
// numbers, strings, dates and anything else.
func kind(v any) int {
	switch t := v.(type) {
	case nil:
		return 0
	case bool:
		return 1
	case float64:
		return 2
	case string:
		return 3
	case time.Time:
		return 4
	case map[string]any:
		if t["__type"] == "Date" {
			return 4
		}
	}
	return 5
}

// compareValues orders two values (-1, 0, 1) and reports whether they were of
// the same kind; values of different kinds only order by kind.
func compareValues(a, b any) (int, bool) {
	ka, kb := kind(a), kind(b)
	if ka != kb {
		if ka < kb {
			return -1, false
		}
		return 1, false
	}
	switch ka {
	case 1:
		x, y := a.(bool), b.(bool)
		switch {
		case x == y:
			return 0, true
		case !x:
			return -1, true
		}
		return 1, true
	case 2:
		x, y := a.(float64), b.(float64)
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	case 3:
		return strings.Compare(a.(string), b.(string)), true
	case 4:
		x, _ := dateOf(a)
		y, _ := dateOf(b)
		return x.Compare(y), true
	case 0:
		return 0, true
	}
	return 0, false
}
