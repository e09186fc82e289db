package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// FieldIndexer is implemented by stores that can index a field of a class
// (PostgreSQL; bbolt filters in memory and has nothing to index). An index
// serves the where clauses that test the field for equality: a value, an
// array holding it, $in, $all, a Date or a Pointer. Ranges, $regex and order
// still read every row of the class.
type FieldIndexer interface {
	// IndexField indexes field (dotted for a nested one) of class; made is
	// false when the index was already there.
	IndexField(ctx context.Context, class, field string) (made bool, err error)
	// DropFieldIndex removes it; ok is false when there was none.
	DropFieldIndex(ctx context.Context, class, field string) (ok bool, err error)
	// FieldIndexes lists the indexed fields, "class field" by class then field.
	FieldIndexes(ctx context.Context) ([]FieldIndex, error)
}

// FieldIndex is one indexed field.
type FieldIndex struct {
	Class, Field, Name string
}

// fieldIndexName is the index's name: readable, unique by a hash, within
// PostgreSQL's 63 bytes.
func fieldIndexName(class, field string) string {
	sum := sha256.Sum256([]byte(class + "\x00" + field))
	readable := strings.ToLower(strings.NewReplacer(".", "_").Replace(class + "_" + field))
	if len(readable) > 40 {
		readable = readable[:40]
	}
	return "bmob_fi_" + readable + "_" + hex.EncodeToString(sum[:4])
}

// IndexField makes a GIN index (jsonb_path_ops: the containment the where
// translation uses for equality) on the field's JSONB expression, partial to
// the class, built CONCURRENTLY so writes go on meanwhile. The expression is
// the where translation's own, so the planner matches them.
func (s *pgStore) IndexField(ctx context.Context, class, field string) (bool, error) {
	if err := checkClass(class); err != nil {
		return false, err
	}
	f, ok := (&sqlWhere{}).field(field)
	if !ok || f.column != "" {
		return false, Errorf(105, "cannot index field %q: give a field name, dotted for a nested one (objectId, createdAt and updatedAt are indexed already).", field)
	}
	name := fieldIndexName(class, field)
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE c.relname = $1 AND i.indisvalid)`, name).Scan(&exists); err != nil {
		return false, fmt.Errorf("index %s.%s: %w", class, field, err)
	}
	if exists {
		return false, s.recordIndex(ctx, class, field, name)
	}
	// A CONCURRENTLY build that failed leaves an invalid index behind: drop it first.
	if _, err := s.pool.Exec(ctx, `DROP INDEX CONCURRENTLY IF EXISTS `+name); err != nil {
		return false, fmt.Errorf("index %s.%s: %w", class, field, err)
	}
	sql := `CREATE INDEX CONCURRENTLY ` + name + ` ON bmob_objects USING gin (` + f.expr + ` jsonb_path_ops) WHERE class = '` + class + `'`
	if _, err := s.pool.Exec(ctx, sql); err != nil {
		_, _ = s.pool.Exec(context.Background(), `DROP INDEX CONCURRENTLY IF EXISTS `+name)
		return false, fmt.Errorf("index %s.%s: %w", class, field, err)
	}
	return true, s.recordIndex(ctx, class, field, name)
}

func (s *pgStore) recordIndex(ctx context.Context, class, field, name string) error {
	if _, err := s.pool.Exec(ctx, `INSERT INTO bmob_field_indexes (class, field, name) VALUES ($1, $2, $3)
		ON CONFLICT (class, field) DO NOTHING`, class, field, name); err != nil {
		return fmt.Errorf("index %s.%s: %w", class, field, err)
	}
	return nil
}

// DropFieldIndex implements FieldIndexer.
func (s *pgStore) DropFieldIndex(ctx context.Context, class, field string) (bool, error) {
	name := fieldIndexName(class, field)
	tag, err := s.pool.Exec(ctx, `DELETE FROM bmob_field_indexes WHERE class = $1 AND field = $2`, class, field)
	if err != nil {
		return false, fmt.Errorf("drop the index of %s.%s: %w", class, field, err)
	}
	if _, err := s.pool.Exec(ctx, `DROP INDEX CONCURRENTLY IF EXISTS `+name); err != nil {
		return false, fmt.Errorf("drop the index of %s.%s: %w", class, field, err)
	}
	return tag.RowsAffected() > 0, nil
}

// FieldIndexes implements FieldIndexer.
func (s *pgStore) FieldIndexes(ctx context.Context) ([]FieldIndex, error) {
	rows, err := s.pool.Query(ctx, `SELECT class, field, name FROM bmob_field_indexes ORDER BY class COLLATE "C", field COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("list field indexes: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[FieldIndex])
	if err != nil {
		return nil, fmt.Errorf("list field indexes: %w", err)
	}
	return out, nil
}

var _ FieldIndexer = (*pgStore)(nil)
