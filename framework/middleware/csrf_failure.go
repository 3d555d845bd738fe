package middleware

// CSRFFailure is Django's default CSRF_FAILURE_VIEW: the "Forbidden (403)
// CSRF verification failed. Request aborted." page, with the reason and
// help under DEBUG.

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"

	"gojango/framework/csrf"
)

// CSRFFailure writes Django's 403 page for a request the CSRF middleware
// refused (csrf.FailureReason(r) gives the reason). Without DEBUG it shows
// the reason's explanation only for a missing cookie or Referer, as
// Django's csrf_failure view does.
func CSRFFailure(w http.ResponseWriter, r *http.Request) {
	reason := csrf.FailureReason(r)
	var b bytes.Buffer
	_ = csrfFailurePage.Execute(&b, map[string]any{
		"Reason":    reason,
		"NoReferer": reason == ReasonNoReferer,
		"NoCookie":  reason == ReasonNoCSRFCookie,
		"Debug":     siteOf(r).debug(),
	})
	writeHTML(w, http.StatusForbidden, b.Bytes())
}

// writeHTML answers with status and an HTML body.
func writeHTML(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Del("Content-Encoding")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// csrfFailurePage has the text of Django 5.2's csrf_403.html.
var csrfFailurePage = template.Must(template.New("csrf_403").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
  <meta http-equiv="content-type" content="text/html; charset=utf-8">
  <meta name="robots" content="NONE,NOARCHIVE">
  <title>403 Forbidden</title>
  <style>
    html * { padding:0; margin:0; }
    body * { padding:10px 20px; }
    body * * { padding:0; }
    body { font-family: sans-serif; background:#eee; color:#000; }
    body>div { border-bottom:1px solid #ddd; }
    h1 { font-weight:normal; margin-bottom:.4em; }
    h1 span { font-size:60%; color:#666; font-weight:normal; }
    #info { background:#f6f6f6; }
    #info ul { margin: 0.5em 4em; }
    #info p, #summary p { padding-top:10px; }
    #summary { background: #ffc; }
    #explanation { background:#eee; border-bottom: 0px none; }
  </style>
</head>
<body>
<div id="summary">
  <h1>Forbidden <span>(403)</span></h1>
  <p>CSRF verification failed. Request aborted.</p>
{{if .NoReferer}}
  <p>You are seeing this message because this HTTPS site requires a “Referer header” to be sent by your web browser, but none was sent. This header is required for security reasons, to ensure that your browser is not being hijacked by third parties.</p>
  <p>If you have configured your browser to disable “Referer” headers, please re-enable them, at least for this site, or for HTTPS connections, or for “same-origin” requests.</p>
  <p>If you are using the &lt;meta name=&quot;referrer&quot; content=&quot;no-referrer&quot;&gt; tag or including the “Referrer-Policy: no-referrer” header, please remove them. The CSRF protection requires the “Referer” header to do strict referer checking. If you’re concerned about privacy, use alternatives like &lt;a rel=&quot;noreferrer&quot; …&gt; for links to third-party sites.</p>
{{end}}{{if .NoCookie}}
  <p>You are seeing this message because this site requires a CSRF cookie when submitting forms. This cookie is required for security reasons, to ensure that your browser is not being hijacked by third parties.</p>
  <p>If you have configured your browser to disable cookies, please re-enable them, at least for this site, or for “same-origin” requests.</p>
{{end}}
</div>
{{if .Debug}}
<div id="info">
  <h2>Help</h2>
  <p>Reason given for failure:</p>
  <pre>
    {{.Reason}}
  </pre>
  <p>In general, this can occur when there is a genuine Cross Site Request Forgery, or when
  gojango’s CSRF mechanism (Django’s, <a href="https://docs.djangoproject.com/en/5.2/ref/csrf/">documented here</a>)
  has not been used correctly. For POST forms, you need to ensure:</p>
  <ul>
    <li>Your browser is accepting cookies.</li>
    <li>The view passes the request to the template’s <code>Render</code> method.</li>
    <li>In the template, there is a <code>{{"{%"}} csrf_token %}</code> template tag inside each POST form that
    targets an internal URL.</li>
    <li>The form has a valid CSRF token. After logging in in another browser
    tab or hitting the back button after a login, you may need to reload the
    page with the form, because the token is rotated after a login.</li>
  </ul>
  <p>You’re seeing the help section of this page because you have <code>DEBUG =
  true</code> in your settings file. Change that to <code>false</code>,
  and only the initial error message will be displayed.</p>
  <p>You can customize this page with the project’s CSRF failure view (Django’s CSRF_FAILURE_VIEW).</p>
</div>
{{else}}
<div id="explanation">
  <p><small>More information is available with DEBUG=True.</small></p>
</div>
{{end}}
</body>
</html>
`))
