// Package templatesconformance is the template conformance set: the
// template files in testdata/ rendered with the context in
// testdata/context.json by real Django 5.2.19 (render.py, one python
// process for the whole set) and by framework/templates, compared byte
// for byte under several settings (TIME_ZONE, USE_TZ). Run it with
//
//	GOJANGO_DJANGO_DIR=conformance/.django go test ./conformance/templates/
//
// (bash conformance/getdjango.sh conformance/.django fetches Django); it
// skips when Django is missing, and fails then when CI is set. It prints
// "templates: N of M templates render identically".
//
// Where framework/templates differs from Django on purpose or by pongo2's
// nature, framework/templates' package documentation says so; the set
// keeps to what both are meant to render alike.
package templatesconformance
