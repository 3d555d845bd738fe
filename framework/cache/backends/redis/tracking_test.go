package redis

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/cache/backends/redis/redistest"
	"gojango/framework/cache/cachetest"
	"gojango/framework/settings"
)

type trackingStates chan bool

func (trackingStates) Changed([]string) {}
func (c trackingStates) Tracking(on bool) {
	select {
	case c <- on:
	default: // the test reads only the first few
	}
}

// When the invalidation connection drops, the warning goes to the alias's
// logger (cache.Params.Logger, which names the alias), not the process's
// default one.
func TestTrackingLossIsLoggedToTheAliasLogger(t *testing.T) {
	srv := redistest.Start(t)
	var buf cachetest.LogBuffer
	logger := slog.New(slog.NewTextHandler(&buf, nil)).With(slog.String("cache", "shared"))
	st, err := New(cache.Params{Alias: "shared", Config: settings.Cache{Location: srv.URL(0), Timeout: 300}, Logger: logger, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	states := make(trackingStates, 64)
	stop := st.(cache.Tracker).Track("", states)
	defer stop()
	waitState := func(want bool) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case on := <-states:
				if on == want {
					return
				}
			case <-deadline:
				t.Fatalf("tracking never became %v", want)
			}
		}
	}
	waitState(true)
	srv.Kill()
	waitState(false)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if out := buf.String(); strings.Contains(out, "invalidation connection lost") {
			if !strings.Contains(out, "cache=shared") {
				t.Fatalf("warning logged without the alias: %s", out)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no warning in the alias's log after the invalidation connection dropped")
		}
	}
}
