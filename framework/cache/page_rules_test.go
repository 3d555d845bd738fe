package cache_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// Django 5.2.19's page-cache rules (the reference's "Changed in recent
// Django" items and rules 92-109), each checked through all three entry
// points: cache.Page, PageMiddleware and the per-site Update/Fetch pair.

type entryPoint struct {
	name string
	wrap func(clk *fakeClock, v http.Handler) http.Handler
}

var entryPoints = []entryPoint{
	{"Page", func(clk *fakeClock, v http.Handler) http.Handler { return page(60, v, clk) }},
	{"PageMiddleware", func(clk *fakeClock, v http.Handler) http.Handler {
		return cache.PageMiddleware(60, cache.WithPageClock(clk.Now))(v)
	}},
	{"PerSite", func(clk *fakeClock, v http.Handler) http.Handler {
		s := cache.Current().Settings()
		fetch := cache.NewFetchFromCacheMiddleware(s, cache.WithPageClock(clk.Now)).Middleware(v)
		return cache.NewUpdateCacheMiddleware(s, cache.WithPageClock(clk.Now)).Middleware(fetch)
	}},
}

// eachEntryPoint runs f once per entry point, with fresh caches and
// CACHE_MIDDLEWARE_SECONDS = 60 so that all three send the same headers.
func eachEntryPoint(t *testing.T, f func(t *testing.T, wrap func(http.Handler) http.Handler, clk *fakeClock)) {
	for _, ep := range entryPoints {
		t.Run(ep.name, func(t *testing.T) {
			clk := setupPages(t, func(s *settings.Settings) { s.CacheMiddlewareSeconds = 60 })
			f(t, func(v http.Handler) http.Handler { return ep.wrap(clk, v) }, clk)
		})
	}
}

// untouched fails unless the response kept the view's headers: every skip
// in process_response leaves the response as the view made it (rule 94).
func untouched(t *testing.T, w *httptest.ResponseRecorder, view http.Header) {
	t.Helper()
	if w.Header().Get("Expires") != "" {
		t.Errorf("skipped response got Expires %q", w.Header().Get("Expires"))
	}
	if got, want := w.Header().Get("Cache-Control"), view.Get("Cache-Control"); got != want {
		t.Errorf("skipped response's Cache-Control = %q; want the view's %q", got, want)
	}
	if got, want := w.Header().Get("Vary"), view.Get("Vary"); got != want {
		t.Errorf("skipped response's Vary = %q; want the view's %q", got, want)
	}
}

// Changed item 1, rule 92: a Vary'd header the request lacks and one it
// carries empty are two entries; each is then served its own.
func TestAbsentVaryHeaderIsKeyedApartFromEmpty(t *testing.T) {
	eachEntryPoint(t, func(t *testing.T, wrap func(http.Handler) http.Handler, clk *fakeClock) {
		v := &countingView{header: http.Header{"Vary": {"Pony"}}}
		h := wrap(v)
		absent := do(h, "GET", url)
		empty := do(h, "GET", url, "Pony", "")
		if v.calls.Load() != 2 {
			t.Fatalf("absent and empty Pony share an entry: %d view calls; want 2", v.calls.Load())
		}
		if w := do(h, "GET", url); w.Body.String() != absent.Body.String() {
			t.Errorf("absent Pony served %q; want its own %q", w.Body.String(), absent.Body.String())
		}
		if w := do(h, "GET", url, "Pony", ""); w.Body.String() != empty.Body.String() {
			t.Errorf("empty Pony served %q; want its own %q", w.Body.String(), empty.Body.String())
		}
		if v.calls.Load() != 2 {
			t.Fatalf("%d view calls after two hits; want 2", v.calls.Load())
		}
	})
}

// Changed item 2, rule 87: a response that sets a cookie and varies on
// Cookie is never stored, whatever cookies the request carried.
func TestSetCookieWithVaryCookieIsNeverStored(t *testing.T) {
	for _, vary := range []string{"Cookie", "Accept, COOKIE", "cookie", "Cookie "} {
		for _, reqCookie := range []string{"", "sessionid=abc"} {
			t.Run(fmt.Sprintf("Vary=%q/Cookie=%q", vary, reqCookie), func(t *testing.T) {
				eachEntryPoint(t, func(t *testing.T, wrap func(http.Handler) http.Handler, clk *fakeClock) {
					hdr := http.Header{"Set-Cookie": {"sessionid=xyz; Path=/"}, "Vary": {vary}}
					v := &countingView{header: hdr}
					h := wrap(v)
					var w *httptest.ResponseRecorder
					for range 2 {
						if reqCookie != "" {
							w = do(h, "GET", url, "Cookie", reqCookie)
						} else {
							w = do(h, "GET", url)
						}
					}
					if v.calls.Load() != 2 {
						t.Fatalf("stored: %d view calls; want 2", v.calls.Load())
					}
					untouched(t, w, hdr)
				})
			})
		}
	}
}

