package locmem

import (
	"bytes"
	"context"
	"testing"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// The front's parts path (cache.KeyPartsSetter) stores exactly what the
// general path stores: Django's full key and the codec's bytes, copied
// (changing the caller's slice afterwards changes nothing), for every kind
// of value; keys Django warns about still take the general path and warn.
func TestSetKeyPartsStoresWhatSetStores(t *testing.T) {
	ctx := context.Background()
	c, err := cache.NewFromFactory(cache.Params{Alias: "default", Config: settings.Cache{Timeout: 300, MaxEntries: 1000, CullFrequency: 3, Version: 1}}, New)
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Store() // open it, so that every Set below takes the parts path
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(cache.KeyPartsSetter); !ok {
		t.Fatal("locmem does not implement cache.KeyPartsSetter")
	}
	cases := []struct {
		name  string
		value any
	}{
		{"bytes", []byte("abc")},
		{"empty bytes", []byte{}},
		{"string", "héllo"},
		{"empty string", ""},
		{"int", 42},
		{"nil", nil},
		{"map", map[string]int{"a": 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := c.Set(ctx, "k-"+tc.name, tc.value, cache.DefaultTimeout); err != nil {
				t.Fatal(err)
			}
			want, err := cache.Codec{}.Encode(tc.value)
			if err != nil {
				t.Fatal(err)
			}
			raw, ok, err := s.Get(ctx, c.MakeKey("k-"+tc.name))
			if err != nil || !ok || !bytes.Equal(raw, want) {
				t.Fatalf("stored %q, %v, %v; want %q under %q", raw, ok, err, want, c.MakeKey("k-"+tc.name))
			}
		})
	}
	buf := []byte("original")
	if err := c.Set(ctx, "copied", buf, cache.DefaultTimeout); err != nil {
		t.Fatal(err)
	}
	copy(buf, "CHANGED!")
	var got []byte
	if ok, _ := c.Get(ctx, "copied", &got); !ok || string(got) != "original" {
		t.Fatalf("after changing the set slice, Get = %q, %v", got, ok)
	}
	// A key with a space is stored under the key Django makes, through
	// the general path (which logs Django's warning).
	if err := c.Set(ctx, "has space", "v", cache.DefaultTimeout); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.Get(ctx, ":1:has space"); !ok {
		t.Fatal("key with a space not stored under :1:has space")
	}
	if st := c.Stats(); st.Sets != uint64(len(cases))+2 {
		t.Fatalf("Stats().Sets = %d; want %d", st.Sets, len(cases)+2)
	}
}
