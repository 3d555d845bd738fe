package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"gojango/framework/cache"
)

// The cache.Store and cache.BatchStore operations. Reads (get, has,
// get_many) use the read connections, everything else the write ones, as
// Django routes them.
//
// Now comes from Params.Now and is passed to the database as an argument
// (never the database's NOW()), so a test clock governs expiry. Django's
// boundaries: get and incr treat a row as expired when expires < now; has
// wants expires > now (now truncated to seconds, which for whole-second
// expires gives the same answer); add replaces a row get would call expired;
// touch only updates a row get would return.
//
// A row whose value column is not what encodeValue writes (validValue: a
// row written by hand or by another program, or truncated) is corrupt: a
// miss for get and get_many, which delete it (as the file backend removes a
// corrupt file) and log its key at Warn; absent for has_key, which reads
// the value back to check it with the same validValue; not found for incr,
// which deletes it. Never an error: one bad row must not fail every request
// that reads it.
//
// has_key reads the value (Django's reads expires only) because checking it
// in SQL costs more than sending it: for a 1 MB value (1.3 MB of base64),
// reading it back and validValue took 2-6 ms on a local server, where
// ValidValueSQL took 6-13 ms on PostgreSQL and MariaDB and 280 ms on SQLite.
// A small value costs nothing either way.

var (
	_ cache.Store      = (*Store)(nil)
	_ cache.BatchStore = (*Store)(nil)
)

func (s *Store) errorf(op, key string, err error) error {
	return fmt.Errorf("db cache %q: %s %q: %w", s.table, op, key, err)
}

// Get is one SELECT; an expired row is deleted (a second statement).
func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	var raw []byte
	exp := s.expiresScan()
	err := s.rq().QueryRowContext(ctx, s.sql.get, key).Scan(&raw, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.errorf("get", key, err)
	}
	now := s.now()
	if exp.t.Before(now) {
		if err := s.deleteExpired(ctx, []string{key}, now); err != nil {
			return nil, false, err
		}
		return nil, false, nil
	}
	v, err := decodeValue(raw)
	if err != nil {
		s.dropCorrupt(ctx, "get", []string{key}, err)
		return nil, false, nil
	}
	return s.fromWhole(v), true, nil
}

// GetMany is one SELECT ... IN (per 1000 keys), plus one DELETE of the
// expired rows it found.
func (s *Store) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	now := s.now()
	var expired, corrupt []string
	for _, part := range chunks(keys) {
		if err := s.getChunk(ctx, part, now, out, &expired, &corrupt); err != nil {
			return nil, err
		}
	}
	if len(expired) > 0 {
		if err := s.deleteExpired(ctx, expired, now); err != nil {
			return nil, err
		}
	}
	if len(corrupt) > 0 {
		s.dropCorrupt(ctx, "get_many", corrupt, errCorruptValue)
	}
	return out, nil
}

