package redis

import (
	"context"
	"strings"
	"sync/atomic"

	goredis "github.com/redis/go-redis/v9"

	"gojango/framework/cache"
)

var _ cache.KeyMatcher = (*Store)(nil)

// DeleteMatching deletes the keys matching parts (cache.MatchParts): SCAN
// with a glob on the write server (every primary of a cluster), then DEL
// of what it found. SCAN walks the keyspace in steps, so it never blocks
// the server as KEYS would.
func (s *Store) DeleteMatching(ctx context.Context, parts []string) (int, error) {
	c, err := s.writeClient()
	if err != nil {
		return 0, opErr("delete_matching", parts[0], err)
	}
	esc := make([]string, len(parts))
	for i, p := range parts {
		esc[i] = globEscaper.Replace(p)
	}
	pattern := strings.Join(esc, "*")
	var n atomic.Int64 // ForEachMaster scans the primaries at once
	scan := func(ctx context.Context, node goredis.UniversalClient) error {
		it := node.Scan(ctx, 0, pattern, 1000).Iterator()
		var batch []string
		for it.Next(ctx) {
			if k := it.Val(); cache.MatchParts(k, parts) {
				batch = append(batch, k)
			}
		}
		if err := it.Err(); err != nil {
			return err
		}
		if len(batch) > 0 {
			// Through the store's client: on a cluster it deletes key by
			// key (a DEL of several keys must not cross hash slots).
			if err := del(ctx, c, batch); err != nil {
				return err
			}
			n.Add(int64(len(batch)))
		}
		return nil
	}
	if cc, ok := c.(*goredis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, node *goredis.Client) error { return scan(ctx, node) })
	} else {
		err = scan(ctx, c)
	}
	if err != nil {
		return int(n.Load()), opErr("delete_matching", parts[0], err)
	}
	return int(n.Load()), nil
}

// globEscaper escapes what SCAN's MATCH glob treats specially.
var globEscaper = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`)
