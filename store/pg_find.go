package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bmobemu/bmobemu/internal/bjtime"
	"github.com/jackc/pgx/v5"
)

// Queries on PostgreSQL: the where clause is translated to SQL over the JSONB
// documents. A clause whose Bmob meaning SQL reproduces exactly (equality,
// comparisons, $ne, $in, $nin, $all, $exists, $or, $and on scalars, Dates and
// Pointers, objectId, createdAt, updatedAt) filters, orders, counts and pages
// in the database. Anything else ($regex: PostgreSQL's regular expressions
// are not RE2; sub-queries, $relatedTo, geo, values of mixed types) makes the
// translation a superset filter: the rows it selects are then tested by the
// same Go matcher the bbolt engine uses, and ordered and paged in Go, so both
// engines answer alike.

// sqlWhere builds a SQL condition and its arguments.
type sqlWhere struct {
	args []any
}

func (b *sqlWhere) arg(v any) string {
	b.args = append(b.args, v)
	return "$" + strconv.Itoa(len(b.args))
}

// classWhere starts the translation of a query of class: the class is
// written into the SQL as a literal when it is a plain name (letters, digits,
// underscores: nothing to quote), so the planner can use a field index made
// for that class alone (a partial index, see IndexField) whatever plan it
// caches; any other class name is a parameter.
func classWhere(class string) (*sqlWhere, string) {
	if checkClass(class) == nil {
		return &sqlWhere{}, "class = '" + class + "'"
	}
	return &sqlWhere{args: []any{escapeNUL(class)}}, "class = $1"
}

// inexact is the translation of a clause SQL cannot decide: keep every row.
const inexact = "TRUE"

// where translates a whole where object (an AND of its clauses).
func (b *sqlWhere) where(w map[string]any) (string, bool) {
	parts := make([]string, 0, len(w))
	exact := true
	for key, v := range w {
		sql, ok := b.clause(key, v)
		exact = exact && ok
		parts = append(parts, sql)
	}
	if len(parts) == 0 {
		return "TRUE", exact
	}
	return "(" + strings.Join(parts, " AND ") + ")", exact
}

// clause translates one key of a where object. An inexact clause becomes
// TRUE as a whole (its arguments dropped), which keeps the prefilter a superset.
func (b *sqlWhere) clause(key string, v any) (string, bool) {
	mark := len(b.args)
	sql, exact := b.clauseSQL(key, v)
	if !exact {
		b.args = b.args[:mark]
		return inexact, false
	}
	return sql, true
}

func (b *sqlWhere) clauseSQL(key string, v any) (string, bool) {
	switch key {
	case "$or", "$and":
		arr, _ := v.([]any)
		if len(arr) == 0 {
			return inexact, false
		}
		parts := make([]string, 0, len(arr))
		exact := true
		for _, e := range arr {
			w, _ := e.(map[string]any)
			sql, ok := b.where(w)
			exact = exact && ok
			parts = append(parts, sql)
		}
		if key == "$or" && !exact {
			return inexact, false // TRUE OR … would hide nothing; keep the prefilter simple
		}
		sep := " AND "
		if key == "$or" {
			sep = " OR "
		}
		return "(" + strings.Join(parts, sep) + ")", exact
	}
	if strings.HasPrefix(key, "$") {
		return inexact, false
	}
	f, ok := b.field(key)
	if !ok {
		return inexact, false
	}
	ops, isMap := v.(map[string]any)
	if !isMap || !hasOperator(ops) {
		return b.equals(f, key, v)
	}
	parts := make([]string, 0, len(ops))
	exact := true
	for name, arg := range ops {
		sql, ok := b.operator(f, key, name, arg)
		exact = exact && ok
		parts = append(parts, sql)
	}
	return "(" + strings.Join(parts, " AND ") + ")", exact
}

// sqlField is the SQL of a field: a JSONB expression, or a system column.
type sqlField struct {
	expr   string
	column string // "id", "created" or "updated"; "" for JSONB fields
}

// field maps a (dotted) field name to SQL. Path segments are names or array
// indexes written as Go's strconv.Atoi and #> read them alike.
func (b *sqlWhere) field(key string) (sqlField, bool) {
	switch key {
	case "objectId":
		return sqlField{expr: "id", column: "id"}, true
	case "createdAt":
		return sqlField{expr: "created", column: "created"}, true
	case "updatedAt":
		return sqlField{expr: "updated", column: "updated"}, true
	}
	segs := strings.Split(key, ".")
	for _, s := range segs {
		if s == "" || !validName(s) && !plainIndex(s) {
			return sqlField{}, false
		}
	}
	// Inlined, not a parameter: the segments are letters, digits and
	// underscores, so they need no quoting, and a clause that turns out
	// constant leaves no parameter unused.
	if len(segs) == 1 {
		return sqlField{expr: "(fields -> '" + key + "')"}, true
	}
	return sqlField{expr: "(fields #> '{" + strings.Join(segs, ",") + "}')"}, true
}

