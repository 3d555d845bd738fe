package settings

import "strconv"

// templateKeys are the keys of one TEMPLATES entry.
var templateKeys = []string{"BACKEND", "DIRS", "APP_DIRS", "OPTIONS"}

// templates decodes TEMPLATES: an array of tables ([[TEMPLATES]] entries or
// inline tables). An entry's DIRS default to [] and APP_DIRS to false, as in
// Django; only an absent TEMPLATES gets the default backend.
func (d *decoder) templates(key string, v any) {
	arr, ok := v.([]any)
	if !ok {
		d.errorf(key, "want an array of tables ([[TEMPLATES]] entries), got %s", typeName(v))
		return
	}
	out := make([]TemplateBackend, 0, len(arr))
	for i, ev := range arr {
		if t, ok := d.template(key+"."+strconv.Itoa(i), ev); ok {
			out = append(out, t)
		}
	}
	d.s.Templates = out
}

// template decodes one TEMPLATES entry.
func (d *decoder) template(key string, v any) (TemplateBackend, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		d.errorf(key, "want a table (BACKEND, DIRS, APP_DIRS, OPTIONS), got %s", typeName(v))
		return TemplateBackend{}, false
	}
	errs := len(d.errs)
	d.unknownKeys(key, m, templateKeys)
	t := TemplateBackend{Dirs: []string{}, Options: map[string]any{}}
	if b, ok := m["BACKEND"]; !ok {
		d.errorf(key+".BACKEND", `missing: every template engine needs a BACKEND (e.g. "django.template.backends.django.DjangoTemplates")`)
	} else if d.str(key+".BACKEND", b, &t.Backend) && t.Backend == "" {
		d.errorf(key+".BACKEND", "must not be empty")
	}
	if dirs, ok := m["DIRS"]; ok {
		d.strs(key+".DIRS", dirs, &t.Dirs)
	}
	if a, ok := m["APP_DIRS"]; ok {
		d.boolean(key+".APP_DIRS", a, &t.AppDirs)
	}
	if o, ok := m["OPTIONS"]; ok {
		if tbl, ok := d.table(key+".OPTIONS", o); ok {
			t.Options = tbl
		}
	}
	return t, len(d.errs) == errs
}
