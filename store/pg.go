package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The PostgreSQL engine keeps Bmob's classes in one table of JSONB documents,
// keyed by (class, objectId), rather than a table per class: a class then
// needs no DDL at run time (a first insert is an ordinary row), schema
// upgrades touch a fixed set of tables, and the layout works unchanged on
// PostgreSQL-compatible distributed databases. Times are unix microseconds,
// as in the bbolt records, so both engines show the same createdAt.
//
// Portability: the SQL is plain PostgreSQL (jsonb operators @>, ->, #>, #>>,
// jsonb_typeof, ON CONFLICT, SELECT … FOR UPDATE) that CockroachDB and
// YugabyteDB also speak. Known exceptions: the column collation "C" (bytewise
// order of objectIds and strings, as Go compares them) has no CockroachDB
// equivalent, and text cast from jsonb numbers to numeric is exact only on
// PostgreSQL and YugabyteDB.

// PostgresSchemaVersion is the version of the tables OpenPostgres sets up.
const PostgresSchemaVersion = 6

// pgMigrations[i] upgrades the tables from version i to i+1.
var pgMigrations = []string{
	`CREATE TABLE bmob_objects (
		class   text NOT NULL,
		id      text COLLATE "C" NOT NULL,
		created bigint NOT NULL,
		updated bigint NOT NULL,
		fields  jsonb NOT NULL,
		PRIMARY KEY (class, id)
	);
	CREATE INDEX bmob_objects_order ON bmob_objects (class, created, id);
	CREATE TABLE bmob_classes (class text PRIMARY KEY, fields jsonb NOT NULL);
	CREATE TABLE bmob_unique (
		class text NOT NULL, field text NOT NULL, value text NOT NULL, object_id text NOT NULL,
		PRIMARY KEY (class, field, value)
	);
	CREATE TABLE bmob_passwords (user_id text PRIMARY KEY, hash text NOT NULL);
	CREATE TABLE bmob_sessions (token text PRIMARY KEY, user_id text NOT NULL, expires bigint NOT NULL);
	CREATE INDEX bmob_sessions_user ON bmob_sessions (user_id);`,
	// 2: bmobemu's own state (the payment sandbox's trades and notifies).
	`CREATE TABLE bmob_state (key text COLLATE "C" PRIMARY KEY, value bytea NOT NULL);`,
	// 3: the safe-sign nonces every process refuses once used.
	`CREATE TABLE bmob_nonces (nonce text PRIMARY KEY, expires bigint NOT NULL);
	CREATE INDEX bmob_nonces_expires ON bmob_nonces (expires);`,
	// 4: the timed tasks' ticks, leases and run history, shared by every process.
	`CREATE TABLE bmob_task_leases (
		task text PRIMARY KEY, last_tick bigint NOT NULL DEFAULT 0,
		owner text NOT NULL DEFAULT '', until_us bigint NOT NULL DEFAULT 0
	);
	CREATE TABLE bmob_task_runs (id bigserial PRIMARY KEY, task text NOT NULL, run bytea NOT NULL);
	CREATE INDEX bmob_task_runs_task ON bmob_task_runs (task, id);`,
	// 5: function code deployed over REST, served by every process.
	`CREATE SEQUENCE bmob_functions_version;
	CREATE TABLE bmob_functions (name text PRIMARY KEY, source bytea NOT NULL, version bigint NOT NULL);`,
	// 6: the fields indexed with IndexField (bmobemu data index).
	`CREATE TABLE bmob_field_indexes (class text NOT NULL, field text NOT NULL, name text NOT NULL, PRIMARY KEY (class, field));`,
}

// PostgresOptions configure OpenPostgres beyond Options.
type PostgresOptions struct {
	// MaxConns is the pool size (0: pgx's default, the larger of 4 and the CPUs).
	MaxConns int32
	// StatementTimeout bounds every statement on the server (0: none).
	StatementTimeout time.Duration
}

// pgStore is the PostgreSQL engine of Store.
type pgStore struct {
	base
	pool *pgxpool.Pool

	nonceCalls atomic.Int64 // UseNonce prunes expired nonces every 1000th call
}

// IsPostgresURL reports whether a --db value names a PostgreSQL database
// (postgres:// or postgresql://) rather than a bbolt file.
func IsPostgresURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// Redact is a --db value fit for logs: a URL's password is hidden.
func Redact(db string) string {
	if !IsPostgresURL(db) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// OpenDB opens the store a --db value names: a postgres:// URL (missing parts
// come from the PG* environment variables) or the path of a bbolt file.
func OpenDB(db string, opt Options, pg PostgresOptions) (Store, error) {
	if IsPostgresURL(db) {
		return OpenPostgres(context.Background(), db, opt, pg)
	}
	return Open(db, opt)
}

// OpenPostgres connects to a PostgreSQL database (a URL or key=value
// connection string; PG* environment variables fill what it leaves out) and
// creates or upgrades its tables.
func OpenPostgres(ctx context.Context, dsn string, opt Options, pg PostgresOptions) (Store, error) {
	opt = opt.withDefaults()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: bad PostgreSQL connection string: %w", err)
	}
	if pg.MaxConns > 0 {
		cfg.MaxConns = pg.MaxConns
	}
	if pg.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprint(pg.StatementTimeout.Milliseconds())
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", cfg.ConnConfig.Host, err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open database %s/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return &pgStore{base: newBase(opt), pool: pool}, nil
}

