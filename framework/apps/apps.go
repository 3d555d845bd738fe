// Package apps is the app registry: Django's INSTALLED_APPS and
// AppConfig. An app's package registers itself once, in init, the way a
// database/sql driver does:
//
//	func init() {
//	    apps.Register(apps.App{
//	        Name: "blog", Dir: "blog", URLs: URLs,
//	        Commands: []*apps.Command{...}, Checks: []apps.Check{...},
//	        Middleware: map[string]middleware.Constructor{"blog.middleware.Timing": timing},
//	    })
//	}
//
// and the project imports the package (apps.go at the repository root)
// and lists the app in INSTALLED_APPS. Only installed apps' URLs,
// templates, commands, middleware and checks are used, in INSTALLED_APPS
// order.
package apps

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"gojango/framework/middleware"
	"gojango/framework/settings"
	"gojango/framework/templates"
)

// App is one app's registration.
type App struct {
	// Name is the app's name in INSTALLED_APPS ("blog").
	Name string
	// Dir is the app's folder, relative to the settings file's directory
	// (BaseDir) unless absolute; its templates/ folder is searched when
	// TEMPLATES has APP_DIRS = true. "" means no templates.
	Dir string
	// URLs returns the app's routes (its urls.py). nil: no URLs.
	URLs func(s *settings.Settings) (http.Handler, error)
	// Mount is where Include mounts URLs ("/blog/"); "" leaves it to the
	// project's urls.go (Django's path("blog/", include("blog.urls"))).
	Mount string
	// Commands are the app's manage commands (management/commands/).
	Commands []*Command
	// Middleware are the app's middleware, by the names MIDDLEWARE may use.
	Middleware map[string]middleware.Constructor
	// Checks are the app's system checks, run by `check` and runserver.
	Checks []Check
}

var (
	mu       sync.RWMutex
	registry = map[string]*App{}
)

// Register makes app known under app.Name. It panics if the name is empty
// or registered twice, as sql.Register does: both are programming errors
// seen at start.
func Register(app App) {
	mu.Lock()
	defer mu.Unlock()
	if app.Name == "" {
		panic("apps: Register of an app without a Name")
	}
	if _, dup := registry[app.Name]; dup {
		panic("apps: Register called twice for app " + app.Name)
	}
	for _, c := range app.Commands {
		c.App = app.Name
	}
	registry[app.Name] = &app
}

// Registered returns the names of every registered app, sorted.
func Registered() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Installed returns the apps of INSTALLED_APPS, in its order. A name no
// package registered is an error naming the settings line and the
// registered apps (Django fails at start with "No module named ...").
func Installed(s *settings.Settings) ([]*App, error) {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]*App, 0, len(s.InstalledApps))
	for i, name := range s.InstalledApps {
		app, ok := registry[name]
		if !ok {
			return nil, s.Errorf(fmt.Sprintf("INSTALLED_APPS.%d", i),
				"no app named %q is registered (registered: %s); import its package in the project's apps.go",
				name, orNone(registeredLocked()))
		}
		out = append(out, app)
	}
	return out, nil
}

func registeredLocked() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Templates returns the installed apps that have a folder, for
// templates.New: with APP_DIRS their templates/ folders are searched in
// INSTALLED_APPS order, as Django's app_directories loader does.
func Templates(installed []*App) []templates.App {
	var out []templates.App
	for _, a := range installed {
		if a.Dir != "" {
			out = append(out, templates.App{Name: a.Name, Dir: a.Dir})
		}
	}
	return out
}

// Middleware returns the installed apps' middleware by name. Two apps
// giving one name is an error.
func Middleware(installed []*App) (map[string]middleware.Constructor, error) {
	out := map[string]middleware.Constructor{}
	owner := map[string]string{}
	for _, a := range installed {
		for name, ctor := range a.Middleware {
			if prev, dup := owner[name]; dup {
				return nil, fmt.Errorf("apps: middleware %q is registered by both %s and %s", name, prev, a.Name)
			}
			owner[name], out[name] = a.Name, ctor
		}
	}
	return out, nil
}
