package store

import (
	"sort"
	"strconv"
	"strings"
)

// action is one validated key of a write: a plain value or an __op, at a
// dotted path. A plan is built once, outside the transaction, and applied to a
// freshly decoded object each time bbolt runs the transaction.
type action struct {
	key     string   // as written, for messages
	path    []string // key split on "."
	op      string   // "set" or an __op name
	value   any      // set
	amount  float64  // Increment
	objects []any    // Add, AddUnique, Remove
	rel     relOp    // AddRelation, RemoveRelation
}

type relOp struct {
	className string
	ids       []string
}

// planWrite validates data and turns it into actions, in key order.
func planWrite(data map[string]any) ([]action, error) {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	plan := make([]action, 0, len(keys))
	for _, k := range keys {
		path := strings.Split(k, ".")
		if err := checkField(path[0]); err != nil {
			return nil, err
		}
		for _, seg := range path[1:] {
			if seg == "" {
				return nil, Errorf(105, "invalid field name: %s.", k)
			}
		}
		a, err := planValue(k, data[k])
		if err != nil {
			return nil, err
		}
		if path[0] == "ACL" && (len(path) > 1 || a.op != "set" && a.op != "Delete" || !validACL(a.value)) {
			return nil, errBadACL()
		}
		a.key, a.path = k, path
		plan = append(plan, a)
	}
	return plan, nil
}

func planValue(key string, v any) (action, error) {
	v, err := plain(v)
	if err != nil {
		return action{}, err
	}
	m, ok := v.(map[string]any)
	if !ok || m["__op"] == nil {
		n, err := normalizeValue(key, v)
		return action{op: "set", value: n}, err
	}
	op, _ := m["__op"].(string)
	a := action{op: op}
	switch op {
	case "Increment":
		amt, ok := toFloat(m["amount"])
		if !ok {
			return a, Errorf(107, "invalid op value")
		}
		a.amount = amt
	case "Delete":
	case "Add", "AddUnique", "Remove":
		objs, ok := m["objects"].([]any)
		if !ok {
			return a, Errorf(107, "invalid op value")
		}
		n, err := normalizeValue(key, objs)
		if err != nil {
			return a, err
		}
		a.objects = n.([]any)
	case "AddRelation", "RemoveRelation":
		objs, ok := m["objects"].([]any)
		if !ok {
			return a, Errorf(107, "invalid op value")
		}
		for _, o := range objs {
			p, err := normalizeValue(key, o)
			if err != nil {
				return a, err
			}
			pm, ok := p.(map[string]any)
			if !ok || pm["__type"] != "Pointer" {
				return a, Errorf(106, "%s: is not a valid Pointer.", key)
			}
			cls := pm["className"].(string)
			if a.rel.className != "" && a.rel.className != cls {
				return a, Errorf(107, "invalid op value")
			}
			a.rel.className = cls
			a.rel.ids = append(a.rel.ids, pm["objectId"].(string))
		}
	default:
		return a, Errorf(107, "invalid op value")
	}
	return a, nil
}

// apply runs the plan on fields (a private, freshly decoded map).
func apply(fields map[string]any, plan []action) error {
	for _, a := range plan {
		parent, last, err := container(fields, a)
		if err != nil {
			return err
		}
		cur, exists := getChild(parent, last)
		next, del, err := a.result(cur, exists)
		if err != nil {
			return err
		}
		if del {
			deleteChild(parent, last)
			continue
		}
		if err := setChild(parent, last, next, a.key); err != nil {
			return err
		}
	}
	return nil
}

