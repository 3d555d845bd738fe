package management

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"gojango/framework/apps"
)

// systemChecks runs every check that runserver and the other commands
// would otherwise fail on, as Django's check framework does: MIDDLEWARE
// (unknown names, the cache pair's order, a middleware's own settings),
// the root URLconf, every cache alias, and the installed apps' checks.
// INSTALLED_APPS and the settings themselves were checked by Execute.
func systemChecks(ctx context.Context, env *Env, p Project) []issue {
	var issues []issue
	installed, err := apps.Installed(env.Settings)
	if err != nil {
		return []issue{{ID: "apps.E001", Msg: oneLine(err)}}
	}
	if _, err := projectMiddleware(env.Settings, installed, nil); err != nil {
		issues = append(issues, issue{ID: "middleware.E001", Msg: oneLine(err), Hint: "MIDDLEWARE takes the framework's names, and those the installed apps register."})
	} else if p.URLConf != nil {
		if _, err := Handler(env.Settings, p, slog.New(slog.DiscardHandler), nil); err != nil {
			issues = append(issues, issue{ID: "urls.E001", Msg: oneLine(err)})
		}
	}
	for _, alias := range env.Caches.Aliases() {
		issues = append(issues, checkAlias(ctx, env, alias)...)
	}
	for _, a := range installed {
		for _, check := range a.Checks {
			issues = append(issues, check(ctx, env.Settings)...)
		}
	}
	return issues
}

// levels are Django's check levels, in the order it prints them.
var levels = []struct{ letter, name string }{
	{"C", "CRITICALS"}, {"E", "ERRORS"}, {"W", "WARNINGS"}, {"I", "INFOS"}, {"D", "DEBUGS"},
}

// systemCheckError is Django's SystemCheckError: a report with at least
// one error, printed as it is.
type systemCheckError struct{ report string }

func (e *systemCheckError) Error() string { return strings.TrimSpace(e.report) }

// reportChecks prints issues as Django's check command does: nothing but
// "System check identified no issues (0 silenced)." when there are none
// (if noIssuesLine), else a section per level and the count. It returns a
// *systemCheckError when one is an error or critical.
func reportChecks(env *Env, issues []issue, noIssuesLine bool) error {
	if len(issues) == 0 {
		if noIssuesLine {
			fmt.Fprintln(env.Stdout, "System check identified no issues (0 silenced).")
		}
		return nil
	}
	var b strings.Builder
	b.WriteString("System check identified some issues:\n")
	serious := false
	for _, l := range levels {
		first := true
		for _, is := range issues {
			if is.Level() != l.letter {
				continue
			}
			if first {
				fmt.Fprintf(&b, "\n%s:\n", l.name)
				first = false
			}
			serious = serious || is.Serious()
			obj := is.Obj
			if obj == "" {
				obj = "?"
			}
			fmt.Fprintf(&b, "%s: (%s) %s\n", obj, is.ID, is.Msg)
			if is.Hint != "" {
				fmt.Fprintf(&b, "\tHINT: %s\n", is.Hint)
			}
		}
	}
	n := "issue"
	if len(issues) > 1 {
		n = "issues"
	}
	fmt.Fprintf(&b, "\nSystem check identified %d %s (0 silenced).\n", len(issues), n)
	if serious {
		return &systemCheckError{report: b.String()}
	}
	var w io.Writer = env.Stderr
	fmt.Fprint(w, b.String())
	return nil
}
