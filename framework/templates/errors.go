package templates

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/flosch/pongo2/v6"
)

// ErrTemplateDoesNotExist is wrapped by the error of a template that no
// directory has (Django's TemplateDoesNotExist).
var ErrTemplateDoesNotExist = errors.New("template does not exist")

// Error is a template error: which template was rendered, the file and line
// the error is at, and its cause. It wraps the underlying error (pongo2's,
// ErrTemplateDoesNotExist, ...).
type Error struct {
	Name   string   // the template asked for ("<string>" for RenderString)
	File   string   // the file the error is in; "" when pongo2 does not say
	Line   int      // 1-based; 0 when unknown
	Column int      // 1-based byte column; 0 when unknown
	Near   string   // the token at fault, when known
	Msg    string   // the cause
	Tried  []string // for a missing template: the paths looked at

	errs []error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("templates: render ")
	b.WriteString(strconv.Quote(e.Name))
	if loc := e.location(); loc != "" {
		b.WriteString(": ")
		b.WriteString(loc)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Near != "" {
		b.WriteString(" (near ")
		b.WriteString(strconv.Quote(e.Near))
		b.WriteString(")")
	}
	return b.String()
}

// location is "file:line:column", as much of it as is known.
func (e *Error) location() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
		if e.Column > 0 {
			loc += ":" + strconv.Itoa(e.Column)
		}
	}
	return loc
}

// Unwrap returns the underlying errors.
func (e *Error) Unwrap() []error { return e.errs }

// notFound is the error of a template no directory has.
func notFound(name string, tried []string) *Error {
	return &Error{
		Name:  name,
		Msg:   "template does not exist: " + name,
		Tried: tried,
		errs:  []error{ErrTemplateDoesNotExist},
	}
}

// wrapError turns what pongo2 (or a render) returned into an *Error.
func wrapError(name string, err error) error {
	var te *Error
	if errors.As(err, &te) {
		return te
	}
	var pe *pongo2.Error
	if !errors.As(err, &pe) {
		return &Error{Name: name, Msg: err.Error(), errs: []error{err}}
	}
	out := &Error{Name: name, File: pe.Filename, Line: pe.Line, Column: pe.Column, errs: []error{err}}
	if pe.Token != nil {
		if pe.Token.Filename != "" {
			out.File = pe.Token.Filename
		}
		out.Near = pe.Token.Val
	}
	if pe.OrigError != nil {
		out.Msg = djangoMessage(pe.OrigError.Error(), out.Line)
	} else {
		out.Msg = "unknown error"
	}
	if pe.Sender == "fromfile" {
		// pongo2's "unable to resolve template": the file is the missing
		// template's name; the position (if any) is the including tag's.
		out.Msg = "template does not exist: " + pe.Filename
		out.errs = append(out.errs, ErrTemplateDoesNotExist)
		if pe.Token == nil {
			out.File = ""
		}
	}
	return out
}

