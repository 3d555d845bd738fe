package management

import (
	"context"
	"flag"
	"fmt"

	"gojango/framework/cache"
)

// invalidateTagsCommand is `go run . invalidatetags TAG...` (beyond
// Django): cache.InvalidateTags in the aliases given with --cache, or in
// every configured alias.
func invalidateTagsCommand() *Command {
	var alias *string
	return &Command{
		Name:  "invalidatetags",
		Usage: "TAG...",
		Short: "Makes every page, fragment and entry tagged with any of the tags a miss (beyond Django).",
		Flags: func(fs *flag.FlagSet) {
			alias = fs.String("cache", "", "cache alias (default: every alias)")
		},
		Run: func(ctx context.Context, env *Env, _ *flag.FlagSet, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("%w: give at least one tag, e.g. article:42", errUsage)
			}
			aliases := env.Caches.Aliases()
			if *alias != "" {
				aliases = []string{*alias}
			}
			for _, a := range aliases {
				c, err := env.Caches.Cache(a)
				if err != nil {
					return err
				}
				if err := cache.InvalidateTags(ctx, c, args...); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "Invalidated %d tag(s) in cache '%s'.\n", len(args), a)
			}
			return nil
		},
	}
}