// Changed item 3, rule 86: private, no-cache and no-store are found in any
// letter case and anywhere in Cache-Control (a substring test, as Django).
func TestCacheControlPrivateNoCacheNoStoreInAnyCase(t *testing.T) {
	for _, cc := range []string{"private", "Private", "PRIVATE", "max-age=60, NO-CACHE", `no-cache="Set-Cookie"`,
		"No-Store", "max-age=60, no-store", "proxy-private"} {
		t.Run(cc, func(t *testing.T) {
			eachEntryPoint(t, func(t *testing.T, wrap func(http.Handler) http.Handler, clk *fakeClock) {
				hdr := http.Header{"Cache-Control": {cc}}
				v := &countingView{header: hdr}
				h := wrap(v)
				do(h, "GET", url)
				w := do(h, "GET", url)
				if v.calls.Load() != 2 {
					t.Fatalf("Cache-Control %q stored", cc)
				}
				untouched(t, w, hdr)
			})
		})
	}
}

// Changed item 4, rule 95: Vary: * is never stored, wherever the * is and
// however it is padded.
func TestVaryStarIsNeverStored(t *testing.T) {
	for _, vary := range []string{"*", "Cookie, *", "* ", "Accept ,  * "} {
		t.Run(vary, func(t *testing.T) {
			eachEntryPoint(t, func(t *testing.T, wrap func(http.Handler) http.Handler, clk *fakeClock) {
				hdr := http.Header{"Vary": {vary}}
				v := &countingView{header: hdr}
				h := wrap(v)
				do(h, "GET", url)
				w := do(h, "GET", url)
				if v.calls.Load() != 2 {
					t.Fatalf("Vary %q stored", vary)
				}
				untouched(t, w, hdr)
			})
		})
	}
}

// Changed item 5 and rule 104: Vary names are trimmed. Django 5.2.19 learns
// "HTTP_COOKIE " from "Vary: Cookie " and serves one cookie's page to
// another; we trim (README, Differences from Django), so it varies on Cookie.
func TestVaryNameWithTrailingSpaceStillVaries(t *testing.T) {
	eachEntryPoint(t, func(t *testing.T, wrap func(http.Handler) http.Handler, clk *fakeClock) {
		v := &countingView{header: http.Header{"Vary": {"Cookie "}}}
		h := wrap(v)
		alice := do(h, "GET", url, "Cookie", "u=alice")
		bob := do(h, "GET", url, "Cookie", "u=bob")
		if bob.Body.String() == alice.Body.String() || v.calls.Load() != 2 {
			t.Fatalf("bob was served alice's page %q (%d view calls)", bob.Body.String(), v.calls.Load())
		}
		if w := do(h, "GET", url, "Cookie", "u=alice"); w.Body.String() != alice.Body.String() {
			t.Fatalf("alice served %q; want her own %q", w.Body.String(), alice.Body.String())
		}
	})
}

