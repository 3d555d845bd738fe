package csrf

import (
	"net/http/httptest"
	"testing"
)

type fixed string

func (f fixed) Token() string { return string(f) }

func TestTokenWithoutMiddlewareIsEmpty(t *testing.T) {
	if got := Token(httptest.NewRequest("GET", "/", nil)); got != "" {
		t.Fatalf("Token = %q; want empty without a source", got)
	}
}

func TestTokenAsksTheSource(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r = r.WithContext(WithSource(r.Context(), fixed("abc")))
	if got := Token(r); got != "abc" {
		t.Fatalf("Token = %q; want the source's", got)
	}
}
