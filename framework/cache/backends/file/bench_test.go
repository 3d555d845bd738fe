package file

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"gojango/framework/cache"
)

func BenchmarkGet(b *testing.B) {
	e := newEnv(b, nil)
	mustSet(b, e.s, "key", bytes.Repeat([]byte("v"), 100), time.Time{})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, ok, err := e.s.Get(ctx, "key"); !ok || err != nil {
			b.Fatalf("Get = %v, %v", ok, err)
		}
	}
}

func BenchmarkSet(b *testing.B) {
	e := newEnv(b, func(p *cache.Params) { p.Config.MaxEntries = 1 << 30 })
	v := bytes.Repeat([]byte("v"), 100)
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprint("key", i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := e.s.Set(ctx, keys[i%len(keys)], v, time.Time{}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// benchSetAt measures the cost of a set of a new key while MAX_ENTRIES
// (CULL_FREQUENCY 3) bounds the directory at n entries: the directory is
// filled to n first, so every set runs at the bound, and the culls (one per
// n/3 sets) are part of the cost. Run with -benchtime of several n sets
// (e.g. 300000x) so the culls are averaged in.
func benchSetAt(b *testing.B, n int) {
	e := newEnv(b, func(p *cache.Params) {
		p.Config.MaxEntries = n
		p.Config.CullFrequency = 3
	})
	v := bytes.Repeat([]byte("v"), 100)
	for i := range n - 1 {
		mustSet(b, e.s, fmt.Sprint("fill", i), v, time.Time{})
	}
	scans := e.s.st.scans.Load()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if err := e.s.Set(ctx, fmt.Sprint("key", i), v, time.Time{}); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.StopTimer()
	b.ReportMetric(float64(e.s.st.scans.Load()-scans)/float64(b.N), "scans/op")
	if got := e.count(b); got > n {
		b.Fatalf("%d files, more than MAX_ENTRIES %d", got, n)
	}
}

func BenchmarkSetAt1k(b *testing.B)   { benchSetAt(b, 1_000) }
func BenchmarkSetAt100k(b *testing.B) { benchSetAt(b, 100_000) }
