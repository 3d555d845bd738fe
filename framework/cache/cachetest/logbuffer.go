package cachetest

import (
	"bytes"
	"sync"
)

// LogBuffer is a log destination safe for concurrent writes (a store's
// goroutines log while the test reads): give it to slog.NewTextHandler and
// read what was logged with String.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything logged so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
