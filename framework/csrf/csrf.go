// Package csrf carries a request's CSRF token between the CSRF middleware
// (framework/middleware, Django's CsrfViewMiddleware) and whatever renders
// it: {% csrf_token %} in templates, a view writing the
// csrfmiddlewaretoken field, an API answering with the X-CSRFToken value.
// It imports nothing of the framework, so templates and views can call
// Token without importing the middleware.
package csrf

import (
	"context"
	"net/http"
)

// Source hands out the request's token. The CSRF middleware installs one
// per request; asking it for a token is Django's get_token(request): it
// returns a freshly masked token and makes the middleware send the
// csrftoken cookie with the response (and Vary: Cookie, so the page cache
// never stores that response).
type Source interface {
	Token() string
}

type sourceKey struct{}

// WithSource returns a context in which Token finds src.
func WithSource(ctx context.Context, src Source) context.Context {
	return context.WithValue(ctx, sourceKey{}, src)
}

// Token returns the request's CSRF token, masked as Django's get_token
// returns it, or "" when no CSRF middleware handled the request.
func Token(r *http.Request) string {
	if src, ok := r.Context().Value(sourceKey{}).(Source); ok {
		return src.Token()
	}
	return ""
}

type reasonKey struct{}

// WithFailureReason returns a context in which FailureReason finds reason;
// the CSRF middleware gives it to the failure view (Django passes
// reason= to CSRF_FAILURE_VIEW).
func WithFailureReason(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, reasonKey{}, reason)
}

// FailureReason returns why the CSRF middleware refused r, for a custom
// failure view; "" when it did not.
func FailureReason(r *http.Request) string {
	s, _ := r.Context().Value(reasonKey{}).(string)
	return s
}
