package cache_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// The page keys are memoised per URL and variant; a memoised key must
// never serve another URL or variant. Requests that differ only in a
// Vary'd header (present, absent, empty, repeated), the host's spelling,
// the query or the scheme go round several times, interleaved: each is
// always served its own first render.
func TestKeyMemoNeverServesAnotherVariant(t *testing.T) {
	eachEntryPoint(t, func(t *testing.T, wrap func(http.Handler) http.Handler, clk *fakeClock) {
		var calls atomic.Int32
		h := wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Vary", "Cookie, Accept")
			fmt.Fprintf(w, "render %d", calls.Add(1))
		}))
		type shape struct {
			target string
			hdr    [][2]string
		}
		shapes := []shape{
			{"http://testserver/p/", nil},
			{"http://testserver/p/", [][2]string{{"Cookie", "u=a"}}},
			{"http://testserver/p/", [][2]string{{"Cookie", "u=b"}}},
			{"http://testserver/p/", [][2]string{{"Cookie", ""}}},
			{"http://testserver/p/", [][2]string{{"Cookie", "u=a"}, {"Accept", "x"}}},
			{"http://testserver/p/", [][2]string{{"Accept", "x"}, {"Accept", "y"}}},
			{"http://testserver/p/", [][2]string{{"Accept", "x,y"}}}, // Django joins repeats with ",": one key
			{"http://TESTSERVER/p/", [][2]string{{"Cookie", "u=a"}}},
			{"http://testserver/p/?q=1", [][2]string{{"Cookie", "u=a"}}},
			{"https://testserver/p/", [][2]string{{"Cookie", "u=a"}}},
		}
		first := map[int]string{}
		for round := range 3 {
			for i, s := range shapes {
				r := httptest.NewRequest("GET", s.target, nil)
				for _, kv := range s.hdr {
					r.Header.Add(kv[0], kv[1])
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				want, seen := first[i]
				if i == 6 { // the same variant as shape 5
					want, seen = first[5], true
				}
				if !seen {
					first[i] = w.Body.String()
					continue
				}
				if w.Body.String() != want {
					t.Fatalf("round %d, shape %d (%s %v): served %q; want its own %q", round, i, s.target, s.hdr, w.Body.String(), want)
				}
			}
		}
		if got := calls.Load(); got != int32(len(shapes)-1) {
			t.Fatalf("%d renders for %d distinct variants", got, len(shapes)-1)
		}
	})
}
