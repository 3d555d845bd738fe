package cachetest

import (
	"bytes"
	"errors"
	"reflect"
	"sort"
	"testing"

	"gojango/framework/cache"
)

type record struct {
	Name  string
	Tags  []string
	Score float64
	Meta  map[string]int
}

func init() {
	register("SetThenGetReturnsValue", func(t *testing.T, b *Backend) { // rule 1
		e := newEnv(t, b, nil)
		set(t, e.C, "key", "value", cache.DefaultTimeout)
		wantString(t, e.C, "key", "value")
	})
	register("StoredNoneBeatsDefault", func(t *testing.T, b *Backend) { // rule 2
		e := newEnv(t, b, nil)
		set(t, e.C, "key_none", nil, cache.DefaultTimeout)
		dst := "default"
		ok, err := e.C.Get(ctx, "key_none", &dst)
		if err != nil || !ok || dst != "" {
			t.Fatalf("Get of stored nil = %q, %v, %v; want zero value, found", dst, ok, err)
		}
		if !has(t, e.C, "key_none") {
			t.Fatal("HasKey of stored nil = false; Django counts a stored None as present")
		}
	})
	register("AddOnlyWhenAbsent", func(t *testing.T, b *Backend) { // rule 3
		e := newEnv(t, b, nil)
		if !add(t, e.C, "addkey1", "value", cache.DefaultTimeout) {
			t.Fatal("first Add = false")
		}
		if add(t, e.C, "addkey1", "newvalue", cache.DefaultTimeout) {
			t.Fatal("second Add = true")
		}
		wantString(t, e.C, "addkey1", "value")
	})
	register("GetMissingLeavesDefault", func(t *testing.T, b *Backend) { // rule 4
		e := newEnv(t, b, nil)
		dst := "bang!"
		ok, err := e.C.Get(ctx, "does_not_exist", &dst)
		if err != nil || ok || dst != "bang!" {
			t.Fatalf("Get missing = %q, %v, %v; want default kept, not found", dst, ok, err)
		}
	})
	register("GetManyOmitsMissingKeys", func(t *testing.T, b *Backend) { // rule 5
		e := newEnv(t, b, nil)
		for _, k := range []string{"a", "b", "c", "d"} {
			set(t, e.C, k, k, cache.DefaultTimeout)
		}
		set(t, e.C, "x", nil, cache.DefaultTimeout)
		got, err := cache.GetManyAs[string](ctx, e.C, []string{"a", "b", "e", "x"})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"a": "a", "b": "b", "x": ""}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("GetMany = %v; want %v", got, want)
		}
		if m, err := e.C.GetMany(ctx, nil); err != nil || len(m) != 0 {
			t.Fatalf("GetMany(nil) = %v, %v; want empty", m, err)
		}
	})
	register("DeleteReportsWhetherKeyExisted", func(t *testing.T, b *Backend) { // rule 6
		e := newEnv(t, b, nil)
		set(t, e.C, "key1", "spam", cache.DefaultTimeout)
		set(t, e.C, "key2", "eggs", cache.DefaultTimeout)
		if !del(t, e.C, "key1") {
			t.Fatal("Delete existing = false")
		}
		wantMiss(t, e.C, "key1")
		wantString(t, e.C, "key2", "eggs")
		if del(t, e.C, "key1") {
			t.Fatal("Delete missing = true")
		}
	})
	register("HasKeyCountsForeverAndNone", func(t *testing.T, b *Backend) { // rule 7
		e := newEnv(t, b, nil)
		set(t, e.C, "hello1", "goodbye1", cache.DefaultTimeout)
		set(t, e.C, "forever", "x", cache.Forever)
		set(t, e.C, "null", nil, cache.DefaultTimeout)
		for k, want := range map[string]bool{"hello1": true, "forever": true, "null": true, "goodbye1": false} {
			if got := has(t, e.C, k); got != want {
				t.Errorf("HasKey(%q) = %v; want %v", k, got, want)
			}
		}
	})
	register("IncrAndDecrAreNative", func(t *testing.T, b *Backend) { // rules 8, 11
		e := newEnv(t, b, nil)
		set(t, e.C, "answer", 41, cache.DefaultTimeout)
		steps := []struct {
			delta int64
			want  int64
		}{{1, 42}, {10, 52}, {-10, 42}}
		for _, s := range steps {
			if got := incr(t, e.C, "answer", s.delta); got != s.want {
				t.Fatalf("Incr(%d) = %d; want %d", s.delta, got, s.want)
			}
		}
		if n, _ := get[int](t, e.C, "answer"); n != 42 {
			t.Fatalf("stored answer = %d; want 42", n)
		}
		if n, err := e.C.Decr(ctx, "answer", 1); err != nil || n != 41 {
			t.Fatalf("Decr = %d, %v; want 41", n, err)
		}
		if n, err := e.C.Decr(ctx, "answer", -10); err != nil || n != 51 {
			t.Fatalf("Decr(-10) = %d, %v; want 51", n, err)
		}
	})
	register("IncrMissingKeyIsNotFound", func(t *testing.T, b *Backend) { // rule 9
		e := newEnv(t, b, nil)
		for _, d := range []int64{1, -1} {
			if _, err := e.C.Incr(ctx, "does_not_exist", d); !errors.Is(err, cache.ErrNotFound) {
				t.Fatalf("Incr(missing, %d) err = %v; want ErrNotFound", d, err)
			}
			if _, err := e.C.Decr(ctx, "does_not_exist", d); !errors.Is(err, cache.ErrNotFound) {
				t.Fatalf("Decr(missing, %d) err = %v; want ErrNotFound", d, err)
			}
		}
	})
	register("IncrNonIntegerIsError", func(t *testing.T, b *Backend) { // rule 10
		e := newEnv(t, b, nil)
		set(t, e.C, "null", nil, cache.DefaultTimeout)
		set(t, e.C, "text", "41", cache.DefaultTimeout)
		for _, k := range []string{"null", "text"} {
			if _, err := e.C.Incr(ctx, k, 1); !errors.Is(err, cache.ErrNotInteger) {
				t.Fatalf("Incr(%s) err = %v; want ErrNotInteger", k, err)
			}
		}
	})
	register("ValuesOfManyTypesRoundTrip", func(t *testing.T, b *Backend) { // rule 12
		e := newEnv(t, b, nil)
		rec := record{Name: "ünïcødé 清", Tags: []string{"a", "b"}, Score: 1.5, Meta: map[string]int{"x": 1}}
		set(t, e.C, "struct", rec, cache.DefaultTimeout)
		if got, ok := get[record](t, e.C, "struct"); !ok || !reflect.DeepEqual(got, rec) {
			t.Fatalf("struct = %+v; want %+v", got, rec)
		}
		bin := []byte{0x78, 0x9c, 0x00, 0xff, '1', 0x01}
		set(t, e.C, "bytes", bin, cache.DefaultTimeout)
		if got, ok := get[[]byte](t, e.C, "bytes"); !ok || !bytes.Equal(got, bin) {
			t.Fatalf("bytes = %x; want %x", got, bin)
		}
		set(t, e.C, "ключ_清_key", "värde", cache.DefaultTimeout)
		e.Log.Messages()
		wantString(t, e.C, "ключ_清_key", "värde")
		set(t, e.C, "bool", true, cache.DefaultTimeout)
		if got, ok := get[bool](t, e.C, "bool"); !ok || !got {
			t.Fatal("bool did not round-trip")
		}
		set(t, e.C, "float", 2.25, cache.DefaultTimeout)
		if got, ok := get[float64](t, e.C, "float"); !ok || got != 2.25 {
			t.Fatal("float did not round-trip")
		}
		set(t, e.C, "neg", int64(-7), cache.DefaultTimeout)
		if got, ok := get[int64](t, e.C, "neg"); !ok || got != -7 {
			t.Fatal("negative int did not round-trip")
		}
		set(t, e.C, "list", []int{3, 1, 2}, cache.DefaultTimeout)
		if got, ok := get[[]int](t, e.C, "list"); !ok || !reflect.DeepEqual(got, []int{3, 1, 2}) {
			t.Fatal("slice did not round-trip")
		}
		var anyv any
		if ok, err := e.C.Get(ctx, "neg", &anyv); err != nil || !ok || anyv != int64(-7) {
			t.Fatalf("Get into *any = %#v, %v", anyv, err)
		}
	})
	register("CopySemantics", func(t *testing.T, b *Backend) { // locmem pickles: callers get copies
		e := newEnv(t, b, nil)
		orig := []byte("abc")
		set(t, e.C, "k", orig, cache.DefaultTimeout)
		orig[0] = 'X'
		got, _ := get[[]byte](t, e.C, "k")
		if string(got) != "abc" {
			t.Fatalf("changing the value after Set changed the cached one: %q", got)
		}
		got[1] = 'Y'
		again, _ := get[[]byte](t, e.C, "k")
		if string(again) != "abc" {
			t.Fatalf("changing the value after Get changed the cached one: %q", again)
		}
		m := map[string]int{"a": 1}
		set(t, e.C, "m", m, cache.DefaultTimeout)
		m["a"] = 2
		if gm, _ := get[map[string]int](t, e.C, "m"); gm["a"] != 1 {
			t.Fatal("changing a map after Set changed the cached one")
		}
	})
	register("ExpiredKeyIsAbsentAndAddable", func(t *testing.T, b *Backend) { // rule 13
		e := newEnv(t, b, nil)
		set(t, e.C, "expire1", "very quickly", 1)
		set(t, e.C, "expire2", "very quickly", 1)
		set(t, e.C, "expire3", "very quickly", 1)
		e.Clock.Advance(2100 * timeMillis)
		wantMiss(t, e.C, "expire1")
		if !add(t, e.C, "expire2", "newvalue", cache.DefaultTimeout) {
			t.Fatal("Add over an expired key = false")
		}
		wantString(t, e.C, "expire2", "newvalue")
		if has(t, e.C, "expire3") {
			t.Fatal("HasKey of expired key = true")
		}
	})
	register("TouchExtendsAndDefaults", func(t *testing.T, b *Backend) { // rule 14
		e := newEnv(t, b, nil)
		set(t, e.C, "expire1", "value", 1)
		if !touch(t, e.C, "expire1", 4) {
			t.Fatal("Touch existing = false")
		}
		e.Clock.Advance(2100 * timeMillis)
		if !has(t, e.C, "expire1") {
			t.Fatal("touched key expired at its old timeout")
		}
		set(t, e.C, "expire2", "value", 1)
		if !touch(t, e.C, "expire2", cache.DefaultTimeout) {
			t.Fatal("Touch with the default timeout = false")
		}
		e.Clock.Advance(2100 * timeMillis)
		if !has(t, e.C, "expire2") {
			t.Fatal("Touch(DefaultTimeout) did not apply the alias's 300 s")
		}
		if touch(t, e.C, "nonexistent", cache.DefaultTimeout) {
			t.Fatal("Touch missing = true")
		}
	})
	register("SetManyReturnsFailedKeys", func(t *testing.T, b *Backend) { // rule 15
		e := newEnv(t, b, nil)
		failed, err := e.C.SetMany(ctx, map[string]any{"key1": "spam", "key2": "eggs"}, cache.DefaultTimeout)
		if err != nil || len(failed) != 0 || failed == nil {
			t.Fatalf("SetMany = %v, %v; want [], nil", failed, err)
		}
		wantString(t, e.C, "key1", "spam")
		wantString(t, e.C, "key2", "eggs")
		if failed, err := e.C.SetMany(ctx, map[string]any{}, cache.DefaultTimeout); err != nil || failed == nil || len(failed) != 0 {
			t.Fatalf("SetMany({}) = %v, %v; want []", failed, err)
		}
		if _, err := e.C.SetMany(ctx, map[string]any{"key3": "a", "key4": "b"}, 1); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(2100 * timeMillis)
		wantMiss(t, e.C, "key3")
		wantMiss(t, e.C, "key4")
	})
	register("DeleteManyLeavesOthers", func(t *testing.T, b *Backend) { // rule 16
		e := newEnv(t, b, nil)
		for _, k := range []string{"key1", "key2", "key3"} {
			set(t, e.C, k, k, cache.DefaultTimeout)
		}
		if err := e.C.DeleteMany(ctx, []string{"key1", "key2"}); err != nil {
			t.Fatal(err)
		}
		wantMiss(t, e.C, "key1")
		wantMiss(t, e.C, "key2")
		wantString(t, e.C, "key3", "key3")
		if err := e.C.DeleteMany(ctx, nil); err != nil {
			t.Fatal(err)
		}
	})
	register("ClearRemovesEverything", func(t *testing.T, b *Backend) { // rule 17
		e := newEnv(t, b, nil)
		set(t, e.C, "key1", "spam", cache.DefaultTimeout)
		set(t, e.C, "key2", "eggs", cache.Forever)
		if err := e.C.Clear(ctx); err != nil {
			t.Fatal(err)
		}
		wantMiss(t, e.C, "key1")
		wantMiss(t, e.C, "key2")
	})
	register("LongTimeoutIsRelative", func(t *testing.T, b *Backend) { // rule 18
		e := newEnv(t, b, nil)
		const thirtyDaysPlus = 60*60*24*30 + 1
		set(t, e.C, "key1", "eggs", thirtyDaysPlus)
		wantString(t, e.C, "key1", "eggs")
		if !add(t, e.C, "key2", "ham", thirtyDaysPlus) {
			t.Fatal("Add with a 30-day+ timeout = false")
		}
		wantString(t, e.C, "key2", "ham")
		if _, err := e.C.SetMany(ctx, map[string]any{"key3": "sausage", "key4": "lobster bisque"}, thirtyDaysPlus); err != nil {
			t.Fatal(err)
		}
		wantString(t, e.C, "key3", "sausage")
		wantString(t, e.C, "key4", "lobster bisque")
	})
	register("TimeoutNoneNeverExpires", func(t *testing.T, b *Backend) { // rule 19
		e := newEnv(t, b, nil)
		set(t, e.C, "key1", "eggs", cache.Forever)
		wantString(t, e.C, "key1", "eggs")
		if add(t, e.C, "key1", "newvalue", cache.Forever) {
			t.Fatal("Add over a live forever key = true")
		}
		wantString(t, e.C, "key1", "eggs")
		set(t, e.C, "key5", "belgian fries", 1)
		if !touch(t, e.C, "key5", cache.Forever) {
			t.Fatal("Touch(Forever) = false")
		}
		e.Clock.Advance(2100 * timeMillis)
		wantString(t, e.C, "key5", "belgian fries")
	})
	register("TimeoutZeroExpiresAtOnce", func(t *testing.T, b *Backend) { // rule 20
		e := newEnv(t, b, nil)
		set(t, e.C, "key1", "eggs", 0)
		wantMiss(t, e.C, "key1")
		if !add(t, e.C, "key2", "ham", 0) {
			t.Fatal("Add with timeout 0 = false; Django returns True")
		}
		wantMiss(t, e.C, "key2")
		if _, err := e.C.SetMany(ctx, map[string]any{"key3": "sausage", "key4": "lobster bisque"}, 0); err != nil {
			t.Fatal(err)
		}
		wantMiss(t, e.C, "key3")
		wantMiss(t, e.C, "key4")
		set(t, e.C, "key5", "belgian fries", cache.DefaultTimeout)
		if !touch(t, e.C, "key5", 0) {
			t.Fatal("Touch(0) on a live key = false")
		}
		wantMiss(t, e.C, "key5")
		set(t, e.C, "neg", "x", -5)
		wantMiss(t, e.C, "neg")
	})
	register("UnencodableValueIsError", func(t *testing.T, b *Backend) { // rule 34
		e := newEnv(t, b, nil)
		if err := e.C.Set(ctx, "ch", make(chan int), cache.DefaultTimeout); !errors.Is(err, cache.ErrEncode) {
			t.Fatalf("Set(chan) err = %v; want ErrEncode", err)
		}
		if _, err := e.C.Add(ctx, "fn", func() {}, cache.DefaultTimeout); !errors.Is(err, cache.ErrEncode) {
			t.Fatalf("Add(func) err = %v; want ErrEncode", err)
		}
		wantMiss(t, e.C, "ch")
	})
	register("CountersTrackHitsMissesSetsDeletes", func(t *testing.T, b *Backend) {
		e := newEnv(t, b, nil)
		set(t, e.C, "a", "1", cache.DefaultTimeout)
		get[string](t, e.C, "a")
		get[string](t, e.C, "nope")
		del(t, e.C, "a")
		s := e.C.Stats()
		if s.Sets != 1 || s.Hits != 1 || s.Misses != 1 || s.Deletes != 1 {
			t.Fatalf("Stats = %+v; want 1 set, 1 hit, 1 miss, 1 delete", s)
		}
	})
	register("IncrKeepsExpiry", func(t *testing.T, b *Backend) { // rule 43 (all backends here)
		e := newEnv(t, b, nil)
		set(t, e.C, "n", 1, 1)
		incr(t, e.C, "n", 1)
		e.Clock.Advance(2100 * timeMillis)
		wantMiss(t, e.C, "n")
		set(t, e.C, "m", 1, cache.Forever)
		incr(t, e.C, "m", 1)
		e.Clock.Advance(2100 * timeMillis)
		if n, ok := get[int](t, e.C, "m"); !ok || n != 2 {
			t.Fatalf("forever counter after incr = %d, %v", n, ok)
		}
	})
	register("ConcurrentIncrLosesNothing", func(t *testing.T, b *Backend) {
		e := newEnv(t, b, nil)
		set(t, e.C, "ctr", 0, cache.DefaultTimeout)
		const workers, each = 8, 25
		errs := make(chan error, workers)
		for w := 0; w < workers; w++ {
			go func() {
				for i := 0; i < each; i++ {
					if _, err := e.C.Incr(ctx, "ctr", 1); err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}()
		}
		for w := 0; w < workers; w++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if n, _ := get[int](t, e.C, "ctr"); n != workers*each {
			t.Fatalf("counter = %d; want %d", n, workers*each)
		}
	})
	register("GetManyAcceptsDuplicates", func(t *testing.T, b *Backend) {
		e := newEnv(t, b, nil)
		set(t, e.C, "a", "1", cache.DefaultTimeout)
		got, err := e.C.GetMany(ctx, []string{"a", "a", "b"})
		if err != nil {
			t.Fatal(err)
		}
		keys := make([]string, 0, len(got))
		for k := range got {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if !reflect.DeepEqual(keys, []string{"a"}) {
			t.Fatalf("GetMany keys = %v", keys)
		}
	})
}
