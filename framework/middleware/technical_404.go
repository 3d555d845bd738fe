package middleware

// technical404 is Django's DEBUG 404 page (technical_404_response): the
// request, the URL patterns tried in order, and the path that matched none
// of them (or the pattern whose view answered 404).

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

func technical404(r *http.Request, site *Site) []byte {
	path := strings.TrimPrefix(r.URL.Path, "/")
	matched := ""
	if site.routes != nil {
		matched = site.routes.Find(chi.NewRouteContext(), r.Method, r.URL.Path)
	}
	var b bytes.Buffer
	_ = technical404Page.Execute(&b, map[string]any{
		"Method":   r.Method,
		"URL":      requestURL(r, site),
		"Patterns": site.patterns,
		"Path":     path,
		"Matched":  matched,
	})
	return b.Bytes()
}

// requestURL is the absolute URL the client asked for.
func requestURL(r *http.Request, site *Site) string {
	return scheme(site.Settings, r) + "://" + r.Host + r.URL.RequestURI()
}

var technical404Page = template.Must(template.New("technical_404").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
  <meta http-equiv="content-type" content="text/html; charset=utf-8">
  <title>Page not found at /{{.Path}}</title>
  <meta name="robots" content="NONE,NOARCHIVE">
  <style>
    html * { padding:0; margin:0; }
    body * { padding:10px 20px; }
    body * * { padding:0; }
    body { font-family: sans-serif; background:#eee; color:#000; }
    body > :where(header, main, footer) { border-bottom:1px solid #ddd; }
    h1 { font-weight:normal; margin-bottom:.4em; }
    h1 small { font-size:60%; color:#666; font-weight:normal; }
    table { border:none; border-collapse: collapse; width:100%; }
    td, th { vertical-align:top; padding:2px 3px; }
    th { width:12em; text-align:right; color:#666; padding-right:.5em; }
    #info { background:#f6f6f6; }
    #info ol { margin: 0.5em 4em; }
    #info ol li { font-family: monospace; }
    #summary { background: #ffc; }
    #explanation { background:#eee; border-bottom: 0px none; }
  </style>
</head>
<body>
  <header id="summary">
    <h1>Page not found <small>(404)</small></h1>
    <table class="meta">
      <tr><th scope="row">Request Method:</th><td>{{.Method}}</td></tr>
      <tr><th scope="row">Request URL:</th><td>{{.URL}}</td></tr>
    </table>
  </header>
  <main id="info">
    {{if .Patterns}}
    <p>Using the URLconf defined in <code>urls.go</code>, gojango tried these URL patterns, in this order:</p>
    <ol>
      {{range .Patterns}}<li><code>{{.}}</code></li>
      {{end}}
    </ol>
    <p>
      {{if .Matched}}The current path, <code>{{.Path}}</code>, matched the last one ({{.Matched}}), whose view answered 404.
      {{else}}The current path, <code>{{.Path}}</code>, didn’t match any of these.{{end}}
    </p>
    {{else}}
    <p>The requested resource was not found on this server.</p>
    {{end}}
  </main>
  <footer id="explanation">
    <p>
      You’re seeing this error because you have <code>DEBUG = true</code> in
      your settings file. Change that to <code>false</code>, and gojango
      will display a standard 404 page.
    </p>
  </footer>
</body>
</html>
`))
