package restapi

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/bmobemu/bmobemu/store"
)

// MaxWhereBytes is the largest `where` Bmob accepts (402 above it).
const MaxWhereBytes = 65536

// parseQuery reads the query parameters of a find (docs/fidelity.md#queries); unknown
// parameters (timestamp, table, …) are ignored.
func parseQuery(q url.Values) (store.Query, error) {
	query := store.Query{
		Limit:   -1,
		Order:   list(q, "order"),
		Keys:    list(q, "keys"),
		Include: list(q, "include"),
		Count:   truthy(q.Get("count")),
		GroupBy: list(q, "groupby"),
		Sum:     list(q, "sum"),
		Average: list(q, "average"),
		Max:     list(q, "max"),
		Min:     list(q, "min"),

		GroupCount: truthy(q.Get("groupcount")),
	}
	var err error
	if query.Where, err = jsonParam(q, "where"); err != nil {
		return query, err
	}
	if query.Having, err = jsonParam(q, "having"); err != nil {
		return query, err
	}
	if query.Limit, err = intParam(q, "limit", -1); err != nil {
		return query, err
	}
	if query.Skip, err = intParam(q, "skip", 0); err != nil {
		return query, err
	}
	return query, nil
}

// list is a parameter's comma-separated values.
func list(q url.Values, key string) []string {
	var out []string
	for _, v := range q[key] {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}

// truthy: count=1 and count=true ask for a count; absent, 0 and false do not.
func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false":
		return false
	}
	return true
}

func intParam(q url.Values, key string, def int) (int, error) {
	v, ok := q[key]
	if !ok || len(v) == 0 || v[0] == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v[0]))
	if err != nil || n < 0 {
		return 0, store.Errorf(102, "Invalid value for key '%s'.", key)
	}
	return n, nil
}

func jsonParam(q url.Values, key string) (map[string]any, error) {
	text := q.Get(key)
	if text == "" {
		return nil, nil
	}
	if key == "where" && len(text) > MaxWhereBytes {
		return nil, store.Errorf(402, "query where larger than %d bytes.", MaxWhereBytes)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(text), &m); err != nil || m == nil {
		return nil, store.Errorf(107, "invalid json: %s.", Echo(text))
	}
	return m, nil
}
