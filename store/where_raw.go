package store

import (
	"bytes"
	"strconv"

	"github.com/buger/jsonparser"
)

// rawPred tests a field's value in its stored JSON form (found is false when
// the field is missing). decided is false when the JSON alone cannot settle
// it (an array, an escaped string): the caller then decodes the value and
// asks the ordinary pred. Only what a scan meets on every row is compiled
// this way, so the common where clauses allocate nothing per row.
type rawPred func(raw []byte, typ jsonparser.ValueType, found bool) (ok, decided bool)

// rawConstraint compiles the value given for a field into a rawPred, or nil
// when only the ordinary pred can answer (the clause is then decoded).
func rawConstraint(field string, v any) rawPred {
	if reservedFields[field] {
		return nil // system fields are not in the stored JSON
	}
	ops, isMap := v.(map[string]any)
	if !isMap || !hasOperator(ops) {
		return rawEquals(operand(field, v))
	}
	var preds []rawPred
	for name, arg := range ops {
		var p rawPred
		switch name {
		case "$lt":
			p = rawCompare(operand(field, arg), func(c int) bool { return c < 0 })
		case "$lte":
			p = rawCompare(operand(field, arg), func(c int) bool { return c <= 0 })
		case "$gt":
			p = rawCompare(operand(field, arg), func(c int) bool { return c > 0 })
		case "$gte":
			p = rawCompare(operand(field, arg), func(c int) bool { return c >= 0 })
		case "$ne":
			if eq := rawEquals(operand(field, arg)); eq != nil {
				p = func(raw []byte, typ jsonparser.ValueType, found bool) (bool, bool) {
					ok, decided := eq(raw, typ, found)
					return !ok, decided
				}
			}
		case "$exists":
			if want, ok := arg.(bool); ok {
				p = func(_ []byte, _ jsonparser.ValueType, found bool) (bool, bool) { return found == want, true }
			}
		}
		if p == nil {
			return nil
		}
		preds = append(preds, p)
	}
	return func(raw []byte, typ jsonparser.ValueType, found bool) (bool, bool) {
		all := true
		for _, p := range preds {
			ok, decided := p(raw, typ, found)
			if decided && !ok {
				return false, true
			}
			all = all && decided
		}
		return true, all
	}
}

// rawEquals is equalsOrContains against a scalar: an array may hold it (left
// to the decoder); any other kind of value never equals it.
func rawEquals(want any) rawPred {
	switch w := want.(type) {
	case nil:
		return func(raw []byte, typ jsonparser.ValueType, found bool) (bool, bool) {
			if typ == jsonparser.Array {
				return false, false
			}
			return !found || typ == jsonparser.Null, true
		}
	case string:
		return func(raw []byte, typ jsonparser.ValueType, found bool) (bool, bool) {
			switch {
			case !found:
				return false, true
			case typ == jsonparser.String:
				if bytes.IndexByte(raw, '\\') >= 0 {
					return false, false
				}
				return string(raw) == w, true
			case typ == jsonparser.Array:
				return false, false
			}
			return false, true
		}
	case float64:
		return func(raw []byte, typ jsonparser.ValueType, found bool) (bool, bool) {
			switch {
			case !found:
				return false, true
			case typ == jsonparser.Number:
				f, err := strconv.ParseFloat(string(raw), 64)
				return err == nil && f == w, err == nil
			case typ == jsonparser.Array:
				return false, false
			}
			return false, true
		}
	case bool:
		return func(raw []byte, typ jsonparser.ValueType, found bool) (bool, bool) {
			switch {
			case !found:
				return false, true
			case typ == jsonparser.Boolean:
				return (raw[0] == 't') == w, true
			case typ == jsonparser.Array:
				return false, false
			}
			return false, true
		}
	}
	return nil
}

// rawCompare is cmpOp against a number or a string: a value of another kind
// never compares.
func rawCompare(want any, ok func(int) bool) rawPred {
	switch w := want.(type) {
	case float64:
		return func(raw []byte, typ jsonparser.ValueType, found bool) (bool, bool) {
			if !found || typ != jsonparser.Number {
				return false, true
			}
			f, err := strconv.ParseFloat(string(raw), 64)
			if err != nil {
				return false, false
			}
			c, _ := compareValues(f, w)
			return ok(c), true
		}
	case string:
		return func(raw []byte, typ jsonparser.ValueType, found bool) (bool, bool) {
			if !found || typ != jsonparser.String {
				return false, true
			}
			if bytes.IndexByte(raw, '\\') >= 0 {
				return false, false
			}
			return ok(bytes.Compare(raw, []byte(w))), true
		}
	}
	return nil
}

// rawClause is the matcher of one field clause: on a stored record the raw
// pred answers when it can, else the field is decoded for the ordinary one.
func rawClause(key string, p pred, rp rawPred) matcher {
	return func(r row) bool {
		if rr, ok := r.(*rawRecord); ok && rr.decoded == nil {
			raw, typ, found := rawLookup(rr.fields, key)
			if res, decided := rp(raw, typ, found); decided {
				return res
			}
			var val any
			if found {
				val = rawValue(raw, typ)
			}
			return p(val, found)
		}
		val, ok := r.get(key)
		return p(val, ok)
	}
}
