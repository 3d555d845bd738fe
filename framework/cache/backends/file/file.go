// Package file is the file-system cache backend, Django's FileBasedCache:
// one file per key, <LOCATION>/<md5hex(key)>.djcache, in the format described
// in format.go.
//
// What it keeps from Django: the file names, expired entries deleted when
// read, an empty file read as expired, clear() removing only *.djcache files,
// culling at MAX_ENTRIES by CULL_FREQUENCY with Django's exact counts, a set()
// that re-creates a deleted directory, directories created with mode 0700.
//
// What it does better: writes go to a temporary file renamed over the target,
// so a reader never sees half a value even if the writer is killed; every
// file carries a checksum, and a corrupt file is a miss (and is removed), not
// a crash; anything but a regular file where an entry's file should be (a
// FIFO, a socket, a device, a directory) is no entry, is never opened in a
// way that blocks, and is replaced by the next write (entry.go); add, incr
// and touch are atomic within the process (a striped lock keyed by file
// name, shared by every alias of the same directory); and a set
// does not list the directory: the number of entries is kept in memory,
// counted once on first use, and re-counted only when it says a cull is due
// or every cull-batch of sets (so several processes sharing the directory
// still keep it bounded). Culling removes expired entries first.
package file

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"gojango/framework/cache"
	"gojango/framework/cache/serializer"
)

func init() {
	cache.Register("file", New, "django.core.cache.backends.filebased.FileBasedCache")
}

const (
	// suffix ends every cache file's name (Django's cache_suffix).
	suffix = ".djcache"
	// tempPrefix starts the name of a file being written; such names never
	// end in suffix, so a half-written file is never read as an entry.
	tempPrefix = ".djtmp-"
	// staleTempAge is the age after which a temporary file is taken for the
	// leftover of a killed writer and removed by clear() and culling scans.
	staleTempAge = time.Minute
	// stripes is the number of locks add/incr/touch/set are striped over.
	stripes = 256
	// minRescanEvery is the fewest sets between two scheduled re-counts.
	minRescanEvery = 64
	// maxPooledBuf is the largest encode buffer kept for reuse.
	maxPooledBuf = 1 << 20
)

// dirState is what every store on one directory shares in a process: the
// stripe locks and the entry count.
type dirState struct {
	locks [stripes]sync.Mutex

	countMu sync.Mutex // held while the first count is taken
	counted atomic.Bool
	count   atomic.Int64 // files believed to be in the directory
	// sinceScan counts sets since the directory was last listed.
	sinceScan atomic.Int64
	cullMu    sync.Mutex // one cull or clear scan at a time
	// scans counts directory listings (tests check a set does not list).
	scans atomic.Int64
	// background counts culls running off the caller's path (Close waits
	// for them).
	background sync.WaitGroup
	// cullWanted asks the background cull for another look at the count.
	cullWanted atomic.Bool
}

// Store is a cache.Store keeping one file per key in a directory.
type Store struct {
	dir           string
	st            *dirState
	maxEntries    int
	cullFrequency int
	rescanEvery   int64
	now           func() time.Time
	// wallNow is compared with file modification times the kernel sets
	// (stale temporary files): it is the machine's clock, never the cache
	// clock, which tests move freely.
	wallNow func() time.Time
	log     *slog.Logger
	onEvict func(int)
	codec   codec
	bufs    sync.Pool // *[]byte encode buffers
	// django is Django's own file format, used under the pickle serializer
	// (django.go); nil: the checked format of format.go.
	django *djangoFormat
	// incrRule is the serializer's integer rule (cache.Params.Incr).
	incrRule func(stored []byte, delta int64) (int64, []byte, error)
}