// debugPage is the DEBUG 500 page: what failed, in which file and at which
// line, the lines around it, and for a missing template the paths tried.
// Every value shown is HTML-escaped.
func debugPage(l *loader, r *http.Request, err error) []byte {
	var te *Error
	errors.As(err, &te)
	title := "Template error"
	if errors.Is(err, ErrTemplateDoesNotExist) {
		title = "TemplateDoesNotExist"
	}
	if r != nil && r.URL != nil {
		title += " at " + r.URL.Path
	}
	esc := html.EscapeString

	var b bytes.Buffer
	b.WriteString("<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <meta name=\"robots\" content=\"NONE,NOARCHIVE\">\n")
	fmt.Fprintf(&b, "  <title>%s</title>\n", esc(title))
	b.WriteString("  <style>body{font:small sans-serif;margin:0}div{padding:10px 20px}#summary{background:#ffc}" +
		"th{text-align:right;padding-right:1em;vertical-align:top}pre{white-space:pre-wrap}" +
		"table.source td{font-family:monospace;white-space:pre}tr.error td{background:#fcc}</style>\n</head>\n<body>\n")
	fmt.Fprintf(&b, "<div id=\"summary\">\n  <h1>%s</h1>\n  <pre class=\"exception_value\">%s</pre>\n", esc(title), esc(message(err)))
	if te != nil {
		b.WriteString("  <table>\n")
		fmt.Fprintf(&b, "    <tr><th>Template:</th><td>%s</td></tr>\n", esc(te.Name))
		if te.File != "" {
			fmt.Fprintf(&b, "    <tr><th>File:</th><td>%s</td></tr>\n", esc(te.File))
		}
		if te.Line > 0 {
			fmt.Fprintf(&b, "    <tr><th>Line:</th><td>%d</td></tr>\n", te.Line)
		}
		if te.Near != "" {
			fmt.Fprintf(&b, "    <tr><th>Near:</th><td>%s</td></tr>\n", esc(te.Near))
		}
		b.WriteString("  </table>\n")
	}
	if r != nil && r.URL != nil {
		fmt.Fprintf(&b, "  <p>Request: %s %s</p>\n", esc(r.Method), esc(r.URL.RequestURI()))
	}
	b.WriteString("</div>\n")

	if te != nil && te.File != "" && te.Line > 0 {
		b.WriteString("<div id=\"template\">\n  <h2>Error during template rendering</h2>\n")
		fmt.Fprintf(&b, "  <p>In template <code>%s</code>, error at line <strong>%d</strong></p>\n", esc(te.File), te.Line)
		fmt.Fprintf(&b, "  <pre class=\"cause\">%s</pre>\n", esc(te.Msg))
		if lines := sourceLines(l, te.File, te.Line, 5); len(lines) > 0 {
			b.WriteString("  <table class=\"source\">\n")
			for _, sl := range lines {
				class := ""
				if sl.n == te.Line {
					class = " class=\"error\""
				}
				fmt.Fprintf(&b, "    <tr%s><th>%d</th><td>%s</td></tr>\n", class, sl.n, esc(sl.text))
			}
			b.WriteString("  </table>\n")
		}
		b.WriteString("</div>\n")
	}
	var pe *panicError
	if errors.As(err, &pe) {
		fmt.Fprintf(&b, "<div id=\"traceback\">\n  <h2>Traceback</h2>\n  <pre>%s</pre>\n</div>\n", esc(string(pe.stack)))
	}
	if te != nil && len(te.Tried) > 0 {
		b.WriteString("<div id=\"postmortem\">\n  <h2>Template-loader postmortem</h2>\n  <ul>\n")
		for _, p := range te.Tried {
			fmt.Fprintf(&b, "    <li><code>%s</code> (Source does not exist)</li>\n", esc(p))
		}
		b.WriteString("  </ul>\n</div>\n")
	}
	b.WriteString("<div id=\"explanation\">\n  <p>You're seeing this error because you have <code>DEBUG = true</code> in your settings file. " +
		"Change that to <code>false</code>, and the server will show a standard 500 page.</p>\n</div>\n</body>\n</html>\n")
	return b.Bytes()
}

func message(err error) string {
	var te *Error
	if errors.As(err, &te) {
		loc := te.location()
		if loc == "" {
			return te.Msg
		}
		return loc + ": " + te.Msg
	}
	return err.Error()
}

type sourceLine struct {
	n    int
	text string
}

// sourceLines returns the lines of the template file around line (context
// lines either side), read through the loader so only template files are
// shown.
func sourceLines(l *loader, file string, line, context int) []sourceLine {
	if l == nil || !filepath.IsAbs(file) {
		return nil
	}
	rd, err := l.Get(file)
	if err != nil {
		return nil
	}
	src, err := io.ReadAll(rd)
	if err != nil {
		return nil
	}
	all := strings.Split(string(src), "\n")
	var out []sourceLine
	for n := max(1, line-context); n <= min(len(all), line+context); n++ {
		out = append(out, sourceLine{n, strings.TrimRight(all[n-1], "\r")})
	}
	return out
}

var (
	unknownFilter = regexp.MustCompile(`^Filter '([^']*)' does not exist\.$`)
	unknownTag    = regexp.MustCompile(`^Tag '([^']*)' not found \(or beginning tag not provided\)$`)
)

// djangoMessage puts pongo2's parse errors for an unknown filter or tag in
// Django's TemplateSyntaxError words.
func djangoMessage(msg string, line int) string {
	if m := unknownFilter.FindStringSubmatch(msg); m != nil {
		return "Invalid filter: '" + m[1] + "'"
	}
	if m := unknownTag.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("Invalid block tag on line %d: '%s'. Did you forget to register or load this tag?", line, m[1])
	}
	return msg
}
