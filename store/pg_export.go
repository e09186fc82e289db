package store

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"
)

// Export writes every class from one repeatable-read snapshot, in the format
// of the bbolt engine's Export (the same document for the same data).
func (s *pgStore) Export(ctx context.Context, w io.Writer) error {
	doc := exportDoc{Format: ExportFormat, Version: ExportVersion, Classes: map[string][]map[string]any{}}
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT user_id, hash FROM bmob_passwords`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, h string
			if err := rows.Scan(&id, &h); err != nil {
				rows.Close()
				return err
			}
			if doc.Passwords == nil {
				doc.Passwords = map[string]string{}
			}
			doc.Passwords[id] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		classes, err := tx.Query(ctx, `SELECT class FROM bmob_classes`)
		if err != nil {
			return err
		}
		names, err := pgx.CollectRows(classes, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, name := range names {
			recs, err := queryRecords(ctx, tx, `SELECT `+recordColumns+` FROM bmob_objects WHERE class = $1`, name)
			if err != nil {
				return err
			}
			doc.Classes[name] = exportObjects(recs)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return writeExport(w, doc)
}

// Import replaces the whole content with an export, in one transaction; on
// any error nothing changes.
func (s *pgStore) Import(ctx context.Context, r io.Reader) error {
	classes, passwords, err := s.readImport(r)
	if err != nil {
		return err
	}
	// The unique index, checked before anything is written (bbolt's strict reindex).
	type uniqueRow struct{ class, field, value, id string }
	var unique []uniqueRow
	for class, rules := range uniqueFields {
		ic := classes[class]
		if ic == nil {
			continue
		}
		seen := map[string]bool{}
		for _, rec := range ic.records {
			vals := uniqueValues(class, rec.fields)
			for _, rule := range rules {
				v, ok := vals[rule.field]
				if !ok {
					continue
				}
				if len(v) > maxUniqueBytes {
					return fmt.Errorf("import: %w", Errorf(107, "invalid %s: longer than %d bytes.", rule.field, maxUniqueBytes))
				}
				if seen[rule.field+"\x00"+v] {
					return fmt.Errorf("import: %w", Errorf(rule.code, rule.format, v))
				}
				seen[rule.field+"\x00"+v] = true
				unique = append(unique, uniqueRow{class, rule.field, v, rec.id})
			}
		}
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM bmob_objects; DELETE FROM bmob_classes; DELETE FROM bmob_unique;
			DELETE FROM bmob_passwords; DELETE FROM bmob_sessions`); err != nil {
			return fmt.Errorf("clear: %w", err)
		}
		users := map[string]bool{}
		for name, ic := range classes {
			schema, err := json.Marshal(ic.schema)
			if err != nil {
				return fmt.Errorf("schema of %s: %w", name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO bmob_classes (class, fields) VALUES ($1, $2::jsonb)`, name, string(schema)); err != nil {
				return fmt.Errorf("class %s: %w", name, err)
			}
			rows := make([][]any, 0, len(ic.records))
			for _, rec := range ic.records {
				doc, err := encodeFields(rec.id, rec.fields)
				if err != nil {
					return err
				}
				rows = append(rows, []any{name, rec.id, rec.created.UnixMicro(), rec.updated.UnixMicro(), doc})
				if name == "_User" {
					users[rec.id] = true
				}
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"bmob_objects"}, []string{"class", "id", "created", "updated", "fields"},
				pgx.CopyFromRows(rows)); err != nil {
				return fmt.Errorf("class %s: %w", name, err)
			}
		}
		for id, h := range passwords {
			if !users[id] {
				continue // the hash of a user not in the document
			}
			if _, err := tx.Exec(ctx, `INSERT INTO bmob_passwords (user_id, hash) VALUES ($1, $2)`, id, h); err != nil {
				return fmt.Errorf("password of %s: %w", id, err)
			}
		}
		for _, u := range unique {
			if _, err := tx.Exec(ctx, `INSERT INTO bmob_unique (class, field, value, object_id) VALUES ($1, $2, $3, $4)`,
				u.class, u.field, escapeNUL(u.value), u.id); err != nil {
				return fmt.Errorf("unique index: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	return nil
}
