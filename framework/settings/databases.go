package settings

import (
	"strconv"
	"strings"
)

// databaseKeys are the keys of one DATABASES entry.
var databaseKeys = []string{"ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS"}

// databases decodes DATABASES. As in Django, an empty table is allowed (no
// database), but a non-empty one needs a "default" entry.
func (d *decoder) databases(key string, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		d.errorf(key, "want a table of database aliases such as [DATABASES.default], got %s", typeName(v))
		return
	}
	if _, ok := m["default"]; !ok && len(m) > 0 {
		d.errorf(key, "You must define a 'default' database.")
	}
	out := make(map[string]Database, len(m))
	for alias, av := range m {
		if db, ok := d.database(join(key, alias), av); ok {
			out[alias] = db
		}
	}
	d.s.Databases = out
}

// database decodes one DATABASES entry.
func (d *decoder) database(key string, v any) (Database, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		d.errorf(key, "want a table (ENGINE, NAME, USER, PASSWORD, HOST, PORT, OPTIONS), got %s", typeName(v))
		return Database{}, false
	}
	errs := len(d.errs)
	d.unknownKeys(key, m, databaseKeys)
	db := Database{Options: map[string]any{}}
	if e, ok := m["ENGINE"]; !ok {
		d.errorf(key+".ENGINE", `missing: every database needs an ENGINE (e.g. "django.db.backends.sqlite3" or "sqlite3")`)
	} else if d.str(key+".ENGINE", e, &db.Engine) && strings.TrimSpace(db.Engine) == "" {
		d.errorf(key+".ENGINE", "must not be empty")
	}
	for k, dst := range map[string]*string{"NAME": &db.Name, "USER": &db.User, "PASSWORD": &db.Password, "HOST": &db.Host} {
		if sv, ok := m[k]; ok {
			d.str(key+"."+k, sv, dst)
		}
	}
	if p, ok := m["PORT"]; ok {
		switch x := p.(type) {
		case string:
			db.Port = x
		case int64:
			db.Port = strconv.FormatInt(x, 10)
		default:
			d.errorf(key+".PORT", "want an integer or a string, got %s", typeName(p))
		}
	}
	if o, ok := m["OPTIONS"]; ok {
		if t, ok := d.table(key+".OPTIONS", o); ok {
			db.Options = t
		}
	}
	return db, len(d.errs) == errs
}