func (s *Store) getChunk(ctx context.Context, keys []string, now time.Time, out map[string][]byte, expired, corrupt *[]string) error {
	query, args, err := inQuery(s.d, s.sql.getMany, keys)
	if err != nil {
		return s.errorf("get_many", keys[0], err)
	}
	rows, err := s.rq().QueryContext(ctx, query, args...)
	if err != nil {
		return s.errorf("get_many", keys[0], err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var raw sql.RawBytes
		exp := s.expiresScan()
		if err := rows.Scan(&key, &raw, &exp); err != nil {
			return s.errorf("get_many", keys[0], err)
		}
		if exp.t.Before(now) {
			*expired = append(*expired, key)
			continue
		}
		v, err := decodeValue(raw)
		if err != nil {
			*corrupt = append(*corrupt, key)
			continue
		}
		out[key] = s.fromWhole(v)
	}
	if err := rows.Err(); err != nil {
		return s.errorf("get_many", keys[0], err)
	}
	return nil
}

// dropCorrupt logs the corrupt rows of keys that op found and deletes those
// still corrupt (a row set again meanwhile survives). The delete is best
// effort: its failure is logged, and the read still reports a miss.
func (s *Store) dropCorrupt(ctx context.Context, op string, keys []string, why error) {
	for _, k := range keys {
		s.log.Warn("db cache: corrupt row is a miss, deleting it", "table", s.table, "op", op, "key", k, "error", why)
	}
	for _, part := range chunks(keys) {
		query, args, err := inQuery(s.d, s.sql.delCorrupt, part)
		if err == nil {
			var res sql.Result
			if res, err = s.wq().ExecContext(ctx, query, args...); err == nil {
				var n int64
				n, err = rowsAffected(res)
				s.removedRows(n)
			}
		}
		if err != nil {
			s.log.Warn("db cache: could not delete corrupt rows", "table", s.table, "op", op, "keys", part, "error", err)
		}
	}
}

// deleteExpired deletes those of keys still expired at now (a row set again
// meanwhile survives).
func (s *Store) deleteExpired(ctx context.Context, keys []string, now time.Time) error {
	for _, part := range chunks(keys) {
		query, args, err := inQuery(s.d, s.sql.delExpired, part, s.timeArg(now))
		if err != nil {
			return s.errorf("delete expired", part[0], err)
		}
		res, err := s.wq().ExecContext(ctx, query, args...)
		if err != nil {
			return s.errorf("delete expired", part[0], err)
		}
		n, err := rowsAffected(res)
		if err != nil {
			return s.errorf("delete expired", part[0], err)
		}
		s.removedRows(n)
	}
	return nil
}

// Set upserts the row.
func (s *Store) Set(ctx context.Context, key string, value []byte, exp time.Time) error {
	if err := s.beforeWrite(ctx); err != nil {
		return err
	}
	inserted, err := s.d.Upsert(ctx, s.wq(), s.table, key, s.encodeValue(value), s.timeArg(storedExpiry(exp)))
	s.afterWrite(inserted, err)
	if err != nil {
		return s.errorf("set", key, err)
	}
	return nil
}

// SetMany sets each item in key order as Django's set_many does (a cull
// check before each), and returns the keys not stored when a statement
// fails.
func (s *Store) SetMany(ctx context.Context, items map[string][]byte, exp time.Time) ([]string, error) {
	keys := make([]string, 0, len(items))
	for k := range items {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	e := s.timeArg(storedExpiry(exp))
	for i, k := range keys {
		if err := s.beforeWrite(ctx); err != nil {
			return keys[i:], err
		}
		inserted, err := s.d.Upsert(ctx, s.wq(), s.table, k, s.encodeValue(items[k]), e)
		s.afterWrite(inserted, err)
		if err != nil {
			return keys[i:], s.errorf("set_many", k, err)
		}
	}
	return nil, nil
}

// Add stores the value when the key is absent or expired.
func (s *Store) Add(ctx context.Context, key string, value []byte, exp time.Time) (bool, error) {
	if err := s.beforeWrite(ctx); err != nil {
		return false, err
	}
	stored, inserted, err := s.d.Add(ctx, s.wq(), s.table, key, s.encodeValue(value),
		s.timeArg(storedExpiry(exp)), s.timeArg(s.now()))
	s.afterWrite(inserted, err)
	if err != nil {
		return false, s.errorf("add", key, err)
	}
	return stored, nil
}

// Touch sets a new expiry on a live row.
func (s *Store) Touch(ctx context.Context, key string, exp time.Time) (bool, error) {
	ok, err := s.d.Touch(ctx, s.wq(), s.table, key, s.timeArg(storedExpiry(exp)), s.timeArg(s.now()))
	if err != nil {
		return false, s.errorf("touch", key, err)
	}
	return ok, nil
}

// Delete reports whether a row was deleted.
func (s *Store) Delete(ctx context.Context, key string) (bool, error) {
	res, err := s.wq().ExecContext(ctx, s.sql.del, key)
	if err != nil {
		return false, s.errorf("delete", key, err)
	}
	n, err := rowsAffected(res)
	if err != nil {
		return false, s.errorf("delete", key, err)
	}
	s.removedRows(n)
	return n > 0, nil
}

// DeleteMany is one DELETE ... IN (per 1000 keys).
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	for _, part := range chunks(keys) {
		query, args, err := inQuery(s.d, s.sql.delMany, part)
		if err != nil {
			return s.errorf("delete_many", part[0], err)
		}
		res, err := s.wq().ExecContext(ctx, query, args...)
		if err != nil {
			return s.errorf("delete_many", part[0], err)
		}
		n, err := rowsAffected(res)
		if err != nil {
			return s.errorf("delete_many", part[0], err)
		}
		s.removedRows(n)
	}
	return nil
}

// Has reports whether the key's row has expires > now and a well-formed
// value (a corrupt row is logged, not deleted: has_key only reads).
func (s *Store) Has(ctx context.Context, key string) (bool, error) {
	now := s.now().UTC().Truncate(time.Second)
	rows, err := s.rq().QueryContext(ctx, s.sql.has, key, s.timeArg(now))
	if err != nil {
		return false, s.errorf("has_key", key, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return false, s.errorf("has_key", key, err)
		}
		return false, nil
	}
	var raw sql.RawBytes
	if err := rows.Scan(&raw); err != nil {
		return false, s.errorf("has_key", key, err)
	}
	if !validValue(raw) {
		s.log.Warn("db cache: corrupt row is absent", "table", s.table, "op", "has_key", "key", key, "error", errCorruptValue)
		return false, nil
	}
	return true, nil
}

// Incr reads, adds and writes back in one transaction holding the row
// (SELECT ... FOR UPDATE; on SQLite the transaction is BEGIN IMMEDIATE).
// The row's expires is kept.
func (s *Store) Incr(ctx context.Context, key string, delta int64) (int64, error) {
	n, removed, err := s.incr(ctx, key, delta)
	s.removedRows(removed)
	return n, err
}

func (s *Store) incr(ctx context.Context, key string, delta int64) (n, removed int64, err error) {
	tx, err := s.write.BeginTxx(ctx, nil)
	if err != nil {
		return 0, 0, s.errorf("incr", key, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	q := counted{tx, s}
	var raw []byte
	exp := s.expiresScan()
	err = q.QueryRowContext(ctx, s.sql.incrSelect, key).Scan(&raw, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, notFound(key)
	}
	if err != nil {
		return 0, 0, s.errorf("incr", key, err)
	}
	expired := exp.t.Before(s.now())
	var v []byte
	var corrupt error
	if !expired {
		v, corrupt = decodeValue(raw)
		v = s.fromWhole(v)
	}
	if expired || corrupt != nil {
		// As get would: the expired or corrupt row goes.
		if corrupt != nil {
			s.log.Warn("db cache: corrupt row is not found, deleting it", "table", s.table, "op", "incr", "key", key, "error", corrupt)
		}
		res, err := q.ExecContext(ctx, s.sql.del, key)
		if err != nil {
			return 0, 0, s.errorf("incr", key, err)
		}
		if removed, err = rowsAffected(res); err != nil {
			return 0, 0, s.errorf("incr", key, err)
		}
		if err := tx.Commit(); err != nil {
			return 0, 0, s.errorf("incr", key, err)
		}
		return 0, removed, notFound(key)
	}
	n, stored, ierr := s.incrRule(v, delta)
	if stored == nil {
		return 0, 0, fmt.Errorf("db cache %q: incr %q: %w", s.table, key, ierr)
	}
	if ierr != nil { // stored all the same: a Python big integer or float sum
		ierr = fmt.Errorf("db cache %q: incr %q: %w", s.table, key, ierr)
	}
	if _, err := q.ExecContext(ctx, s.sql.incrUpdate, s.encodeValue(stored), key); err != nil {
		return 0, 0, s.errorf("incr", key, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, s.errorf("incr", key, err)
	}
	return n, 0, ierr
}

// notFoundError is Django's ValueError "Key '<key>' not found"; it matches
// cache.ErrNotFound with errors.Is.
type notFoundError struct{ key string }

func notFound(key string) error { return &notFoundError{key} }

func (e *notFoundError) Error() string { return "Key '" + e.key + "' not found" }
func (e *notFoundError) Unwrap() error { return cache.ErrNotFound }

// Clear deletes every row of the table.
func (s *Store) Clear(ctx context.Context) error {
	if _, err := s.wq().ExecContext(ctx, s.sql.clear); err != nil {
		return fmt.Errorf("db cache %q: clear: %w", s.table, err)
	}
	s.cleared()
	return nil
}

// encodeValue is the value column's text for the front's bytes: the base64
// of the whole value (Django's pickle under the pickle serializer).
func (s *Store) encodeValue(front []byte) string {
	if s.whole != nil {
		front = s.whole.ToWhole(front)
	}
	return encodeValue(front)
}

// fromWhole turns a decoded value column back into the front's bytes.
func (s *Store) fromWhole(v []byte) []byte {
	if s.whole != nil && v != nil {
		return s.whole.FromWhole(v)
	}
	return v
}
