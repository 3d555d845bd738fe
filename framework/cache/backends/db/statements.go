package db

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// statements are the SQL texts every dialect shares, built once per Store
// with the dialect's quoting and placeholders. The ones holding "IN (?)" are
// expanded per call by inQuery.
type statements struct {
	get         string // value, expires of one key
	getMany     string // cache_key, value, expires of keys IN (?)
	delExpired  string // delete keys IN (?) whose expires < ?
	has         string // value of one key when live (expires > ?)
	del         string // delete one key
	delMany     string // delete keys IN (?)
	clear       string // delete every row
	count       string // COUNT(*)
	cullExpired string // delete rows whose expires < ?
	cullBelow   string // delete rows whose cache_key < ?
	cullSelect  string // the cache_key at offset ? (dialect)
	incrSelect  string // value, expires of one key, locked (dialect suffix)
	incrUpdate  string // new value of one key, expires kept
	delCorrupt  string // delete keys IN (?) whose value is not well-formed
}

func buildStatements(d Dialect, table string) statements {
	t := d.Quote(table)
	k, v, e := d.Quote("cache_key"), d.Quote("value"), d.Quote("expires")
	bind := func(q string) string { return sqlx.Rebind(d.BindType(), q) }
	return statements{
		get:         bind("SELECT " + v + ", " + e + " FROM " + t + " WHERE " + k + " = ?"),
		getMany:     "SELECT " + k + ", " + v + ", " + e + " FROM " + t + " WHERE " + k + " IN (?)",
		delExpired:  "DELETE FROM " + t + " WHERE " + k + " IN (?) AND " + e + " < ?",
		has:         bind("SELECT " + v + " FROM " + t + " WHERE " + k + " = ? AND " + e + " > ?"),
		del:         bind("DELETE FROM " + t + " WHERE " + k + " = ?"),
		delMany:     "DELETE FROM " + t + " WHERE " + k + " IN (?)",
		clear:       "DELETE FROM " + t,
		count:       "SELECT COUNT(*) FROM " + t,
		cullExpired: bind("DELETE FROM " + t + " WHERE " + e + " < ?"),
		cullBelow:   bind("DELETE FROM " + t + " WHERE " + k + " < ?"),
		cullSelect:  d.CullSQL(table),
		incrSelect:  bind("SELECT "+v+", "+e+" FROM "+t+" WHERE "+k+" = ?") + d.ForUpdateSQL(),
		incrUpdate:  bind("UPDATE " + t + " SET " + v + " = ? WHERE " + k + " = ?"),
		delCorrupt:  "DELETE FROM " + t + " WHERE " + k + " IN (?) AND NOT " + d.ValidValueSQL(v),
	}
}

// maxKeysPerStatement bounds an IN list, far below every driver's
// placeholder limit (SQLite 32766, PostgreSQL and MySQL 65535). Larger
// batches run in chunks of this size.
const maxKeysPerStatement = 1000

// inQuery expands the "IN (?)" of query for keys and rebinds it.
func inQuery(d Dialect, query string, keys []string, rest ...any) (string, []any, error) {
	args := make([]any, 0, 1+len(rest))
	args = append(args, keys)
	args = append(args, rest...)
	q, a, err := sqlx.In(query, args...)
	if err != nil {
		return "", nil, err
	}
	return sqlx.Rebind(d.BindType(), q), a, nil
}

// chunks splits keys into slices of at most maxKeysPerStatement.
func chunks(keys []string) [][]string {
	var out [][]string
	for len(keys) > maxKeysPerStatement {
		out = append(out, keys[:maxKeysPerStatement])
		keys = keys[maxKeysPerStatement:]
	}
	if len(keys) > 0 {
		out = append(out, keys)
	}
	return out
}

// neverExpires is what a never-expiring entry stores: Python's
// datetime.max truncated to seconds, as Django stores timeout=None.
func neverExpires() time.Time { return time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC) }

// minExpires is the earliest expiry stored (MySQL's DATETIME starts at year
// 1000); anything earlier is as expired.
func minExpires() time.Time { return time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC) }

