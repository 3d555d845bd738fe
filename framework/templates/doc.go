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
// the next render rebuild the fragment.
//
// Where pongo2 forces a difference from Django:
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
