package urls

import (
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"
)

// route is one named pattern, relative to its router.
type route struct {
	name    string
	pattern string
}

// include is a router mounted under a prefix, maybe with a namespace.
type include struct {
	prefix    string
	namespace string
	child     chi.Router
}

// conf is the URL names of one router (one urls.py).
type conf struct {
	routes   []route
	includes []include
}

// registry holds every router's names.
var registry = struct {
	mu    sync.RWMutex
	confs map[chi.Router]*conf // protected by mu
	root  chi.Router           // protected by mu; nil: every unincluded router
}{confs: map[chi.Router]*conf{}}

func confOf(r chi.Router) *conf {
	c := registry.confs[r]
	if c == nil {
		c = &conf{}
		registry.confs[r] = c
	}
	return c
}

// Path is Django's path(route, view, name=name) on chi: it routes every
// method of pattern to view (r.Handle) and names the pattern. An empty
// name registers the route unnamed.
func Path(r chi.Router, pattern string, view http.HandlerFunc, name string) {
	r.Handle(pattern, view)
	if name != "" {
		Name(r, name, pattern)
	}
}

// Name gives pattern, routed on r by any chi call (r.Get, r.Post, ...), the
// URL name name. A name given twice reverses to the pattern named last
// whose parameters fit the arguments, as in Django.
func Name(r chi.Router, name, pattern string) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	c := confOf(r)
	c.routes = append(c.routes, route{name: name, pattern: pattern})
}

// Include is Django's path(prefix, include(child, namespace=namespace)):
// it mounts child on r at prefix (chi's Mount) and makes child's names
// reversible from r, as "namespace:name" when namespace is not "".
func Include(r chi.Router, prefix string, child chi.Router, namespace string) {
	mountAt := strings.TrimSuffix(prefix, "/")
	if mountAt == "" {
		mountAt = "/"
	}
	r.Mount(mountAt, child)
	registry.mu.Lock()
	defer registry.mu.Unlock()
	c := confOf(r)
	confOf(child)
	c.includes = append(c.includes, include{prefix: mountAt, namespace: namespace, child: child})
}

// SetRoot makes r the root URLconf (Django's ROOT_URLCONF) that Reverse
// and {% url %} resolve names from.
func SetRoot(r chi.Router) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	confOf(r)
	registry.root = r
}

// entry is one reversible name: its full name (namespaces included) and
// its full pattern.
type entry struct {
	name    string
	pattern string
}

// entries lists every reversible name from the root(s), in registration
// order. The caller holds registry.mu.
func entries() []entry {
	var roots []chi.Router
	if registry.root != nil {
		roots = []chi.Router{registry.root}
	} else {
		included := map[chi.Router]bool{}
		for _, c := range registry.confs {
			for _, in := range c.includes {
				included[in.child] = true
			}
		}
		for r := range registry.confs {
			if !included[r] {
				roots = append(roots, r)
			}
		}
	}
	var out []entry
	seen := map[chi.Router]int{}
	var walk func(r chi.Router, prefix, ns string)
	walk = func(r chi.Router, prefix, ns string) {
		if seen[r] > 8 { // a router including itself
			return
		}
		seen[r]++
		defer func() { seen[r]-- }()
		c := registry.confs[r]
		if c == nil {
			return
		}
		for _, rt := range c.routes {
			out = append(out, entry{name: ns + rt.name, pattern: joinPattern(prefix, rt.pattern)})
		}
		for _, in := range c.includes {
			sub := ns
			if in.namespace != "" {
				sub += in.namespace + ":"
			}
			walk(in.child, joinPattern(prefix, in.prefix), sub)
		}
	}
	for _, r := range roots {
		walk(r, "", "")
	}
	return out
}

func joinPattern(prefix, pattern string) string {
	prefix = strings.TrimSuffix(prefix, "/")
	if pattern == "" {
		pattern = "/"
	}
	if !strings.HasPrefix(pattern, "/") {
		pattern = "/" + pattern
	}
	return prefix + pattern
}

// Names returns every URL name reversible from the root, sorted.
func Names() []string {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	return namesOf(entries())
}

func namesOf(es []entry) []string {
	set := map[string]bool{}
	for _, e := range es {
		set[e.name] = true
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// reset forgets every name (tests).
func reset() {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	registry.confs = map[chi.Router]*conf{}
	registry.root = nil
}