// storedExpiry is the expires column value for an expiry from the front:
// UTC, whole seconds, never (zero) as 9999-12-31 23:59:59.
func storedExpiry(exp time.Time) time.Time {
	if exp.IsZero() {
		return neverExpires()
	}
	t := exp.UTC().Truncate(time.Second)
	if t.After(neverExpires()) {
		return neverExpires()
	}
	if t.Before(minExpires()) {
		return minExpires()
	}
	return t
}

// encodeValue is the value column's text for value bytes.
func encodeValue(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// errCorruptValue: the value column holds something encodeValue cannot have
// written (a row written by hand, by another program, or truncated). Such a
// row is a miss for get and get_many, absent for has_key and not found for
// incr; get, get_many and incr delete it.
var errCorruptValue = errors.New("value column is not base64")

// base64Alphabet marks the bytes of the standard base64 alphabet ('=' apart).
var base64Alphabet = func() (a [256]bool) {
	for _, c := range []byte(b64Chars) {
		a[c] = true
	}
	return a
}()

// b64Chars is the standard base64 alphabet; the dialects' ValidValueSQL
// spell the same set.
const b64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// validValue reports whether s is well-formed: standard base64 with its
// padding, a multiple of 4 bytes, nothing else (Go's decoder would skip line
// breaks; they are refused here, as by the SQL check). The dialects'
// ValidValueSQL accept exactly the same texts, so the cleanup of corrupt
// rows never deletes a well-formed one.
func validValue(s []byte) bool {
	if len(s)%4 != 0 {
		return false
	}
	n := len(s)
	for pad := 0; pad < 2 && n > 0 && s[n-1] == '='; pad++ {
		n--
	}
	for _, c := range s[:n] {
		if !base64Alphabet[c] {
			return false
		}
	}
	return true
}

// decodeValue reverses encodeValue; anything else is errCorruptValue.
func decodeValue(s []byte) ([]byte, error) {
	if !validValue(s) {
		return nil, errCorruptValue
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(out, s)
	if err != nil { // not reached: validValue admits only what decodes
		return nil, fmt.Errorf("%w: %v", errCorruptValue, err)
	}
	return out[:n], nil
}

// dbTime scans an expires column whatever the driver hands back:
// time.Time (pgx, mysql with parseTime, go-sqlite3 on a datetime column) or
// text.
type dbTime struct {
	t     time.Time
	loc   *time.Location // where a naive value's wall clock is
	naive bool           // the column holds wall clocks (a time.Time's zone is the driver's, not the value's)
}

// dbTimeLayouts are the text forms an expires column may hold, the first
// being what this package and Django's sqlite backend write.
func dbTimeLayouts() []string {
	return []string{
		"2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04:05.999999999-07:00",
		"2006-01-02T15:04:05.999999999Z07:00",
	}
}

func (d *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		if d.naive && d.loc != nil && d.loc != time.UTC && !v.Equal(neverExpires()) {
			v = time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), v.Nanosecond(), d.loc)
		}
		d.t = v
		return nil
	case string:
		return d.parse(v)
	case []byte:
		return d.parse(string(v))
	}
	return fmt.Errorf("expires column: unexpected %T", src)
}

func (d *dbTime) parse(s string) error {
	s = strings.TrimSpace(s)
	for _, layout := range dbTimeLayouts() {
		loc := d.loc
		if loc == nil {
			loc = time.UTC
		}
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			d.t = t
			return nil
		}
	}
	return fmt.Errorf("expires column: cannot parse %q", s)
}

// invalidValueRegexp finds what makes a text not well-formed base64 apart
// from its length: a byte outside the alphabet and '=', an '=' followed by
// anything but '=', or three '='. Searching for a bad character (rather than
// matching the whole value against ^[...]*={0,2}$) keeps the regular
// expression engine out of backtracking on a large value.
const invalidValueRegexp = "[^A-Za-z0-9+/=]|=[^=]|==="

// timeArg is the expires column's argument for t: in the store's clock
// (UTC, or TIME_ZONE when USE_TZ is false), except "never", which Django
// writes as datetime.max whatever the zone.
func (s *Store) timeArg(t time.Time) any {
	if !t.Equal(neverExpires()) && s.loc != nil {
		t = t.In(s.loc)
	}
	return s.d.TimeArg(t)
}

// expiresScan is a scanner for the expires column in the store's clock.
func (s *Store) expiresScan() dbTime { return dbTime{loc: s.loc, naive: s.d.NaiveExpires()} }