// migrate brings the tables to PostgresSchemaVersion in one transaction per
// step; the version row is locked, so processes starting together upgrade once.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		// Two processes creating the version table at once may collide in the
		// catalog; the loser retries and finds it.
		if _, err = pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS bmob_schema_version (id int PRIMARY KEY, version int NOT NULL)`); err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("create version table: %w", err)
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO bmob_schema_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`); err != nil {
			return fmt.Errorf("version row: %w", err)
		}
		var v int
		if err := tx.QueryRow(ctx, `SELECT version FROM bmob_schema_version WHERE id = 1 FOR UPDATE`).Scan(&v); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if v > len(pgMigrations) {
			return fmt.Errorf("the database has schema version %d, newer than this bmobemu's %d: upgrade bmobemu", v, len(pgMigrations))
		}
		for ; v < len(pgMigrations); v++ {
			if _, err := tx.Exec(ctx, pgMigrations[v]); err != nil {
				return fmt.Errorf("upgrade schema to version %d: %w", v+1, err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE bmob_schema_version SET version = $1 WHERE id = 1`, v); err != nil {
			return fmt.Errorf("write schema version: %w", err)
		}
		return nil
	})
}

// Close releases the pool.
func (s *pgStore) Close() error {
	s.pool.Close()
	return nil
}

// inTx runs fn in one read-committed transaction; a serialization failure or
// deadlock (possible between concurrent writers) is retried a few times.
func (s *pgStore) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = pgx.BeginFunc(ctx, s.pool, fn)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01") {
			continue
		}
		return err
	}
	return err
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

func scanRecord(rows pgx.Rows) (*record, error) { return scanRecordWith(rows) }

// scanRecordWith reads a row of lead columns, then recordColumns.
func scanRecordWith(rows pgx.Rows, lead ...any) (*record, error) {
	var (
		id               string
		created, updated int64
		fields           []byte
	)
	if err := rows.Scan(append(lead, &id, &created, &updated, &fields)...); err != nil {
		return nil, fmt.Errorf("read object: %w", err)
	}
	r := &record{id: id, created: time.UnixMicro(created), updated: time.UnixMicro(updated)}
	if err := json.Unmarshal(fields, &r.fields); err != nil {
		return nil, fmt.Errorf("decode object %s: %w", id, err)
	}
	if bytes.Contains(fields, []byte(`\u0001`)) { // PostgreSQL writes \x01 so
		unescapeDeep(r.fields)
	}
	if r.fields == nil {
		r.fields = map[string]any{}
	}
	return r, nil
}

func queryRecords(ctx context.Context, q querier, sql string, args ...any) ([]*record, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("query objects: %w", err)
	}
	defer rows.Close()
	var out []*record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query objects: %w", err)
	}
	return out, nil
}

const recordColumns = `id, created, updated, fields`

// record reads one object, or 101.
func (s *pgStore) record(ctx context.Context, class, id string) (*record, error) {
	recs, err := queryRecords(ctx, s.pool, `SELECT `+recordColumns+` FROM bmob_objects WHERE class = $1 AND id = $2`, escapeNUL(class), escapeNUL(id))
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, notFound(id)
	}
	return recs[0], nil
}

func encodeFields(id string, fields map[string]any) (string, error) {
	b, err := json.Marshal(fields)
	if err != nil {
		return "", fmt.Errorf("encode object %s: %w", id, err)
	}
	// JSONB cannot hold the NUL character: such strings are escaped (pg_nul.go).
	if jsonNeedsEscape(b) {
		if b, err = json.Marshal(escapeDeep(fields)); err != nil {
			return "", fmt.Errorf("encode object %s: %w", id, err)
		}
	}
	return string(b), nil
}

// classSchema reads the field types of class; ok is false when the class does
// not exist. lock takes the row lock (a write is about to add a field).
func classSchema(ctx context.Context, q querier, class string, lock bool) (map[string]string, bool, error) {
	sql := `SELECT fields FROM bmob_classes WHERE class = $1`
	if lock {
		sql += ` FOR UPDATE`
	}
	var raw []byte
	err := q.QueryRow(ctx, sql, class).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return map[string]string{}, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read schema of %s: %w", class, err)
	}
	schema := map[string]string{}
	if err := json.Unmarshal(raw, &schema); err != nil {
		return nil, false, fmt.Errorf("decode schema of %s: %w", class, err)
	}
	return schema, true, nil
}

// applyPlan applies a write to fields and enforces the class schema as the
// bbolt engine does. The schema row is only locked when a field is new, so
// writes of known fields never wait on each other.
// schema is the class's field types when the caller has read them (nil: read here).
func (s *pgStore) applyPlan(ctx context.Context, tx pgx.Tx, class string, fields map[string]any, plan []action, schema map[string]string) error {
	for _, a := range plan {
		if a.op == "AddRelation" || a.op == "RemoveRelation" {
			if _, ok, err := classSchema(ctx, tx, a.rel.className, false); err != nil {
				return err
			} else if !ok {
				return Errorf(104, "relation className '%s' not exists.", a.rel.className)
			}
		}
	}
	if err := apply(fields, plan); err != nil {
		return err
	}
	if schema == nil {
		var err error
		if schema, _, err = classSchema(ctx, tx, class, false); err != nil {
			return err
		}
	}
	_, changed, err := mergeSchema(schema, fields, plan)
	if err != nil || !changed {
		return err
	}
	if schema, _, err = classSchema(ctx, tx, class, true); err != nil {
		return err
	}
	if schema, _, err = mergeSchema(schema, fields, plan); err != nil {
		return err
	}
	b, err := json.Marshal(schema)
	if err != nil {
		return fmt.Errorf("encode schema of %s: %w", class, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE bmob_classes SET fields = $2::jsonb WHERE class = $1`, class, string(b)); err != nil {
		return fmt.Errorf("store schema of %s: %w", class, err)
	}
	return nil
}

// Create inserts an object; the class is created on first insert.
func (s *pgStore) Create(ctx context.Context, class string, data map[string]any) (Created, error) {
	if err := checkClass(class); err != nil {
		return Created{}, err
	}
	plan, uw, err := s.prepareWrite(class, data)
	if err != nil {
		return Created{}, err
	}
	now := s.now().Truncate(time.Microsecond)
	var id string
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		schema, ok, err := classSchema(ctx, tx, class, false)
		if err != nil {
			return err
		}
		if !ok {
			if _, err := tx.Exec(ctx, `INSERT INTO bmob_classes (class, fields) VALUES ($1, '{}') ON CONFLICT (class) DO NOTHING`, class); err != nil {
				return fmt.Errorf("create class %s: %w", class, err)
			}
			schema = nil // another writer may have made it meanwhile: read it again
		}
		r := &record{created: now, updated: now, fields: map[string]any{}}
		if err := s.applyPlan(ctx, tx, class, r.fields, plan, schema); err != nil {
			return err
		}
		doc, err := encodeFields(r.id, r.fields)
		if err != nil {
			return err
		}
		for { // an objectId collision is rare but possible
			if id, err = s.newObjectID(); err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, `INSERT INTO bmob_objects (class, id, created, updated, fields) VALUES ($1, $2, $3, $3, $4::jsonb)
				ON CONFLICT (class, id) DO NOTHING`, class, id, now.UnixMicro(), doc)
			if err != nil {
				return fmt.Errorf("store object %s: %w", id, err)
			}
			if tag.RowsAffected() == 1 {
				break
			}
		}
		return pgAfterPut(ctx, tx, class, id, nil, r.fields, uw)
	})
	if err != nil {
		return Created{}, err
	}
	return Created{ObjectID: id, CreatedAt: now}, nil
}

