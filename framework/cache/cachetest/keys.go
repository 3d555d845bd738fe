package cachetest

import (
	"errors"
	"strings"
	"testing"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

func init() {
	register("InvalidKeyWarnsOrFailsOnEveryOperation", func(t *testing.T, b *Backend) { // rule 25
		e := newEnv(t, b, nil)
		key := "key with spaces and 清"
		want := "Cache key contains characters that will cause errors if used with memcached: ':1:key with spaces and 清'"
		ops := map[string]func() error{
			"add":         func() error { _, err := e.C.Add(ctx, key, "v", cache.DefaultTimeout); return err },
			"get":         func() error { _, err := e.C.Get(ctx, key, nil); return err },
			"set":         func() error { return e.C.Set(ctx, key, "v", cache.DefaultTimeout) },
			"incr":        func() error { _, err := e.C.Incr(ctx, key, 1); return err },
			"decr":        func() error { _, err := e.C.Decr(ctx, key, 1); return err },
			"touch":       func() error { _, err := e.C.Touch(ctx, key, cache.DefaultTimeout); return err },
			"delete":      func() error { _, err := e.C.Delete(ctx, key); return err },
			"has_key":     func() error { _, err := e.C.HasKey(ctx, key); return err },
			"get_many":    func() error { _, err := e.C.GetMany(ctx, []string{"b", key}); return err },
			"set_many":    func() error { _, err := e.C.SetMany(ctx, map[string]any{key: "v"}, cache.DefaultTimeout); return err },
			"delete_many": func() error { return e.C.DeleteMany(ctx, []string{key}) },
		}
		for name, op := range ops {
			e.Log.Messages()
			err := op()
			if isStrict(e) {
				if !errors.Is(err, cache.ErrInvalidKey) || !strings.Contains(err.Error(), want) {
					t.Errorf("%s: err = %v; want ErrInvalidKey with %q", name, err, want)
				}
				continue
			}
			if err != nil && !errors.Is(err, cache.ErrNotFound) && !errors.Is(err, cache.ErrNotInteger) {
				t.Errorf("%s: err = %v; a warning must not stop the operation", name, err)
			}
			if msgs := e.Log.Messages(); !contains(msgs, want) {
				t.Errorf("%s: logged %q; want %q", name, joinMsgs(msgs), want)
			}
		}
	})
	register("LongKeyWarns", func(t *testing.T, b *Backend) { // rule 26
		e := newEnv(t, b, nil)
		key := strings.Repeat("a", 250) + "清"
		want := "Cache key will cause errors if used with memcached: ':1:" + key + "' (longer than 250)"
		err := e.C.Set(ctx, key, "v", cache.DefaultTimeout)
		if isStrict(e) {
			if !errors.Is(err, cache.ErrInvalidKey) {
				t.Fatalf("err = %v; want ErrInvalidKey", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if msgs := e.Log.Messages(); !contains(msgs, want) {
			t.Fatalf("logged %q; want %q", joinMsgs(msgs), want)
		}
		// 249 characters + the ":1:" of the key function also warns: the
		// check is on the made key.
		e.Log.Messages()
		short := strings.Repeat("b", 249)
		_ = e.C.Set(ctx, short, "v", cache.DefaultTimeout)
		if msgs := e.Log.Messages(); len(msgs) == 0 {
			t.Fatal("a 249-character key made 252 long did not warn")
		}
	})
	register("KeyPrefixIsolatesKeys", func(t *testing.T, b *Backend) { // rule 33
		e := newEnv(t, b, nil)
		other := shareEnv(t, e, func(c *settings.Cache) { c.KeyPrefix = "cacheprefix" })
		set(t, e.C, "somekey", "value", cache.DefaultTimeout)
		wantMiss(t, other, "somekey")
		set(t, other, "somekey", "value2", cache.DefaultTimeout)
		wantString(t, e.C, "somekey", "value")
		wantString(t, other, "somekey", "value2")
		if got := other.MakeKey("somekey"); got != "cacheprefix:1:somekey" {
			t.Fatalf("MakeKey = %q", got)
		}
	})
	register("KeyFunctionIsolatesKeys", func(t *testing.T, b *Backend) { // rule 32
		e := newEnv(t, b, nil)
		other := shareEnv(t, e, func(c *settings.Cache) { c.KeyFunction = "cachetest.custom" })
		set(t, e.C, "answer1", 42, cache.DefaultTimeout)
		wantMiss(t, other, "answer1")
		if got := other.MakeKey("answer1"); got != "CUSTOM-:1:answer1" {
			t.Fatalf("custom MakeKey = %q", got)
		}
		set(t, other, "answer2", 42, cache.DefaultTimeout)
		wantMiss(t, e.C, "answer2")
	})
}

func init() {
	cache.RegisterKeyFunc("cachetest.custom", func(key, prefix string, version int) string {
		return "CUSTOM-" + cache.DefaultKeyFunc(key, prefix, version)
	})
}

func isStrict(e *Env) bool {
	s, ok := e.Store.(cache.StrictKeys)
	return ok && s.StrictKeys()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