// Changed item 6, rules 97: a request bearing Authorization makes the
// response vary on it, unless the response is public.
func TestAuthorizationVariesUnlessPublic(t *testing.T) {
	t.Run("NotPublic", func(t *testing.T) {
		eachEntryPoint(t, func(t *testing.T, wrap func(http.Handler) http.Handler, clk *fakeClock) {
			v := &countingView{header: http.Header{"Vary": {"Accept"}}}
			h := wrap(v)
			a := do(h, "GET", url, "Authorization", "Basic a")
			if got := a.Header().Get("Vary"); got != "Accept, Authorization" {
				t.Fatalf("Vary = %q; want Authorization appended", got)
			}
			if w := do(h, "GET", url, "Authorization", "Basic a"); w.Body.String() != a.Body.String() {
				t.Fatalf("same Authorization missed: %q", w.Body.String())
			}
			if w := do(h, "GET", url, "Authorization", "Basic b"); w.Body.String() == a.Body.String() {
				t.Fatal("Basic b was served Basic a's page")
			}
			if w := do(h, "GET", url); w.Body.String() == a.Body.String() {
				t.Fatal("an anonymous request was served Basic a's page")
			}
			if v.calls.Load() != 3 {
				t.Fatalf("%d view calls; want 3", v.calls.Load())
			}
		})
	})
	t.Run("Public", func(t *testing.T) {
		for _, cc := range []string{"public", "Public, max-age=60"} {
			eachEntryPoint(t, func(t *testing.T, wrap func(http.Handler) http.Handler, clk *fakeClock) {
				v := &countingView{header: http.Header{"Cache-Control": {cc}}}
				h := wrap(v)
				a := do(h, "GET", url, "Authorization", "Basic a")
				if a.Header().Get("Vary") != "" {
					t.Fatalf("public response got Vary %q", a.Header().Get("Vary"))
				}
				if w := do(h, "GET", url, "Authorization", "Basic b"); w.Body.String() != a.Body.String() {
					t.Fatalf("%q: public page not shared across Authorization values", cc)
				}
			})
		}
	})
	t.Run("EmptyIsAbsent", func(t *testing.T) {
		eachEntryPoint(t, func(t *testing.T, wrap func(http.Handler) http.Handler, clk *fakeClock) {
			v := &countingView{}
			w := do(wrap(v), "GET", url, "Authorization", "")
			if w.Header().Get("Vary") != "" {
				t.Fatalf("empty Authorization added Vary %q", w.Header().Get("Vary"))
			}
		})
	})
}

// Rule 98: the Vary: Authorization is added to a 304 and to a zero page
// timeout's response too, although neither is stored.
func TestAuthorizationVaryOn304AndZeroTimeout(t *testing.T) {
	eachEntryPoint(t, func(t *testing.T, wrap func(http.Handler) http.Handler, clk *fakeClock) {
		v := &countingView{status: http.StatusNotModified}
		w := do(wrap(v), "GET", url, "Authorization", "Basic a")
		if w.Header().Get("Vary") != "Authorization" {
			t.Fatalf("304 Vary = %q; want Authorization", w.Header().Get("Vary"))
		}
	})
	clk := setupPages(t, nil)
	v := &countingView{}
	h := page(0, v, clk)
	w := do(h, "GET", url, "Authorization", "Basic a")
	do(h, "GET", url, "Authorization", "Basic a")
	if w.Header().Get("Vary") != "Authorization" || w.Header().Get("Cache-Control") != "max-age=0" || v.calls.Load() != 2 {
		t.Fatalf("cache_page(0): Vary %q, Cache-Control %q, %d calls", w.Header().Get("Vary"), w.Header().Get("Cache-Control"), v.calls.Load())
	}
}

// Rule 94: max-age=0 returns before any header is patched (no Vary:
// Authorization either).
func TestMaxAgeZeroLeavesResponseUntouched(t *testing.T) {
	for _, ep := range entryPoints[2:] { // a page timeout would beat max-age
		t.Run(ep.name, func(t *testing.T) {
			clk := setupPages(t, nil)
			hdr := http.Header{"Cache-Control": {"max-age=0"}}
			w := do(ep.wrap(clk, &countingView{header: hdr}), "GET", url, "Authorization", "Basic a")
			untouched(t, w, hdr)
		})
	}
}

// Rule 96: a cookie without Vary: Cookie is stored and replayed (Django
// does the same; anything per-user must vary on Cookie).
func TestSetCookieWithoutVaryIsStoredAndReplayed(t *testing.T) {
	eachEntryPoint(t, func(t *testing.T, wrap func(http.Handler) http.Handler, clk *fakeClock) {
		v := &countingView{header: http.Header{"Set-Cookie": {"theme=dark; Path=/"}}}
		h := wrap(v)
		do(h, "GET", url)
		w := do(h, "GET", url)
		if v.calls.Load() != 1 || w.Header().Get("Set-Cookie") != "theme=dark; Path=/" {
			t.Fatalf("%d calls, Set-Cookie %q", v.calls.Load(), w.Header().Get("Set-Cookie"))
		}
	})
}

// Rule 109: a negative max-age (no page timeout) keeps its value, gets
// Expires = now and is stored already expired: the view runs every time.
func TestNegativeMaxAgeIsStoredExpired(t *testing.T) {
	for _, ep := range entryPoints[2:] {
		t.Run(ep.name, func(t *testing.T) {
			clk := setupPages(t, nil)
			v := &countingView{header: http.Header{"Cache-Control": {"max-age=-5"}}}
			h := ep.wrap(clk, v)
			w := do(h, "GET", url)
			do(h, "GET", url)
			if w.Header().Get("Cache-Control") != "max-age=-5" || w.Header().Get("Expires") != "Sun, 17 Jul 2016 10:00:00 GMT" {
				t.Fatalf("Cache-Control %q, Expires %q", w.Header().Get("Cache-Control"), w.Header().Get("Expires"))
			}
			if v.calls.Load() != 2 {
				t.Fatalf("%d view calls; want 2", v.calls.Load())
			}
		})
	}
}

