package bql

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Kind is the kind of a statement.
type Kind int

// Statement kinds.
const (
	Select Kind = iota
	Insert
	Update
	Delete
)

// Statement is one parsed BQL statement.
type Statement struct {
	Kind  Kind
	Class string

	// Select
	Where   map[string]any // nil: every object
	Keys    []string       // nil: every field
	Include []string
	Order   []string // "-field" for descending
	Limit   int      // -1: the default
	Skip    int
	Count   bool // count(*) was selected
	Rows    bool // objects were selected (false for a bare count(*))

	// Insert and Update
	Data map[string]any
	// Update and Delete
	ObjectID string
}

// MaxLength is the longest statement Bmob accepts.
const MaxLength = 4096

// Parse parses src, filling ? placeholders from values in order. now is the
// value of current_timestamp(), written in its own time zone (pass Beijing
// time, as Bmob writes dates).
func Parse(src string, values []any, now time.Time) (*Statement, error) {
	if strings.TrimSpace(src) == "" {
		return nil, errorf("empty statement")
	}
	if len(src) > MaxLength {
		return nil, errorf("statement longer than %d bytes", MaxLength)
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, values: values, now: now}
	st, err := p.statement()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.unexpected()
	}
	if p.used != len(values) {
		return nil, errorf("%d placeholders but %d values", p.used, len(values))
	}
	return st, nil
}

