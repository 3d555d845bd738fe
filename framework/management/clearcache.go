package management

import (
	"context"
	"flag"
	"fmt"
)

func clearCacheCommand() *Command {
	return &Command{
		Name:  "clearcache",
		Usage: "[ALIAS...]",
		Short: "Clears the named cache aliases (every alias when none is named).",
		Run: func(ctx context.Context, env *Env, _ *flag.FlagSet, args []string) error {
			aliases := args
			if len(aliases) == 0 {
				aliases = env.Caches.Aliases()
			}
			for _, a := range aliases {
				c, err := env.Caches.Cache(a)
				if err != nil {
					return err
				}
				if err := c.Clear(ctx); err != nil {
					return fmt.Errorf("clear %q: %w", a, err)
				}
				fmt.Fprintf(env.Stdout, "Cleared cache '%s'.\n", a)
			}
			return nil
		},
	}
}
