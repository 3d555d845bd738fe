// Package management is the project's manage.py: the framework's commands
// (cachestats, check, createcachetable, clearcache, expirepage, runserver, startapp),
// the installed apps' commands and the project's own, run by Execute from
// the project's main package as `go run . <command>`.
package management

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"

	"gojango/framework/apps"
	"gojango/framework/cache"
	"gojango/framework/db"
	"gojango/framework/settings"
)

// Version is what --version prints.
const Version = "0.2.0 (Django 5.2.19's rules)"

// Command is one manage command; apps register theirs with apps.Register.
type Command = apps.Command

// Env is what a command works with.
type Env = apps.Env

// Project is what the user's main package gives Execute.
type Project struct {
	// URLConf returns the root handler (Django's ROOT_URLCONF).
	URLConf func(s *settings.Settings) (http.Handler, error)
	// Commands are the project's own commands, next to the built-in ones.
	Commands []*Command
	// Handler400, Handler403, Handler404 and Handler500 replace Django's
	// error pages (urls.py's handler400, ...); nil keeps Django's. Under
	// DEBUG the technical 404 and 500 pages are shown instead.
	Handler400, Handler403, Handler404, Handler500 http.Handler
	// CSRFFailure answers requests the CSRF middleware refuses (Django's
	// CSRF_FAILURE_VIEW); csrf.FailureReason(r) says why. nil keeps
	// Django's 403 page.
	CSRFFailure http.Handler
}

// errUsage marks an error in the command line: the usage is printed.
var errUsage = errors.New("usage")

func builtin(p Project) []*Command {
	return []*Command{cacheStatsCommand(), checkCommand(p), clearCacheCommand(), createCacheTableCommand(), expirePageCommand(), invalidateTagsCommand(), runserverCommand(p), startappCommand()}
}

// Execute runs the command named in args and returns the process exit
// code: 0 on success, 1 on an error (printed as one line on stderr, as
// Django's CommandError), 2 on a bad command line for a known command.
// The global options (--settings, --verbosity/-v, --traceback,
// --no-color, --force-color, --version) are accepted before or after the
// command name.
func Execute(ctx context.Context, args []string, p Project, stdout, stderr io.Writer) int {
	g, args, err := parseGlobal(args)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if g.version {
		fmt.Fprintln(stdout, Version)
		return 0
	}
	s, settingsErr := loadSettings(g)
	var installed []*apps.App
	if settingsErr == nil {
		installed, settingsErr = apps.Installed(s)
	}
	cmds := commands(p, installed)

	name := "help"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		return help(cmds, args, stdout, stderr)
	}
	c, ok := cmds.byName[name]
	if !ok {
		unknownCommand(stderr, name, cmds)
		return 1
	}
	fs := newFlagSet(c, stderr)
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if c.Name == "startapp" {
		settingsErr = nil // startapp writes files; it needs no settings
		if s == nil {
			s = settings.Default()
		}
	}
	if settingsErr != nil {
		return fail(stderr, g, settingsErr, "")
	}
	if err := cache.Setup(s); err != nil {
		return fail(stderr, g, err, "")
	}
	defer func() { _ = cache.Close() }()
	if err := db.Setup(s); err != nil {
		return fail(stderr, g, err, "")
	}
	defer func() { _ = db.Close() }()
	env := &Env{Stdout: stdout, Stderr: stderr, Settings: s, Caches: cache.Current(), Verbosity: g.verbosity, NoColor: g.noColor}
	if err := c.Run(ctx, env, fs, rest); err != nil {
		if errors.Is(err, errUsage) {
			fmt.Fprintln(stderr, oneLine(err))
			fs.Usage()
			return 2
		}
		var sce *systemCheckError
		if errors.As(err, &sce) {
			return fail(stderr, g, err, "SystemCheckError: ")
		}
		return fail(stderr, g, err, "CommandError: ")
	}
	return 0
}

// fail prints err (one line; with --traceback every error in its chain)
// and returns exit code 1.
func fail(stderr io.Writer, g globalOptions, err error, prefix string) int {
	var sce *systemCheckError
	if errors.As(err, &sce) {
		fmt.Fprint(stderr, prefix+sce.report)
		return 1
	}
	fmt.Fprintln(stderr, prefix+oneLine(err))
	if g.traceback {
		fmt.Fprintln(stderr, "Traceback (the error's chain, outermost first):")
		for e := err; e != nil; e = errors.Unwrap(e) {
			fmt.Fprintf(stderr, "  %T: %s\n", e, e)
		}
	}
	return 1
}

func loadSettings(g globalOptions) (*settings.Settings, error) {
	if g.settings != "" {
		return settings.Load(g.settings)
	}
	return settings.LoadDefault()
}

// commandSet is every command Execute knows, by name and in help's groups.
type commandSet struct {
	byName map[string]*Command
	groups map[string][]string // app ("gojango" for the framework) -> names
}

// commands gathers the framework's, the installed apps' and the project's
// commands; a later one with a name already taken replaces it, as an app's
// command overrides Django's.
func commands(p Project, installed []*apps.App) commandSet {
	cs := commandSet{byName: map[string]*Command{}, groups: map[string][]string{}}
	add := func(group string, c *Command) {
		if prev, ok := cs.byName[c.Name]; ok {
			g := groupOf(prev)
			cs.groups[g] = remove(cs.groups[g], c.Name)
		}
		cs.byName[c.Name] = c
		cs.groups[group] = append(cs.groups[group], c.Name)
	}
	for _, c := range builtin(p) {
		add("gojango", c)
	}
	for _, a := range installed {
		for _, c := range a.Commands {
			add(a.Name, c)
		}
	}
	for _, c := range p.Commands {
		if c.App == "" {
			c.App = "project"
		}
		add(c.App, c)
	}
	return cs
}

func groupOf(c *Command) string {
	if c.App == "" {
		return "gojango"
	}
	return c.App
}

func remove(list []string, s string) []string {
	out := list[:0:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
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
		fmt.Fprintln(out, "\nglobal options (every command):")
		fmt.Fprint(out, globalUsage)
	}
	return fs
}

// parseInterleaved parses fs's flags wherever they stand among the
// positional arguments (argparse's rule, which Django's commands follow)
// and returns the positional ones. "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// oneLine keeps an error to a single line of output.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", " ")), " ")
}
