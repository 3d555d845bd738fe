package management

import (
	"context"
	"flag"
	"fmt"
	"net/http"

	"gojango/framework/apps"
	"gojango/framework/middleware"
	"gojango/framework/settings"
)

// testapp is an app registered the way a project's app registers: a
// command, a middleware and a check, used when INSTALLED_APPS lists it.
func init() {
	apps.Register(apps.App{
		Name: "testapp",
		Commands: []*apps.Command{{
			Name:  "hello",
			Short: "Says hello.",
			Run: func(_ context.Context, env *Env, _ *flag.FlagSet, _ []string) error {
				fmt.Fprintf(env.Stdout, "hello from testapp (verbosity %d)\n", env.Verbosity)
				return nil
			},
		}},
		Middleware: map[string]middleware.Constructor{
			"testapp.middleware.Stamp": func(*settings.Settings) (func(http.Handler) http.Handler, error) {
				return func(next http.Handler) http.Handler {
					return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						w.Header().Set("X-Stamp", "testapp")
						next.ServeHTTP(w, r)
					})
				}, nil
			},
		},
		Checks: []apps.Check{func(_ context.Context, s *settings.Settings) []apps.Message {
			if _, ok := s.Custom["TESTAPP_REQUIRED"]; ok {
				return nil
			}
			if _, ok := s.Custom["TESTAPP_CHECKED"]; ok {
				return []apps.Message{{ID: "testapp.E001", Msg: "CUSTOM.TESTAPP_REQUIRED is not set.", Hint: "Set it."}}
			}
			return nil
		}},
	})
}
