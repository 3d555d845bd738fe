package file

// Counting and culling.
//
// Django lists the whole directory on every set() to count its entries, so a
// set costs O(entries). Here the count is kept in memory (dirState.count):
// taken by one listing on first use, then moved by every create and remove
// this process makes. The directory is listed again only
//   - when the count says a cull is due (count >= MAX_ENTRIES): the listing
//     gives the true count, and the cull acts on it, so files other processes
//     wrote are seen before anything is removed;
//   - every rescanEvery sets (at least the cull batch, MAX_ENTRIES /
//     CULL_FREQUENCY): so entries other processes add are counted too, and a
//     directory shared by several processes stays bounded.
// Both happen at most once per cull batch of sets, so the listing costs
// O(CULL_FREQUENCY) entries per set, whatever the size of the directory.

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gojango/framework/cache"
)

// readDirBatch is how many directory entries one ReadDir call returns.
const readDirBatch = 4096

// ensureCounted takes the first count of the directory, once.
func (s *Store) ensureCounted(ctx context.Context) error {
	st := s.st
	if st.counted.Load() {
		return nil
	}
	st.countMu.Lock()
	defer st.countMu.Unlock()
	if st.counted.Load() {
		return nil
	}
	before := s.st.count.Load()
	names, err := s.scan(ctx)
	if err != nil {
		return err
	}
	s.recount(len(names), before)
	return nil
}

// recount records n, the number of entries a listing just found; before is
// the count when the listing began. Writes and removals this process made
// while it listed (a background cull lists while sets go on) are added
// back: a listing may or may not have seen them, so the count may come out
// a little high, never low, and a high count only makes the next cull's
// own listing come sooner.
func (s *Store) recount(n int, before int64) {
	s.st.count.Add(int64(n) - before)
	s.st.sinceScan.Store(0)
	s.st.counted.Store(true)
}

// syncCullMax is the largest cull batch (MAX_ENTRIES / CULL_FREQUENCY)
// removed on the caller's path. A bigger cull runs in the background: the
// write that finds the directory full starts it and goes on, so no single
// set pays for listing and removing tens of thousands of files (about 6 s
// for 33,333 of 100,000 on ext4). The cull removes what Django's would
// (int(entries / CULL_FREQUENCY) of the entries it lists, random ones;
// expired first); the directory may hold the few entries written while it
// runs above MAX_ENTRIES until it ends.
const syncCullMax = 1000

// maybeCull is called before every write that Django's set() would make. It
// culls when the count reaches MAX_ENTRIES, and re-counts every rescanEvery
// sets; otherwise it costs two atomic operations.
func (s *Store) maybeCull(ctx context.Context) error {
	if err := s.ensureCounted(ctx); err != nil {
		return err
	}
	st := s.st
	if st.count.Load() >= int64(s.maxEntries) {
		if s.cullBatch() > syncCullMax {
			s.cullInBackground()
			return nil
		}
		st.cullMu.Lock()
		defer st.cullMu.Unlock()
		if st.count.Load() < int64(s.maxEntries) {
			return nil // another goroutine culled while this one waited
		}
		return s.cull(ctx)
	}
	if st.sinceScan.Add(1) < s.rescanEvery {
		return nil
	}
	if !st.cullMu.TryLock() {
		return nil // a cull or clear is listing the directory already
	}
	if s.cullBatch() > syncCullMax {
		s.background(func() { s.logCullError(s.cull(context.Background())) })
		return nil
	}
	defer st.cullMu.Unlock()
	return s.cull(ctx)
}

// cullInBackground asks for a cull off the caller's path: it starts one
// unless a background cull (or a clear) holds the directory, which then
// looks at the count again when it ends.
func (s *Store) cullInBackground() {
	st := s.st
	st.cullWanted.Store(true)
	if !st.cullMu.TryLock() {
		return
	}
	s.background(nil)
}

// background runs first (if any) on a new goroutine holding cullMu, which
// the caller has locked, then the culls asked for meanwhile, and unlocks.
// A cull asked for just as it unlocks finds the lock free, or is seen here
// after the unlock.
func (s *Store) background(first func()) {
	st := s.st
	st.background.Add(1)
	go func() {
		defer st.background.Done()
		if first != nil {
			first()
		}
		for {
			for st.cullWanted.Swap(false) {
				if st.count.Load() >= int64(s.maxEntries) {
					s.logCullError(s.cull(context.Background()))
				}
			}
			st.cullMu.Unlock()
			if !st.cullWanted.Load() || !st.cullMu.TryLock() {
				return
			}
		}
	}()
}

func (s *Store) logCullError(err error) {
	if err != nil {
		s.log.Warn("file cache: background cull failed", "dir", s.dir, "err", err)
	}
}

