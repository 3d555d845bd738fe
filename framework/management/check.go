package management

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gojango/framework/cache/backends/db"
)

// issue is one system check message. Its level is given by its id, as in
// Django: caches.E... is an error, caches.W... a warning.
type issue struct {
	id, msg, hint string
}

// levels are Django's check levels, in the order it prints them, with the
// letter of the ids at each level.
var levels = []struct{ letter, name string }{
	{"C", "CRITICALS"}, {"E", "ERRORS"}, {"W", "WARNINGS"}, {"I", "INFOS"}, {"D", "DEBUGS"},
}

// level is the letter after the dot of an issue's id ("E" for caches.E004);
// an id without a known letter counts as an error.
func (is issue) level() string {
	_, code, _ := strings.Cut(is.id, ".")
	for _, l := range levels {
		if strings.HasPrefix(code, l.letter) {
			return l.letter
		}
	}
	return "E"
}

// serious reports an error or a critical: those make the command fail;
// warnings alone do not (Django's check exits 0 on warnings).
func (is issue) serious() bool { return is.level() == "E" || is.level() == "C" }

func checkCommand() *Command {
	return &Command{
		Name:  "check",
		Short: "Loads the settings and opens every cache alias; reports problems with a hint.",
		Run: func(ctx context.Context, env *Env, _ *flag.FlagSet, _ []string) error {
			var issues []issue
			for _, alias := range env.Caches.Aliases() {
				issues = append(issues, checkAlias(ctx, env, alias)...)
			}
			if len(issues) == 0 {
				fmt.Fprintln(env.Stdout, "System check identified no issues (0 silenced).")
				return nil
			}
			// Django's layout: the header, one section a level, the count.
			fmt.Fprint(env.Stderr, "System check identified some issues:\n")
			serious := false
			for _, l := range levels {
				first := true
				for _, is := range issues {
					if is.level() != l.letter {
						continue
					}
					if first {
						fmt.Fprintf(env.Stderr, "\n%s:\n", l.name)
						first = false
					}
					serious = serious || is.serious()
					fmt.Fprintf(env.Stderr, "?: (%s) %s\n", is.id, is.msg)
					if is.hint != "" {
						fmt.Fprintf(env.Stderr, "\tHINT: %s\n", is.hint)
					}
				}
			}
			n := "issue"
			if len(issues) > 1 {
				n = "issues"
			}
			summary := fmt.Sprintf("System check identified %d %s (0 silenced).", len(issues), n)
			if serious {
				return errors.New(summary)
			}
			fmt.Fprintf(env.Stderr, "\n%s\n", summary)
			return nil
		},
	}
}

func checkAlias(ctx context.Context, env *Env, alias string) []issue {
	c, err := env.Caches.Cache(alias)
	if err != nil {
		return []issue{{id: "caches.E000", msg: err.Error()}}
	}
	cfg := env.Settings.Caches[alias]
	if c.Backend() == "file" {
		if is := checkFileLocation(env, alias, cfg.Location); is != nil {
			return []issue{*is}
		}
	}
	st, err := c.Store()
	if err != nil {
		return []issue{{id: "caches.E003", msg: fmt.Sprintf("The '%s' cache could not be opened: %v", alias, err), hint: "Check BACKEND, LOCATION and OPTIONS of CACHES." + alias + "."}}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if ds, ok := st.(*db.Store); ok {
		exists, err := ds.TableExists(ctx)
		if err != nil {
			return []issue{{id: "caches.E003", msg: fmt.Sprintf("The '%s' cache's database could not be reached: %v", alias, err), hint: "Check DATABASES." + ds.Database() + "."}}
		}
		if !exists {
			return []issue{{id: "caches.E004", msg: fmt.Sprintf("The '%s' cache's table '%s' does not exist.", alias, ds.Table()), hint: "Run `go run . createcachetable`."}}
		}
		p, err := ds.CheckKeyColumn(ctx)
		if err != nil {
			return []issue{{id: "caches.E003", msg: fmt.Sprintf("The '%s' cache's table could not be inspected: %v", alias, err), hint: "Check DATABASES." + ds.Database() + "."}}
		}
		if p != nil {
			return []issue{keyColumnIssue(alias, ds.Table(), ds.Database(), p)}
		}
		return nil
	}
	if _, err := st.Has(ctx, c.MakeKey("gojango-check")); err != nil {
		return []issue{{id: "caches.E003", msg: fmt.Sprintf("The '%s' cache could not be reached: %v", alias, err), hint: "Is the server at LOCATION running?"}}
	}
	return nil
}

// keyColumnIssue is caches.W010: a MySQL/MariaDB cache table made with
// Django's DDL, whose cache_key compares by a collation (case- and
// accent-insensitive, trailing spaces ignored), so distinct keys share one
// row and one user's entry can be served to another.
func keyColumnIssue(alias, table, database string, p *db.KeyColumnProblem) issue {
	how := "type " + p.Type
	if p.Collation != "" {
		how += " and collation " + p.Collation
	}
	return issue{
		id: "caches.W010",
		msg: fmt.Sprintf("The '%s' cache's table '%s' has a cache_key column of %s, which does not compare keys byte for byte: "+
			"distinct keys (differing in case, accents or trailing spaces, as the collation goes) can share one entry, "+
			"so one user's cached data can reach another.", alias, table, how),
		hint: fmt.Sprintf("Run on the '%s' database: %s", database, p.Fix),
	}
}

// checkFileLocation reports a file cache LOCATION that cannot be written:
// an existing directory must accept a new file, a missing one must be
// creatable under its nearest existing parent.
func checkFileLocation(env *Env, alias, loc string) *issue {
	dir := loc
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(env.Settings.BaseDir, dir)
	}
	probe := dir
	for {
		fi, err := os.Stat(probe)
		if err == nil {
			if !fi.IsDir() {
				return &issue{id: "caches.E005", msg: fmt.Sprintf("The '%s' cache LOCATION %s is not a directory (%s is a file).", alias, dir, probe), hint: "Point LOCATION at a directory."}
			}
			break
		}
		parent := filepath.Dir(probe)
		if parent == probe {
			break
		}
		probe = parent
	}
	f, err := os.CreateTemp(probe, ".gojango-check-*")
	if err != nil {
		return &issue{id: "caches.E005", msg: fmt.Sprintf("The '%s' cache LOCATION %s is not writable: %v", alias, dir, err), hint: "Give the server's user write access to that directory, or choose another LOCATION."}
	}
	name := f.Name()
	_ = f.Close()
	_ = os.Remove(name)
	return nil
}
