package store

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/buger/jsonparser"
	bolt "go.etcd.io/bbolt"
)

// rawRecord is a stored record read in place from bbolt's memory map: the
// system fields found, the field values left as JSON until a query names
// one, and then only that value decoded. Its byte slices are valid only
// inside the read transaction that produced them.
type rawRecord struct {
	id      []byte
	c, u    []byte // the digits of createdAt and updatedAt (unix microseconds)
	fields  []byte // the JSON object of the fields
	value   []byte // the whole stored value
	decoded *record
}

// readRaw reads a stored value in place; ok is false when it is not in the
// regular form (decodeRecord then reads it).
func readRaw(id, v []byte) (rawRecord, bool) {
	c, u, f, ok := splitRegular(v)
	return rawRecord{id: id, c: c, u: u, fields: f, value: v}, ok
}

// created is createdAt in unix microseconds.
func (r *rawRecord) created() int64 {
	if r.decoded != nil {
		return r.decoded.created.UnixMicro()
	}
	return digitsValue(r.c)
}

func (r *rawRecord) updated() int64 {
	if r.decoded != nil {
		return r.decoded.updated.UnixMicro()
	}
	return digitsValue(r.u)
}

// parseRegular reads the system fields of a value in the form encodeRecord
// writes, {"c":N,"u":N,"f":{…}}, without looking inside the fields. It
// reports false for any other form (which decodeRecord then reads).
func parseRegular(v []byte) (created, updated int64, fields []byte, ok bool) {
	c, u, f, ok := splitRegular(v)
	if !ok {
		return 0, 0, nil, false
	}
	return digitsValue(c), digitsValue(u), f, true
}

// splitRegular finds the parts of a regular value; the times are left as
// digits (a scan parses them only for the rows that match).
func splitRegular(v []byte) (c, u, fields []byte, ok bool) {
	rest, ok := cutPrefix(v, `{"c":`)
	if !ok {
		return nil, nil, nil, false
	}
	if c, rest, ok = cutDigits(rest); !ok {
		return nil, nil, nil, false
	}
	if rest, ok = cutPrefix(rest, `,"u":`); !ok {
		return nil, nil, nil, false
	}
	if u, rest, ok = cutDigits(rest); !ok {
		return nil, nil, nil, false
	}
	if rest, ok = cutPrefix(rest, `,"f":`); !ok || len(rest) < 3 || rest[len(rest)-1] != '}' {
		return nil, nil, nil, false
	}
	fields = rest[:len(rest)-1]
	switch {
	case fields[0] == '{':
	case string(fields) == "null":
		fields = []byte("{}")
	default:
		return nil, nil, nil, false
	}
	return c, u, fields, true
}

func cutPrefix(b []byte, prefix string) ([]byte, bool) {
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return nil, false
	}
	return b[len(prefix):], true
}

// cutDigits cuts the integer at the start of b as json.Marshal writes an
// int64, refusing more than 18 digits so that digitsValue cannot overflow
// (such values, far beyond any time, go to decodeRecord).
func cutDigits(b []byte) (digits, rest []byte, ok bool) {
	i := 0
	if len(b) > 0 && b[0] == '-' {
		i = 1
	}
	start := i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	n := i - start
	if n == 0 || n > 18 || n > 1 && b[start] == '0' {
		return nil, nil, false
	}
	return b[:i], b[i:], true
}

// digitsValue is the value of digits cut by cutDigits.
func digitsValue(b []byte) int64 {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	var n int64
	for _, d := range b {
		n = n*10 + int64(d-'0')
	}
	if neg {
		return -n
	}
	return n
}

// get reads a field as record.get does, decoding only the value asked for.
func (r *rawRecord) get(path string) (any, bool) {
	switch path {
	case "objectId":
		return string(r.id), true
	case "createdAt":
		return time.UnixMicro(r.created()), true
	case "updatedAt":
		return time.UnixMicro(r.updated()), true
	}
	if r.decoded != nil {
		return r.decoded.get(path)
	}
	raw, typ, ok := rawLookup(r.fields, path)
	if !ok {
		return nil, false
	}
	return rawValue(raw, typ), true
}

// record decodes the whole record (for the rows a query returns).
func (r *rawRecord) record() (*record, error) {
	if r.decoded != nil {
		return r.decoded, nil
	}
	return decodeRecord(string(r.id), r.value)
}