// result is the new value of the target of a, or del for __op Delete.
func (a action) result(cur any, exists bool) (next any, del bool, err error) {
	if cur == nil {
		exists = false
	}
	switch a.op {
	case "set":
		return deepCopy(a.value), false, nil
	case "Delete":
		return nil, true, nil
	case "Increment":
		if !exists {
			return a.amount, false, nil
		}
		n, ok := cur.(float64)
		if !ok {
			return nil, false, typeError(a.path[0], typeName(cur), "Number")
		}
		return n + a.amount, false, nil
	case "Add", "AddUnique", "Remove":
		var arr []any
		if exists {
			var ok bool
			if arr, ok = cur.([]any); !ok {
				return nil, false, typeError(a.path[0], typeName(cur), "Array")
			}
		}
		return a.arrayOp(arr), false, nil
	case "AddRelation", "RemoveRelation":
		rel := map[string]any{"__type": "Relation", "className": a.rel.className, "objectIds": []any{}}
		if exists {
			m, ok := cur.(map[string]any)
			if !ok || m["__type"] != "Relation" {
				return nil, false, typeError(a.path[0], typeName(cur), "Relation")
			}
			if m["className"] != a.rel.className {
				return nil, false, Errorf(107, "invalid op value")
			}
			ids, _ := m["objectIds"].([]any)
			rel["objectIds"] = append([]any{}, ids...)
		}
		ids := rel["objectIds"].([]any)
		for _, id := range a.rel.ids {
			ids = removeEqual(ids, id)
			if a.op == "AddRelation" {
				ids = append(ids, id)
			}
		}
		rel["objectIds"] = ids
		return rel, false, nil
	}
	return nil, false, Errorf(107, "invalid op value")
}

func (a action) arrayOp(arr []any) []any {
	out := make([]any, 0, len(arr)+len(a.objects))
	out = append(out, arr...)
	for _, o := range a.objects {
		switch a.op {
		case "Add":
			out = append(out, deepCopy(o))
		case "AddUnique":
			if !containsEqual(out, o) {
				out = append(out, deepCopy(o))
			}
		case "Remove":
			out = removeEqual(out, o)
		}
	}
	return out
}

func containsEqual(arr []any, v any) bool {
	for _, e := range arr {
		if deepEqual(e, v) {
			return true
		}
	}
	return false
}

func removeEqual(arr []any, v any) []any {
	out := arr[:0:0]
	for _, e := range arr {
		if !deepEqual(e, v) {
			out = append(out, e)
		}
	}
	return out
}

func typeError(key, expected, got string) error {
	return Errorf(111, "invalid type for key '%s', expected '%s', but got '%s'.", key, expected, got)
}

// container walks a's path to the object or array holding its last segment,
// creating objects on the way for missing segments.
func container(fields map[string]any, a action) (any, string, error) {
	var cur any = fields
	for _, seg := range a.path[:len(a.path)-1] {
		child, ok := getChild(cur, seg)
		if !ok || child == nil {
			if _, isMap := cur.(map[string]any); !isMap {
				return nil, "", Errorf(105, "invalid field name: %s.", a.key)
			}
			child = map[string]any{}
			cur.(map[string]any)[seg] = child
		}
		switch child.(type) {
		case map[string]any, []any:
		default:
			return nil, "", Errorf(105, "invalid field name: %s.", a.key)
		}
		cur = child
	}
	return cur, a.path[len(a.path)-1], nil
}

func getChild(parent any, seg string) (any, bool) {
	switch t := parent.(type) {
	case map[string]any:
		v, ok := t[seg]
		return v, ok
	case []any:
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= len(t) {
			return nil, false
		}
		return t[i], true
	}
	return nil, false
}

func setChild(parent any, seg string, v any, key string) error {
	switch t := parent.(type) {
	case map[string]any:
		t[seg] = v
		return nil
	case []any:
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 || i >= len(t) {
			return Errorf(105, "invalid field name: %s.", key)
		}
		t[i] = v
		return nil
	}
	return Errorf(105, "invalid field name: %s.", key)
}

func deleteChild(parent any, seg string) {
	switch t := parent.(type) {
	case map[string]any:
		delete(t, seg)
	case []any:
		if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(t) {
			t[i] = nil
		}
	}
}

// errBadACL is Bmob's answer to a malformed ACL (its typo included).
func errBadACL() error {
	return Errorf(107, `ACL shoud be like: {"*":{"read":true},"eAfHB29gP9":{"write":true}}.`)
}

// validACL: null, or an object of "*", objectIds and "role:Name", each an
// object whose only keys are read and write with boolean values.
func validACL(v any) bool {
	if v == nil {
		return true
	}
	m, ok := v.(map[string]any)
	if !ok || m["__type"] != nil {
		return false
	}
	for who, perms := range m {
		p, ok := perms.(map[string]any)
		if who == "" || !ok {
			return false
		}
		for k, b := range p {
			if _, isBool := b.(bool); !isBool || k != "read" && k != "write" {
				return false
			}
		}
	}
	return true
}
