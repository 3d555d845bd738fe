// Package redistest starts Redis topologies of a test's own on loopback
// ports with redis-server: one server, a Redis Cluster with replicas, or a
// primary with a replica and three sentinels. Each lives in the test's
// temporary directory and is stopped at the test's cleanup. Where
// redis-server is not installed the test is skipped, or failed when the CI
// environment variable is set.
package redistest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Require skips t (fails it when CI is set) when redis-server or redis-cli
// is not installed.
func Require(t testing.TB) {
	t.Helper()
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s not installed (CI is set): %v", bin, err)
			}
			t.Skipf("%s not installed: skipping a test that starts its own Redis", bin)
		}
	}
}

// Server is one redis-server process of the test's own.
type Server struct {
	t    testing.TB
	Port int
	dir  string
	args []string

	mu  sync.Mutex
	cmd *exec.Cmd
}

// FreePort returns a loopback TCP port that was free a moment ago; with bus
// set, port+10000 (a cluster node's bus port) was free too.
func FreePort(t testing.TB, bus bool) int {
	t.Helper()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		if !bus {
			return port
		}
		if port+10000 > 65535 {
			continue
		}
		if l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+10000)); err == nil {
			_ = l2.Close()
			return port
		}
	}
	t.Fatal("redistest: no free port pair")
	return 0
}

// Start runs redis-server on a free port with no persistence; extra are
// more command-line options ("--cluster-enabled", "yes", ...).
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	Require(t)
	bus := false
	for _, a := range extra {
		if a == "--cluster-enabled" {
			bus = true
		}
	}
	s := &Server{t: t, Port: FreePort(t, bus), dir: t.TempDir()}
	s.args = append([]string{"--port", strconv.Itoa(s.Port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir}, extra...)
	s.Restart()
	t.Cleanup(s.Kill)
	return s
}

// Addr is "127.0.0.1:port".
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.Port) }

// URL is "redis://127.0.0.1:port/db".
func (s *Server) URL(db int) string { return fmt.Sprintf("redis://%s/%d", s.Addr(), db) }

// Restart starts the server again (after Kill) with the same options and
// waits until it answers PING.
func (s *Server) Restart() {
	s.t.Helper()
	s.mu.Lock()
	s.cmd = exec.Command("redis-server", s.args...)
	s.cmd.Dir = s.dir
	err := s.cmd.Start()
	s.mu.Unlock()
	if err != nil {
		s.t.Fatalf("redistest: start redis-server on %d: %v", s.Port, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if out, err := s.Cli("PING"); err == nil && strings.TrimSpace(out) == "PONG" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("redistest: redis-server on %d did not answer PING within 10s", s.Port)
}

// Kill stops the server at once (SIGKILL), as a crash would.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
	s.cmd = nil
}

// Cli runs redis-cli against the server and returns its output.
func (s *Server) Cli(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "redis-cli", append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(s.Port)}, args...)...).CombinedOutput()
	return string(out), err
}

// info returns the fields of INFO section (or CLUSTER INFO with cluster set).
func (s *Server) info(args ...string) map[string]string {
	out, err := s.Cli(args...)
	m := map[string]string{}
	if err != nil {
		return m
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":"); ok {
			m[k] = v
		}
	}
	return m
}

// waitFor polls cond every 50ms for up to d.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("redistest: %s not within %v", what, d)
}

// Cluster is a Redis Cluster of the test's own: Nodes[:Primaries] start as
// primaries, each followed by its replicas.
type Cluster struct {
	Nodes     []*Server
	Primaries int
}

// NodeTimeout is the cluster-node-timeout of StartCluster's nodes: a dead
// primary is failed over about one to two of these after it dies.
const NodeTimeout = 1000 * time.Millisecond