// rawLookup follows a dotted path as lookupPath does, through the JSON text:
// the whole path as a key first, then segment by segment through objects and
// (by index) arrays.
func rawLookup(obj []byte, path string) ([]byte, jsonparser.ValueType, bool) {
	if v, t, ok := rawMember(obj, jsonparser.Object, path); ok || !strings.Contains(path, ".") {
		return v, t, ok
	}
	cur, curType := obj, jsonparser.Object
	for more := true; more; {
		var seg string
		seg, path, more = strings.Cut(path, ".")
		v, t, ok := rawMember(cur, curType, seg)
		if !ok {
			return nil, jsonparser.NotExist, false
		}
		cur, curType = v, t
	}
	return cur, curType, true
}

// rawMember is the member seg of a JSON object or the element seg (a decimal
// index) of a JSON array.
func rawMember(cur []byte, typ jsonparser.ValueType, seg string) ([]byte, jsonparser.ValueType, bool) {
	switch typ {
	case jsonparser.Object:
		if seg == "" || seg[0] == '[' { // jsonparser would read these as array indexes
			return slowMember(cur, seg)
		}
		v, t, _, err := jsonparser.Get(cur, seg)
		return v, t, err == nil
	case jsonparser.Array:
		i, err := strconv.Atoi(seg)
		if err != nil || i < 0 {
			return nil, jsonparser.NotExist, false
		}
		v, t, _, err := jsonparser.Get(cur, "["+strconv.Itoa(i)+"]")
		return v, t, err == nil
	}
	return nil, jsonparser.NotExist, false
}

// slowMember decodes an object to read a member whose name jsonparser's path
// syntax cannot express.
func slowMember(obj []byte, key string) ([]byte, jsonparser.ValueType, bool) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(obj, &m); err != nil {
		return nil, jsonparser.NotExist, false
	}
	v, ok := m[key]
	if !ok {
		return nil, jsonparser.NotExist, false
	}
	_, t, _, err := jsonparser.Get(v)
	if err != nil {
		return nil, jsonparser.NotExist, false
	}
	if t == jsonparser.String { // Get without keys keeps the quotes of a bare string
		v = v[1 : len(v)-1]
	}
	return v, t, true
}

// rawValue decodes one JSON value as encoding/json decodes it into an any.
func rawValue(raw []byte, typ jsonparser.ValueType) any {
	switch typ {
	case jsonparser.String:
		if s, err := jsonparser.ParseString(raw); err == nil {
			return s
		}
		var s string
		_ = json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s)
		return s
	case jsonparser.Number:
		f, _ := strconv.ParseFloat(string(raw), 64)
		return f
	case jsonparser.Boolean:
		return raw[0] == 't'
	case jsonparser.Null:
		return nil
	}
	var v any
	_ = json.Unmarshal(raw, &v)
	return v
}

// eachRaw calls fn with every readable record of class, in key order, inside
// tx; r is reused between calls. The first read of a class since the store
// opened also checks every record (the work loadClass did): records that do
// not decode are noted in the damage log and skipped from then on.
func (s *boltStore) eachRaw(tx *bolt.Tx, class string, fn func(r *rawRecord)) error {
	b := tx.Bucket(classesBucket).Bucket([]byte(class))
	if b == nil {
		return nil
	}
	known, gen := s.cache.state(class)
	var found map[string]bool
	if known == nil {
		found = map[string]bool{}
	}
	var r rawRecord
	err := b.ForEach(func(k, v []byte) error {
		if v == nil {
			return nil // a nested bucket, not a record
		}
		irregular := false
		if known != nil {
			bad, special := known.special[string(k)]
			if special && bad {
				return nil
			}
			irregular = special
		}
		ok := false
		if !irregular {
			r, ok = readRaw(k, v)
		}
		if ok && known == nil && !json.Valid(r.fields) {
			ok = false
		}
		if !ok {
			rec, err := decodeRecord(string(k), v)
			if err != nil {
				s.damage.note(class, string(k), err)
				if found != nil {
					found[string(k)] = true
				}
				return nil
			}
			if found != nil {
				found[string(k)] = false
			}
			r = rawRecord{id: k, value: v, decoded: rec}
		}
		fn(&r)
		return nil
	})
	if err != nil {
		return err
	}
	if found != nil {
		s.cache.publish(class, gen, &classState{special: found})
	}
	return nil
}