// New opens the directory p.Config.Location (relative paths resolve against
// p.BaseDir), creating it with mode 0700 at every missing level.
func New(p cache.Params) (cache.Store, error) {
	loc := p.Config.Location
	if loc == "" {
		return nil, fmt.Errorf("file cache %q: LOCATION (the cache directory) is empty", p.Alias)
	}
	if p.Config.CullFrequency < 0 {
		return nil, fmt.Errorf("file cache %q: CULL_FREQUENCY must not be negative, got %d", p.Alias, p.Config.CullFrequency)
	}
	if !filepath.IsAbs(loc) {
		loc = filepath.Join(p.BaseDir, loc)
	}
	dir, err := filepath.Abs(loc)
	if err != nil {
		return nil, fmt.Errorf("file cache %q: LOCATION %q: %w", p.Alias, p.Config.Location, err)
	}
	if err := mkdirAll(dir); err != nil {
		return nil, fmt.Errorf("file cache %q: %w", p.Alias, err)
	}
	s := &Store{
		dir:           dir,
		maxEntries:    p.Config.MaxEntries,
		cullFrequency: p.Config.CullFrequency,
		now:           p.Now,
		wallNow:       time.Now,
		log:           p.Logger,
		onEvict:       p.OnEvict,
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.incrRule = p.Incr
	if w, ok := p.Serializer.(serializer.Whole); ok && p.Serializer.Name() == "pickle" {
		s.django = &djangoFormat{whole: w}
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.onEvict == nil {
		s.onEvict = func(int) {}
	}
	s.rescanEvery = minRescanEvery
	if b := int64(s.cullBatch()); b > s.rescanEvery {
		s.rescanEvery = b
	}
	create := func() any { return &dirState{} }
	if p.Shared != nil {
		s.st = p.Shared("file:"+dir, create).(*dirState)
	} else {
		s.st = create().(*dirState)
	}
	return s, nil
}

// Dir returns the absolute cache directory.
func (s *Store) Dir() string { return s.dir }

// cullBatch is how many entries a cull at MAX_ENTRIES removes.
func (s *Store) cullBatch() int {
	if s.cullFrequency == 0 {
		return s.maxEntries
	}
	return s.maxEntries / s.cullFrequency
}

// fileName returns the file name of key and the stripe it locks.
func fileName(key string) (string, int) {
	sum := md5.Sum([]byte(key))
	return hex.EncodeToString(sum[:]) + suffix, int(sum[0])
}

// stripeOf returns the stripe of a file name made by fileName (0 for a name
// that is not an md5 hex name).
func stripeOf(name string) int {
	var b [1]byte
	if len(name) < 2 {
		return 0
	}
	if _, err := hex.Decode(b[:], []byte(name[:2])); err != nil {
		return 0
	}
	return int(b[0])
}

func opErr(op, key string, err error) error {
	return fmt.Errorf("file cache %s %q: %w", op, key, err)
}

// state is what loading a file found.
type state int

const (
	missing state = iota
	live
	expired // expired or empty: Django deletes it
	corrupt // not a valid file: deleted as well
	// foreign is anything but a regular file at the path (a FIFO, a socket,
	// a device, a directory): no entry, left alone by reads, replaced by
	// writes.
	foreign
)

// loaded is a file read by load.
type loaded struct {
	state state
	img   []byte // whole file image (decoded loads of live entries only)
	value []byte
	exp   time.Time
	fi    os.FileInfo
	err   error // why the file is corrupt
}

// load opens path and classifies it. It reads the whole file and checks it
// (header, checksum, length of a raw value); decode also inflates a
// compressed value (the value is in value). A missing file is missing and
// anything but a regular file foreign; any other I/O error is returned
// (Django propagates OS errors other than "not found").
func (s *Store) load(path string, decode bool) (loaded, error) {
	f, fi, err := openEntry(path)
	if err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return loaded{state: missing}, nil
		case errors.Is(err, errForeign):
			return loaded{state: foreign}, nil
		}
		return loaded{}, err
	}
	defer f.Close()
	l := loaded{fi: fi}
	size := fi.Size()
	if size == 0 {
		l.state = expired // rule 52: an empty file reads as expired
		return l, nil
	}
	if s.django != nil {
		return s.loadDjango(f, l, decode)
	}
	if size < headerSize {
		l.state, l.err = corrupt, fmt.Errorf("%w: %d bytes", errCorrupt, size)
		return l, nil
	}
	img := make([]byte, size)
	if _, err := io.ReadFull(f, img); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			l.state, l.err = corrupt, fmt.Errorf("%w: shorter than its size", errCorrupt)
			return l, nil
		}
		return loaded{}, err
	}
	// The checksum is checked first, so that a damaged expiry is logged as
	// corrupt rather than removed as expired.
	h, err := verify(img)
	if err != nil {
		l.state, l.err = corrupt, err
		return l, nil
	}
	l.exp = h.exp
	if cache.Expired(h.exp, s.now()) {
		l.state = expired
		return l, nil
	}
	if !decode {
		l.state = live
		return l, nil
	}
	v, err := s.codec.value(img, h)
	if err != nil {
		l.state, l.err = corrupt, err
		return l, nil
	}
	l.state, l.img, l.value = live, img, v
	return l, nil
}

