package apps

import (
	"context"
	"flag"
	"io"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// Command is one manage command (Django's BaseCommand): the framework's
// own and those apps register. management.Command is this type.
type Command struct {
	Name  string
	Usage string // arguments after the name, e.g. "[ALIAS...]"
	Short string // one line of help
	// Flags declares the command's own flags on fs (Django's
	// add_arguments); nil when it has none. Long names are Django's
	// spelling: "dry-run", "database".
	Flags func(fs *flag.FlagSet)
	// Run does the work. args are what is left after the flags.
	Run func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error
	// SkipChecks is false for a command that runs the system checks first
	// and stops on an error (Django's requires_system_checks).
	SkipChecks bool
	// App is the app that registered the command ("" for the
	// framework's own); help groups commands by it.
	App string
}

// Env is what a command works with.
type Env struct {
	Stdout, Stderr io.Writer
	Settings       *settings.Settings
	Caches         *cache.Handler
	// Verbosity is --verbosity/-v: 0 minimal, 1 normal (default), 2
	// verbose, 3 very verbose.
	Verbosity int
	// NoColor is --no-color.
	NoColor bool
}
