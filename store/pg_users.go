package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// CheckPassword reports whether password is the user's (see boltStore.CheckPassword).
func (s *pgStore) CheckPassword(ctx context.Context, userID, password string) (bool, error) {
	var stored string
	err := s.pool.QueryRow(ctx, `SELECT hash FROM bmob_passwords WHERE user_id = $1`, userID).Scan(&stored)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read password of %s: %w", userID, err)
	}
	return stored != "" && passwordMatches(stored, password), nil
}

// CreateSession issues a session token for an existing user, valid for ttl.
func (s *pgStore) CreateSession(ctx context.Context, userID string, ttl time.Duration) (Session, error) {
	sess, err := s.newSession(userID, ttl)
	if err != nil {
		return Session{}, err
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		// The user row is locked so a concurrent delete cannot leave an orphan session.
		if _, err := lockRecord(ctx, tx, "_User", userID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO bmob_sessions (token, user_id, expires) VALUES ($1, $2, $3)`,
			sess.Token, userID, sess.Expires.UnixMicro()); err != nil {
			return fmt.Errorf("store session: %w", err)
		}
		return nil
	})
	if err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Session resolves a token; ok is false when it is unknown or has expired.
func (s *pgStore) Session(ctx context.Context, token string) (Session, bool, error) {
	var (
		user    string
		expires int64
	)
	err := s.pool.QueryRow(ctx, `SELECT user_id, expires FROM bmob_sessions WHERE token = $1`, escapeNUL(token)).Scan(&user, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return Session{}, false, nil
	}
	if err != nil {
		return Session{}, false, fmt.Errorf("read session: %w", err)
	}
	sess := Session{Token: token, UserID: user, Expires: time.UnixMicro(expires)}
	return sess, s.now().Before(sess.Expires), nil
}

// Lookup finds the object whose unique field (see uniqueFields) equals value.
func (s *pgStore) Lookup(ctx context.Context, class, field, value string) (string, bool, error) {
	known := false
	for _, r := range uniqueFields[class] {
		known = known || r.field == field
	}
	if !known {
		return "", false, fmt.Errorf("lookup %s.%s: not a unique field", class, field)
	}
	var id string
	err := s.pool.QueryRow(ctx, `SELECT object_id FROM bmob_unique WHERE class = $1 AND field = $2 AND value = $3`,
		class, field, escapeNUL(value)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("lookup %s.%s: %w", class, field, err)
	}
	return id, true, nil
}
