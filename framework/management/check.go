package management

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"gojango/framework/cache/backends/db"
)

type issue struct {
	id, msg, hint string
}

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
			fmt.Fprintln(env.Stderr, "System check identified some issues:\n\nERRORS:")
			for _, is := range issues {
				fmt.Fprintf(env.Stderr, "?: (%s) %s\n", is.id, is.msg)
				if is.hint != "" {
					fmt.Fprintf(env.Stderr, "\tHINT: %s\n", is.hint)
				}
			}
			n := "issue"
			if len(issues) > 1 {
				n = "issues"
			}
			return fmt.Errorf("System check identified %d %s (0 silenced).", len(issues), n)
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
		return nil
	}
	if _, err := st.Has(ctx, c.MakeKey("gojango-check")); err != nil {
		return []issue{{id: "caches.E003", msg: fmt.Sprintf("The '%s' cache could not be reached: %v", alias, err), hint: "Is the server at LOCATION running?"}}
	}
	return nil
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
