package file

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// dirMode is the mode of every directory level the store creates (Django's
// makedirs(mode=0o700) under umask 077).
const dirMode = 0o700

// mkdirAll creates dir and any missing parents with mode 0700 at every level
// it creates, whatever the process umask: each new level is chmod-ed right
// after it is made (before its child is made in it). Levels that already
// exist, or that another process creates at the same moment, are left as
// they are.
func mkdirAll(dir string) error {
	var missing []string
	for p := filepath.Clean(dir); ; {
		fi, err := os.Stat(p)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("file cache: create directory %s: %s is not a directory", dir, p)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("file cache: create directory %s: %w", dir, err)
		}
		missing = append(missing, p)
		parent := filepath.Dir(p)
		if parent == p {
			break
		}
		p = parent
	}
	for i := len(missing) - 1; i >= 0; i-- {
		p := missing[i]
		if err := os.Mkdir(p, dirMode); err != nil {
			if errors.Is(err, fs.ErrExist) {
				continue // made by someone else meanwhile: not ours to chmod
			}
			return fmt.Errorf("file cache: create directory %s: %w", dir, err)
		}
		if err := os.Chmod(p, dirMode); err != nil {
			return fmt.Errorf("file cache: create directory %s: chmod %s: %w", dir, p, err)
		}
	}
	return nil
}
