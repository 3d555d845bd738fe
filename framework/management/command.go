// Package management is the project's manage.py: a registry of commands
// (createcachetable, check, clearcache, runserver, expirepage) run by
// Execute from the project's main package, as `go run . <command>`.
package management

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

// Command is one manage command.
type Command struct {
	Name  string
	Usage string // arguments after the name, e.g. "[ALIAS...]"
	Short string // one line of help
	// Flags declares the command's flags on fs; nil when it has none.
	Flags func(fs *flag.FlagSet)
	// Run does the work. args are what is left after the flags.
	Run func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error
}

// Project is what the user's main package gives Execute.
type Project struct {
	// URLConf returns the root handler (Django's ROOT_URLCONF).
	URLConf func(s *settings.Settings) (http.Handler, error)
	// Commands are the project's own commands, next to the built-in ones.
	Commands []*Command
}

// Env is what a command works with.
type Env struct {
	Stdout, Stderr io.Writer
	Settings       *settings.Settings
	Caches         *cache.Handler
	Project        Project
}

// errUsage marks an error in the command line: the usage is printed.
var errUsage = errors.New("usage")

func builtin() []*Command {
	return []*Command{checkCommand(), clearCacheCommand(), createCacheTableCommand(), expirePageCommand(), runserverCommand()}
}

// Execute runs the command named in args[0] and returns the process exit
// code: 0 on success, 1 on an error (printed as one line on stderr), 2 on a
// bad command line.
func Execute(ctx context.Context, args []string, p Project, stdout, stderr io.Writer) int {
	cmds := map[string]*Command{}
	for _, c := range append(builtin(), p.Commands...) {
		cmds[c.Name] = c
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c, ok := cmds[args[1]]; ok {
				fs := newFlagSet(c, stderr)
				fs.SetOutput(stdout)
				fs.Usage()
				return 0
			}
		}
		printHelp(stdout, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "Unknown command: %q. Type 'go run . help' for usage.\n", args[0])
		return 2
	}
	fs := newFlagSet(c, stderr)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	s, err := settings.LoadDefault()
	if err != nil {
		fmt.Fprintln(stderr, oneLine(err))
		return 1
	}
	if err := cache.Setup(s); err != nil {
		fmt.Fprintln(stderr, oneLine(err))
		return 1
	}
	defer func() { _ = cache.Close() }()
	env := &Env{Stdout: stdout, Stderr: stderr, Settings: s, Caches: cache.Current(), Project: p}
	if err := c.Run(ctx, env, fs, fs.Args()); err != nil {
		if errors.Is(err, errUsage) {
			fmt.Fprintln(stderr, oneLine(err))
			fs.Usage()
			return 2
		}
		fmt.Fprintln(stderr, "CommandError: "+oneLine(err))
		return 1
	}
	return 0
}

func newFlagSet(c *Command, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if c.Flags != nil {
		c.Flags(fs)
	}
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "usage: go run . %s", c.Name)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprint(out, " [flags]")
		}
		if c.Usage != "" {
			fmt.Fprint(out, " "+c.Usage)
		}
		fmt.Fprintf(out, "\n\n%s\n", c.Short)
		if hasFlags {
			fmt.Fprintln(out, "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

func printHelp(w io.Writer, cmds map[string]*Command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "Type 'go run . help <subcommand>' for help on a specific subcommand.")
	fmt.Fprintln(w, "\nAvailable subcommands:")
	for _, n := range names {
		fmt.Fprintf(w, "    %-18s %s\n", n, cmds[n].Short)
	}
}

// oneLine keeps an error to a single line of output.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", " ")), " ")
}
