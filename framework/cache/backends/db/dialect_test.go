package db

import (
	"errors"
	"testing"

	databases "gojango/framework/db"
	"gojango/framework/settings"
)

// Engine gives each engine framework/db resolves its dialect, under
// Django's dotted name and the short ones, and passes on framework/db's
// error for any other name.
func TestEngineDialects(t *testing.T) {
	cases := map[string]string{
		"django.db.backends.sqlite3": "sqlite3", "sqlite": "sqlite3",
		"django.db.backends.postgresql": "postgresql", "postgres": "postgresql",
		"django.db.backends.mysql": "mysql", "mariadb": "mysql",
	}
	for name, want := range cases {
		d, err := Engine(name)
		if err != nil || d.Name() != want {
			t.Errorf("Engine(%q) = %v, %v; want %s", name, d, err, want)
		}
	}
	if _, err := Engine("oracle"); !errors.Is(err, databases.ErrUnknownEngine) {
		t.Errorf("Engine(oracle) err = %v", err)
	}
}

// An unreachable server fails the operation (a connect timeout or the
// context's deadline) instead of hanging, and New itself does no I/O.
func TestUnreachableServerFails(t *testing.T) {
	h := newHarness(t, testDBs()[0], nil)
	for _, e := range []settings.Database{
		{Engine: "postgresql", Host: "127.0.0.1", Port: "1", Name: "x", Options: map[string]any{"connect_timeout": 1}},
		{Engine: "mysql", Host: "127.0.0.1", Port: "1", Name: "x", Options: map[string]any{"connect_timeout": 1}},
	} {
		p := params(t, e, "t", h.clock, &h.evicted)
		s, err := Open(p)
		if err != nil {
			t.Fatalf("%s: Open did I/O or failed: %v", e.Engine, err)
		}
		if _, _, err := s.Get(h.ctx, "k"); err == nil {
			t.Errorf("%s: get on an unreachable server succeeded", e.Engine)
		}
		s.Close()
	}
}
