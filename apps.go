package main

// The project's apps: importing an app's package registers it (as a
// database/sql driver registers); INSTALLED_APPS in settings.toml picks
// which registered apps the project uses, in which order. `go run .
// startapp NAME` adds its import here.
import (
	_ "gojango/app_example"
)
