package file

import (
	"context"
	"fmt"
	"os"
	"strings"

	"gojango/framework/cache"
)

// Inspect reports the cache files in the directory (expired ones not yet
// removed included) and their size on disk (cachestats).
func (s *Store) Inspect(ctx context.Context) (cache.StoreInfo, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return cache.StoreInfo{}, fmt.Errorf("file cache: inspect %s: %w", s.dir, err)
	}
	info := cache.StoreInfo{BytesWhat: "on disk", Where: s.dir}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return cache.StoreInfo{}, fmt.Errorf("file cache: inspect %s: %w", s.dir, err)
		}
		if e.IsDir() || !strings.HasSuffix(e.Name(), suffix) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		info.Entries++
		info.Bytes += fi.Size()
	}
	return info, nil
}

var _ cache.Inspector = (*Store)(nil)
