package management

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"gojango/framework/middleware"
	"gojango/framework/settings"
)

// Handler builds the project's full handler: the request log and
// ALLOWED_HOSTS outermost, then MIDDLEWARE in Django's order around the
// root URLconf. runserver serves it; tests and custom servers can too.
func Handler(s *settings.Settings, p Project, logger *slog.Logger, extra map[string]middleware.Constructor) (http.Handler, error) {
	if p.URLConf == nil {
		return nil, errors.New("the project has no URLConf")
	}
	root, err := p.URLConf(s)
	if err != nil {
		return nil, fmt.Errorf("urls: %w", err)
	}
	known := middleware.Builtin()
	for k, v := range extra {
		known[k] = v
	}
	chain, err := middleware.Chain(s, known)
	if err != nil {
		return nil, err
	}
	h := chain(root)
	h = middleware.AllowedHostsWithLogger(s.AllowedHosts, s.Debug, logger)(h)
	return middleware.RequestLogger(logger)(h), nil
}

func runserverCommand() *Command {
	return &Command{
		Name:  "runserver",
		Usage: "[ADDR]",
		Short: "Serves the project (default 127.0.0.1:8000); Ctrl-C stops it gracefully.",
		Run: func(ctx context.Context, env *Env, _ *flag.FlagSet, args []string) error {
			addr := "127.0.0.1:8000"
			switch len(args) {
			case 0:
			case 1:
				addr = args[0]
				if _, _, err := net.SplitHostPort(addr); err != nil {
					addr = "127.0.0.1:" + addr // Django accepts a bare port
				}
			default:
				return fmt.Errorf("%w: runserver takes at most one address", errUsage)
			}
			logger := slog.New(slog.NewTextHandler(env.Stderr, nil))
			h, err := Handler(env.Settings, env.Project, logger, nil)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", addr, err)
			}
			srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
			ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
			defer stop()
			fmt.Fprintf(env.Stdout, "Starting development server at http://%s/\nQuit the server with CONTROL-C.\n", ln.Addr())
			errc := make(chan error, 1)
			go func() { errc <- srv.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(shutdown); err != nil {
				return fmt.Errorf("shutdown: %w", err)
			}
			fmt.Fprintln(env.Stdout, "Server stopped.")
			return nil
		},
	}
}
