package memcached

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// memcachedBinary returns the memcached executable, skipping the test when
// it is missing (failing instead when env CI is set).
func memcachedBinary(tb testing.TB) string {
	tb.Helper()
	path, err := exec.LookPath("memcached")
	if err != nil {
		msg := fmt.Sprintf("memcached binary not found on PATH (install it: apt-get install -y memcached): %v", err)
		if os.Getenv("CI") != "" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return path
}

// startMemcached starts a private memcached on a free 127.0.0.1 port and
// returns its "host:port". The server is stopped when the test ends.
func startMemcached(tb testing.TB, extra ...string) string {
	tb.Helper()
	bin := memcachedBinary(tb)
	var lastErr error
	for range 5 { // a free port can be taken between probing and binding: retry
		port, err := freePort()
		if err != nil {
			tb.Fatalf("find a free port: %v", err)
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		args := append([]string{"-l", "127.0.0.1", "-p", strconv.Itoa(port), "-U", "0"}, extra...)
		if err := runMemcached(tb, bin, args, "tcp", addr); err != nil {
			lastErr = err
			continue
		}
		return addr
	}
	tb.Fatalf("start memcached: %v", lastErr)
	return ""
}

// startMemcachedUnix starts a private memcached listening on a Unix socket
// only and returns the socket path.
func startMemcachedUnix(tb testing.TB) string {
	tb.Helper()
	bin := memcachedBinary(tb)
	dir, err := os.MkdirTemp("", "mc") // short: socket paths are limited to ~100 bytes
	if err != nil {
		tb.Fatalf("temp dir: %v", err)
	}
	tb.Cleanup(func() { _ = os.RemoveAll(dir) })
	sock := filepath.Join(dir, "memcached.sock")
	if err := runMemcached(tb, bin, []string{"-s", sock, "-U", "0"}, "unix", sock); err != nil {
		tb.Fatalf("start memcached on %s: %v", sock, err)
	}
	return sock
}

// runMemcached starts bin with args, waits until it accepts connections on
// network/addr, and registers its stop with tb.Cleanup.
func runMemcached(tb testing.TB, bin string, args []string, network, addr string) error {
	tb.Helper()
	if os.Geteuid() == 0 {
		args = append(args, "-u", "root") // memcached refuses to run as root without -u
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout(network, addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			break
		}
		select {
		case werr := <-exited:
			return fmt.Errorf("memcached %v exited: %v: %s", args, werr, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-exited
			return fmt.Errorf("memcached %v not accepting on %s after 10s: %v", args, addr, err)
		}
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// serverTTL asks the server for key's remaining TTL with a meta get
// ("mg <key> t"): -1 means no expiry; ok is false on a miss.
func serverTTL(tb testing.TB, network, addr, key string) (ttl int64, ok bool) {
	tb.Helper()
	c, err := net.DialTimeout(network, addr, 2*time.Second)
	if err != nil {
		tb.Fatalf("dial %s: %v", addr, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := fmt.Fprintf(c, "mg %s t\r\n", key); err != nil {
		tb.Fatalf("mg %s: %v", key, err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		tb.Fatalf("mg %s: %v", key, err)
	}
	if line == "EN\r\n" {
		return 0, false
	}
	for _, f := range strings.Fields(line)[1:] {
		if strings.HasPrefix(f, "t") {
			n, err := strconv.ParseInt(f[1:], 10, 64)
			if err != nil {
				tb.Fatalf("mg %s: bad reply %q", key, line)
			}
			return n, true
		}
	}
	tb.Fatalf("mg %s: no TTL in reply %q", key, line)
	return 0, false
}
