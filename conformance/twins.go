package conformance

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gojango/conformance/gotwin"
)

// EnvDjangoDir names the directory getdjango.sh unpacked Django into.
const EnvDjangoDir = "GOJANGO_DJANGO_DIR"

// defaultDjangoDir is where getdjango.sh puts Django when EnvDjangoDir is
// unset, relative to this package's directory (git-ignored).
const defaultDjangoDir = ".django"

// errNoDjango means Django is not where the runner looks for it.
var errNoDjango = errors.New("Django 5.2.19 not found")

// djangoPath returns the PYTHONPATH of the unpacked Django, asgiref and
// sqlparse, or an error wrapping errNoDjango that says how to get them.
func djangoPath() (string, error) {
	dir := os.Getenv(EnvDjangoDir)
	if dir == "" {
		dir = defaultDjangoDir
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", dir, err)
	}
	parts := []string{filepath.Join(abs, "django"), filepath.Join(abs, "asgiref"), filepath.Join(abs, "sqlparse")}
	if _, err := os.Stat(filepath.Join(parts[0], "django", "__init__.py")); err != nil {
		return "", fmt.Errorf("%w in %s (%s=%q): run `bash conformance/getdjango.sh conformance/.django` from the repository root, or point %s at a directory it made",
			errNoDjango, abs, EnvDjangoDir, os.Getenv(EnvDjangoDir), EnvDjangoDir)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		return "", fmt.Errorf("%w: python3 is not on PATH: %v", errNoDjango, err)
	}
	return strings.Join(parts, string(os.PathListSeparator)), nil
}

// tail keeps the last bytes written to it (a server's stderr).
type tail struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// server is one twin in one mode, listening on Addr.
type server struct {
	Addr   string
	stderr *tail        // Django's stderr; nil for Go
	stop   func() error // ends the server
}

// Stderr is the tail of the server's stderr ("" for the Go twin).
func (s *server) Stderr() string {
	if s.stderr == nil {
		return ""
	}
	return s.stderr.String()
}

// freePort returns a loopback port nobody listens on right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startDjango runs the Django twin in mode with runserver on a free port
// and waits until it answers POST /_keys/. A port taken between choosing
// and binding it gets another try.
func startDjango(ctx context.Context, pythonPath, mode string) (*server, error) {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var s *server
		if s, err = startDjangoOnce(ctx, pythonPath, mode); err == nil {
			return s, nil
		}
		if !strings.Contains(err.Error(), "port is already in use") {
			break
		}
	}
	return nil, err
}

func startDjangoOnce(ctx context.Context, pythonPath, mode string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command("python3", "manage.py", "runserver", "--noreload", addr)
	cmd.Dir = "djangotwin"
	cmd.Env = append(os.Environ(),
		"PYTHONPATH="+pythonPath,
		"TWIN_MODE="+mode,
		"DJANGO_SETTINGS_MODULE=twin.settings",
		"PYTHONDONTWRITEBYTECODE=1", // no __pycache__ in the repository
		"PYTHONUNBUFFERED=1",
	)
	out := &tail{max: 64 << 10}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start Django twin (%s mode): %w", mode, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	s := &server{Addr: addr, stderr: out, stop: func() error {
		_ = cmd.Process.Kill()
		<-exited
		return nil
	}}
	deadline := time.Now().Add(djangoStartTimeout)
	for {
		resp, err := send(ctx, addr, Request{Method: http.MethodPost, Target: "/_keys/", Host: "localhost"})
		if err == nil && resp.Status == http.StatusOK {
			return s, nil
		}
		select {
		case werr := <-exited:
			exited <- werr
			return nil, fmt.Errorf("Django twin (%s mode) exited before it served: %v\n%s", mode, werr, out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = s.stop()
			return nil, fmt.Errorf("Django twin (%s mode) on %s not ready after %v (last try: %v)\n%s", mode, addr, djangoStartTimeout, err, out.String())
		}
	}
}

// djangoStartTimeout bounds runserver's start (system checks, imports).
const djangoStartTimeout = 60 * time.Second

// startGo serves the Go twin's handlers, one httptest server per mode.
func startGo() (map[string]*server, error) {
	handlers, err := gotwin.Handlers(nil)
	if err != nil {
		return nil, err
	}
	out := map[string]*server{}
	for mode, h := range handlers {
		ts := httptest.NewServer(h)
		out[mode] = &server{Addr: ts.Listener.Addr().String(), stop: func() error { ts.Close(); return nil }}
	}
	return out, nil
}
