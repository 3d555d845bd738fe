package management

import (
	"context"
	"flag"
	"fmt"

	"gojango/framework/cache"
)

func expirePageCommand() *Command {
	var alias, prefix *string
	return &Command{
		Name:  "expirepage",
		Usage: "URL...",
		Short: "Removes every cached variant of the pages at the absolute URLs given.",
		Flags: func(fs *flag.FlagSet) {
			alias = fs.String("cache", "", "cache alias (default: both CACHE_MIDDLEWARE_ALIAS and \"default\")")
			prefix = fs.String("key-prefix", "", "page key prefix (default: both CACHE_MIDDLEWARE_KEY_PREFIX and \"\")")
		},
		Run: func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("%w: give at least one URL, e.g. http://127.0.0.1:8000/articles/", errUsage)
			}
			set := map[string]bool{}
			fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
			type target struct{ alias, prefix string }
			var targets []target
			if set["cache"] || set["key-prefix"] {
				targets = []target{{*alias, *prefix}}
				if !set["cache"] {
					targets[0].alias = "default"
				}
			} else {
				targets = []target{{env.Settings.CacheMiddlewareAlias, env.Settings.CacheMiddlewareKeyPrefix}}
				if targets[0] != (target{"default", ""}) {
					targets = append(targets, target{"default", ""})
				}
			}
			for _, u := range args {
				total := 0
				for _, t := range targets {
					c, err := env.Caches.Cache(t.alias)
					if err != nil {
						return err
					}
					n, err := cache.ExpirePage(ctx, c, t.prefix, u)
					if err != nil {
						return err
					}
					total += n
				}
				fmt.Fprintf(env.Stdout, "Expired %s: %d cache entries removed.\n", u, total)
			}
			return nil
		},
	}
}
