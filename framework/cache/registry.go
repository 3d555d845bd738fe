package cache

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// The backend registry: the one piece of package-level mutable state besides
// the alias handle. Backends register in their package's init().
var registry = struct {
	sync.RWMutex
	factories map[string]Factory
	aliases   map[string]string // other name (Django dotted path) -> short name
	keyFuncs  map[string]KeyFunc
}{factories: map[string]Factory{}, aliases: map[string]string{}}

// Register makes a backend available under name (the short name used in
// settings.toml, e.g. "locmem") and under each alias (e.g. Django's dotted
// "django.core.cache.backends.locmem.LocMemCache"). It panics if name is
// registered twice, as database/sql.Register does: that is a programming
// error at init time, never caused by input.
func Register(name string, f Factory, aliases ...string) {
	registry.Lock()
	defer registry.Unlock()
	if f == nil {
		panic("cache: Register factory is nil for " + name)
	}
	if _, dup := registry.factories[name]; dup {
		panic("cache: Register called twice for backend " + name)
	}
	registry.factories[name] = f
	for _, a := range aliases {
		registry.aliases[a] = name
	}
}

// Backends returns the registered short backend names, sorted.
func Backends() []string {
	registry.RLock()
	defer registry.RUnlock()
	names := make([]string, 0, len(registry.factories))
	for n := range registry.factories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// BackendName resolves a BACKEND as written in settings (short or dotted
// Django name) to the registered short name.
func BackendName(backend string) (string, error) {
	registry.RLock()
	defer registry.RUnlock()
	if _, ok := registry.factories[backend]; ok {
		return backend, nil
	}
	if n, ok := registry.aliases[backend]; ok {
		return n, nil
	}
	return "", fmt.Errorf("%w: unknown backend %q (known: %s)", ErrInvalidBackend, backend, strings.Join(backendsLocked(), ", "))
}

func backendsLocked() []string {
	names := make([]string, 0, len(registry.factories))
	for n := range registry.factories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func factory(name string) Factory {
	registry.RLock()
	defer registry.RUnlock()
	return registry.factories[name]
}
