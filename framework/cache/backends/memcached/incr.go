package memcached

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/bradfitz/gomemcache/memcache"

	"gojango/framework/cache"
)

// maxCASAttempts bounds the read-modify-write retries of a contended
// negative counter.
const maxCASAttempts = 32

// maxIntLen is the longest decimal int64 ("-9223372036854775808").
const maxIntLen = 20

func notFound(key string) error {
	return fmt.Errorf("memcached incr: Key '%s' not found: %w", key, cache.ErrNotFound)
}

func notInteger(key string, v []byte, size int) error {
	if size > maxIntLen {
		return fmt.Errorf("memcached incr %q: %d-byte value: %w", key, size, cache.ErrNotInteger)
	}
	return fmt.Errorf("memcached incr %q: value %q: %w", key, v, cache.ErrNotInteger)
}

// Incr adds delta to the counter at key with memcached's incr (delta >= 0)
// or decr (delta < 0); the server keeps the expiry. Memcached counters are
// unsigned 64-bit: decr stops at 0 instead of going negative (as with
// Django's memcached backends). A value memcached cannot count with (it
// answers "non-numeric value") is re-read: a negative integer is updated by
// a compare-and-swap read-modify-write that keeps the expiry, anything else
// is cache.ErrNotInteger. A missing key is cache.ErrNotFound.
func (s *Store) Incr(ctx context.Context, key string, delta int64) (int64, error) {
	if err := check(ctx, "incr", key); err != nil {
		return 0, err
	}
	var n uint64
	var err error
	if delta >= 0 {
		n, err = s.client.Increment(key, uint64(delta))
	} else {
		// uint64(-delta) is the magnitude even for math.MinInt64.
		n, err = s.client.Decrement(key, uint64(-delta))
	}
	switch {
	case err == nil:
		if n > math.MaxInt64 {
			// Only an incr can get here: undo it rather than leave a value
			// no int64 reader can parse.
			oerr := fmt.Errorf("memcached incr %q: %w", key, cache.IncrOverflow(int64(n-uint64(delta)), delta))
			if _, uerr := s.client.Decrement(key, uint64(delta)); uerr != nil {
				return 0, errors.Join(oerr, wrap("decr", key, uerr))
			}
			return 0, oerr
		}
		return int64(n), nil
	case errors.Is(err, memcache.ErrCacheMiss):
		return 0, notFound(key)
	case strings.Contains(err.Error(), "non-numeric"):
		return s.incrCAS(ctx, key, delta)
	default:
		return 0, wrap("incr", key, err)
	}
}

