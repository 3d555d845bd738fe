package redis

import (
	"context"
	"fmt"
	"log/slog"
)

// slogAdapter sends go-redis's own messages (pool dial failures and the
// like) to log/slog at debug level instead of the standard logger: the
// cache front already logs and counts every failed operation once.
type slogAdapter struct{}

func (slogAdapter) Printf(ctx context.Context, format string, v ...any) {
	slog.DebugContext(ctx, fmt.Sprintf(format, v...), slog.String("component", "go-redis"))
}