type parser struct {
	toks   []token
	i      int
	values []any
	used   int
	now    time.Time
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// is reports whether the next token is the keyword or punctuation s.
func (p *parser) is(s string) bool {
	t := p.peek()
	return (t.kind == tIdent || t.kind == tPunct) && strings.EqualFold(t.text, s)
}

// isAt is is for the token n ahead.
func (p *parser) isAt(n int, s string) bool {
	if p.i+n >= len(p.toks) {
		return false
	}
	t := p.toks[p.i+n]
	return (t.kind == tIdent || t.kind == tPunct) && strings.EqualFold(t.text, s)
}

func (p *parser) accept(s string) bool {
	if p.is(s) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expect(s string) error {
	if !p.accept(s) {
		return errorf("expected %s at %d, found %s", s, p.peek().pos, describe(p.peek()))
	}
	return nil
}

func (p *parser) unexpected() error {
	t := p.peek()
	return errorf("unexpected %s at %d", describe(t), t.pos)
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of statement"
	case tString:
		return "'" + t.text + "'"
	}
	return "'" + t.text + "'"
}

// keywords cannot be field or class names.
var keywords = map[string]bool{
	"select": true, "from": true, "where": true, "and": true, "or": true, "not": true, "like": true,
	"regexp": true, "in": true, "all": true, "is": true, "exists": true, "limit": true, "order": true,
	"by": true, "asc": true, "desc": true, "include": true, "related": true, "to": true, "insert": true,
	"into": true, "values": true, "update": true, "set": true, "delete": true, "group": true, "having": true,
	"near": true, "within": true,
}

func (p *parser) name(what string) (string, error) {
	t := p.peek()
	if t.kind != tIdent || keywords[strings.ToLower(t.text)] {
		return "", errorf("expected %s at %d, found %s", what, t.pos, describe(t))
	}
	p.i++
	return t.text, nil
}

func (p *parser) statement() (*Statement, error) {
	switch {
	case p.accept("select"):
		return p.selectStmt()
	case p.accept("insert"):
		return p.insertStmt()
	case p.accept("update"):
		return p.updateStmt()
	case p.accept("delete"):
		return p.deleteStmt()
	}
	return nil, errorf("expected select, insert, update or delete at %d", p.peek().pos)
}

// statistics are the aggregate functions BQL has and this parser does not.
var statistics = map[string]bool{"sum": true, "average": true, "avg": true, "max": true, "min": true}

func (p *parser) selectStmt() (*Statement, error) {
	st := &Statement{Kind: Select, Limit: -1}
	keys := []string{}
	star := false
	for {
		switch {
		case p.accept("*"):
			star = true
		case p.is("count") && p.isAt(1, "("):
			p.i += 2
			if !p.accept("*") && !p.accept("objectId") {
				return nil, errorf("count takes * or objectId at %d", p.peek().pos)
			}
			if err := p.expect(")"); err != nil {
				return nil, err
			}
			st.Count = true
		case p.accept("include"):
			path, err := p.name("an include path")
			if err != nil {
				return nil, err
			}
			st.Include = append(st.Include, path)
		case statistics[strings.ToLower(p.peek().text)] && p.isAt(1, "("):
			return nil, errorf("statistics (%s) are not supported", p.peek().text)
		default:
			f, err := p.name("a field")
			if err != nil {
				return nil, err
			}
			keys = append(keys, f)
		}
		if !p.accept(",") {
			break
		}
	}
	switch {
	case star:
		st.Rows = true
	case len(keys) > 0:
		st.Rows, st.Keys = true, keys
	case len(st.Include) > 0:
		st.Rows = true
	}
	if err := p.expect("from"); err != nil {
		return nil, err
	}
	var err error
	if st.Class, err = p.name("a class name"); err != nil {
		return nil, err
	}
	if p.accept("where") {
		if st.Where, err = p.orCond(); err != nil {
			return nil, err
		}
	}
	for {
		switch {
		case p.accept("limit"):
			if err := p.limit(st); err != nil {
				return nil, err
			}
		case p.is("order") && p.isAt(1, "by"):
			p.i += 2
			if err := p.order(st); err != nil {
				return nil, err
			}
		case p.is("group") || p.is("having"):
			return nil, errorf("statistics (%s) are not supported", p.peek().text)
		default:
			if !st.Rows {
				st.Limit = 0 // a bare count(*) returns no objects
			}
			return st, nil
		}
	}
}

func (p *parser) limit(st *Statement) error {
	first, err := p.count("limit")
	if err != nil {
		return err
	}
	if !p.accept(",") {
		st.Limit = first
		return nil
	}
	second, err := p.count("limit")
	if err != nil {
		return err
	}
	st.Skip, st.Limit = first, second
	return nil
}

// count reads a non-negative integer (a literal or a placeholder).
func (p *parser) count(what string) (int, error) {
	pos := p.peek().pos
	v, err := p.value()
	if err != nil {
		return 0, err
	}
	f, ok := v.(float64)
	if !ok || f < 0 || f != float64(int(f)) {
		return 0, errorf("%s needs a non-negative integer at %d", what, pos)
	}
	return int(f), nil
}

// order reads "[+|-]f, … [asc|desc]"; a trailing direction applies to the
// fields without a sign.
func (p *parser) order(st *Statement) error {
	type item struct {
		field string
		sign  string
	}
	var items []item
	for {
		sign := ""
		if p.accept("-") {
			sign = "-"
		} else if p.accept("+") {
			sign = "+"
		}
		f, err := p.name("an order field")
		if err != nil {
			return err
		}
		items = append(items, item{f, sign})
		if !p.accept(",") {
			break
		}
	}
	desc := false
	if p.accept("desc") {
		desc = true
	} else {
		p.accept("asc")
	}
	for _, it := range items {
		if it.sign == "-" || it.sign == "" && desc {
			st.Order = append(st.Order, "-"+it.field)
		} else {
			st.Order = append(st.Order, it.field)
		}
	}
	return nil
}

func (p *parser) orCond() (map[string]any, error) {
	var terms []map[string]any
	for {
		t, err := p.andCond()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
		if !p.accept("or") {
			break
		}
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	or := make([]any, len(terms))
	for i, t := range terms {
		or[i] = t
	}
	return map[string]any{"$or": or}, nil
}

// andCond merges its terms into one object when their keys differ, and uses
// $and otherwise.
func (p *parser) andCond() (map[string]any, error) {
	var terms []map[string]any
	for {
		t, err := p.atom()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
		if !p.accept("and") {
			break
		}
		p.accept("where") // Bmob's guide writes "… and where playScore<20"
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	merged := map[string]any{}
	for _, t := range terms {
		for k, v := range t {
			if _, dup := merged[k]; dup || strings.HasPrefix(k, "$") {
				and := make([]any, len(terms))
				for i, t := range terms {
					and[i] = t
				}
				return map[string]any{"$and": and}, nil
			}
			merged[k] = v
		}
	}
	return merged, nil
}

func (p *parser) atom() (map[string]any, error) {
	if p.accept("(") {
		c, err := p.orCond()
		if err != nil {
			return nil, err
		}
		return c, p.expect(")")
	}
	if p.accept("related") {
		key, err := p.name("a relation field")
		if err != nil {
			return nil, err
		}
		if err := p.expect("to"); err != nil {
			return nil, err
		}
		pos := p.peek().pos
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if m, ok := v.(map[string]any); !ok || m["__type"] != "Pointer" {
			return nil, errorf("related needs a pointer at %d", pos)
		}
		return map[string]any{"$relatedTo": map[string]any{"object": v, "key": key}}, nil
	}
	field, err := p.name("a field")
	if err != nil {
		return nil, err
	}
	op := func(o string, v any) map[string]any { return map[string]any{field: map[string]any{o: v}} }
	switch {
	case p.accept("="):
		v, err := p.value()
		return map[string]any{field: v}, err
	case p.accept("!=") || p.accept("<>"):
		v, err := p.value()
		return op("$ne", v), err
	case p.accept("<="):
		v, err := p.value()
		return op("$lte", v), err
	case p.accept(">="):
		v, err := p.value()
		return op("$gte", v), err
	case p.accept("<"):
		v, err := p.value()
		return op("$lt", v), err
	case p.accept(">"):
		v, err := p.value()
		return op("$gt", v), err
	case p.accept("is"):
		not := p.accept("not")
		if err := p.expect("exists"); err != nil {
			return nil, err
		}
		return op("$exists", !not), nil
	case p.accept("like"), p.accept("regexp"):
		like := strings.EqualFold(p.toks[p.i-1].text, "like")
		pos := p.peek().pos
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		s, ok := v.(string)
		if !ok {
			return nil, errorf("%s needs a string at %d", p.toks[p.i-1].text, pos)
		}
		if like {
			s = likePattern(s)
		}
		return op("$regex", s), nil
	case p.accept("all"):
		list, err := p.list()
		return op("$all", list), err
	case p.is("not") && (p.isAt(1, "like") || p.isAt(1, "regexp")):
		return nil, errorf("not %s is not supported", p.toks[p.i+1].text)
	case p.is("near") || p.is("within"):
		return nil, errorf("%s is not supported", p.peek().text)
	}
	not := p.accept("not")
	if err := p.expect("in"); err != nil {
		return nil, err
	}
	if p.is("(") && p.isAt(1, "select") {
		p.i += 2
		sub, err := p.selectStmt()
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		name := "$inQuery"
		if not {
			name = "$notInQuery"
		}
		where := sub.Where
		if where == nil {
			where = map[string]any{}
		}
		return op(name, map[string]any{"className": sub.Class, "where": where}), nil
	}
	list, err := p.list()
	if not {
		return op("$nin", list), err
	}
	return op("$in", list), err
}

// likePattern turns a SQL LIKE pattern (% and _) into an anchored regexp.
func likePattern(s string) string {
	var b strings.Builder
	b.WriteString("^")
	for _, r := range s {
		switch r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return b.String()
}

// list reads "(v, …)".
func (p *parser) list() ([]any, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	return p.valuesUntil(")")
}

// valuesUntil reads "v, …" up to and including the closing token.
func (p *parser) valuesUntil(closing string) ([]any, error) {
	out := []any{}
	if p.accept(closing) {
		return out, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		if !p.accept(",") {
			break
		}
	}
	return out, p.expect(closing)
}

// value reads a literal, placeholder, array or built-in function.
func (p *parser) value() (any, error) {
	start := p.i
	t := p.next()
	switch t.kind {
	case tString:
		return t.text, nil
	case tNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, errorf("bad number %s at %d", t.text, t.pos)
		}
		return f, nil
	case tPunct:
		switch t.text {
		case "?":
			if p.used >= len(p.values) {
				return nil, errorf("placeholder %d at %d has no value", p.used+1, t.pos)
			}
			v := p.values[p.used]
			p.used++
			return v, nil
		case "-", "+":
			n := p.next()
			if n.kind != tNumber {
				return nil, errorf("expected a number at %d", n.pos)
			}
			f, err := strconv.ParseFloat(n.text, 64)
			if err != nil {
				return nil, errorf("bad number %s at %d", n.text, n.pos)
			}
			if t.text == "-" {
				f = -f
			}
			return f, nil
		case "[":
			return p.valuesUntil("]")
		}
	case tIdent:
		switch strings.ToLower(t.text) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		if p.is("(") {
			return p.function(t)
		}
	}
	p.i = start
	return nil, errorf("expected a value at %d, found %s", t.pos, describe(t))
}

// function reads the arguments of a built-in and builds its value.
func (p *parser) function(name token) (any, error) {
	p.i++ // (
	var args []any
	if !p.accept(")") {
		for {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			args = append(args, v)
			if !p.accept(",") {
				break
			}
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
	}
	str := func(i int) (string, bool) { s, ok := args[i].(string); return s, ok }
	num := func(i int) (float64, bool) { f, ok := args[i].(float64); return f, ok }
	fn := strings.ToLower(name.text)
	bad := errorf("bad arguments to %s at %d", name.text, name.pos)
	switch fn {
	case "date":
		if len(args) != 1 {
			return nil, bad
		}
		if s, ok := str(0); ok {
			return map[string]any{"__type": "Date", "iso": s}, nil
		}
	case "current_timestamp":
		if len(args) == 0 {
			return map[string]any{"__type": "Date", "iso": p.now.Format("2006-01-02 15:04:05")}, nil
		}
	case "pointer":
		if len(args) == 2 {
			c, ok1 := str(0)
			id, ok2 := str(1)
			if ok1 && ok2 {
				return map[string]any{"__type": "Pointer", "className": c, "objectId": id}, nil
			}
		}
	case "geopoint":
		if len(args) == 2 {
			lng, ok1 := num(0)
			lat, ok2 := num(1)
			if ok1 && ok2 {
				return map[string]any{"__type": "GeoPoint", "latitude": lat, "longitude": lng}, nil
			}
		}
	case "file":
		if len(args) == 2 {
			n, ok1 := str(0)
			u, ok2 := str(1)
			if ok1 && ok2 {
				return map[string]any{"__type": "File", "filename": n, "url": u}, nil
			}
		}
	default:
		return nil, errorf("unknown function %s at %d", name.text, name.pos)
	}
	return nil, bad
}

func (p *parser) insertStmt() (*Statement, error) {
	if err := p.expect("into"); err != nil {
		return nil, err
	}
	st := &Statement{Kind: Insert, Data: map[string]any{}}
	var err error
	if st.Class, err = p.name("a class name"); err != nil {
		return nil, err
	}
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var fields []string
	for {
		f, err := p.name("a field")
		if err != nil {
			return nil, err
		}
		fields = append(fields, f)
		if !p.accept(",") {
			break
		}
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	if err := p.expect("values"); err != nil {
		return nil, err
	}
	pos := p.peek().pos
	vals, err := p.list()
	if err != nil {
		return nil, err
	}
	if len(vals) != len(fields) {
		return nil, errorf("%d fields but %d values at %d", len(fields), len(vals), pos)
	}
	for i, f := range fields {
		st.Data[f] = vals[i]
	}
	return st, nil
}

func (p *parser) updateStmt() (*Statement, error) {
	st := &Statement{Kind: Update, Data: map[string]any{}}
	var err error
	if st.Class, err = p.name("a class name"); err != nil {
		return nil, err
	}
	if err := p.expect("set"); err != nil {
		return nil, err
	}
	for {
		f, err := p.name("a field")
		if err != nil {
			return nil, err
		}
		if err := p.expect("="); err != nil {
			return nil, err
		}
		if st.Data[f], err = p.value(); err != nil {
			return nil, err
		}
		if !p.accept(",") {
			break
		}
	}
	st.ObjectID, err = p.whereObjectID()
	return st, err
}

func (p *parser) deleteStmt() (*Statement, error) {
	if err := p.expect("from"); err != nil {
		return nil, err
	}
	st := &Statement{Kind: Delete}
	var err error
	if st.Class, err = p.name("a class name"); err != nil {
		return nil, err
	}
	st.ObjectID, err = p.whereObjectID()
	return st, err
}

// whereObjectID reads "where objectId = v": updates and deletes name one object.
func (p *parser) whereObjectID() (string, error) {
	pos := p.peek().pos
	if !p.accept("where") || !p.accept("objectId") || !p.accept("=") {
		return "", errorf("update and delete need where objectId = … at %d", pos)
	}
	pos = p.peek().pos
	v, err := p.value()
	if err != nil {
		return "", err
	}
	id, ok := v.(string)
	if !ok || id == "" {
		return "", errorf("objectId must be a string at %d", pos)
	}
	return id, nil
}
