package gotwin

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func serve(t *testing.T, h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	r.Host = "localhost"
	for _, l := range header {
		name, value, _ := strings.Cut(l, ": ")
		r.Header.Add(name, value)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// The twin's parameterised view is cached in both modes, echoes what its
// Vary names, and its pages are listed by POST /_keys/.
func TestTwinCachesAndListsKeys(t *testing.T) {
	handlers, err := Handlers(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range Modes {
		t.Run(mode, func(t *testing.T) {
			h := handlers[mode]
			target := "/v/?case=" + mode + "&vary=Cookie"
			first := serve(t, h, "GET", target, "Cookie: u=alice")
			second := serve(t, h, "GET", target, "Cookie: u=alice")
			want := "calls=1\ncookie=u=alice\nauthorization!\n"
			if first.Body.String() != want || second.Body.String() != want {
				t.Fatalf("bodies %q and %q, want %q twice (a miss, then a hit)", first.Body, second.Body, want)
			}
			sum := md5.Sum([]byte("http://localhost" + target))
			keys := serve(t, h, "POST", "/_keys/?h="+hex.EncodeToString(sum[:]))
			n := strings.Count(keys.Body.String(), ".cache_header.") + strings.Count(keys.Body.String(), ".cache_page.")
			if keys.Code != 200 || n != 2 {
				t.Fatalf("POST /_keys/: %d %q, want the header-list key and one page key", keys.Code, keys.Body)
			}
			if got := serve(t, h, "GET", target).Header().Get("X-Calls"); got != "2" {
				t.Errorf("another cookie: X-Calls %q, want 2", got)
			}
		})
	}
}
