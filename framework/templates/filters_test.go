package templates_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gojango/framework/templates"
)

// render renders src with the default settings' engine.
func render(t *testing.T, src string, data map[string]any) string {
	t.Helper()
	e, _ := newEngine(t, "", map[string]string{})
	out, err := e.RenderString(context.Background(), src, data)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return out
}

// TestFiltersAsDjango checks Django's outputs of the filters this package
// replaces or adds (the conformance set in conformance/templates checks
// them against Django itself).
func TestFiltersAsDjango(t *testing.T) {
	d := time.Date(2006, 1, 2, 21, 4, 5, 0, time.UTC) // 3:04 p.m. in America/Chicago
	data := map[string]any{
		"d": d, "html": `<b>"x" & 'y'</b>`, "safe": templates.SafeString("<i>ok</i>"),
		"none": nil, "list": []string{"a", "b", "c"}, "one": 1, "two": 2, "f": 34.26,
		"text": "The quick brown fox", "lines": "a\nb\n\nc",
	}
	tests := []struct{ name, src, want string }{
		{"date_format_characters", `{{ d|date:"Y-m-d H:i" }}`, "2006-01-02 15:04"},
		{"date_default_is_DATE_FORMAT", `{{ d|date }}`, "Jan. 2, 2006"},
		{"date_setting_name", `{{ d|date:"SHORT_DATETIME_FORMAT" }}`, "01/02/2006 3:04 p.m."},
		{"time_default_is_TIME_FORMAT", `{{ d|time }}`, "3:04 p.m."},
		{"escape_never_double_escapes", `{{ html|escape }}`, "&lt;b&gt;&quot;x&quot; &amp; &#x27;y&#x27;&lt;/b&gt;"},
		{"escape_twice_once", `{{ html|escape|escape }}`, "&lt;b&gt;&quot;x&quot; &amp; &#x27;y&#x27;&lt;/b&gt;"},
		{"force_escape_always", `{{ safe|force_escape }}`, "&lt;i&gt;ok&lt;/i&gt;"},
		{"safe_not_escaped", `{{ html|safe }}`, `<b>"x" & 'y'</b>`},
		{"mark_safe_value", `{{ safe }}`, "<i>ok</i>"},
		{"autoescape_off", `{% autoescape off %}{{ html }}{% endautoescape %}`, `<b>"x" & 'y'</b>`},
		{"default", `{{ none|default:"n/a" }}`, "n/a"},
		{"default_if_none", `{{ none|default_if_none:"n/a" }}`, "n/a"},
		{"length", `{{ list|length }}`, "3"},
		{"pluralize", `{{ one|pluralize }}|{{ two|pluralize:"y,ies" }}`, "|ies"},
		{"yesno", `{{ none|yesno:"yeah,no,maybe" }}`, "maybe"},
		{"linebreaks", `{{ lines|linebreaks }}`, "<p>a<br>b</p>\n\n<p>c</p>"},
		{"linebreaksbr_escapes", `{{ html|linebreaksbr }}`, "&lt;b&gt;&quot;x&quot; &amp; &#x27;y&#x27;&lt;/b&gt;"},
		{"truncatechars_ellipsis", `{{ text|truncatechars:9 }}`, "The quic…"},
		{"truncatewords", `{{ text|truncatewords:2 }}`, "The quick …"},
		{"floatformat", `{{ f|floatformat }} {{ f|floatformat:3 }}`, "34.3 34.260"},
		{"join_escapes_items", `{{ list|join:" & " }}`, "a & b & c"},
		{"slugify", `{{ "Crème brûlée!"|slugify }}`, "creme-brulee"},
		{"urlencode", `{{ "a b/ü"|urlencode }}`, "a%20b/%C3%BC"},
		{"title", `{{ "they're 1st"|title }}`, "They&#x27;re 1st"},
		{"capfirst", `{{ "hello"|capfirst }}`, "Hello"},
		{"first_last", `{{ list|first }}{{ list|last }}`, "ac"},
		{"add", `{{ one|add:"2" }}`, "3"},
		{"divisibleby", `{{ two|divisibleby:2 }}`, "True"},
		{"filesizeformat", `{{ 123456789|filesizeformat }}`, "117.7\u00a0MB"},
		{"timesince", `{{ d|timesince:later }}`, "1\u00a0day"},
		{"timeuntil", `{{ later|timeuntil:d }}`, "1\u00a0day"},
	}
	data["later"] = d.Add(24 * time.Hour)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(t, tt.src, data); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

// TestUnknownFilterOrTagIsSyntaxError checks Django's TemplateSyntaxError
// messages: an unknown filter or tag fails at load time with the line.
func TestUnknownFilterOrTagIsSyntaxError(t *testing.T) {
	e, _ := newEngine(t, "", map[string]string{
		"templates/f.html": "ok\n{{ x|frobnicate }}",
		"templates/t.html": "ok\n\n{% frobnicate %}",
	})
	for name, want := range map[string]string{
		"f.html": "f.html:2:6: Invalid filter: 'frobnicate'",
		"t.html": "t.html:3:4: Invalid block tag on line 3: 'frobnicate'. Did you forget to register or load this tag?",
	} {
		_, err := e.RenderToString(context.Background(), name, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to contain %q", name, err, want)
		}
	}
}

// TestNowTag checks {% now %} with Django's format characters, a setting's
// name and "as var", in TIME_ZONE.
func TestNowTag(t *testing.T) {
	defer templates.SetNow(func() time.Time { return time.Date(2024, 7, 4, 17, 0, 0, 0, time.UTC) })()
	got := render(t, `{% now "Y-m-d H:i" %}|{% now "SHORT_DATE_FORMAT" %}|{% now "\\Y" as y %}{{ y }}`, nil)
	if want := `2024-07-04 12:00|07/04/2024|\Y`; got != want { // Django keeps the tag's text as written
		t.Errorf("now = %q, want %q", got, want)
	}
}

// TestMalformedFormatIsNoPanic checks that odd formats and values never
// panic: they render as Django would or fail with an error.
func TestMalformedFormatIsNoPanic(t *testing.T) {
	for _, src := range []string{
		`{{ d|date:"\\" }}`, `{{ d|date:5 }}`, `{{ "x"|date:"Y" }}`, `{{ d|floatformat:"x" }}`,
		`{{ "1e999"|floatformat:2 }}`, `{{ list|divisibleby:0 }}`, `{{ d|timesince:"x" }}`, `{{ 5|first }}`,
	} {
		e, _ := newEngine(t, "", map[string]string{})
		_, _ = e.RenderString(context.Background(), src, map[string]any{"d": time.Now(), "list": []int{1}})
	}
}
