package memcached

import (
	"errors"
	"fmt"
	"hash/crc32"
	"net"
	"strconv"
	"strings"

	"github.com/bradfitz/gomemcache/memcache"
)

// defaultPort is memcached's port, used for a LOCATION host given without one
// (as pymemcache does).
const defaultPort = "11211"

// parseLocations turns LOCATION into server addresses. Each part may hold
// several servers separated by ',' or ';' (Django splits on "[;,]"); a
// "unix:" prefix is stripped (PyLibMCCache and pymemcache both do) and any
// part containing '/' is a Unix socket path. A TCP host without a port gets
// 11211. Nothing is resolved or dialed here.
func parseLocations(parts []string) ([]server, error) {
	var servers []server
	for _, part := range parts {
		for _, s := range strings.FieldsFunc(part, func(r rune) bool { return r == ',' || r == ';' }) {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			srv, err := parseServer(s)
			if err != nil {
				return nil, err
			}
			servers = append(servers, srv)
		}
	}
	if len(servers) == 0 {
		return nil, errors.New(`LOCATION is empty: want "host:port", "unix:/path", or several separated by ',' or ';'`)
	}
	return servers, nil
}

func parseServer(s string) (server, error) {
	if path, ok := strings.CutPrefix(s, "unix:"); ok || strings.Contains(s, "/") {
		if !ok {
			path = s
		}
		if path == "" {
			return server{}, fmt.Errorf("LOCATION %q: empty unix socket path", s)
		}
		return server{network: "unix", address: path}, nil
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		var ae *net.AddrError
		if errors.As(err, &ae) && ae.Err == "missing port in address" {
			host, port = strings.Trim(s, "[]"), defaultPort
		} else {
			return server{}, fmt.Errorf("LOCATION %q: %w", s, err)
		}
	}
	if host == "" {
		return server{}, fmt.Errorf("LOCATION %q: missing host", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return server{}, fmt.Errorf("LOCATION %q: invalid port %q", s, port)
	}
	return server{network: "tcp", address: net.JoinHostPort(host, port)}, nil
}

// server is one memcached address. It implements net.Addr without resolving
// the host name: the dialer resolves it on each connect, so New never does
// DNS (which can hang) and a server whose name appears later still works.
type server struct {
	network string // "tcp" or "unix"
	address string
}

func (s *server) Network() string { return s.network }
func (s *server) String() string  { return s.address }

// selector spreads keys over the servers exactly as gomemcache's ServerList
// does (crc32 of the key modulo the server count), so keys land on the same
// server as with any other gomemcache client given the same list, but it
// keeps the unresolved addresses. It is immutable, so safe for concurrent use.
type selector struct {
	addrs      []net.Addr
	rendezvous bool // pymemcache's HashClient rule (rendezvous.go), under pickle
}

var _ memcache.ServerSelector = (*selector)(nil)

func newSelector(servers []server) *selector {
	addrs := make([]net.Addr, len(servers))
	for i := range servers {
		addrs[i] = &servers[i]
	}
	return &selector{addrs: addrs}
}

// PickServer returns the server that holds key.
func (s *selector) PickServer(key string) (net.Addr, error) {
	switch len(s.addrs) {
	case 0:
		return nil, memcache.ErrNoServers
	case 1:
		return s.addrs[0], nil
	}
	if s.rendezvous {
		return pickRendezvous(s.addrs, key), nil
	}
	// ServerList hashes at most the first 256 bytes of the key.
	if len(key) > 256 {
		key = key[:256]
	}
	cs := crc32.ChecksumIEEE([]byte(key))
	return s.addrs[cs%uint32(len(s.addrs))], nil
}

// Each calls f for every server, stopping at the first error.
func (s *selector) Each(f func(net.Addr) error) error {
	for _, a := range s.addrs {
		if err := f(a); err != nil {
			return err
		}
	}
	return nil
}
