package management

import (
	"path/filepath"
	"strings"
	"testing"
)

// Django's caches.W003: a file cache whose LOCATION is written as a
// relative path is a warning (exit 0); an absolute one is not.
func TestCheckWarnsRelativeFileLocation(t *testing.T) {
	writeSettings(t, "[CACHES.default]\nBACKEND = \"file\"\nLOCATION = \"cache\"\n")
	code, out, errOut := run(t, "", "check")
	msg := "?: (caches.W003) Your 'default' cache LOCATION path is relative. Use an absolute path instead."
	if code != 0 || !strings.Contains(errOut, msg) || !strings.Contains(errOut, "WARNINGS:") {
		t.Fatalf("relative LOCATION: code %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	abs := filepath.Join(t.TempDir(), "cache")
	writeSettings(t, "[CACHES.default]\nBACKEND = \"file\"\nLOCATION = \""+abs+"\"\n")
	if code, out, errOut := run(t, "", "check"); code != 0 || strings.Contains(out+errOut, "W003") {
		t.Fatalf("absolute LOCATION: code %d, %q %q", code, out, errOut)
	}
}
