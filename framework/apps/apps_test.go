package apps

import (
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"gojango/framework/middleware"
	"gojango/framework/settings"
)

func init() {
	Register(App{Name: "alpha", Dir: "alpha", Mount: "/alpha/", URLs: func(*settings.Settings) (http.Handler, error) {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("alpha")) }), nil
	}, Middleware: map[string]middleware.Constructor{"alpha.M": nil}})
	Register(App{Name: "beta", Dir: "beta", Middleware: map[string]middleware.Constructor{"alpha.M": nil}})
}

// INSTALLED_APPS picks registered apps, in its order; an unknown name is
// an error naming the registered ones (Django fails at start).
func TestInstalledFollowsInstalledApps(t *testing.T) {
	s := settings.Default()
	s.InstalledApps = []string{"beta", "alpha"}
	got, err := Installed(s)
	if err != nil || len(got) != 2 || got[0].Name != "beta" || got[1].Name != "alpha" {
		t.Fatalf("Installed = %v, %v", got, err)
	}
	if tpl := Templates(got); len(tpl) != 2 || tpl[0].Name != "beta" {
		t.Fatalf("template APP_DIRS order = %v; want INSTALLED_APPS order", tpl)
	}
	s.InstalledApps = []string{"gamma"}
	if _, err := Installed(s); err == nil || !strings.Contains(err.Error(), `no app named "gamma" is registered (registered: alpha, beta`) {
		t.Fatalf("unknown app: %v", err)
	}
}

// Register panics on a duplicate, as sql.Register does.
func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	Register(App{Name: "alpha"})
}

// Two installed apps giving one middleware name is an error.
func TestMiddlewareNamesAreUnique(t *testing.T) {
	s := settings.Default()
	s.InstalledApps = []string{"alpha", "beta"}
	installed, _ := Installed(s)
	if _, err := Middleware(installed); err == nil {
		t.Fatal("no error for a middleware name two apps register")
	}
}

// Include mounts each installed app at its Mount.
func TestIncludeMountsAppsAtTheirPrefix(t *testing.T) {
	s := settings.Default()
	s.InstalledApps = []string{"alpha"}
	r := chi.NewRouter()
	if err := Include(r, s); err != nil {
		t.Fatal(err)
	}
	if !r.Match(chi.NewRouteContext(), "GET", "/alpha/x") {
		t.Fatal("alpha is not mounted at /alpha/")
	}
}
