package db

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"

	"gojango/framework/cache"
)

var _ cache.KeyMatcher = (*Store)(nil)

// DeleteMatching deletes the rows whose key matches parts
// (cache.MatchParts). LIKE finds the candidates (SQLite's LIKE ignores
// ASCII case, so the exact match is made in Go), then one DELETE per chunk
// removes them.
func (s *Store) DeleteMatching(ctx context.Context, parts []string) (int, error) {
	esc := make([]string, len(parts))
	for i, p := range parts {
		esc[i] = likeEscaper.Replace(p)
	}
	q := "SELECT " + s.d.Quote("cache_key") + " FROM " + s.d.Quote(s.table) + " WHERE " +
		s.d.Quote("cache_key") + " LIKE ? ESCAPE '!'"
	rows, err := s.rq().QueryContext(ctx, sqlx.Rebind(s.d.BindType(), q), strings.Join(esc, "%"))
	if err != nil {
		return 0, s.errorf("delete_matching", parts[0], err)
	}
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return 0, s.errorf("delete_matching", parts[0], err)
		}
		if cache.MatchParts(k, parts) {
			keys = append(keys, k)
		}
	}
	if err := rows.Close(); err != nil {
		return 0, s.errorf("delete_matching", parts[0], err)
	}
	if len(keys) == 0 {
		return 0, nil
	}
	return len(keys), s.DeleteMany(ctx, keys)
}

// likeEscaper escapes LIKE's wildcards and its escape character ('!').
var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
