package app_example

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"gojango/framework/cache"
	"gojango/framework/middleware"
)

// PrimeReport is the "expensive data" of Django's low-level cache example.
type PrimeReport struct {
	Limit      int       `json:"limit"`
	Count      int       `json:"count"`
	Largest    int       `json:"largest"`
	ComputedAt time.Time `json:"computed_at"`
	Took       string    `json:"took"`
}

// countPrimes is real work: a sieve up to limit.
func countPrimes(limit int) PrimeReport {
	start := time.Now()
	composite := make([]bool, limit+1)
	count, largest := 0, 0
	for i := 2; i <= limit; i++ {
		if composite[i] {
			continue
		}
		count, largest = count+1, i
		for j := i * i; j <= limit; j += i {
			composite[j] = true
		}
	}
	return PrimeReport{Limit: limit, Count: count, Largest: largest, ComputedAt: time.Now().UTC(), Took: time.Since(start).String()}
}

// Stats computes the report once and serves it from the cache for fifteen
// minutes: cache.get_or_set("primes", compute, 60 * 15).
func Stats(w http.ResponseWriter, r *http.Request) {
	report, err := cache.GetOrSet(r.Context(), cache.Default(), "primes:5000000", 60*15,
		func(context.Context) (PrimeReport, error) { return countPrimes(5_000_000), nil })
	if err != nil {
		middleware.ServerError(w, r, fmt.Errorf("stats: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(report)
}

// Clock shows when it was rendered: under cache.Page the time stays the
// same until the page expires.
func Clock(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "rendered at %s\n", time.Now().UTC().Format(time.RFC3339Nano))
}

var greetings = map[string]string{"fr": "Bonjour", "de": "Hallo", "es": "Hola"}

// Greeting answers in the first language of Accept-Language it knows; the
// page varies on that header, so each language is cached apart.
func Greeting(w http.ResponseWriter, r *http.Request) {
	lang := r.Header.Get("Accept-Language")
	if len(lang) > 2 {
		lang = lang[:2]
	}
	g, ok := greetings[lang]
	if !ok {
		g = "Hello"
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "%s (rendered at %s)\n", g, time.Now().UTC().Format(time.RFC3339Nano))
}

// Me is a per-user page: it reads the "user" cookie and says
// Cache-Control: private, so no cache keeps it.
func Me(w http.ResponseWriter, r *http.Request) {
	user := "anonymous"
	if c, err := r.Cookie("user"); err == nil && c.Value != "" {
		user = c.Value
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "Hello, %s (rendered at %s)\n", user, time.Now().UTC().Format(time.RFC3339Nano))
}

// Boom panics, as a view with a bug does: the Recover middleware answers
// 500 (Django's technical page with DEBUG), logs the panic with its stack,
// and the server goes on serving.
func Boom(http.ResponseWriter, *http.Request) {
	var articles map[string]*Article
	_ = articles["missing"].Title // a nil pointer dereference
}
