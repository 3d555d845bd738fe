// Package templates renders Django-syntax templates with pongo2
// (github.com/flosch/pongo2/v6): an Engine built from the TEMPLATES setting
// finds templates the way Django's filesystem and app_directories loaders
// do, Engine.Render is Django's render(), and the {% cache %} tag is
// Django's template fragment caching on top of framework/cache:
//
//	{% load cache %}
//	{% cache 500 sidebar request.user.username %}
//	    .. sidebar for logged in user ..
//	{% endcache %}
//
// The fragment is stored under cache.MakeTemplateFragmentKey("sidebar",
// username) in the "template_fragments" alias when CACHES has one, else in
// "default" (using="alias" picks another). Deleting that key from Go makes
// the next render rebuild the fragment. Beyond Django, tags="a,b" tags the
// fragment: cache.InvalidateTags with any of its tags rebuilds it, whatever
// its vary-on values.
//
// What a Django template can use, with Django's outputs (checked against
// Django 5.2.19 by the conformance set in conformance/templates):
//
//   - Autoescaping as Django's: on by default, {% autoescape off %}, the
//     escape filter never escapes twice (conditional_escape), force_escape
//     always escapes, safe, and SafeString / MarkSafe for HTML built in Go.
//     Escaping writes &#x27; for ' as Django does.
//   - Filters with Django's behaviour (pongo2's own of the same name are
//     replaced): add, capfirst, date, default, default_if_none,
//     divisibleby, escape, filesizeformat, first, floatformat,
//     force_escape, join, last, length, linebreaks, linebreaksbr, lower,
//     pluralize, safe, slugify, time, timesince, timeuntil, title,
//     truncatechars, truncatewords, upper, urlencode, yesno. Other pongo2
//     filters keep pongo2's behaviour.
//   - Django's date format characters in date, time and {% now %} (a A b c
//     d D e E f F g G h H i I j l L m M n N o O P r s S t T u U w W y Y z
//     Z, backslash escapes; FormatDate and FormatTime from Go), the
//     DATE_FORMAT, DATETIME_FORMAT, TIME_FORMAT, SHORT_DATE_FORMAT and
//     SHORT_DATETIME_FORMAT settings (as date:"SHORT_DATE_FORMAT"), and
//     TIME_ZONE / USE_TZ: with USE_TZ a time is shown in TIME_ZONE, without
//     it in its own location.
//   - {% url "name" arg ... %}, {% url "name" key=value %}, {% url ... as
//     var %} and namespaced names ("blog:detail"), reversed by
//     framework/urls; an unknown name fails the render with Django's
//     NoReverseMatch message and the known names (with "as var" it stores
//     "", as in Django).
//   - {% csrf_token %}: the hidden csrfmiddlewaretoken input with
//     csrf.Token of the request passed to Render, nothing when there is
//     none (RenderToString and RenderString have no request).
//   - An unknown filter or tag fails when the template is loaded, with
//     Django's words: "Invalid filter: 'x'", "Invalid block tag on line 3:
//     'x'. Did you forget to register or load this tag?", and the file and
//     line.
//
// Where pongo2 forces a difference from Django:
//   - {{ value }} is printed by pongo2: a time.Time prints Go's String()
//     (write {{ t|date:"DATETIME_FORMAT" }}), a float 3.5 prints 3.500000
//     (write |floatformat), None prints "" (Django: "None"), and a value
//     that is not a string (a fmt.Stringer, say) is not autoescaped; a
//     list prints as pongo2 shows it, not as Python's repr.
//   - pongo2 tells no missing variable from a nil one: default_if_none
//     and yesno treat a missing variable as None (Django: "").
//   - A string literal in a template ({{ "<i>" }}) is escaped; Django marks
//     literals safe. The separator of join is a literal in practice and is
//     not escaped, as in Django (but a separator from a variable is not
//     escaped either).
//   - {{ x|safe|upper }} is not escaped: pongo2 skips autoescaping when the
//     safe filter appears anywhere in the chain (Django escapes after a
//     filter that is not is_safe).
//   - Filters see no render state: linebreaks, linebreaksbr and join
//     escape their input inside {% autoescape off %} too (Django does not),
//     and the date settings are process-wide, set by the latest New.
//   - The *_FORMAT settings are used as they are; Django 5 lets the active
//     language's locale formats win over them (for en-us they are the
//     same as the defaults, so a changed DATE_FORMAT shows here and not in
//     Django). Only English names and suffixes exist.
//   - A time.Time always has a location, so there are no naive datetimes:
//     with USE_TZ = false, e and T print the time's own zone where Django
//     prints "" and TIME_ZONE's abbreviation for a naive datetime.
//   - Django's date objects (no time of day) do not exist in Go; time
//     characters on a time.Time are always allowed in the date filter.
//   - Inside a string literal pongo2 knows only the escapes \\ and \";
//     "\Y" is a syntax error (write "\\Y", which both read as \Y).
//   - {% for %} is pongo2's: forloop.Counter, forloop.First, ... are
//     capitalised, and {{ block.super }} is not available.
//   - timesince, timeuntil and date of a value that is not a time.Time
//     render "" (Django raises for some such values).
//   - pongo2's tags are global to the process: {% cache %} and {% load %}
//     are registered with pongo2 once, on the first New, and are available
//     in every template whether or not it says {% load cache %}. {% load %}
//     accepts the "cache" library and fails, with Django's message, on any
//     other.
//   - pongo2 hands a tag tokens, not text. Arguments are rebuilt from the
//     tokens' positions, so they split at whitespace as Django's do, but a
//     quoted fragment name is always written with double quotes in the key
//     ({% cache 5 'x' %} and {% cache 5 "x" %} share the key of "x" with its
//     double quotes), and a fragment name may only hold characters pongo2's
//     lexer accepts (letters, digits, '_' and its symbols such as . - : /).
//     An argument that pongo2 would read together with the next one as one
//     expression (a vary value followed by -1) is a parse error.
//   - pongo2 resolves a missing variable and a nil one alike; the tag looks
//     plain variables (a, a.b, a.0) up itself so that an unknown timeout
//     variable is an error ('"cache" tag got an unknown variable: ...')
//     while a None-valued one (nil, a nil pointer) means "never expire", and
//     a missing vary variable hashes as "" (Django's string_if_invalid).
//     None, True and False are literals, as in Django. (Django itself turns
//     a missing timeout variable into "" first, so it reports a
//     non-integer timeout instead; either way the render fails.)
//   - In DEBUG every render reads the templates again (Django 4.1+ keeps
//     them and reloads on change through its autoreloader).
//   - {% include var %} with a variable (not a literal) name is parsed by
//     pongo2 at render time and marks its template set without a lock; two
//     such renders at once are a (benign) data race inside pongo2.
package templates
