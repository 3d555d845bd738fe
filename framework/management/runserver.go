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

	"gojango/framework/apps"
	"gojango/framework/middleware"
	"gojango/framework/settings"
)

// Handler builds the project's full handler, outermost first: the request
// log; under DEBUG the X-Cache header (middleware.XCache); the Site (error handlers, routes, DEBUG) in the context; Recover
// (a panic answers 500 and is logged with its stack); the error pages
// (Django's 404/400/403/500 instead of net/http's and chi's stock
// answers); ALLOWED_HOSTS; with METRICS, the metrics at METRICS_URL
// (framework/metrics, outside MIDDLEWARE so no page cache keeps them);
// then MIDDLEWARE in Django's order around the
// root URLconf. MIDDLEWARE may name the framework's middleware, the
// installed apps' and those in extra. runserver serves it; tests and
// custom servers can too.
func Handler(s *settings.Settings, p Project, logger *slog.Logger, extra map[string]middleware.Constructor) (http.Handler, error) {
	if p.URLConf == nil {
		return nil, errors.New("the project has no URLConf")
	}
	installed, err := apps.Installed(s)
	if err != nil {
		return nil, err
	}
	chain, err := projectMiddleware(s, installed, extra)
	if err != nil {
		return nil, err
	}
	root, err := p.URLConf(s)
	if err != nil {
		return nil, fmt.Errorf("urls: %w", err)
	}
	site := middleware.NewSite(s, root)
	site.Logger = logger
	site.Handler400, site.Handler403, site.Handler404, site.Handler500 = p.Handler400, p.Handler403, p.Handler404, p.Handler500
	site.CSRFFailure = p.CSRFFailure
	h := chain(root)
	if s.Metrics {
		if h, err = serveMetrics(s, root, h); err != nil {
			return nil, err
		}
	}
	h = middleware.AllowedHostsWithLogger(s.AllowedHosts, s.Debug, logger)(h)
	h = middleware.ErrorPages(h)
	h = middleware.Recover(h)
	h = site.Middleware(h)
	if s.Debug {
		h = middleware.XCache(h)
	}
	return middleware.RequestLogger(logger)(h), nil
}

// projectMiddleware builds MIDDLEWARE from the framework's middleware, the
// installed apps' and extra.
func projectMiddleware(s *settings.Settings, installed []*apps.App, extra map[string]middleware.Constructor) (func(http.Handler) http.Handler, error) {
	known := middleware.Builtin()
	fromApps, err := apps.Middleware(installed)
	if err != nil {
		return nil, err
	}
	for k, v := range fromApps {
		known[k] = v
	}
	for k, v := range extra {
		known[k] = v
	}
	return middleware.Chain(s, known)
}

func runserverCommand(p Project) *Command {
	var skipChecks *bool
	return &Command{
		Name:  "runserver",
		Usage: "[ADDR]",
		Short: "Runs the system checks, then serves the project (default 127.0.0.1:8000); Ctrl-C stops it gracefully.",
		Flags: func(fs *flag.FlagSet) {
			skipChecks = fs.Bool("skip-checks", false, "skip the system checks")
		},
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
			if !*skipChecks {
				if env.Verbosity > 0 {
					fmt.Fprintln(env.Stdout, "Performing system checks...")
				}
				issues := systemChecks(ctx, env, p)
				if err := reportChecks(env, issues, env.Verbosity > 0); err != nil {
					return err
				}
			}
			logger := slog.New(slog.NewTextHandler(env.Stderr, nil))
			h, err := Handler(env.Settings, p, logger, nil)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", addr, err)
			}
			srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError)}
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