// Changed item 9, rule 106: a header spelled with an underscore is not the
// hyphenated header a page varies on (Django's servers drop it), so it
// cannot claim another request's variant.
func TestUnderscoreHeaderNeverSatisfiesVary(t *testing.T) {
	eachEntryPoint(t, func(t *testing.T, wrap func(http.Handler) http.Handler, clk *fakeClock) {
		v := &countingView{header: http.Header{"Vary": {"X-User"}}}
		h := wrap(v)
		alice := do(h, "GET", url, "X-User", "alice")
		if w := do(h, "GET", url, "X_User", "alice"); w.Body.String() == alice.Body.String() {
			t.Fatal("X_User: alice was served X-User: alice's page")
		}
	})
}

// Rule 106: repeated request headers are joined with "," (no space) before
// hashing, as Django's servers join them into one META value.
func TestRepeatedRequestHeadersJoinWithComma(t *testing.T) {
	ctx := context.Background()
	c := newLocmem(t)
	r := httptest.NewRequest("GET", "http://testserver/p/", nil)
	r.Header.Add("Accept", "a")
	r.Header.Add("Accept", "b")
	key, err := cache.LearnCacheKey(ctx, r, http.Header{"Vary": {"Accept"}}, 60, c, "", cache.I18N{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "views.decorators.cache.cache_page..GET." + cache.MD5Hex("http://testserver/p/") + "." + cache.MD5Hex("a,b"); key != want {
		t.Fatalf("key %q\nwant %q", key, want)
	}
}

// Rule 93: the header hash's quirks are Django's, byte for byte (values are
// concatenated without separators; "-," stands for an absent header), so a
// Django service and ours compute the same keys. README's Security section
// says what this means for pages that vary on several headers.
func TestHeaderHashQuirksMatchDjango(t *testing.T) {
	ctx := context.Background()
	c := newLocmem(t)
	key := func(hdr map[string]string) string {
		r := httptest.NewRequest("GET", "http://testserver/p/", nil)
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		k, err := cache.LearnCacheKey(ctx, r, http.Header{"Vary": {"A, B"}}, 60, c, "", cache.I18N{})
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	pairs := []struct{ x, y map[string]string }{
		{map[string]string{"A": "ab", "B": ""}, map[string]string{"A": "a", "B": "b"}},
		{map[string]string{"A": "x-,", "B": ""}, map[string]string{"A": "x"}},
		{map[string]string{"A": "-,", "B": ""}, map[string]string{"B": ""}},
	}
	for _, p := range pairs {
		if key(p.x) != key(p.y) {
			t.Errorf("%v and %v: different keys; Django gives them one", p.x, p.y)
		}
	}
}

// Vary: Host hashes the request's Host (Django's HTTP_HOST), which Go keeps
// in r.Host rather than in r.Header.
func TestVaryOnHostHashesTheHost(t *testing.T) {
	ctx := context.Background()
	c := newLocmem(t)
	r := httptest.NewRequest("GET", "http://testserver/p/", nil)
	key, err := cache.LearnCacheKey(ctx, r, http.Header{"Vary": {"Host"}}, 60, c, "", cache.I18N{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "views.decorators.cache.cache_page..GET." + cache.MD5Hex("http://testserver/p/") + "." + cache.MD5Hex("testserver"); key != want {
		t.Fatalf("key %q\nwant %q", key, want)
	}
}

// Rule 99: every hit carries Age, Age: 0 on an immediate hit; the miss has
// none.
func TestAgeOnEveryHitNotOnMiss(t *testing.T) {
	eachEntryPoint(t, func(t *testing.T, wrap func(http.Handler) http.Handler, clk *fakeClock) {
		h := wrap(&countingView{})
		if w := do(h, "GET", url); w.Header().Get("Age") != "" {
			t.Fatalf("miss has Age %q", w.Header().Get("Age"))
		}
		if w := do(h, "GET", url); w.Header().Get("Age") != "0" {
			t.Fatalf("immediate hit Age = %q; want 0", w.Header().Get("Age"))
		}
	})
}
