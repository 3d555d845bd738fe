//go:build unix

package file

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// nonRegular are the things other than a regular file that can sit at an
// entry's path; make creates one at path (what a symlink points to goes in
// aside, a directory of the test's, and must survive as keeps).
var nonRegular = []struct {
	name  string
	keeps string
	make  func(t *testing.T, path, aside string)
}{
	{"fifo", "", func(t *testing.T, path, _ string) {
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Fatalf("mkfifo: %v", err)
		}
	}},
	{"socket", "", func(t *testing.T, path, _ string) {
		if err := syscall.Mknod(path, syscall.S_IFSOCK|0o600, 0); err != nil {
			t.Skipf("mknod socket: %v", err)
		}
	}},
	{"character device", "", func(t *testing.T, path, _ string) {
		if runtime.GOOS != "linux" {
			t.Skip("device numbers are Linux's")
		}
		// 1,3 is /dev/null on Linux; making it needs CAP_MKNOD.
		if err := syscall.Mknod(path, syscall.S_IFCHR|0o600, 1<<8|3); err != nil {
			t.Skipf("mknod device: %v", err)
		}
	}},
	{"symlink to a fifo", "fifo", func(t *testing.T, path, aside string) {
		fifo := filepath.Join(aside, "fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatalf("mkfifo: %v", err)
		}
		if err := os.Symlink(fifo, path); err != nil {
			t.Fatal(err)
		}
	}},
	{"symlink to a device", "", func(t *testing.T, path, _ string) {
		if err := os.Symlink(os.DevNull, path); err != nil {
			t.Fatal(err)
		}
	}},
	{"symlink to a directory", "keep", func(t *testing.T, path, aside string) {
		if err := os.WriteFile(filepath.Join(aside, "keep"), []byte("keep"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(aside, path); err != nil {
			t.Fatal(err)
		}
	}},
	{"symlink loop", "", func(t *testing.T, path, _ string) {
		if err := os.Symlink(path, path); err != nil {
			t.Fatal(err)
		}
	}},
}

// A FIFO, socket, device, or symlink to one of those (or to a directory, or
// to itself) where an entry's file should be is no entry, and no operation
// blocks on it (opening a FIFO for reading would wait for a writer for
// ever): get and has miss, touch and incr find nothing, set and add replace
// it with the entry, delete removes it.
func TestNonRegularFileIsMiss(t *testing.T) {
	for _, kind := range nonRegular {
		for _, op := range entryOps {
			t.Run(kind.name+"/"+op.name, func(t *testing.T) {
				e, logs := newLoggedEnv(t)
				aside := t.TempDir()
				const key = "k"
				kind.make(t, e.path(key), aside)
				before, err := os.Lstat(e.path(key))
				if err != nil {
					t.Fatal(err)
				}
				noHang(t, op.name, func() { op.run(t, e, key) })
				checkAfter(t, e, op, key, before)
				if op.writes && logs.count() == 0 {
					t.Errorf("%s replaced a %v without a warning", op.name, before.Mode().Type())
				}
				if kind.keeps != "" {
					if _, err := os.Lstat(filepath.Join(aside, kind.keeps)); err != nil {
						t.Errorf("what the symlink pointed to was removed: %v", err)
					}
				}
			})
		}
	}
}

// Culling and clearing never block on a FIFO or fail on a socket named like
// an entry: a cull takes them for expired entries (removed first), a clear
// removes them with the entries.
func TestNonRegularFileDoesNotBlockCullOrClear(t *testing.T) {
	mkForeign := func(t *testing.T, e *env) []string {
		paths := []string{e.path("fifo"), e.path("socket")}
		if err := syscall.Mkfifo(paths[0], 0o600); err != nil {
			t.Fatalf("mkfifo: %v", err)
		}
		if err := syscall.Mknod(paths[1], syscall.S_IFSOCK|0o600, 0); err != nil {
			paths = paths[:1] // no sockets by mknod here: the FIFO alone
		}
		return paths
	}
	t.Run("cull", func(t *testing.T) {
		e := cullEnv(t, 10, 2)
		foreign := mkForeign(t, e)
		for i := range 10 - len(foreign) {
			mustSet(t, e.s, fmt.Sprint("live", i), []byte("v"), time.Time{})
		}
		// The directory holds 10 names: the next set culls 5, the FIFO and
		// the socket first.
		noHang(t, "set culling", func() { mustSet(t, e.s, "new", []byte("v"), time.Time{}) })
		for _, p := range foreign {
			if exists(p) {
				t.Errorf("cull left %s", filepath.Base(p))
			}
		}
		if got := e.evicted.Load(); got != 5 {
			t.Errorf("OnEvict reported %d, want 5", got)
		}
	})
	t.Run("clear", func(t *testing.T) {
		e := newEnv(t, nil)
		foreign := mkForeign(t, e)
		mustSet(t, e.s, "k", []byte("v"), time.Time{})
		noHang(t, "clear", func() {
			if err := e.s.Clear(ctx); err != nil {
				t.Errorf("Clear: %v", err)
			}
		})
		if n := e.count(t); n != 0 {
			t.Errorf("%d cache files after clear", n)
		}
		for _, p := range foreign {
			if exists(p) {
				t.Errorf("clear left %s", filepath.Base(p))
			}
		}
	})
}