// lockRecord reads an object for update, or 101.
func lockRecord(ctx context.Context, tx pgx.Tx, class, id string) (*record, error) {
	recs, err := queryRecords(ctx, tx, `SELECT `+recordColumns+` FROM bmob_objects WHERE class = $1 AND id = $2 FOR UPDATE`, escapeNUL(class), escapeNUL(id))
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, notFound(id)
	}
	return recs[0], nil
}

// Update applies data to one object.
func (s *pgStore) Update(ctx context.Context, class, objectID string, data map[string]any) (time.Time, error) {
	plan, uw, err := s.prepareWrite(class, data)
	if err != nil {
		return time.Time{}, err
	}
	now := s.now().Truncate(time.Microsecond)
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		r, err := lockRecord(ctx, tx, class, objectID)
		if err != nil {
			return err
		}
		old := uniqueValues(class, r.fields)
		if err := s.applyPlan(ctx, tx, class, r.fields, plan, nil); err != nil {
			return err
		}
		if err := pgAfterPut(ctx, tx, class, objectID, old, r.fields, uw); err != nil {
			return err
		}
		doc, err := encodeFields(objectID, r.fields)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE bmob_objects SET updated = $3, fields = $4::jsonb WHERE class = $1 AND id = $2`,
			class, objectID, now.UnixMicro(), doc); err != nil {
			return fmt.Errorf("store object %s: %w", objectID, err)
		}
		return nil
	})
	if err != nil {
		return time.Time{}, err
	}
	return now, nil
}

// Delete removes one object.
func (s *pgStore) Delete(ctx context.Context, class, objectID string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		r, err := lockRecord(ctx, tx, class, objectID)
		if err != nil {
			return err
		}
		if err := pgAfterDelete(ctx, tx, class, objectID, uniqueValues(class, r.fields)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM bmob_objects WHERE class = $1 AND id = $2`, class, objectID); err != nil {
			return fmt.Errorf("delete %s/%s: %w", class, objectID, err)
		}
		return nil
	})
}