// discard removes an expired or corrupt file that load found, provided it
// is still the file that was read (not a fresh one renamed over it since).
// locked says the caller holds the stripe lock.
func (s *Store) discard(path string, stripe int, l loaded, locked bool) {
	if l.state == corrupt {
		s.log.Warn("file cache: removing corrupt cache file", "file", path, "err", l.err)
	}
	if !locked {
		mu := &s.st.locks[stripe]
		mu.Lock()
		defer mu.Unlock()
	}
	fi, err := os.Lstat(path)
	if err != nil || !os.SameFile(fi, l.fi) || !fi.ModTime().Equal(l.fi.ModTime()) {
		return
	}
	if err := os.Remove(path); err == nil {
		s.st.count.Add(-1)
	}
}

// Get returns the value of key; a missing, expired, corrupt or foreign file
// is a miss (and an expired or corrupt one is removed).
func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, opErr("get", key, err)
	}
	name, stripe := fileName(key)
	path := filepath.Join(s.dir, name)
	l, err := s.load(path, true)
	if err != nil {
		return nil, false, opErr("get", key, err)
	}
	switch l.state {
	case live:
		return l.value, true, nil
	case expired, corrupt:
		s.discard(path, stripe, l, false)
	}
	return nil, false, nil
}

// Has reports whether key has an unexpired, undamaged file. It reads the
// whole file and checks its checksum, but does not inflate the value.
func (s *Store) Has(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, opErr("has", key, err)
	}
	name, stripe := fileName(key)
	path := filepath.Join(s.dir, name)
	l, err := s.load(path, false)
	if err != nil {
		return false, opErr("has", key, err)
	}
	switch l.state {
	case live:
		return true, nil
	case expired, corrupt:
		s.discard(path, stripe, l, false)
	}
	return false, nil
}

// Set writes value under key: culling first when the directory is full (as
// Django does), then a temporary file renamed over the key's file.
func (s *Store) Set(ctx context.Context, key string, value []byte, exp time.Time) error {
	if err := ctx.Err(); err != nil {
		return opErr("set", key, err)
	}
	name, stripe := fileName(key)
	if err := s.maybeCull(ctx); err != nil {
		return opErr("set", key, err)
	}
	bp := s.encode(value, exp)
	defer s.putBuf(bp)
	if err := s.write(*bp, name, stripe, false); err != nil {
		return opErr("set", key, err)
	}
	return nil
}

// Add writes value only when key has no live file, and reports whether it
// did. Within the process it is atomic; across processes a missing file is
// created with a hard link, which fails if another process created it first.
func (s *Store) Add(ctx context.Context, key string, value []byte, exp time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, opErr("add", key, err)
	}
	name, stripe := fileName(key)
	path := filepath.Join(s.dir, name)
	mu := &s.st.locks[stripe]
	mu.Lock()
	defer mu.Unlock()
	l, err := s.load(path, true)
	if err != nil {
		return false, opErr("add", key, err)
	}
	if l.state == live {
		return false, nil
	}
	if l.state == corrupt {
		s.log.Warn("file cache: replacing corrupt cache file", "file", path, "err", l.err)
	}
	if err := s.maybeCull(ctx); err != nil {
		return false, opErr("add", key, err)
	}
	bp := s.encode(value, exp)
	defer s.putBuf(bp)
	if l.state == missing {
		ok, err := s.create(*bp, name)
		if err != nil {
			return false, opErr("add", key, err)
		}
		return ok, nil
	}
	if err := s.write(*bp, name, stripe, true); err != nil {
		return false, opErr("add", key, err)
	}
	return true, nil
}

