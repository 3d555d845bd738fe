package management

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"gojango/framework/cache/backends/db"
)

func createCacheTableCommand() *Command {
	var database *string
	var dryRun *bool
	return &Command{
		Name:  "createcachetable",
		Short: "Creates the cache tables of the db cache aliases (Django's schema).",
		Flags: func(fs *flag.FlagSet) {
			database = fs.String("database", "default", "the DATABASES alias whose cache tables to create")
			dryRun = fs.Bool("dry-run", false, "print the SQL instead of running it")
		},
		Run: func(ctx context.Context, env *Env, _ *flag.FlagSet, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("%w: unexpected arguments %s", errUsage, strings.Join(args, " "))
			}
			if _, ok := env.Settings.Databases[*database]; !ok {
				return fmt.Errorf("unknown database %q (DATABASES has %s)", *database, strings.Join(keys(env.Settings.Databases), ", "))
			}
			done := map[string]bool{}
			for _, alias := range env.Caches.Aliases() {
				c, err := env.Caches.Cache(alias)
				if err != nil {
					return err
				}
				if c.Backend() != "db" {
					continue
				}
				st, err := c.Store()
				if err != nil {
					return err
				}
				ds, ok := st.(*db.Store)
				if !ok || ds.Database() != *database {
					continue
				}
				if done[ds.Table()] {
					fmt.Fprintf(env.Stdout, "Cache table '%s' already exists.\n", ds.Table())
					continue
				}
				done[ds.Table()] = true
				created, stmts, err := ds.CreateTable(ctx, *dryRun)
				if err != nil {
					return err // already Django's "Cache table '<t>' could not be created. The error was: ..."

				}
				switch {
				case *dryRun && len(stmts) > 0:
					fmt.Fprintln(env.Stdout, strings.Join(stmts, "\n"))
				case !created:
					fmt.Fprintf(env.Stdout, "Cache table '%s' already exists.\n", ds.Table())
				default:
					fmt.Fprintf(env.Stdout, "Cache table '%s' created.\n", ds.Table())
				}
			}
			return nil
		},
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
