//go:build unix

package file

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"gojango/framework/cache"
)

// Rule 51: nested LOCATION directories are created with mode 0700 at every
// level created, whatever the umask. (The umask is process-wide: this test
// does not run in parallel.)
func TestNestedLocationCreatedWith0700(t *testing.T) {
	for _, umask := range []int{0o000, 0o022, 0o077, 0o277} {
		t.Run(os.FileMode(umask).String(), func(t *testing.T) {
			base := t.TempDir()
			if err := os.Chmod(base, 0o755); err != nil {
				t.Fatal(err)
			}
			loc := filepath.Join(base, "a", "b", "c")
			old := syscall.Umask(umask)
			_, err := New(cache.Params{Config: cacheConfig(loc)})
			syscall.Umask(old)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			for _, d := range []string{"a", "a/b", "a/b/c"} {
				fi, err := os.Stat(filepath.Join(base, d))
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != 0o700 {
					t.Errorf("%s: mode %v, want 0700", d, got)
				}
			}
			if fi, _ := os.Stat(base); fi.Mode().Perm() != 0o755 {
				t.Errorf("existing parent changed to %v", fi.Mode().Perm())
			}
		})
	}
}
