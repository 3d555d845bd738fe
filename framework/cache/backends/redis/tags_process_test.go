package redis

import (
	"testing"

	"gojango/framework/cache/cachetest"
	"gojango/framework/settings"
)

// Cache tags hold across two processes sharing one Redis database.
func TestTagsAcrossProcesses(t *testing.T) {
	requireRedis(t)
	cachetest.TagsAcrossProcesses(t, settings.Cache{Backend: "redis", Location: testURL(t, dbPrimary), Timeout: 300,
		MaxEntries: 300, CullFrequency: 3, Version: 1, KeyPrefix: "tags-" + t.Name()}, nil, "")
}

// TestTagChildProcess is TestTagsAcrossProcesses's other process.
func TestTagChildProcess(t *testing.T) { cachetest.TagChild(t) }