// Touch rewrites key's file with a new expiry and the same value, and
// reports whether key had a live file.
func (s *Store) Touch(ctx context.Context, key string, exp time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, opErr("touch", key, err)
	}
	name, stripe := fileName(key)
	path := filepath.Join(s.dir, name)
	mu := &s.st.locks[stripe]
	mu.Lock()
	defer mu.Unlock()
	l, err := s.load(path, true)
	if err != nil {
		return false, opErr("touch", key, err)
	}
	switch l.state {
	case missing, foreign:
		return false, nil
	case expired, corrupt:
		s.discard(path, stripe, l, true)
		return false, nil
	}
	// The value's stored bytes are kept as they are: only the header's
	// expiry and the checksum change.
	img := l.img
	if s.django != nil { // no header to patch: write the file anew
		bp := s.encode(l.value, exp)
		defer s.putBuf(bp)
		img = *bp
	} else {
		img = reexpire(img, exp)
	}
	if err := s.write(img, name, stripe, true); err != nil {
		return false, opErr("touch", key, err)
	}
	return true, nil
}

// Delete removes key's file and reports whether there was one. A directory
// at the file's path is no entry: it is removed, and Delete reports false.
func (s *Store) Delete(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, opErr("delete", key, err)
	}
	name, stripe := fileName(key)
	path := filepath.Join(s.dir, name)
	err := os.Remove(path)
	switch {
	case err == nil:
		s.st.count.Add(-1)
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	mu := &s.st.locks[stripe]
	mu.Lock()
	defer mu.Unlock()
	if fi, lerr := os.Lstat(path); lerr == nil && fi.IsDir() {
		if err := s.clearForeign(path, fi); err != nil {
			return false, opErr("delete", key, err)
		}
		return false, nil
	}
	return false, opErr("delete", key, err)
}

// Incr adds delta to the decimal integer stored at key, keeping its expiry.
func (s *Store) Incr(ctx context.Context, key string, delta int64) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, opErr("incr", key, err)
	}
	name, stripe := fileName(key)
	path := filepath.Join(s.dir, name)
	mu := &s.st.locks[stripe]
	mu.Lock()
	defer mu.Unlock()
	l, err := s.load(path, true)
	if err != nil {
		return 0, opErr("incr", key, err)
	}
	switch l.state {
	case missing, foreign:
		return 0, fmt.Errorf("file cache incr: Key '%s' not found: %w", key, cache.ErrNotFound)
	case expired, corrupt:
		s.discard(path, stripe, l, true)
		return 0, fmt.Errorf("file cache incr: Key '%s' not found: %w", key, cache.ErrNotFound)
	}
	sum, stored, ierr := s.incrRule(l.value, delta)
	if stored == nil {
		return 0, fmt.Errorf("file cache incr %q: %w", key, ierr)
	}
	if ierr != nil { // stored all the same: a Python big integer or float sum
		ierr = fmt.Errorf("file cache incr %q: %w", key, ierr)
	}
	if err := s.maybeCull(ctx); err != nil {
		return 0, opErr("incr", key, err)
	}
	bp := s.encode(stored, l.exp)
	defer s.putBuf(bp)
	if err := s.write(*bp, name, stripe, true); err != nil {
		return 0, opErr("incr", key, err)
	}
	return sum, ierr
}