// cull lists the directory and, when it holds MAX_ENTRIES entries or more,
// removes them all (CULL_FREQUENCY 0) or int(entries / CULL_FREQUENCY) of
// them: expired (or unreadable) ones first, then a random sample. The caller
// holds cullMu.
func (s *Store) cull(ctx context.Context) error {
	before := s.st.count.Load()
	names, err := s.scan(ctx)
	if err != nil {
		return err
	}
	s.recount(len(names), before)
	n := len(names)
	if n < s.maxEntries {
		return nil
	}
	if s.cullFrequency == 0 {
		removed, err := s.removeAll(ctx, names)
		if removed > 0 {
			s.onEvict(removed)
		}
		return err
	}
	k := n / s.cullFrequency
	if k == 0 {
		return nil
	}
	victims, err := s.pickVictims(ctx, names, k)
	if err != nil {
		return err
	}
	removed, err := s.removeAll(ctx, victims)
	if removed > 0 {
		s.onEvict(removed)
	}
	return err
}

// maxHeaderReads bounds how many file headers one cull reads looking for
// expired entries: past it the rest of the victims are a random sample, so a
// cull of a 100k-entry directory does not open every file.
const maxHeaderReads = 4096

// pickVictims returns k of names: expired, empty or corrupt files first,
// then a uniform random sample of the others. It reads the headers of the
// files in a random order and stops as soon as k expired files are found,
// or after maxHeaderReads headers.
func (s *Store) pickVictims(ctx context.Context, names []string, k int) ([]string, error) {
	rand.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	now := s.now()
	victims := make([]string, 0, k)
	var keep []string // read and live, in the shuffled order
	read := 0
	for _, name := range names {
		if len(victims) == k || read == maxHeaderReads {
			break
		}
		if read%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		read++
		if s.headerExpired(filepath.Join(s.dir, name), now) {
			victims = append(victims, name)
		} else {
			keep = append(keep, name)
		}
	}
	// keep followed by the unread names is a random order of the files not
	// taken yet.
	for _, name := range keep {
		if len(victims) == k {
			return victims, nil
		}
		victims = append(victims, name)
	}
	for _, name := range names[read:] {
		if len(victims) == k {
			break
		}
		victims = append(victims, name)
	}
	return victims, nil
}

// headerExpired reports whether the file at path is expired at now, empty,
// corrupt or not a regular file (a FIFO is never opened in a way that
// blocks). A file that cannot be read (gone already) is not.
func (s *Store) headerExpired(path string, now time.Time) bool {
	f, _, err := openEntry(path)
	if err != nil {
		return errors.Is(err, errForeign)
	}
	defer f.Close()
	if s.django != nil {
		var head [64]byte // the expiry pickle takes 21 bytes
		n, _ := io.ReadFull(f, head[:])
		if n == 0 {
			return true
		}
		exp, _, err := s.django.expiry(head[:n])
		return err != nil || cache.Expired(exp, now)
	}
	var hdr [headerSize]byte
	n, err := io.ReadFull(f, hdr[:])
	if n == 0 && (err == io.EOF || err == nil) {
		return true // empty: expired (rule 52)
	}
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return false
	}
	h, perr := parseHeader(hdr[:n])
	if perr != nil {
		return true
	}
	return cache.Expired(h.exp, now)
}

// removeAll removes the named files and returns how many it removed. Files
// already gone are skipped.
func (s *Store) removeAll(ctx context.Context, names []string) (int, error) {
	removed := 0
	var firstErr error
	for i, name := range names {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return removed, err
			}
		}
		err := os.Remove(filepath.Join(s.dir, name))
		switch {
		case err == nil:
			removed++
			s.st.count.Add(-1)
		case errors.Is(err, fs.ErrNotExist):
		case firstErr == nil:
			firstErr = err
		}
	}
	return removed, firstErr
}

// scan lists the directory and returns the names of its cache files; it
// removes the temporary files of killed writers (older than staleTempAge)
// on the way. A missing directory has no files.
func (s *Store) scan(ctx context.Context) ([]string, error) {
	s.st.scans.Add(1)
	f, err := os.Open(s.dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	defer f.Close()
	wall := s.wallNow()
	var names []string
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ents, err := f.ReadDir(readDirBatch)
		for _, e := range ents {
			name := e.Name()
			switch {
			case strings.HasSuffix(name, suffix):
				if !e.IsDir() {
					names = append(names, name)
				}
			case strings.HasPrefix(name, tempPrefix):
				if info, err := e.Info(); err == nil && wall.Sub(info.ModTime()) > staleTempAge {
					_ = os.Remove(filepath.Join(s.dir, name))
				}
			}
		}
		if err == io.EOF {
			return names, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
