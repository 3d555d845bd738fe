package management

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"gojango/framework/apps"
	"gojango/framework/cache"
	"gojango/framework/cache/backends/db"
)

// issue is one system check message (apps.Message).
type issue = apps.Message

func checkCommand(p Project) *Command {
	return &Command{
		Name:  "check",
		Short: "Runs the system checks: settings, MIDDLEWARE, INSTALLED_APPS, URLs, every cache alias, the apps' checks.",
		Run: func(ctx context.Context, env *Env, _ *flag.FlagSet, _ []string) error {
			return reportChecks(env, systemChecks(ctx, env, p), true)
		},
	}
}

func checkAlias(ctx context.Context, env *Env, alias string) []issue {
	c, err := env.Caches.Cache(alias)
	if err != nil {
		return []issue{{ID: "caches.E000", Msg: err.Error()}}
	}
	cfg := env.Settings.Caches[alias]
	var warnings []issue
	if c.Backend() == "file" {
		if is := checkFileLocation(env, alias, cfg.Location); is != nil {
			return []issue{*is}
		}
		if !filepath.IsAbs(cfg.Location) {
			// Django's caches.W003, on LOCATION as written.
			warnings = append(warnings, issue{ID: "caches.W003",
				Msg:  fmt.Sprintf("Your '%s' cache LOCATION path is relative. Use an absolute path instead.", alias),
				Hint: "gojango resolves it against the settings file's directory (" + filepath.Join(env.Settings.BaseDir, cfg.Location) + "), Django against the working directory."})
		}
	}
	return append(warnings, checkStore(ctx, c, alias)...)
}

// checkStore opens the alias's store and reports what stops it working.
func checkStore(ctx context.Context, c *cache.Cache, alias string) []issue {
	st, err := c.Store()
	if err != nil {
		return []issue{{ID: "caches.E003", Msg: fmt.Sprintf("The '%s' cache could not be opened: %v", alias, err), Hint: "Check BACKEND, LOCATION and OPTIONS of CACHES." + alias + "."}}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if ds, ok := st.(*db.Store); ok {
		exists, err := ds.TableExists(ctx)
		if err != nil {
			return []issue{{ID: "caches.E003", Msg: fmt.Sprintf("The '%s' cache's database could not be reached: %v", alias, err), Hint: "Check DATABASES." + ds.Database() + "."}}
		}
		if !exists {
			return []issue{{ID: "caches.E004", Msg: fmt.Sprintf("The '%s' cache's table '%s' does not exist.", alias, ds.Table()), Hint: "Run `go run . createcachetable`."}}
		}
		p, err := ds.CheckKeyColumn(ctx)
		if err != nil {
			return []issue{{ID: "caches.E003", Msg: fmt.Sprintf("The '%s' cache's table could not be inspected: %v", alias, err), Hint: "Check DATABASES." + ds.Database() + "."}}
		}
		if p != nil {
			return []issue{keyColumnIssue(alias, ds.Table(), ds.Database(), p)}
		}
		return nil
	}
	if _, err := st.Has(ctx, c.MakeKey("gojango-check")); err != nil {
		return []issue{{ID: "caches.E003", Msg: fmt.Sprintf("The '%s' cache could not be reached: %v", alias, err), Hint: "Is the server at LOCATION running?"}}
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
		ID: "caches.W010",
		Msg: fmt.Sprintf("The '%s' cache's table '%s' has a cache_key column of %s, which does not compare keys byte for byte: "+
			"distinct keys (differing in case, accents or trailing spaces, as the collation goes) can share one entry, "+
			"so one user's cached data can reach another.", alias, table, how),
		Hint: fmt.Sprintf("Run on the '%s' database: %s", database, p.Fix),
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
				return &issue{ID: "caches.E005", Msg: fmt.Sprintf("The '%s' cache LOCATION %s is not a directory (%s is a file).", alias, dir, probe), Hint: "Point LOCATION at a directory."}
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
		return &issue{ID: "caches.E005", Msg: fmt.Sprintf("The '%s' cache LOCATION %s is not writable: %v", alias, dir, err), Hint: "Give the server's user write access to that directory, or choose another LOCATION."}
	}
	name := f.Name()
	_ = f.Close()
	_ = os.Remove(name)
	return nil
}