// incrCAS is the read-modify-write Incr for values memcached's incr refuses
// (negative integers). On its own connection to the key's server it reads
// value, remaining TTL and CAS id in one meta get ("mg <key> v t c f",
// memcached >= 1.6), then writes the new value with the classic cas command
// and that TTL, retrying when another client changed the key in between.
func (s *Store) incrCAS(ctx context.Context, key string, delta int64) (int64, error) {
	addr, err := s.sel.PickServer(key)
	if err != nil {
		return 0, wrap("incr", key, err)
	}
	d := net.Dialer{Timeout: s.timeout}
	conn, err := d.DialContext(ctx, addr.Network(), addr.String())
	if err != nil {
		return 0, wrap("incr", key, err)
	}
	defer conn.Close()
	// Cancelling ctx aborts a read or write in flight.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	rw := bufio.NewReadWriter(bufio.NewReader(conn), bufio.NewWriter(conn))

	for attempt := range maxCASAttempts {
		if attempt > 0 {
			// Lost a race: back off a little, with jitter, before re-reading.
			if err := sleepCtx(ctx, time.Duration(rand.N(attempt+1))*100*time.Microsecond); err != nil {
				return 0, wrap("incr", key, err)
			}
		}
		if err := conn.SetDeadline(time.Now().Add(s.timeout)); err != nil {
			return 0, wrap("incr", key, err)
		}
		if err := ctx.Err(); err != nil { // after SetDeadline: a cancel cannot be overridden
			return 0, wrap("incr", key, err)
		}
		it, err := metaGet(rw, key)
		if err != nil {
			return 0, err
		}
		if it == nil {
			return 0, notFound(key)
		}
		if it.size > maxIntLen {
			return 0, notInteger(key, nil, it.size)
		}
		sum, nv, ierr := cache.IncrStored(it.value, delta)
		switch {
		case errors.Is(ierr, cache.ErrIncrOverflow):
			return 0, fmt.Errorf("memcached incr %q: %w", key, ierr)
		case ierr != nil:
			return 0, notInteger(key, it.value, it.size)
		}
		exptime := int32(0)
		if it.ttl >= 0 { // -1 is "never"
			now := s.now()
			exptime = expiration(now.Add(time.Duration(max(it.ttl, 1))*time.Second), now)
		}
		if _, err := fmt.Fprintf(rw, "cas %s %d %d %d %d\r\n%s\r\n", key, it.flags, exptime, len(nv), it.cas, nv); err != nil {
			return 0, wrap("incr", key, err)
		}
		if err := rw.Flush(); err != nil {
			return 0, wrap("incr", key, err)
		}
		line, err := rw.ReadString('\n')
		if err != nil {
			return 0, wrap("incr", key, err)
		}
		switch line {
		case "STORED\r\n":
			return sum, nil
		case "EXISTS\r\n":
			continue // changed since the read: read again
		case "NOT_FOUND\r\n":
			return 0, notFound(key)
		default:
			return 0, fmt.Errorf("memcached incr %q: unexpected cas reply %q", key, strings.TrimSpace(line))
		}
	}
	return 0, fmt.Errorf("memcached incr %q: value kept changing; gave up after %d compare-and-swap attempts", key, maxCASAttempts)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

// metaItem is what a meta get returned.
type metaItem struct {
	value []byte // nil when size > maxIntLen (not read)
	size  int
	ttl   int64 // remaining seconds, -1 for never
	cas   uint64
	flags uint32
}

// metaGet sends "mg <key> v t c f" and parses the reply: nil for a miss.
// A value longer than any int64 is not read (the caller closes the
// connection after reporting ErrNotInteger).
func metaGet(rw *bufio.ReadWriter, key string) (*metaItem, error) {
	if _, err := fmt.Fprintf(rw, "mg %s v t c f\r\n", key); err != nil {
		return nil, wrap("incr", key, err)
	}
	if err := rw.Flush(); err != nil {
		return nil, wrap("incr", key, err)
	}
	line, err := rw.ReadString('\n')
	if err != nil {
		return nil, wrap("incr", key, err)
	}
	if line == "EN\r\n" {
		return nil, nil
	}
	fields := strings.Fields(line)
	if len(fields) < 2 || fields[0] != "VA" {
		return nil, fmt.Errorf("memcached incr %q: meta get failed (memcached >= 1.6 is needed to count below zero): %q", key, strings.TrimSpace(line))
	}
	it := &metaItem{ttl: -1}
	if it.size, err = strconv.Atoi(fields[1]); err != nil || it.size < 0 {
		return nil, fmt.Errorf("memcached incr %q: bad meta get reply %q", key, strings.TrimSpace(line))
	}
	for _, f := range fields[2:] {
		var perr error
		switch f[0] {
		case 't':
			it.ttl, perr = strconv.ParseInt(f[1:], 10, 64)
		case 'c':
			it.cas, perr = strconv.ParseUint(f[1:], 10, 64)
		case 'f':
			var fl uint64
			fl, perr = strconv.ParseUint(f[1:], 10, 32)
			it.flags = uint32(fl)
		}
		if perr != nil {
			return nil, fmt.Errorf("memcached incr %q: bad meta get reply %q", key, strings.TrimSpace(line))
		}
	}
	if it.size > maxIntLen {
		return it, nil
	}
	buf := make([]byte, it.size+2)
	if _, err := io.ReadFull(rw, buf); err != nil {
		return nil, wrap("incr", key, err)
	}
	if string(buf[it.size:]) != "\r\n" {
		return nil, fmt.Errorf("memcached incr %q: bad meta get value framing", key)
	}
	it.value = unpad(buf[:it.size])
	return it, nil
}
