package store

import (
	"bytes"
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Users: _User objects never hold their password. A password written to
// _User (on any path: signup, /1/classes/_User, batch, import) is hashed and
// kept in passwordsBucket under the user's objectId, so no query, include or
// projection can reach it. Session tokens live in sessionsBucket. Both go in the
// same transaction as the object, and deleting a user deletes them.
var (
	passwordsBucket = []byte("passwords")
	sessionsBucket  = []byte("sessions")
	uniqueBucket    = []byte("unique")
)

// DefaultPasswordIterations is the PBKDF2-HMAC-SHA256 work factor of new
// password hashes (OWASP's 2023 figure for that hash).
const DefaultPasswordIterations = 600_000

// Session is one login of a user.
type Session struct {
	Token   string // 32 lowercase hex characters
	UserID  string
	Expires time.Time
}

// uniqueRule is a field whose string values are unique within a class, with
// the error Bmob gives for a duplicate.
type uniqueRule struct {
	field  string
	code   int
	format string
}

// uniqueFields are the unique fields of Bmob's system classes.
var uniqueFields = map[string][]uniqueRule{
	"_User": {
		{"username", 202, "username '%s' already taken."},
		{"email", 203, "email '%s' already taken."},
		{"mobilePhoneNumber", 209, "mobilePhoneNumber '%s' already taken."},
	},
	"_Role":         {{"name", 139, "role name '%s' already taken."}},
	"_Installation": {{"installationId", 132, "installation ID '%s' already token."}},
}

// maxUniqueBytes bounds a unique value (bbolt keys are at most 32 KiB).
const maxUniqueBytes = 1024

// userWrite is what a write to _User carries besides its plan: the hash of a
// new password, computed before the transaction (it is slow and bbolt may run
// a batch transaction twice).
type userWrite struct {
	hash string
}

// prepareUserWrite takes password out of data written to _User (hashing it)
// and drops sessionToken, which clients echo back from login answers.
func (s *base) prepareUserWrite(class string, data map[string]any) (map[string]any, userWrite, error) {
	if class != "_User" {
		return data, userWrite{}, nil
	}
	out := make(map[string]any, len(data))
	var uw userWrite
	for k, v := range data {
		switch {
		case k == "sessionToken":
			continue
		case k == "password":
			v, _ = plain(v)
			pw, ok := v.(string)
			if !ok {
				return nil, uw, typeError("password", "String", typeName(v))
			}
			if pw == "" {
				return nil, uw, Errorf(108, "username and password required.")
			}
			h, err := s.hashPassword(pw)
			if err != nil {
				return nil, uw, err
			}
			uw.hash = h
			continue
		case strings.HasPrefix(k, "password.") || strings.HasPrefix(k, "sessionToken."):
			return nil, uw, Errorf(105, "invalid field name: %s.", k)
		}
		out[k] = v
	}
	return out, uw, nil
}

// prepareWrite is what Create and Update do before their transaction, on every
// engine: _User's password hashed and taken out (prepareUserWrite), then the
// write planned.
func (s *base) prepareWrite(class string, data map[string]any) ([]action, userWrite, error) {
	data, uw, err := s.prepareUserWrite(class, data)
	if err != nil {
		return nil, uw, err
	}
	plan, err := planWrite(data)
	if err != nil {
		return nil, uw, err
	}
	return plan, uw, nil
}

func (s *base) hashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	s.randMu.Lock()
	_, err := io.ReadFull(s.random, salt)
	s.randMu.Unlock()
	if err != nil {
		return "", fmt.Errorf("hash password: salt: %w", err)
	}
	key, err := pbkdf2.Key(sha256.New, pw, salt, s.iterations, 32)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", s.iterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// passwordMatches checks pw against a stored hash (its own iteration count,
// so raising the default keeps old hashes valid).
func passwordMatches(stored, pw string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter <= 0 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, pw, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// uniqueValues reads the unique fields of class from fields.
func uniqueValues(class string, fields map[string]any) map[string]string {
	rules := uniqueFields[class]
	if len(rules) == 0 {
		return nil
	}
	out := make(map[string]string, len(rules))
	for _, r := range rules {
		if v, ok := fields[r.field].(string); ok && v != "" {
			out[r.field] = v
		}
	}
	return out
}

func uniqueKey(class, field string) []byte { return []byte(class + "." + field) }

// afterPut keeps the unique index and the password of one written object.
// old holds the unique values before the write (nil on create).
func afterPut(tx *bolt.Tx, class, id string, old map[string]string, fields map[string]any, uw userWrite) error {
	now := uniqueValues(class, fields)
	ub := tx.Bucket(uniqueBucket)
	for _, r := range uniqueFields[class] {
		before, after := old[r.field], now[r.field]
		if before == after {
			continue
		}
		b, err := ub.CreateBucketIfNotExists(uniqueKey(class, r.field))
		if err != nil {
			return fmt.Errorf("unique index %s.%s: %w", class, r.field, err)
		}
		if len(after) > maxUniqueBytes {
			return Errorf(107, "invalid %s: longer than %d bytes.", r.field, maxUniqueBytes)
		}
		if after != "" {
			if owner := b.Get([]byte(after)); owner != nil && string(owner) != id {
				return Errorf(r.code, r.format, after)
			}
			if err := b.Put([]byte(after), []byte(id)); err != nil {
				return fmt.Errorf("unique index %s.%s: %w", class, r.field, err)
			}
		}
		if before != "" {
			if err := b.Delete([]byte(before)); err != nil {
				return fmt.Errorf("unique index %s.%s: %w", class, r.field, err)
			}
		}
	}
	if uw.hash != "" {
		if err := tx.Bucket(passwordsBucket).Put([]byte(id), []byte(uw.hash)); err != nil {
			return fmt.Errorf("store password of %s: %w", id, err)
		}
	}
	return nil
}

// afterDelete drops the unique entries, password and sessions of a deleted object.
func afterDelete(tx *bolt.Tx, class, id string, old map[string]string) error {
	ub := tx.Bucket(uniqueBucket)
	for field, v := range old {
		if b := ub.Bucket(uniqueKey(class, field)); b != nil {
			if err := b.Delete([]byte(v)); err != nil {
				return fmt.Errorf("unique index %s.%s: %w", class, field, err)
			}
		}
	}
	if class != "_User" {
		return nil
	}
	if err := tx.Bucket(passwordsBucket).Delete([]byte(id)); err != nil {
		return fmt.Errorf("delete password of %s: %w", id, err)
	}
	sb := tx.Bucket(sessionsBucket)
	var dead [][]byte
	err := sb.ForEach(func(k, v []byte) error {
		if sess, err := decodeSession(k, v); err == nil && sess.UserID == id {
			dead = append(dead, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sessions of %s: %w", id, err)
	}
	for _, k := range dead {
		if err := sb.Delete(k); err != nil {
			return fmt.Errorf("delete session of %s: %w", id, err)
		}
	}
	return nil
}

// reindexUnique rebuilds the unique index from the stored objects; a
// duplicate fails when strict (import), and is skipped otherwise (an old
// database opened for the first time: the first object keeps the value).
func reindexUnique(tx *bolt.Tx, strict bool) error {
	if err := tx.DeleteBucket(uniqueBucket); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
		return fmt.Errorf("reset unique index: %w", err)
	}
	if _, err := tx.CreateBucket(uniqueBucket); err != nil {
		return fmt.Errorf("create unique index: %w", err)
	}
	for class := range uniqueFields {
		cb := tx.Bucket(classesBucket).Bucket([]byte(class))
		if cb == nil {
			continue
		}
		err := cb.ForEach(func(k, v []byte) error {
			r, err := decodeRecord(string(k), v)
			if err != nil {
				return nil // a damaged record: reads skip and name it
			}
			err = afterPut(tx, class, r.id, nil, r.fields, userWrite{})
			var dup *Error
			if errors.As(err, &dup) && !strict {
				return nil
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

type storedSession struct {
	User    string `json:"u"`
	Expires int64  `json:"e"` // unix microseconds
}

func decodeSession(token, v []byte) (Session, error) {
	var ss storedSession
	if err := json.Unmarshal(v, &ss); err != nil {
		return Session{}, fmt.Errorf("decode session: %w", err)
	}
	return Session{Token: string(token), UserID: ss.User, Expires: time.UnixMicro(ss.Expires)}, nil
}

// Now is the store's clock.
func (s *base) Now() time.Time { return s.now() }

// CheckPassword reports whether password is the user's; a user without a
// password (imported from Bmob, whose API never returns them) matches nothing.
func (s *boltStore) CheckPassword(ctx context.Context, userID, password string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	var stored string
	err := s.view(func(tx *bolt.Tx) error {
		stored = string(tx.Bucket(passwordsBucket).Get([]byte(userID)))
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("read password of %s: %w", userID, err)
	}
	return stored != "" && passwordMatches(stored, password), nil
}

// newSession makes a session for userID with a new random token (16 bytes, in
// hex), valid for ttl from the store's clock; CreateSession of each engine
// stores it.
func (s *base) newSession(userID string, ttl time.Duration) (Session, error) {
	var raw [16]byte
	s.randMu.Lock()
	_, err := io.ReadFull(s.random, raw[:])
	s.randMu.Unlock()
	if err != nil {
		return Session{}, fmt.Errorf("generate session token: %w", err)
	}
	return Session{Token: hex.EncodeToString(raw[:]), UserID: userID, Expires: s.now().Add(ttl)}, nil
}

// CreateSession issues a session token for an existing user, valid for ttl
// from the store's clock.
func (s *boltStore) CreateSession(ctx context.Context, userID string, ttl time.Duration) (Session, error) {
	sess, err := s.newSession(userID, ttl)
	if err != nil {
		return Session{}, err
	}
	v, err := json.Marshal(storedSession{User: userID, Expires: sess.Expires.UnixMicro()})
	if err != nil {
		return Session{}, fmt.Errorf("encode session: %w", err)
	}
	err = s.write(ctx, func(tx *bolt.Tx) ([]change, error) {
		ub := tx.Bucket(classesBucket).Bucket([]byte("_User"))
		if ub == nil || ub.Get([]byte(userID)) == nil {
			return nil, notFound(userID)
		}
		return nil, tx.Bucket(sessionsBucket).Put([]byte(sess.Token), v)
	})
	if err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Session resolves a token; ok is false when it is unknown or has expired.
func (s *boltStore) Session(ctx context.Context, token string) (Session, bool, error) {
	if err := ctx.Err(); err != nil {
		return Session{}, false, err
	}
	var v []byte
	err := s.view(func(tx *bolt.Tx) error {
		v = bytes.Clone(tx.Bucket(sessionsBucket).Get([]byte(token)))
		return nil
	})
	if err != nil {
		return Session{}, false, fmt.Errorf("read session: %w", err)
	}
	if v == nil {
		return Session{}, false, nil
	}
	sess, err := decodeSession([]byte(token), v)
	if err != nil {
		return Session{}, false, err
	}
	if !s.now().Before(sess.Expires) {
		return sess, false, nil
	}
	return sess, true, nil
}

// Lookup finds the object whose unique field (see uniqueFields) equals value.
func (s *boltStore) Lookup(ctx context.Context, class, field, value string) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	known := false
	for _, r := range uniqueFields[class] {
		known = known || r.field == field
	}
	if !known {
		return "", false, fmt.Errorf("lookup %s.%s: not a unique field", class, field)
	}
	var id string
	err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(uniqueBucket).Bucket(uniqueKey(class, field)); b != nil {
			id = string(b.Get([]byte(value)))
		}
		return nil
	})
	if err != nil {
		return "", false, fmt.Errorf("lookup %s.%s: %w", class, field, err)
	}
	return id, id != "", nil
}

// Schemas returns the field types of every class that has any.
func (s *boltStore) Schemas(ctx context.Context) (map[string]map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	err := s.view(func(tx *bolt.Tx) error {
		if err := tx.Bucket(classesBucket).ForEachBucket(func(k []byte) error {
			out[string(k)] = map[string]string{}
			return nil
		}); err != nil {
			return err
		}
		return tx.Bucket(schemaBucket).ForEach(func(k, v []byte) error {
			schema := map[string]string{}
			if err := json.Unmarshal(v, &schema); err != nil {
				return fmt.Errorf("decode schema of %s: %w", k, err)
			}
			out[string(k)] = schema
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read schemas: %w", err)
	}
	return out, nil
}
