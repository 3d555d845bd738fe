package app_example

import "gojango/framework/apps"

// init registers the app (Django's AppConfig); the project imports this
// package in apps.go and lists "app_example" in INSTALLED_APPS.
func init() {
	apps.Register(apps.App{
		Name:  "app_example",
		Dir:   "app_example", // templates/app_example/ in here (APP_DIRS)
		URLs:  URLs,
		Mount: "/", // apps.Include mounts the app at the site's root
	})
}
