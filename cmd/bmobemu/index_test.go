package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmobemu/bmobemu/internal/pgtest"
)

// TestDataIndex: `data index CLASS FIELD` indexes a field on PostgreSQL,
// lists it, says so when run again, drops it with --drop; a bbolt file and a
// missing field are refused with a reason.
func TestDataIndex(t *testing.T) {
	ctx := context.Background()
	pg := pgtest.DSN(t)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"data", "index", "--db", pg}, 0, "no indexed fields"},
		{[]string{"data", "index", "Big", "city", "--db", pg}, 0, "indexed Big.city"},
		{[]string{"data", "index", "Big", "city", "--db", pg}, 0, "Big.city is indexed already"},
		{[]string{"data", "index", "--db", pg}, 0, "Big city (index bmob_fi_big_city_"},
		{[]string{"data", "index", "Big", "--db", pg}, 1, "give a class and a field"},
		{[]string{"data", "index", "Big", "objectId", "--db", pg}, 1, "objectId, createdAt and updatedAt are indexed already"},
		{[]string{"data", "index", "Big", "city", "--db", filepath.Join(t.TempDir(), "a.db")}, 1, "has no field indexes"},
		{[]string{"data", "index", "Big", "city", "--drop", "--db", pg}, 0, "dropped the index of Big.city"},
		{[]string{"data", "index", "Big", "city", "--drop", "--db", pg}, 1, "Big.city is not indexed"},
		{[]string{"data", "index", "--db", pg}, 0, "no indexed fields"},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		code := run(ctx, c.args, &out, &errOut)
		got := out.String() + errOut.String()
		if code != c.code || !strings.Contains(got, c.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", c.args[2:], code, c.code, c.want, got)
		}
	}
}
