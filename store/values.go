package store

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
)

// isType reports whether v is a map with "__type": typ.
func isType(v any, typ string) bool {
	m, ok := v.(map[string]any)
	return ok && m["__type"] == typ
}

// typeName is the schema type of a value; "" for null.
func typeName(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case bool:
		return "Boolean"
	case float64:
		return "Number"
	case string:
		return "String"
	case []any:
		return "Array"
	case map[string]any:
		switch t["__type"] {
		case "Date", "Pointer", "File", "GeoPoint", "Relation":
			return t["__type"].(string)
		}
	}
	return "Object"
}

// dateLayouts are the input forms of a Date: Bmob's own (Beijing time) and ISO 8601.
var dateLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

// parseDate reads a date string; forms without a zone are Beijing time.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, bjtime.Location); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// dateOf reads a {"__type":"Date","iso":…} value or a time.Time.
func dateOf(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, true
	case map[string]any:
		if t["__type"] != "Date" {
			return time.Time{}, false
		}
		iso, ok := t["iso"].(string)
		if !ok {
			return time.Time{}, false
		}
		return parseDate(iso)
	}
	return time.Time{}, false
}

// plain converts what Go callers may pass (ints, json.Number, typed slices and
// maps) into decoded-JSON values.
func plain(v any) (any, error) {
	switch t := v.(type) {
	case nil, bool, float64, string, map[string]any, []any:
		return v, nil
	case int:
		return float64(t), nil
	case int64:
		return float64(t), nil
	case int32:
		return float64(t), nil
	case uint64:
		return float64(t), nil
	case float32:
		return float64(t), nil
	case json.Number:
		f, err := t.Float64()
		if err != nil {
			return nil, Errorf(107, "invalid json: %s.", t.String())
		}
		return f, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, Errorf(107, "invalid json: %v.", v)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, Errorf(107, "invalid json: %s.", b)
	}
	return out, nil
}

// normalizeValue validates a value being written under key and returns the
// stored form (Dates rewritten to Bmob's form, Relations given a member list).
func normalizeValue(key string, v any) (any, error) {
	v, err := plain(v)
	if err != nil {
		return nil, err
	}
	switch t := v.(type) {
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			if out[i], err = normalizeValue(key, e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[string]any:
		return normalizeMap(key, t)
	}
	return v, nil
}

func normalizeMap(key string, m map[string]any) (any, error) {
	switch m["__type"] {
	case "Date":
		iso, _ := m["iso"].(string)
		t, ok := parseDate(iso)
		if !ok {
			return nil, Errorf(107, "invalid date: %s.", jsonText(m["iso"]))
		}
		return map[string]any{"__type": "Date", "iso": bjtime.Format(t)}, nil
	case "Pointer", "Object":
		cls, _ := m["className"].(string)
		id, _ := m["objectId"].(string)
		if cls == "" || id == "" {
			return nil, Errorf(106, "%s: is not a valid Pointer.", key)
		}
		return map[string]any{"__type": "Pointer", "className": cls, "objectId": id}, nil
	case "GeoPoint":
		lat, ok1 := toFloat(m["latitude"])
		lng, ok2 := toFloat(m["longitude"])
		switch {
		case !ok1 || !ok2 || math.IsNaN(lat) || math.IsNaN(lng):
			return nil, Errorf(102, "%s: invalid geopoint object.", key)
		case lat < -90 || lat > 90:
			return nil, Errorf(117, "Latitude must be in [-90, 90]: %f.", lat)
		case lng < -180 || lng > 180:
			return nil, Errorf(117, "Longitude must be in [-180, 180]: %f.", lng)
		}
		return map[string]any{"__type": "GeoPoint", "latitude": lat, "longitude": lng}, nil
	case "Relation":
		cls, _ := m["className"].(string)
		if cls == "" {
			return nil, Errorf(107, "invalid op value")
		}
		return map[string]any{"__type": "Relation", "className": cls, "objectIds": []any{}}, nil
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		n, err := normalizeValue(key, e)
		if err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, nil
}

func toFloat(v any) (float64, bool) {
	v, _ = plain(v)
	f, ok := v.(float64)
	return f, ok
}

// jsonText is v as compact JSON, for error messages.
func jsonText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// lookupPath follows a dotted path through objects and (by index) arrays.
func lookupPath(m map[string]any, path string) (any, bool) {
	if v, ok := m[path]; ok || !strings.Contains(path, ".") {
		return v, ok
	}
	var cur any = m
	for _, seg := range strings.Split(path, ".") {
		switch t := cur.(type) {
		case map[string]any:
			v, ok := t[seg]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			cur = t[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// plainDeep is plain applied through objects and arrays (where clauses built
// by Go callers may hold ints).
func plainDeep(v any) (any, error) {
	v, err := plain(v)
	if err != nil {
		return nil, err
	}
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if out[k], err = plainDeep(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			if out[i], err = plainDeep(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return v, nil
}
