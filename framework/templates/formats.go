package templates

import (
	"fmt"
	"sync/atomic"
	"time"
	_ "time/tzdata" // TIME_ZONE must resolve where the system has no zoneinfo

	"gojango/framework/settings"
)

// formats are the settings the date filters and {% now %} read: Django's
// *_FORMAT settings, TIME_ZONE and USE_TZ. pongo2 filters see no render
// state, so these are process-wide, as Django's settings are: New sets
// them from its settings.
type formats struct {
	byName map[string]string // DATE_FORMAT -> "N j, Y", ...
	loc    *time.Location    // TIME_ZONE
	useTZ  bool
}

var currentFormats atomic.Pointer[formats]

func init() {
	f, err := formatsFrom(settings.Default())
	if err != nil {
		f = &formats{byName: map[string]string{}, loc: time.UTC, useTZ: true}
	}
	currentFormats.Store(f)
}

// formatsFrom reads the format settings of s.
func formatsFrom(s *settings.Settings) (*formats, error) {
	loc := time.UTC
	if s.TimeZone != "" {
		l, err := time.LoadLocation(s.TimeZone)
		if err != nil {
			return nil, s.Errorf("TIME_ZONE", "Incorrect timezone setting: %s", s.TimeZone)
		}
		loc = l
	}
	return &formats{
		byName: map[string]string{
			"DATE_FORMAT":           s.DateFormat,
			"DATETIME_FORMAT":       s.DatetimeFormat,
			"TIME_FORMAT":           s.TimeFormat,
			"SHORT_DATE_FORMAT":     s.ShortDateFormat,
			"SHORT_DATETIME_FORMAT": s.ShortDatetimeFormat,
		},
		loc:   loc,
		useTZ: s.UseTZ,
	}, nil
}

// applyFormats makes s's formats, TIME_ZONE and USE_TZ the ones templates
// use.
func applyFormats(s *settings.Settings) error {
	f, err := formatsFrom(s)
	if err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	currentFormats.Store(f)
	return nil
}

// getFormat is Django's get_format: the named setting's format
// ("DATE_FORMAT", ...), or name itself when it names none.
func (f *formats) getFormat(name string) string {
	if v, ok := f.byName[name]; ok {
		return v
	}
	return name
}

// localtime is Django's template_localtime: with USE_TZ, t in TIME_ZONE;
// without, t as it is.
func (f *formats) localtime(t time.Time) time.Time {
	if f.useTZ {
		return t.In(f.loc)
	}
	return t
}

// now is the clock {% now %} reads; tests replace it.
var now = time.Now
