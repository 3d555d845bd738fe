package middleware

// technical500 is Django's DEBUG 500 page (technical_500_response): the
// error and where the request was, the stack, the request's GET, POST,
// cookies and headers, and the settings, secrets masked as Django masks
// them.

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

func technical500(r *http.Request, site *Site, err error) []byte {
	typ, value, stack := "Report", "No exception message supplied", ""
	if err != nil {
		typ, value = fmt.Sprintf("%T", err), err.Error()
		var pe *PanicError
		if errors.As(err, &pe) {
			typ, value, stack = fmt.Sprintf("panic(%T)", pe.Value), fmt.Sprint(pe.Value), string(pe.Stack)
		}
	}
	raised := ""
	if site.routes != nil {
		raised = site.routes.Find(chi.NewRouteContext(), r.Method, r.URL.Path)
	}
	var cookies []namedValue
	for _, c := range r.Cookies() {
		v := c.Value
		if hiddenSettings.MatchString(c.Name) {
			v = cleansedSubstitute
		}
		cookies = append(cookies, namedValue{c.Name, v})
	}
	settingsPath := ""
	if site.Settings != nil {
		settingsPath = site.Settings.Path
	}
	var b bytes.Buffer
	_ = technical500Page.Execute(&b, map[string]any{
		"Type":         typ,
		"Value":        value,
		"Path":         r.URL.Path,
		"Method":       r.Method,
		"URL":          requestURL(r, site),
		"Raised":       raised,
		"GoVersion":    runtime.Version(),
		"Time":         time.Now().UTC().Format("Mon, 02 Jan 2006 15:04:05 -0700"),
		"Stack":        stack,
		"GET":          formValues(r.URL.Query()),
		"POST":         formValues(r.PostForm),
		"Cookies":      cookies,
		"Headers":      safeHeaders(r.Header),
		"Settings":     safeSettings(site.Settings),
		"SettingsPath": settingsPath,
	})
	return b.Bytes()
}

// formValues lists query or form values by name.
func formValues(v map[string][]string) []namedValue {
	out := make([]namedValue, 0, len(v))
	for k, vs := range v {
		out = append(out, namedValue{k, strings.Join(vs, ", ")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

var technical500Page = template.Must(template.New("technical_500").Funcs(template.FuncMap{
	"map": func(title string, rows []namedValue) map[string][]namedValue {
		return map[string][]namedValue{title: rows}
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
  <meta http-equiv="content-type" content="text/html; charset=utf-8">
  <meta name="robots" content="NONE,NOARCHIVE">
  <title>{{.Type}} at {{.Path}}</title>
  <style>
    html * { padding:0; margin:0; }
    body * { padding:10px 20px; }
    body * * { padding:0; }
    body { font-family: sans-serif; background-color:#fff; color:#000; }
    body > :where(header, main, footer) { border-bottom:1px solid #ddd; }
    h1 { font-weight:normal; }
    h2 { margin-bottom:.8em; }
    h3 { margin:1em 0 .5em 0; }
    table { border:1px solid #ccc; border-collapse: collapse; width:100%; background:white; }
    tbody td, tbody th { vertical-align:top; padding:2px 3px; }
    th { padding:1px 6px 1px 3px; background:#fefefe; text-align:left; font-weight:normal; font-size:11px; border:1px solid #ddd; }
    td { font-family:monospace; font-size:11px; border:1px solid #ddd; word-break:break-all; }
    table.meta th { width:12em; text-align:right; color:#666; padding-right:.5em; font-size:13px; border:none; }
    table.meta td { font-size:13px; border:none; }
    pre { font-size:11px; white-space:pre-wrap; }
    pre.exception_value { font-family: sans-serif; color: #575757; font-size: 1.5em; margin: 10px 0 10px 0; }
    #summary { background: #ffc; }
    #summary h2 { font-weight: normal; color: #666; }
    #traceback { background:#eee; }
    #requestinfo { background:#f6f6f6; padding-left:120px; }
    #explanation { background:#eee; }
  </style>
</head>
<body>
<header id="summary">
  <h1>{{.Type}} at {{.Path}}</h1>
  <pre class="exception_value">{{.Value}}</pre>
  <table class="meta">
    <tr><th scope="row">Request Method:</th><td>{{.Method}}</td></tr>
    <tr><th scope="row">Request URL:</th><td>{{.URL}}</td></tr>
    <tr><th scope="row">Exception Type:</th><td>{{.Type}}</td></tr>
    <tr><th scope="row">Exception Value:</th><td><pre>{{.Value}}</pre></td></tr>
    {{if .Raised}}<tr><th scope="row">Raised during:</th><td>{{.Raised}}</td></tr>{{end}}
    <tr><th scope="row">Go Version:</th><td>{{.GoVersion}}</td></tr>
    <tr><th scope="row">Server time:</th><td>{{.Time}}</td></tr>
  </table>
</header>
<main>
{{if .Stack}}
<div id="traceback">
  <h2>Traceback</h2>
  <pre id="stack">{{.Stack}}</pre>
</div>
{{end}}
<div id="requestinfo">
  <h2>Request information</h2>
  {{template "table" (map "GET" .GET)}}
  {{template "table" (map "POST" .POST)}}
  {{template "table" (map "COOKIES" .Cookies)}}
  {{template "table" (map "META" .Headers)}}
  <h3 id="settings-info">Settings</h3>
  <h4>Using settings file <code>{{.SettingsPath}}</code></h4>
  <table class="req">
    <thead><tr><th scope="col">Setting</th><th scope="col">Value</th></tr></thead>
    <tbody>{{range .Settings}}<tr><td>{{.Name}}</td><td class="code"><pre>{{.Value}}</pre></td></tr>
    {{end}}</tbody>
  </table>
</div>
</main>
<footer id="explanation">
  <p>
    You’re seeing this error because you have <code>DEBUG = true</code> in your
    settings file. Change that to <code>false</code>, and gojango will
    display a standard page generated by the handler for this status code.
  </p>
</footer>
</body>
</html>
{{define "table"}}{{range $title, $rows := .}}
  <h3>{{$title}}</h3>
  {{if $rows}}<table class="req">
    <thead><tr><th scope="col">Variable</th><th scope="col">Value</th></tr></thead>
    <tbody>{{range $rows}}<tr><td>{{.Name}}</td><td class="code"><pre>{{.Value}}</pre></td></tr>
    {{end}}</tbody>
  </table>{{else}}<p>No {{$title}} data</p>{{end}}
{{end}}{{end}}`))