// plainIndex: digits without a leading zero (what both sides read the same).
func plainIndex(s string) bool {
	if s == "" || len(s) > 9 || s[0] == '0' && len(s) > 1 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// jsonArg passes a value as JSONB, escaped as stored values are (pg_nul.go).
func (b *sqlWhere) jsonArg(v any) string {
	j, _ := json.Marshal(v) // decoded JSON values always encode
	if jsonNeedsEscape(j) {
		j, _ = json.Marshal(escapeDeep(v))
	}
	return b.arg(string(j)) + "::jsonb"
}

// textArg passes a string compared with stored text, escaped as stored.
func (b *sqlWhere) textArg(s string) string { return b.arg(escapeNUL(s)) }

func coalesce(sql string) string { return "COALESCE(" + sql + ", FALSE)" }

// scalar reports whether v is a JSON string, number or boolean.
func scalar(v any) bool {
	switch v.(type) {
	case string, float64, bool:
		return true
	}
	return false
}

// pointerOf is the stored form of a Pointer operand.
func pointerOf(v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok || m["__type"] != "Pointer" && m["__type"] != "Object" {
		return nil, false
	}
	cls, ok1 := m["className"].(string)
	id, ok2 := m["objectId"].(string)
	if !ok1 || !ok2 {
		return nil, false
	}
	return map[string]any{"__type": "Pointer", "className": cls, "objectId": id}, true
}

// storedDate is the stored form of a Date at t, when t has whole seconds and
// a four-digit year (then the stored iso strings order as the instants do).
func storedDate(t time.Time) (string, bool) {
	bj := t.In(bjtime.Location)
	if t.Nanosecond() != 0 || bj.Year() < 1000 || bj.Year() > 9999 {
		return "", false
	}
	return bjtime.Format(t), true
}

// equals is Bmob equality (equalsOrContains): the value, or an array holding it,
// or for a Pointer a Relation holding it.
func (b *sqlWhere) equals(f sqlField, key string, v any) (string, bool) {
	want := operand(key, v)
	switch f.column {
	case "id":
		if s, ok := want.(string); ok {
			return "(id = " + b.textArg(s) + ")", true
		}
		return "FALSE", !isMapValue(want)
	case "created", "updated":
		t, ok := want.(time.Time)
		if !ok {
			return "FALSE", !isMapValue(want)
		}
		sec := t.Unix()
		return fmt.Sprintf("(%s >= %s AND %s < %s)", f.column, b.arg(sec*1e6), f.column, b.arg((sec+1)*1e6)), true
	}
	e := f.expr
	switch w := want.(type) {
	case nil:
		return "(" + e + " IS NULL OR " + e + " @> 'null'::jsonb)", true
	case string, float64, bool:
		// jsonb containment: a scalar contains an equal scalar, an array contains its elements.
		// Bare (a missing field makes it NULL, which a WHERE drops like FALSE), so that a
		// field index can serve it; $ne and $nin wrap it in COALESCE before negating.
		return "(" + e + " @> " + b.jsonArg(w) + ")", true
	case time.Time:
		iso, ok := storedDate(w)
		if !ok {
			return inexact, false
		}
		d := map[string]any{"__type": "Date", "iso": iso}
		return "(" + e + " @> " + b.jsonArg(d) + " OR " + e + " @> " + b.jsonArg([]any{d}) + ")", true
	case map[string]any:
		p, ok := pointerOf(w)
		if !ok {
			return inexact, false
		}
		rel := map[string]any{"__type": "Relation", "className": p["className"]}
		return "(" + e + " @> " + b.jsonArg(p) + " OR " + e + " @> " + b.jsonArg([]any{p}) +
			" OR (" + e + " @> " + b.jsonArg(rel) + " AND " + e + " -> 'objectIds' @> " + b.jsonArg([]any{p["objectId"]}) + "))", true
	}
	return inexact, false
}

func isMapValue(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

var sqlCompare = map[string]string{"$lt": "<", "$lte": "<=", "$gt": ">", "$gte": ">="}

func (b *sqlWhere) operator(f sqlField, key, name string, arg any) (string, bool) {
	if op, ok := sqlCompare[name]; ok {
		return b.compare(f, key, op, arg)
	}
	switch name {
	case "$ne":
		sql, ok := b.equals(f, key, arg)
		if !ok {
			return inexact, false
		}
		return "(NOT " + coalesce(sql) + ")", true
	case "$in", "$nin":
		list, isList := arg.([]any)
		if !isList {
			return inexact, false
		}
		parts := []string{"FALSE"}
		for _, e := range list {
			sql, ok := b.equals(f, key, e)
			if !ok {
				return inexact, false
			}
			parts = append(parts, sql)
		}
		any := "(" + strings.Join(parts, " OR ") + ")"
		if name == "$nin" {
			return "(NOT " + coalesce(any) + ")", true
		}
		return any, true
	case "$all":
		list, isList := arg.([]any)
		if !isList || f.column != "" {
			return inexact, false
		}
		for _, e := range list {
			if !scalar(e) {
				return inexact, false
			}
		}
		return coalesce("(jsonb_typeof(" + f.expr + ") = 'array' AND " + f.expr + " @> " + b.jsonArg(list) + ")"), true
	case "$exists":
		want, ok := arg.(bool)
		if !ok {
			return inexact, false
		}
		if f.column != "" {
			return strings.ToUpper(strconv.FormatBool(want)), true
		}
		if want {
			return "(" + f.expr + " IS NOT NULL)", true
		}
		return "(" + f.expr + " IS NULL)", true
	}
	return inexact, false
}

// compare is cmpOp in SQL: both sides of the same kind, then compared.
func (b *sqlWhere) compare(f sqlField, key, op string, arg any) (string, bool) {
	want := operand(key, arg)
	switch f.column {
	case "id":
		if s, ok := want.(string); ok {
			return "(id " + op + " " + b.textArg(s) + ")", true
		}
		return "FALSE", !isMapValue(want)
	case "created", "updated":
		t, ok := want.(time.Time)
		if !ok {
			return "FALSE", !isMapValue(want)
		}
		// Stored times are whole microseconds; the operand may be finer.
		floor := t.UnixMicro()
		if time.UnixMicro(floor).After(t) {
			floor--
		}
		ceil := floor
		if !time.UnixMicro(floor).Equal(t) {
			ceil++
		}
		bound := floor
		if op == "<" || op == ">=" {
			bound = ceil
		}
		return "(" + f.column + " " + op + " " + b.arg(bound) + ")", true
	}
	e := f.expr
	switch w := want.(type) {
	case float64:
		return coalesce("(jsonb_typeof(" + e + ") = 'number' AND (" + e + ")::numeric " + op + " " +
			b.arg(strconv.FormatFloat(w, 'g', -1, 64)) + "::numeric)"), true
	case string:
		return coalesce("(jsonb_typeof(" + e + ") = 'string' AND (" + e + " #>> '{}') COLLATE \"C\" " + op + " " + b.textArg(w) + "::text)"), true
	case bool:
		return coalesce("(jsonb_typeof(" + e + ") = 'boolean' AND (" + e + ")::boolean " + op + " " + b.arg(w) + "::boolean)"), true
	case time.Time:
		iso, ok := storedDate(w)
		if !ok {
			return inexact, false
		}
		return coalesce("(jsonb_typeof(" + e + ") = 'object' AND " + e + " ->> '__type' = 'Date' AND (" + e + " ->> 'iso') COLLATE \"C\" " +
			op + " " + b.arg(iso) + "::text)"), true
	}
	return inexact, false
}

// orderBy translates `order` to SQL sort keys that rank values as
// compareValues does (missing and null, booleans, numbers, strings, dates,
// the rest equal), then the default order; ok is false when it cannot.
func (b *sqlWhere) orderBy(order []string) (string, bool) {
	var keys []string
	for _, k := range parseOrder(order) {
		dir := ""
		if k.desc {
			dir = " DESC"
		}
		f, ok := b.field(k.field)
		if !ok {
			return "", false
		}
		if f.column != "" {
			keys = append(keys, f.column+dir)
			continue
		}
		e := f.expr
		isDate := "(jsonb_typeof(" + e + ") = 'object' AND " + e + " ->> '__type' = 'Date')"
		keys = append(keys,
			"(CASE WHEN "+e+" IS NULL THEN 0 ELSE CASE jsonb_typeof("+e+") WHEN 'null' THEN 0 WHEN 'boolean' THEN 1 "+
				"WHEN 'number' THEN 2 WHEN 'string' THEN 3 ELSE CASE WHEN "+isDate+" THEN 4 ELSE 5 END END END)"+dir,
			"(CASE WHEN jsonb_typeof("+e+") = 'boolean' THEN ("+e+")::boolean END)"+dir,
			"(CASE WHEN jsonb_typeof("+e+") = 'number' THEN ("+e+")::numeric END)"+dir,
			"(CASE WHEN jsonb_typeof("+e+") = 'string' THEN "+e+" #>> '{}' WHEN "+isDate+" THEN "+e+" ->> 'iso' END) COLLATE \"C\""+dir)
	}
	keys = append(keys, "created", "id")
	return strings.Join(keys, ", "), true
}

// scan returns the records of class matching where, in default order.
func (s *pgStore) scan(ctx context.Context, class string, where map[string]any) ([]*record, error) {
	rows, _, err := s.match(ctx, class, where)
	return rows, err
}

// match selects the rows of class matching where in default order: SQL
// decides alone when its translation is exact, else the Go matcher checks
// the rows SQL selected.
func (s *pgStore) match(ctx context.Context, class string, where map[string]any) ([]*record, *nearSort, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	c := &compiler{ctx: ctx, s: s}
	m, err := c.compile(where) // Bmob's errors for bad clauses, and the sub-queries
	if err != nil {
		return nil, nil, err
	}
	p, _ := plainDeep(where)
	w, _ := p.(map[string]any)
	b, inClass := classWhere(class)
	cond, exact := b.where(w)
	recs, err := queryRecords(ctx, s.pool, `SELECT `+recordColumns+` FROM bmob_objects WHERE `+inClass+` AND `+cond+` ORDER BY created, id`, b.args...)
	if err != nil {
		return nil, nil, err
	}
	if exact {
		return recs, c.near, nil
	}
	out := recs[:0]
	for _, r := range recs {
		if m(r) {
			out = append(out, r)
		}
	}
	return out, c.near, nil
}

// Get returns one object as the REST API shows it.
func (s *pgStore) Get(ctx context.Context, class, objectID string, opt GetOptions) (map[string]any, error) {
	r, err := s.record(ctx, class, objectID)
	if err != nil {
		return nil, err
	}
	obj := project(r.view(), opt.Keys)
	inc := parseInclude(opt.Include)
	cache, _ := s.prefetchIncludes(ctx, []*record{r}, inc) // on an error, expand reads what is missing one by one
	expand(ctx, cache, obj, inc)
	return obj, nil
}

// Find runs a query: in SQL when the where clause and the order translate
// exactly, else over the rows match selects.
func (s *pgStore) Find(ctx context.Context, class string, q Query) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	// SQL translates the where clause: the added clause joins it.
	q.Where, q.And = q.whereAnd(), nil
	p, _ := plainDeep(q.Where)
	w, _ := p.(map[string]any)
	b, inClass := classWhere(class)
	cond, exact := b.where(w)
	whereArgs := len(b.args) // the count uses these; the order adds its own
	order, orderOK := b.orderBy(q.Order)
	if exact && orderOK && !q.isStatistics() {
		// Bmob's errors for bad clauses (an exact translation runs no sub-query).
		if _, err := (&compiler{ctx: ctx, s: s}).compile(q.Where); err != nil {
			return Result{}, err
		}
	} else {
		rows, near, err := s.match(ctx, class, q.Where)
		if err != nil {
			return Result{}, err
		}
		return answer(ctx, s, rows, near, q)
	}
	skip, limit := pageBounds(q.Skip, q.Limit)
	res := Result{Results: []map[string]any{}}
	var recs []*record
	// Count and page from one snapshot.
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		from := ` FROM bmob_objects WHERE ` + inClass + ` AND ` + cond
		if q.Count {
			if err := tx.QueryRow(ctx, `SELECT count(*)`+from, b.args[:whereArgs]...).Scan(&res.Count); err != nil {
				return fmt.Errorf("count: %w", err)
			}
		}
		args := append(b.args, limit, skip)
		n := len(b.args)
		var err error
		recs, err = queryRecords(ctx, tx, `SELECT `+recordColumns+from+` ORDER BY `+order+
			fmt.Sprintf(` LIMIT $%d OFFSET $%d`, n+1, n+2), args...)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	inc := parseInclude(q.Include)
	cache, _ := s.prefetchIncludes(ctx, recs, inc) // on an error, expand reads what is missing one by one
	for _, r := range recs {
		obj := project(r.view(), q.Keys)
		expand(ctx, cache, obj, inc)
		res.Results = append(res.Results, obj)
	}
	return res, nil
}
