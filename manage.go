// Command gojango is the project's manage.py: `go run . <command>`, e.g.
// `go run . runserver`, `go run . check`, `go run . startapp blog`,
// `go run . help`.
package main

import (
	"context"
	"os"

	_ "gojango/framework/cache/backends/all"
	"gojango/framework/management"
)

func main() {
	os.Exit(management.Execute(context.Background(), os.Args[1:], project, os.Stdout, os.Stderr))
}
