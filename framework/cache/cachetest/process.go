package cachetest

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// tagChildEnv carries, to a test binary run again as a child process, the
// alias it must open (JSON of childSpec).
const tagChildEnv = "GOJANGO_CACHETEST_TAG_CHILD"

type childSpec struct {
	Config    settings.Cache
	Databases map[string]settings.Database
	BaseDir   string
}

func openSpec(s childSpec) (*cache.Cache, error) {
	return cache.New(cache.Params{Alias: "default", Config: s.Config, Databases: s.Databases, BaseDir: s.BaseDir,
		Now: time.Now, Logger: slog.New(slog.DiscardHandler)})
}

// TagsAcrossProcesses checks cache tags between two processes sharing the
// backend of cfg: an entry this process tags is a miss after the other
// process invalidates the tag, and an entry the other process tags is
// read here, then is a miss after this process invalidates its tag. The
// other process is this test binary run again; the backend's tests must
// have a test named TestTagChildProcess that calls TagChild.
func TagsAcrossProcesses(t *testing.T, cfg settings.Cache, dbs map[string]settings.Database, baseDir string) {
	t.Helper()
	spec := childSpec{Config: cfg, Databases: dbs, BaseDir: baseDir}
	c, err := openSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Set(ctx, "from-parent", "p", 300, cache.Tags("parent-tag")); err != nil {
		t.Fatal(err)
	}
	blob, _ := json.Marshal(spec)
	cmd := exec.Command(os.Args[0], "-test.run=^TestTagChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), tagChildEnv+"="+string(blob))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child process: %v\n%s", err, out)
	}
	wantMiss(t, c, "from-parent")
	if v, ok := get[string](t, c, "from-child"); !ok || v != "c" {
		t.Fatalf("entry the child tagged: Get = %q, %v", v, ok)
	}
	if err := cache.InvalidateTags(ctx, c, "child-tag"); err != nil {
		t.Fatal(err)
	}
	wantMiss(t, c, "from-child")
}

// TagChild is the child side of TagsAcrossProcesses: run from a test named
// TestTagChildProcess, it does nothing unless the parent started it.
func TagChild(t *testing.T) {
	blob := os.Getenv(tagChildEnv)
	if blob == "" {
		return // not a child: nothing to do (and nothing skipped)
	}
	var spec childSpec
	if err := json.Unmarshal([]byte(blob), &spec); err != nil {
		t.Fatalf("%s: %v", tagChildEnv, err)
	}
	c, err := openSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v, ok := get[string](t, c, "from-parent"); !ok || v != "p" {
		t.Fatal(fmt.Sprintf("the parent's tagged entry: Get = %q, %v", v, ok))
	}
	if err := cache.InvalidateTags(ctx, c, "parent-tag"); err != nil {
		t.Fatal(err)
	}
	if err := c.Set(ctx, "from-child", "c", 300, cache.Tags("child-tag")); err != nil {
		t.Fatal(err)
	}
}