// Clear removes every *.djcache file of the directory (and temporary files
// left by killed writers), leaving other files and the directory itself.
func (s *Store) Clear(ctx context.Context) error {
	s.st.cullMu.Lock()
	defer s.st.cullMu.Unlock()
	before := s.st.count.Load()
	names, err := s.scan(ctx)
	if err != nil {
		return fmt.Errorf("file cache clear %s: %w", s.dir, err)
	}
	s.recount(len(names), before)
	_, err = s.removeAll(ctx, names)
	if err != nil {
		return fmt.Errorf("file cache clear %s: %w", s.dir, err)
	}
	return nil
}

// Close waits for a background cull of the directory to end; the store
// holds no open file between calls.
func (s *Store) Close() error {
	s.st.background.Wait()
	return nil
}

// encode returns a pooled buffer holding the file image of value.
func (s *Store) encode(value []byte, exp time.Time) *[]byte {
	bp, _ := s.bufs.Get().(*[]byte)
	if bp == nil {
		b := make([]byte, 0, 512)
		bp = &b
	}
	if s.django != nil {
		*bp = s.django.encode((*bp)[:0], value, exp)
	} else {
		*bp = s.codec.encode((*bp)[:0], value, exp)
	}
	return bp
}

func (s *Store) putBuf(bp *[]byte) {
	if cap(*bp) <= maxPooledBuf {
		s.bufs.Put(bp)
	}
}

// writeTemp writes img to a new temporary file in the directory and returns
// its path, re-creating the directory if it was deleted (Django's set()
// re-creates it). The temporary file is removed on any failure.
func (s *Store) writeTemp(img []byte) (string, error) {
	f, err := os.CreateTemp(s.dir, tempPrefix+"*")
	if err != nil && errors.Is(err, fs.ErrNotExist) {
		if err := mkdirAll(s.dir); err != nil {
			return "", err
		}
		// The directory was gone, and every entry with it.
		s.st.count.Store(0)
		f, err = os.CreateTemp(s.dir, tempPrefix+"*")
	}
	if err != nil {
		return "", fmt.Errorf("create temporary file: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(img)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("write %s: %w", tmp, errors.Join(werr, cerr))
	}
	return tmp, nil
}

// write stores img as the file name: a temporary file renamed over it,
// which replaces whatever was at the path; a directory there is removed
// first. locked says the caller holds the stripe lock. If the directory
// vanishes between the write and the rename, the write is done again once.
func (s *Store) write(img []byte, name string, stripe int, locked bool) error {
	path := filepath.Join(s.dir, name)
	for attempt := 0; ; attempt++ {
		tmp, err := s.writeTemp(img)
		if err != nil {
			return err
		}
		if !locked {
			s.st.locks[stripe].Lock()
		}
		fi, statErr := os.Lstat(path)
		// counted says the file was counted: a listing counts every name but
		// a directory's.
		counted := statErr == nil && !fi.IsDir()
		if statErr == nil && !fi.Mode().IsRegular() {
			err = s.clearForeign(path, fi)
		}
		if err == nil {
			if err = os.Rename(tmp, path); err != nil {
				err = fmt.Errorf("rename %s to %s: %w", tmp, path, err)
			}
		}
		if !locked {
			s.st.locks[stripe].Unlock()
		}
		if err == nil {
			if !counted {
				s.st.count.Add(1)
			}
			return nil
		}
		_ = os.Remove(tmp)
		if attempt == 0 && errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return err
	}
}

// create stores img as the file name only if no such file exists, with a
// hard link that fails when another writer (of any process) created it
// first. Where hard links are not supported it falls back to a rename. The
// caller holds the stripe lock.
func (s *Store) create(img []byte, name string) (bool, error) {
	path := filepath.Join(s.dir, name)
	tmp, err := s.writeTemp(img)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)
	err = os.Link(tmp, path)
	switch {
	case err == nil:
		s.st.count.Add(1)
		return true, nil
	case errors.Is(err, fs.ErrExist):
		return false, nil
	}
	if err := os.Rename(tmp, path); err != nil {
		return false, fmt.Errorf("rename %s to %s: %w", tmp, path, err)
	}
	s.st.count.Add(1)
	return true, nil
}
