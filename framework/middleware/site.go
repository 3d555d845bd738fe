package middleware

// Site puts the project's error handlers, DEBUG, settings and route table
// into each request's context, where the error pages, Recover and the CSRF
// middleware find them. It adds nothing to the response.

import (
	"context"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/go-chi/chi/v5"

	"gojango/framework/settings"
)

// Site is what the framework's error pages and CSRF middleware need to
// know about the project: Django's handler400/403/404/500 (nil means
// Django's own page), the settings (DEBUG, masked on the technical 500
// page) and the root URLconf's routes (listed on the technical 404 page;
// looked up for csrf-exempt views).
type Site struct {
	Settings *settings.Settings
	Logger   *slog.Logger // nil means slog.Default()

	Handler400, Handler403, Handler404, Handler500 http.Handler
	// CSRFFailure answers a request the CSRF middleware refused (Django's
	// CSRF_FAILURE_VIEW); csrf.FailureReason(r) says why. nil means
	// Django's "Forbidden (403)" page.
	CSRFFailure http.Handler

	routes   chi.Routes
	patterns []string        // "pattern [METHODS]", for the technical 404
	exempt   map[string]bool // "METHOD pattern" of csrf-exempt views
}

// NewSite returns the Site of a project whose root URLconf is root. When
// root is a chi router its routes are walked once, here: their patterns
// are listed on the technical 404 page and views wrapped in
// views.CsrfExempt are found.
func NewSite(s *settings.Settings, root http.Handler) *Site {
	site := &Site{Settings: s, exempt: map[string]bool{}}
	routes, ok := root.(chi.Routes)
	if !ok {
		return site
	}
	site.routes = routes
	methods := map[string][]string{}
	var order []string
	_ = chi.Walk(routes, func(method, route string, h http.Handler, _ ...func(http.Handler) http.Handler) error {
		if _, seen := methods[route]; !seen {
			order = append(order, route)
		}
		methods[route] = append(methods[route], method)
		if isCsrfExempt(h) {
			site.exempt[method+" "+route] = true
		}
		return nil
	})
	for _, route := range order {
		m := methods[route]
		sort.Strings(m)
		site.patterns = append(site.patterns, route+" ["+strings.Join(m, ", ")+"]")
	}
	return site
}

// Middleware puts the site into the request's context.
func (s *Site) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), siteKey{}, s)))
	})
}

type siteKey struct{}

// siteOf returns the request's Site, or an empty one (Django's default
// pages, DEBUG off) when no Site middleware ran.
func siteOf(r *http.Request) *Site {
	if s, ok := r.Context().Value(siteKey{}).(*Site); ok && s != nil {
		return s
	}
	return &Site{}
}

func (s *Site) debug() bool { return s.Settings != nil && s.Settings.Debug }

func (s *Site) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// csrfExempt reports whether the view the router would pick for r is
// wrapped in views.CsrfExempt.
func (s *Site) csrfExempt(r *http.Request) bool {
	if s.routes == nil || len(s.exempt) == 0 {
		return false
	}
	pattern := s.routes.Find(chi.NewRouteContext(), r.Method, r.URL.Path)
	return pattern != "" && s.exempt[r.Method+" "+pattern]
}

// isCsrfExempt reports whether h says it is exempt from the CSRF checks
// (views.CsrfExempt returns such a handler).
func isCsrfExempt(h http.Handler) bool {
	e, ok := h.(interface{ CsrfExempt() bool })
	return ok && e.CsrfExempt()
}