// pgAfterPut keeps the unique index and the password of one written object
// (see afterPut); the primary key of bmob_unique makes a duplicate impossible
// across processes too.
func pgAfterPut(ctx context.Context, tx pgx.Tx, class, id string, old map[string]string, fields map[string]any, uw userWrite) error {
	now := uniqueValues(class, fields)
	for _, r := range uniqueFields[class] {
		before, after := old[r.field], now[r.field]
		if before == after {
			continue
		}
		if len(after) > maxUniqueBytes {
			return Errorf(107, "invalid %s: longer than %d bytes.", r.field, maxUniqueBytes)
		}
		if after != "" {
			tag, err := tx.Exec(ctx, `INSERT INTO bmob_unique (class, field, value, object_id) VALUES ($1, $2, $3, $4)
				ON CONFLICT (class, field, value) DO NOTHING`, class, r.field, escapeNUL(after), id)
			if err != nil {
				return fmt.Errorf("unique index %s.%s: %w", class, r.field, err)
			}
			if tag.RowsAffected() == 0 {
				var owner string
				if err := tx.QueryRow(ctx, `SELECT object_id FROM bmob_unique WHERE class = $1 AND field = $2 AND value = $3`,
					class, r.field, escapeNUL(after)).Scan(&owner); err != nil {
					return fmt.Errorf("unique index %s.%s: %w", class, r.field, err)
				}
				if owner != id {
					return Errorf(r.code, r.format, after)
				}
			}
		}
		if before != "" {
			if _, err := tx.Exec(ctx, `DELETE FROM bmob_unique WHERE class = $1 AND field = $2 AND value = $3 AND object_id = $4`,
				class, r.field, escapeNUL(before), id); err != nil {
				return fmt.Errorf("unique index %s.%s: %w", class, r.field, err)
			}
		}
	}
	if uw.hash != "" {
		if _, err := tx.Exec(ctx, `INSERT INTO bmob_passwords (user_id, hash) VALUES ($1, $2)
			ON CONFLICT (user_id) DO UPDATE SET hash = EXCLUDED.hash`, id, uw.hash); err != nil {
			return fmt.Errorf("store password of %s: %w", id, err)
		}
	}
	return nil
}

// pgAfterDelete drops the unique entries, password and sessions of a deleted object.
func pgAfterDelete(ctx context.Context, tx pgx.Tx, class, id string, old map[string]string) error {
	for field, v := range old {
		if _, err := tx.Exec(ctx, `DELETE FROM bmob_unique WHERE class = $1 AND field = $2 AND value = $3 AND object_id = $4`,
			class, field, escapeNUL(v), id); err != nil {
			return fmt.Errorf("unique index %s.%s: %w", class, field, err)
		}
	}
	if class != "_User" {
		return nil
	}
	if _, err := tx.Exec(ctx, `DELETE FROM bmob_passwords WHERE user_id = $1`, id); err != nil {
		return fmt.Errorf("delete password of %s: %w", id, err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM bmob_sessions WHERE user_id = $1`, id); err != nil {
		return fmt.Errorf("delete sessions of %s: %w", id, err)
	}
	return nil
}

// Classes lists the classes that hold or held objects.
func (s *pgStore) Classes(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT class FROM bmob_classes ORDER BY class COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("list classes: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list classes: %w", err)
	}
	return names, nil
}

// Schemas returns the field types of every class.
func (s *pgStore) Schemas(ctx context.Context) (map[string]map[string]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT class, fields FROM bmob_classes`)
	if err != nil {
		return nil, fmt.Errorf("read schemas: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]string{}
	for rows.Next() {
		var (
			class string
			raw   []byte
		)
		if err := rows.Scan(&class, &raw); err != nil {
			return nil, fmt.Errorf("read schemas: %w", err)
		}
		schema := map[string]string{}
		if err := json.Unmarshal(raw, &schema); err != nil {
			return nil, fmt.Errorf("decode schema of %s: %w", class, err)
		}
		out[class] = schema
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schemas: %w", err)
	}
	return out, nil
}

var _ Store = (*pgStore)(nil)
