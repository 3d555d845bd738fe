package file

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gojango/framework/cache"
)

// entryOp is one store operation on a key whose path holds no entry (a
// directory, a FIFO, ...).
type entryOp struct {
	name string
	// run does the operation and fails the test if it returns an error or
	// finds an entry.
	run func(t *testing.T, e *env, key string)
	// writes says the operation stores "new" at key.
	writes bool
	// removes says the operation leaves nothing at key's path.
	removes bool
}

// entryOps are every operation on one key; reads leave what is at the path
// alone.
var entryOps = []entryOp{
	{name: "get", run: func(t *testing.T, e *env, key string) {
		if v, ok, err := e.s.Get(ctx, key); ok || err != nil {
			t.Errorf("Get = %q, %v, %v; want a miss", v, ok, err)
		}
	}},
	{name: "has", run: func(t *testing.T, e *env, key string) {
		if ok, err := e.s.Has(ctx, key); ok || err != nil {
			t.Errorf("Has = %v, %v; want false", ok, err)
		}
	}},
	{name: "touch", run: func(t *testing.T, e *env, key string) {
		if ok, err := e.s.Touch(ctx, key, time.Time{}); ok || err != nil {
			t.Errorf("Touch = %v, %v; want false", ok, err)
		}
	}},
	{name: "incr", run: func(t *testing.T, e *env, key string) {
		if n, err := e.s.Incr(ctx, key, 1); !errors.Is(err, cache.ErrNotFound) {
			t.Errorf("Incr = %d, %v; want ErrNotFound", n, err)
		}
	}},
	{name: "delete", removes: true, run: func(t *testing.T, e *env, key string) {
		if _, err := e.s.Delete(ctx, key); err != nil {
			t.Errorf("Delete: %v", err)
		}
	}},
	{name: "set", writes: true, run: func(t *testing.T, e *env, key string) {
		if err := e.s.Set(ctx, key, []byte("new"), time.Time{}); err != nil {
			t.Errorf("Set: %v", err)
		}
	}},
	{name: "add", writes: true, run: func(t *testing.T, e *env, key string) {
		if ok, err := e.s.Add(ctx, key, []byte("new"), time.Time{}); !ok || err != nil {
			t.Errorf("Add = %v, %v; want true", ok, err)
		}
	}},
}

// checkAfter checks what op left at key's path, where Lstat found before
// before op ran.
func checkAfter(t *testing.T, e *env, op entryOp, key string, before os.FileInfo) {
	t.Helper()
	fi, err := os.Lstat(e.path(key))
	switch {
	case op.removes:
		if err == nil {
			t.Errorf("%s left a %v at the entry path", op.name, fi.Mode().Type())
		}
	case op.writes:
		if err != nil || !fi.Mode().IsRegular() {
			t.Fatalf("%s did not leave a regular file: %v, %v", op.name, fi, err)
		}
		if v, ok := mustGet(t, e.s, key); !ok || string(v) != "new" {
			t.Errorf("after %s: Get = %q, %v; want \"new\"", op.name, v, ok)
		}
		if n := e.s.st.count.Load(); n != 1 {
			t.Errorf("after %s: count %d, want 1", op.name, n)
		}
	default:
		if err != nil || fi.Mode().Type() != before.Mode().Type() {
			t.Errorf("%s changed the %v at the entry path: %v, %v", op.name, before.Mode().Type(), fi, err)
		}
	}
}

// A directory where an entry's file should be is no entry: get and has
// miss (no error), touch and incr find nothing, and set, add and delete
// replace or remove it (it is in the cache directory under an entry's name:
// the store's), without touching anything outside it.
func TestDirectoryAtEntryPathIsReplaced(t *testing.T) {
	kinds := []struct {
		name string
		make func(t *testing.T, path, outside string)
	}{
		{"empty", func(t *testing.T, path, _ string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}},
		{"with files and subdirectories", func(t *testing.T, path, _ string) {
			if err := os.MkdirAll(filepath.Join(path, "a", "b"), 0o700); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"x", "a/y.djcache", "a/b/z"} {
				if err := os.WriteFile(filepath.Join(path, f), []byte("data"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"with a symlink out of it", func(t *testing.T, path, outside string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(outside, filepath.Join(path, "link")); err != nil {
				t.Skipf("no symlinks: %v", err)
			}
		}},
	}
	for _, kind := range kinds {
		for _, op := range entryOps {
			t.Run(kind.name+"/"+op.name, func(t *testing.T) {
				e, logs := newLoggedEnv(t)
				outside := t.TempDir()
				keep := filepath.Join(outside, "keep")
				if err := os.WriteFile(keep, []byte("keep"), 0o600); err != nil {
					t.Fatal(err)
				}
				const key = "k"
				kind.make(t, e.path(key), outside)
				before, err := os.Lstat(e.path(key))
				if err != nil {
					t.Fatal(err)
				}
				noHang(t, op.name, func() { op.run(t, e, key) })
				checkAfter(t, e, op, key, before)
				if op.writes && logs.count() == 0 {
					t.Errorf("%s replaced a directory without a warning", op.name)
				}
				if _, err := os.Stat(keep); err != nil {
					t.Errorf("a file outside the entry's directory was removed: %v", err)
				}
				if _, temps := e.files(t); len(temps) != 0 {
					t.Errorf("%s left temporary files %v", op.name, temps)
				}
			})
		}
	}
}
