// Package store is Bmob's data model: classes of JSON objects with objectId,
// createdAt and updatedAt, Bmob's types (Date, Pointer, File, GeoPoint, Relation),
// its update operators (__op) and its query language (where, order, limit, skip,
// count, keys, include, statistics). The interface is small enough for a second
// engine later; the engine today is bbolt (see Open).
//
// Values are decoded JSON: string, float64, bool, nil, []any and map[string]any.
package store

import (
	"context"
	"fmt"
	"io"
	"time"
)

// Store is Bmob's data surface. Every method is safe for concurrent use; every write
// is atomic and on disk when it returns (on bbolt, writes that overlap share one
// transaction and one fsync: see committer). Errors that Bmob reports to clients are *Error.
type Store interface {
	// Create inserts an object into class (created on first insert). data may hold
	// __op and __type values. It returns the new object's objectId and createdAt.
	Create(ctx context.Context, class string, data map[string]any) (Created, error)
	// Get returns one object as Bmob's REST API shows it (system fields included,
	// keys projected, include expanded). A missing object is *Error code 101.
	Get(ctx context.Context, class, objectID string, opt GetOptions) (map[string]any, error)
	// Update applies data (plain values, dotted keys, __op) to one object and
	// returns the new updatedAt.
	Update(ctx context.Context, class, objectID string, data map[string]any) (time.Time, error)
	// Delete removes one object.
	Delete(ctx context.Context, class, objectID string) error
	// Find runs a query.
	Find(ctx context.Context, class string, q Query) (Result, error)
	// Classes lists the classes that exist.
	Classes(ctx context.Context) ([]string, error)
	// Export writes every class and object as JSON (the format of `bmobemu data export`).
	Export(ctx context.Context, w io.Writer) error
	// Import replaces the whole content with an export read from r, atomically.
	Import(ctx context.Context, r io.Reader) error
	// Close releases the database.
	Close() error

	// Now is the store's clock (createdAt, updatedAt, session expiry).
	Now() time.Time
	// Schemas returns the field types of every class (field -> type name).
	Schemas(ctx context.Context) (map[string]map[string]string, error)
	// Lookup finds the object whose unique field equals value: username, email
	// or mobilePhoneNumber of _User, name of _Role, installationId of
	// _Installation. Writes that would duplicate one fail with Bmob's code.
	Lookup(ctx context.Context, class, field, value string) (objectID string, ok bool, err error)

	// CheckPassword reports whether password is the user's. Passwords written
	// to _User are hashed and kept apart from the object: no read returns them.
	CheckPassword(ctx context.Context, userID, password string) (bool, error)
	// CreateSession issues a session token for a user, valid for ttl.
	CreateSession(ctx context.Context, userID string, ttl time.Duration) (Session, error)
	// Session resolves a token; ok is false when it is unknown or expired.
	Session(ctx context.Context, token string) (sess Session, ok bool, err error)
}

// Created is the answer to Create.
type Created struct {
	ObjectID  string
	CreatedAt time.Time
}

// GetOptions are the query parameters of a GET by objectId.
type GetOptions struct {
	Keys    []string // projection; objectId, createdAt and updatedAt always stay
	Include []string // pointer fields to expand, dotted for nesting
}

// Query is a decoded REST query (docs/fidelity.md#queries).
type Query struct {
	Where   map[string]any // decoded `where` JSON; nil matches everything
	And     *Clause        // a precompiled clause results must also match (nil: none)
	Order   []string       // field names, "-" prefix for descending
	Limit   int            // < 0 means the default (100); capped at MaxLimit
	Skip    int
	Count   bool
	Keys    []string
	Include []string

	// Statistics (a query with any of these returns Result.Groups).
	GroupBy    []string
	GroupCount bool
	Sum        []string
	Average    []string
	Max        []string
	Min        []string
	Having     map[string]any
}

// Result is the answer to Find.
type Result struct {
	Results []map[string]any // objects as the REST API shows them
	Count   int              // set when Query.Count
	// Groups is set for statistics queries: Bmob answers those with a bare array.
	Groups []map[string]any
}

// Limits of queries, as Bmob documents them.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// TimeLayout is how Bmob writes createdAt, updatedAt and Date values.
const TimeLayout = "2006-01-02 15:04:05"

// Error is an error Bmob reports to clients as {"code":N,"error":"…"}. The
// HTTP status it is answered with is the REST layer's choice (restapi).
type Error struct {
	Code    int
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("bmob error %d: %s", e.Code, e.Message) }

// Errorf makes an *Error with a formatted message.
func Errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
