package store

import (
	"context"
	"sort"
	"strings"

	"github.com/bmobemu/bmobemu/internal/bjtime"
)

func (q Query) isStatistics() bool {
	return len(q.GroupBy) > 0 || q.GroupCount || len(q.Sum) > 0 || len(q.Average) > 0 ||
		len(q.Max) > 0 || len(q.Min) > 0
}

// aggregate is one statistics column: sum, average, max or min of a field.
type aggregate struct {
	name  string // output key, e.g. _sumScore
	field string
	kind  string
}

func splitList(list []string) []string {
	var out []string
	for _, e := range list {
		for _, f := range strings.Split(e, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}

func aggregates(q Query) []aggregate {
	var out []aggregate
	for _, a := range []struct {
		kind, prefix string
		cols         []string
	}{{"sum", "_sum", q.Sum}, {"avg", "_avg", q.Average}, {"max", "_max", q.Max}, {"min", "_min", q.Min}} {
		for _, f := range splitList(a.cols) {
			out = append(out, aggregate{name: a.prefix + strings.ToUpper(f[:1]) + f[1:], field: f, kind: a.kind})
		}
	}
	return out
}

// groupValue is the value a row is grouped by: dates group by day.
func groupValue(v any) any {
	if d, ok := dateOf(v); ok {
		return d.In(bjtime.Location).Format("2006-01-02")
	}
	return v
}

// statistics answers a statistics query (docs/fidelity.md#queries): one object per
// group with the groupby fields, _count and the _sum/_avg/_max/_min columns,
// filtered by having, then ordered and paged like objects.
func statistics(ctx context.Context, s engine, rows []*record, q Query) ([]map[string]any, error) {
	groupBy := splitList(q.GroupBy)
	aggs := aggregates(q)
	type group struct {
		out    map[string]any
		count  int
		sums   []float64
		counts []int
		best   []any
	}
	var order []*group
	byKey := map[string]*group{}
	for _, r := range rows {
		vals := make([]any, len(groupBy))
		for i, f := range groupBy {
			v, _ := r.get(f)
			vals[i] = groupValue(v)
		}
		key := jsonText(vals)
		g := byKey[key]
		if g == nil {
			g = &group{out: map[string]any{}, sums: make([]float64, len(aggs)), counts: make([]int, len(aggs)), best: make([]any, len(aggs))}
			for i, f := range groupBy {
				g.out[f] = vals[i]
			}
			byKey[key] = g
			order = append(order, g)
		}
		g.count++
		for i, a := range aggs {
			v, _ := r.get(a.field)
			n, ok := v.(float64)
			if !ok {
				continue
			}
			g.sums[i] += n
			g.counts[i]++
			if g.best[i] == nil || (a.kind == "max" && n > g.best[i].(float64)) || (a.kind == "min" && n < g.best[i].(float64)) {
				g.best[i] = n
			}
		}
	}
	if len(groupBy) == 0 && len(order) == 0 {
		order = append(order, &group{out: map[string]any{}, sums: make([]float64, len(aggs)), counts: make([]int, len(aggs)), best: make([]any, len(aggs))})
	}
	having := func(row) bool { return true }
	if q.Having != nil {
		m, err := (&compiler{ctx: ctx, s: s}).compile(q.Having)
		if err != nil {
			return nil, err
		}
		having = m
	}
	var out []mapRow
	for _, g := range order {
		if q.GroupCount {
			g.out["_count"] = float64(g.count)
		}
		for i, a := range aggs {
			switch a.kind {
			case "sum":
				g.out[a.name] = g.sums[i]
			case "avg":
				if g.counts[i] > 0 {
					g.out[a.name] = g.sums[i] / float64(g.counts[i])
				} else {
					g.out[a.name] = nil
				}
			default:
				g.out[a.name] = g.best[i]
			}
		}
		if having(mapRow(g.out)) {
			out = append(out, g.out)
		}
	}
	if keys := parseOrder(q.Order); len(keys) > 0 {
		sort.SliceStable(out, func(i, j int) bool { return lessBy(out[i], out[j], keys) })
	}
	groups := []map[string]any{}
	for _, g := range page(out, q.Skip, q.Limit) {
		groups = append(groups, g)
	}
	return groups, nil
}
