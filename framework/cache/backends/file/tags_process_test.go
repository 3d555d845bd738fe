package file

import (
	"testing"

	"gojango/framework/cache/cachetest"
	"gojango/framework/settings"
)

// Cache tags hold across two processes sharing one cache directory.
func TestTagsAcrossProcesses(t *testing.T) {
	cachetest.TagsAcrossProcesses(t, settings.Cache{Backend: "file", Location: t.TempDir(), Timeout: 300,
		MaxEntries: 300, CullFrequency: 3, Version: 1}, nil, "")
}

// TestTagChildProcess is TestTagsAcrossProcesses's other process.
func TestTagChildProcess(t *testing.T) { cachetest.TagChild(t) }
