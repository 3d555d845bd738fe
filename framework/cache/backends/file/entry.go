package file

// Opening an entry's file without trusting what sits at its path.
//
// Whatever is at <dir>/<md5hex>.djcache was put there by someone: usually
// the store, but a FIFO, a socket, a device, a directory or a symlink to one
// of those can sit there too. Opening a FIFO for reading blocks until a
// writer comes, so a plain open would hang the request for ever. Entries are
// therefore opened with openFlags (O_NONBLOCK on unix, which does not change
// how a regular file is read) and the opened file is checked with fstat:
// anything but a regular file (a symlink is followed) is errForeign, which
// every operation takes for no entry. Writes rename a new file over a foreign
// one, or remove a directory first (see Store.write).

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// errForeign marks something other than a regular file at an entry's path.
var errForeign = errors.New("not a regular file")

// openEntry opens the file at path for reading, without blocking, and
// returns it with its FileInfo. A missing file is an error wrapping
// fs.ErrNotExist, anything but a regular file one wrapping errForeign.
func openEntry(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		// A socket cannot be opened at all (ENXIO), a symlink loop neither
		// (ELOOP): those are foreign too, not an I/O failure.
		if !errors.Is(err, fs.ErrNotExist) && isForeign(path) {
			return nil, nil, fmt.Errorf("open %s: %w", path, errForeign)
		}
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("open %s: %w: %v", path, errForeign, fi.Mode().Type())
	}
	return f, fi, nil
}

// isForeign reports whether path holds something other than a regular file,
// following symlinks: a symlink that cannot be followed counts as foreign.
func isForeign(path string) bool {
	if fi, err := os.Stat(path); err == nil {
		return !fi.Mode().IsRegular()
	}
	fi, err := os.Lstat(path)
	return err == nil && fi.Mode()&fs.ModeSymlink != 0
}

// clearForeign readies path, where Lstat found fi (not a regular file), to
// have a new file renamed over it or to be left empty: a rename replaces
// anything but a directory, so a directory is removed. A directory under an
// entry's name in the cache directory is the store's to remove, and
// os.RemoveAll does not follow symlinks, so nothing outside path is touched.
// The caller holds the stripe lock.
func (s *Store) clearForeign(path string, fi os.FileInfo) error {
	s.log.Warn("file cache: clearing what is not a regular file from an entry's path",
		"file", path, "type", fi.Mode().Type().String())
	if !fi.IsDir() {
		return nil
	}
	if err := os.RemoveAll(path); err != nil {
		return fmt.Errorf("remove directory at entry path %s: %w", path, err)
	}
	return nil
}
