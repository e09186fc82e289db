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
// system fields parsed, the field values left as JSON until a query names
// one, and then only that value decoded. Its byte slices are valid only
// inside the read transaction that produced them.
type rawRecord struct {
	id      []byte
	created int64  // unix microseconds
	updated int64  // unix microseconds
	fields  []byte // the JSON object of the fields
	value   []byte // the whole stored value
	decoded *record
}

// parseRegular reads the system fields of a value in the form encodeRecord
// writes, {"c":N,"u":N,"f":{…}}, without looking inside the fields. It
// reports false for any other form (which decodeRecord then reads).
func parseRegular(v []byte) (created, updated int64, fields []byte, ok bool) {
	rest, ok := cutPrefix(v, `{"c":`)
	if !ok {
		return 0, 0, nil, false
	}
	if created, rest, ok = cutInt(rest); !ok {
		return 0, 0, nil, false
	}
	if rest, ok = cutPrefix(rest, `,"u":`); !ok {
		return 0, 0, nil, false
	}
	if updated, rest, ok = cutInt(rest); !ok {
		return 0, 0, nil, false
	}
	if rest, ok = cutPrefix(rest, `,"f":`); !ok || len(rest) < 3 || rest[len(rest)-1] != '}' {
		return 0, 0, nil, false
	}
	fields = rest[:len(rest)-1]
	switch {
	case fields[0] == '{':
	case string(fields) == "null":
		fields = []byte("{}")
	default:
		return 0, 0, nil, false
	}
	return created, updated, fields, true
}

func cutPrefix(b []byte, prefix string) ([]byte, bool) {
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return nil, false
	}
	return b[len(prefix):], true
}

// cutInt reads the decimal integer (as json.Marshal writes an int64) at the
// start of b.
func cutInt(b []byte) (int64, []byte, bool) {
	i, neg := 0, false
	if len(b) > 0 && b[0] == '-' {
		i, neg = 1, true
	}
	start := i
	var n int64
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		n = n*10 + int64(b[i]-'0')
		i++
	}
	switch digits := i - start; {
	case digits == 0 || digits > 1 && b[start] == '0':
		return 0, nil, false
	case digits > 18: // may overflow: let strconv decide
		v, err := strconv.ParseInt(string(b[:i]), 10, 64)
		return v, b[i:], err == nil
	}
	if neg {
		n = -n
	}
	return n, b[i:], true
}

// get reads a field as record.get does, decoding only the value asked for.
func (r *rawRecord) get(path string) (any, bool) {
	switch path {
	case "objectId":
		return string(r.id), true
	case "createdAt":
		return time.UnixMicro(r.created), true
	case "updatedAt":
		return time.UnixMicro(r.updated), true
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
		r = rawRecord{id: k, value: v}
		irregular := false
		if known != nil {
			bad, special := known.special[string(k)]
			if special && bad {
				return nil
			}
			irregular = special
		}
		var ok bool
		if !irregular {
			r.created, r.updated, r.fields, ok = parseRegular(v)
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
			r.decoded, r.created, r.updated = rec, rec.created.UnixMicro(), rec.updated.UnixMicro()
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
