package templates

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// loader finds templates in an ordered list of directories: TEMPLATES DIRS
// first, then each app's templates/ folder, which is what Django's
// filesystem and app_directories loaders do together. It implements
// pongo2.TemplateLoader; the names it hands pongo2 are absolute file paths,
// so {% extends %} and {% include %} resolve across every directory and
// error messages name the file.
type loader struct {
	dirs []string // absolute and clean, in search order

	// found caches name -> path for lookups from the first directory; nil
	// when templates are re-read on every render (DEBUG).
	found *sync.Map
}

func newLoader(dirs []string, cached bool) *loader {
	l := &loader{dirs: dirs}
	if cached {
		l.found = &sync.Map{}
	}
	return l
}

// Abs resolves name for pongo2. base is the path of the template that
// names it ("" at the top level). An absolute path inside one of the
// directories is kept as is (pongo2 resolves an already resolved name
// again). A template extending a template of its own name ({% extends
// "base.html" %} inside an app's base.html) gets the next one in search
// order, as Django's recursive template loading does. A name that is not
// found is returned unchanged, and Get refuses it.
func (l *loader) Abs(base, name string) string {
	if filepath.IsAbs(name) {
		if l.inside(name) {
			return filepath.Clean(name)
		}
		return name
	}
	start := 0
	if base != "" && filepath.IsAbs(base) {
		start = l.after(base, name)
	}
	if p, _ := l.find(name, start); p != "" {
		return p
	}
	return name
}

// Get reads the template at p, an absolute path inside the directories.
func (l *loader) Get(p string) (io.Reader, error) {
	if !filepath.IsAbs(p) || !l.inside(p) {
		return nil, fmt.Errorf("template %q: %w", p, fs.ErrNotExist)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("template %q: %w", p, err)
	}
	return bytes.NewReader(b), nil
}

// find searches the directories from index start for name and returns the
// file's path ("" if none has it) and the paths tried, for
// TemplateDoesNotExist. Like Django's safe_join, a name that leaves a
// directory ("../x") is never looked up there.
func (l *loader) find(name string, start int) (string, []string) {
	if start == 0 && l.found != nil {
		if p, ok := l.found.Load(name); ok {
			return p.(string), nil
		}
	}
	var tried []string
	for i := start; i < len(l.dirs); i++ {
		p := filepath.Join(l.dirs[i], filepath.FromSlash(name))
		if !within(l.dirs[i], p) {
			continue
		}
		tried = append(tried, p)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			if start == 0 && l.found != nil {
				l.found.Store(name, p)
			}
			return p, tried
		}
	}
	return "", tried
}

// after returns the directory index to search from when the template at
// base names name: past base's own directory when base is that very
// template (recursive extends), else 0.
func (l *loader) after(base, name string) int {
	want := path.Clean(filepath.ToSlash(name))
	for i, d := range l.dirs {
		if !within(d, base) {
			continue
		}
		if rel, err := filepath.Rel(d, base); err == nil && filepath.ToSlash(rel) == want {
			return i + 1
		}
	}
	return 0
}

// inside reports whether p lies in one of the directories.
func (l *loader) inside(p string) bool {
	for _, d := range l.dirs {
		if within(d, p) {
			return true
		}
	}
	return false
}

// within reports whether p is strictly below dir (both absolute).
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, filepath.Clean(p))
	if err != nil || rel == "." || filepath.IsAbs(rel) {
		return false
	}
	return rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
