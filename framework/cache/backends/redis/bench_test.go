package redis

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"
)

// BenchmarkGet reads a 100-byte value from the test server.
func BenchmarkGet(b *testing.B) {
	st, _ := primary(b)
	ctx := context.Background()
	if err := st.Set(ctx, "bench", bytes.Repeat([]byte("x"), 100), time.Time{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := st.Get(ctx, "bench"); err != nil || !ok {
			b.Fatalf("Get = %v, %v", ok, err)
		}
	}
}

// BenchmarkSet writes a 100-byte value with a TTL to the test server.
func BenchmarkSet(b *testing.B) {
	st, _ := primary(b)
	ctx := context.Background()
	v := bytes.Repeat([]byte("x"), 100)
	b.ReportAllocs()
	for b.Loop() {
		if err := st.Set(ctx, "bench", v, time.Now().Add(5*time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetParallel reads 100-byte values from many goroutines, through
// the connection pool.
func BenchmarkGetParallel(b *testing.B) {
	st, _ := primary(b)
	ctx := context.Background()
	v := bytes.Repeat([]byte("x"), 100)
	for i := range 64 {
		if err := st.Set(ctx, "bench"+strconv.Itoa(i), v, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, ok, err := st.Get(ctx, "bench"+strconv.Itoa(i%64)); err != nil || !ok {
				b.Errorf("Get = %v, %v", ok, err)
				return
			}
			i++
		}
	})
}

// BenchmarkSetParallel writes 100-byte values from many goroutines.
func BenchmarkSetParallel(b *testing.B) {
	st, _ := primary(b)
	ctx := context.Background()
	v := bytes.Repeat([]byte("x"), 100)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if err := st.Set(ctx, "bench"+strconv.Itoa(i%64), v, time.Now().Add(5*time.Minute)); err != nil {
				b.Errorf("Set: %v", err)
				return
			}
			i++
		}
	})
}