// StartCluster starts primaries×(1+replicas) nodes and joins them with
// redis-cli --cluster create, then waits until every node reports
// cluster_state:ok and every replica is in sync.
func StartCluster(t testing.TB, primaries, replicas int) *Cluster {
	t.Helper()
	Require(t)
	n := primaries * (1 + replicas)
	c := &Cluster{Primaries: primaries}
	args := []string{"--cluster", "create"}
	for range n {
		s := Start(t, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", strconv.Itoa(int(NodeTimeout/time.Millisecond)),
			"--cluster-replica-validity-factor", "0")
		c.Nodes = append(c.Nodes, s)
		args = append(args, s.Addr())
	}
	args = append(args, "--cluster-replicas", strconv.Itoa(replicas), "--cluster-yes")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput(); err != nil {
		t.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	waitFor(t, 20*time.Second, "cluster_state:ok on every node", func() bool {
		for _, s := range c.Nodes {
			if s.info("CLUSTER", "INFO")["cluster_state"] != "ok" {
				return false
			}
		}
		return true
	})
	waitFor(t, 20*time.Second, "replicas in sync", func() bool {
		for _, s := range c.Nodes {
			r := s.info("INFO", "replication")
			if r["role"] == "slave" && r["master_link_status"] != "up" {
				return false
			}
		}
		return true
	})
	return c
}

// URLs are the seed URLs of every node.
func (c *Cluster) URLs() []string {
	out := make([]string, len(c.Nodes))
	for i, s := range c.Nodes {
		out[i] = s.URL(0)
	}
	return out
}

// PrimaryOf returns the node that serves key's slot now.
func (c *Cluster) PrimaryOf(t testing.TB, key string) *Server {
	t.Helper()
	for _, s := range c.Nodes {
		out, err := s.Cli("CLUSTER", "KEYSLOT", key)
		if err != nil {
			continue
		}
		slot, err := strconv.Atoi(strings.TrimSpace(out))
		if err != nil {
			continue
		}
		nodes, err := s.Cli("CLUSTER", "NODES")
		if err != nil {
			continue
		}
		for _, line := range strings.Split(nodes, "\n") {
			f := strings.Fields(line)
			if len(f) < 9 || !strings.Contains(f[2], "master") || strings.Contains(f[2], "fail") {
				continue
			}
			for _, r := range f[8:] {
				lo, hi, _ := strings.Cut(r, "-")
				a, err1 := strconv.Atoi(lo)
				b, err2 := strconv.Atoi(hi)
				if hi == "" {
					b, err2 = a, nil
				}
				if err1 == nil && err2 == nil && a <= slot && slot <= b {
					addr, _, _ := strings.Cut(f[1], "@")
					for _, n := range c.Nodes {
						if n.Addr() == addr {
							return n
						}
					}
				}
			}
		}
		break
	}
	t.Fatalf("redistest: no primary found for %q", key)
	return nil
}

// Sentinel is a primary, a replica and three sentinels watching them under
// the master name Master.
type Sentinel struct {
	Primary, Replica *Server
	Sentinels        []*Server
	Master           string
}

// DownAfter is the sentinels' down-after-milliseconds: a dead primary is
// failed over a little after it.
const DownAfter = 1000 * time.Millisecond

// StartSentinel starts the primary, the replica and three sentinels
// (quorum 2) and waits until the sentinels know the replica and each other.
func StartSentinel(t testing.TB) *Sentinel {
	t.Helper()
	Require(t)
	st := &Sentinel{Master: "gojango-test", Primary: Start(t)}
	st.Replica = Start(t, "--replicaof", "127.0.0.1", strconv.Itoa(st.Primary.Port))
	waitFor(t, 10*time.Second, "replica in sync", func() bool {
		return st.Replica.info("INFO", "replication")["master_link_status"] == "up"
	})
	for range 3 {
		dir := t.TempDir()
		port := FreePort(t, false)
		conf := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\n"+
			"sentinel monitor %s 127.0.0.1 %d 2\n"+
			"sentinel down-after-milliseconds %s %d\n"+
			"sentinel failover-timeout %s 5000\n"+
			"sentinel parallel-syncs %s 1\n",
			port, dir, st.Master, st.Primary.Port, st.Master, DownAfter/time.Millisecond, st.Master, st.Master)
		path := filepath.Join(dir, "sentinel.conf")
		if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		s := &Server{t: t, Port: port, dir: dir, args: []string{path, "--sentinel"}}
		s.Restart()
		t.Cleanup(s.Kill)
		st.Sentinels = append(st.Sentinels, s)
	}
	waitFor(t, 20*time.Second, "sentinels know the replica and each other", func() bool {
		for _, s := range st.Sentinels {
			m := s.info("INFO", "sentinel")
			if !strings.Contains(m["master0"], "slaves=1,sentinels=3") {
				return false
			}
		}
		return true
	})
	return st
}

// Addrs are the sentinels' "host:port" addresses.
func (st *Sentinel) Addrs() []string {
	out := make([]string, len(st.Sentinels))
	for i, s := range st.Sentinels {
		out[i] = s.Addr()
	}
	return out
}

// CurrentPrimary asks the first sentinel that answers which address is the
// primary now.
func (st *Sentinel) CurrentPrimary() string {
	for _, s := range st.Sentinels {
		out, err := s.Cli("SENTINEL", "get-master-addr-by-name", st.Master)
		if f := strings.Fields(out); err == nil && len(f) == 2 {
			return f[0] + ":" + f[1]
		}
	}
	return ""
}
