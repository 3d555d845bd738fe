package settings

import (
	"errors"
	"sort"
	"strconv"

	"github.com/pelletier/go-toml/v2/unstable"
)

// Limits on what positions records, so that a pathological document (keys
// with thousands of dotted parts, values nested thousands deep) costs linear
// time: nothing that deep is ever looked up.
const (
	maxPathLen    = 1024 // bytes of a dotted path
	maxValueDepth = 32   // arrays and inline tables within one value
)

// keyPos is where a key (or table header, or array element) was written.
type keyPos struct {
	off      int  // byte offset in the file
	line     int  // from 1
	col      int  // from 1, in bytes
	explicit bool // written out, not implied by a longer dotted key or header
}

// positions walks a TOML document with go-toml's unstable parser and records
// where every key is written, by dotted path: "DEBUG", "CACHES" (its first
// mention), "CACHES.default" (its header), "CACHES.default.OPTIONS.MAX_ENTRIES",
// keys of inline tables, array elements ("ALLOWED_HOSTS.1") and the entries of
// arrays of tables ("TEMPLATES.0", "TEMPLATES.0.DIRS").
type positions struct {
	lineStarts []int             // offset of the first byte of each line
	pos        map[string]keyPos // dotted path -> where it was written
	arrays     map[string]int    // path of an array of tables -> entries so far
}

// scanPositions records the position of every key of data. It returns the
// parser's error (a *unstable.ParserError) if the document is malformed.
func scanPositions(data []byte) (map[string]keyPos, error) {
	w := &positions{
		lineStarts: []int{0},
		pos:        map[string]keyPos{},
		arrays:     map[string]int{},
	}
	for i, c := range data {
		if c == '\n' {
			w.lineStarts = append(w.lineStarts, i+1)
		}
	}

	var p unstable.Parser
	p.Reset(data)
	table, ok := "", true // resolved path of the current [table]; ok if recorded
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.KeyValue:
			if ok {
				w.keyValue(table, e, 0)
			}
		case unstable.Table:
			table, ok = w.header(e, false)
		case unstable.ArrayTable:
			table, ok = w.header(e, true)
		}
	}
	if err := p.Error(); err != nil {
		return nil, err
	}
	return w.pos, nil
}

// parserErrorPosition returns the line and column of a parser error's
// highlight within data, or 0, 0.
func parserErrorPosition(data []byte, err error) (line, col int) {
	var perr *unstable.ParserError
	if !errors.As(err, &perr) || perr.Highlight == nil {
		return 0, 0
	}
	// The highlight is a subslice of data: its offset is the difference in
	// capacity, as in go-toml itself.
	off := cap(data) - cap(perr.Highlight)
	if off < 0 || off > len(data) {
		return 0, 0
	}
	line = 1
	start := 0
	for i := 0; i < off; i++ {
		if data[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return line, off - start + 1
}

// record notes that path was written at offset off. An explicit position
// replaces an implicit one; otherwise the first mention wins.
func (w *positions) record(path string, off int, explicit bool) {
	if old, ok := w.pos[path]; ok && (old.explicit || !explicit) {
		return
	}
	line := sort.Search(len(w.lineStarts), func(i int) bool { return w.lineStarts[i] > off })
	w.pos[path] = keyPos{off: off, line: line, col: off - w.lineStarts[line-1] + 1, explicit: explicit}
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// resolve follows a path through arrays of tables: a header or key naming an
// array of tables refers to its last entry.
func (w *positions) resolve(path string) string {
	if n := w.arrays[path]; n > 0 {
		return path + "." + strconv.Itoa(n-1)
	}
	return path
}

// header records a [table] or [[array.of.tables]] header and returns the
// resolved path of the table it opens, and false if that path is too long to
// record.
func (w *positions) header(e *unstable.Node, array bool) (string, bool) {
	cur := ""
	it := e.Key()
	for it.Next() {
		k := it.Node()
		path := join(cur, string(k.Data))
		if len(path) > maxPathLen {
			return "", false
		}
		last := it.IsLast()
		w.record(path, int(k.Raw.Offset), last)
		if last && array {
			n := w.arrays[path]
			w.arrays[path] = n + 1
			path += "." + strconv.Itoa(n)
			w.record(path, int(k.Raw.Offset), true)
			return path, true
		}
		cur = w.resolve(path)
	}
	return cur, true
}

// keyValue records the (possibly dotted) key of a key/value expression under
// table, then the keys inside its value.
func (w *positions) keyValue(table string, e *unstable.Node, depth int) {
	cur := table
	it := e.Key()
	for it.Next() {
		k := it.Node()
		cur = join(cur, string(k.Data))
		if len(cur) > maxPathLen {
			return
		}
		w.record(cur, int(k.Raw.Offset), it.IsLast())
	}
	w.value(cur, e.Value(), depth)
}

// value records the keys of an inline table and the elements of an array.
func (w *positions) value(path string, n *unstable.Node, depth int) {
	if depth >= maxValueDepth {
		return
	}
	switch n.Kind {
	case unstable.InlineTable:
		it := n.Children()
		for it.Next() {
			if c := it.Node(); c.Kind == unstable.KeyValue {
				w.keyValue(path, c, depth+1)
			}
		}
	case unstable.Array:
		i := 0
		it := n.Children()
		for it.Next() {
			c := it.Node()
			if c.Kind == unstable.Comment {
				continue
			}
			elem := path + "." + strconv.Itoa(i)
			if len(elem) > maxPathLen {
				return
			}
			off, ok := nodeOffset(c, maxValueDepth)
			if !ok {
				off = w.pos[path].off // an empty nested array: use the array's key
			}
			w.record(elem, off, true)
			w.value(elem, c, depth+1)
			i++
		}
	}
}

// nodeOffset is where a value starts. Array nodes carry no range, so an
// array's position is that of its first element (looked for at most depth
// arrays down).
func nodeOffset(n *unstable.Node, depth int) (int, bool) {
	if n.Kind != unstable.Array {
		return int(n.Raw.Offset), true
	}
	if depth <= 0 {
		return 0, false
	}
	it := n.Children()
	for it.Next() {
		if off, ok := nodeOffset(it.Node(), depth-1); ok {
			return off, true
		}
	}
	return 0, false
}
