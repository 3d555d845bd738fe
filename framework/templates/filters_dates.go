package templates

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/flosch/pongo2/v6"
)

// Django's date filters: date, time (format characters in dateformat.go),
// timesince and timeuntil.

// timeOf returns v's time.Time (a time.Time or a non-nil *time.Time).
func timeOf(v *pongo2.Value) (time.Time, bool) {
	if v == nil || v.IsNil() {
		return time.Time{}, false
	}
	switch t := v.Interface().(type) {
	case time.Time:
		return t, true
	case *time.Time:
		if t != nil {
			return *t, true
		}
	}
	return time.Time{}, false
}

// formatArg is the filter's format: the named setting's (DATE_FORMAT, ...)
// when arg names one, arg itself otherwise, def without arg.
func formatArg(f *formats, arg *pongo2.Value, def string) string {
	if arg == nil || arg.IsNil() || str(arg) == "" {
		return f.getFormat(def)
	}
	return f.getFormat(str(arg))
}

// literalFormat is what Django's formatters make of a value that is not a
// date: the format's text when it has no format character, else "".
func literalFormat(format string) string {
	out, err := formatWith(time.Time{}, format, "")
	if err != nil {
		return ""
	}
	return out
}

// filterDate is Django's date: the value in TIME_ZONE (with USE_TZ),
// formatted with arg (a format or a setting's name; DATE_FORMAT without).
func filterDate(in, arg *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	if in == nil || in.IsNil() || (in.IsString() && str(in) == "") {
		return pongo2.AsValue(""), nil
	}
	f := currentFormats.Load()
	format := formatArg(f, arg, "DATE_FORMAT")
	t, ok := timeOf(in)
	if !ok {
		return pongo2.AsValue(literalFormat(format)), nil
	}
	return pongo2.AsValue(FormatDate(f.localtime(t), format)), nil
}

// filterTime is Django's time: like date with TIME_FORMAT, and "" for a
// format holding a date-only character.
func filterTime(in, arg *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	if in == nil || in.IsNil() || (in.IsString() && str(in) == "") {
		return pongo2.AsValue(""), nil
	}
	f := currentFormats.Load()
	format := formatArg(f, arg, "TIME_FORMAT")
	t, ok := timeOf(in)
	if !ok {
		return pongo2.AsValue(literalFormat(format)), nil
	}
	out, err := FormatTime(f.localtime(t), format)
	if err != nil {
		return pongo2.AsValue(""), nil
	}
	return pongo2.AsValue(out), nil
}

// filterTimesince is Django's timesince: "4\u00a0days, 6\u00a0hours" from
// the value to arg (now without arg).
func filterTimesince(in, arg *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	return since(in, arg, false)
}

// filterTimeuntil is Django's timeuntil: from arg (now) to the value.
func filterTimeuntil(in, arg *pongo2.Value) (*pongo2.Value, *pongo2.Error) {
	return since(in, arg, true)
}

func since(in, arg *pongo2.Value, reversed bool) (*pongo2.Value, *pongo2.Error) {
	d, ok := timeOf(in)
	if !ok {
		return pongo2.AsValue(""), nil
	}
	ref := now()
	if arg != nil && !arg.IsNil() {
		if ref, ok = timeOf(arg); !ok {
			return pongo2.AsValue(""), nil
		}
	}
	return pongo2.AsValue(TimeSince(d, ref, reversed)), nil
}

// wall is t's wall clock as a zone-less instant: Python subtracts two
// datetimes of one tzinfo by their wall clocks.
func wall(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

var sinceUnits = [...]string{"year", "month", "week", "day", "hour", "minute"}

// monthDays is Django's MONTHS_DAYS (February always 28).
var monthDays = [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// TimeSince is Django's timesince(d, now) (reversed: timeuntil): the time
// between d and now in up to two adjacent units of years, months, weeks,
// days, hours and minutes ("1\u00a0year, 3\u00a0months"), or
// "0\u00a0minutes" when d is not before now. now is taken in d's zone and
// the two are compared by wall clock, as Python does.
func TimeSince(d, now time.Time, reversed bool) string {
	now = now.In(d.Location())
	if reversed {
		d, now = now, d
	}
	wd, wn := wall(d), wall(now)
	if int64(math.Floor(wn.Sub(wd).Seconds())) <= 0 {
		return "0\u00a0minutes"
	}
	totalMonths := (wn.Year()-wd.Year())*12 + int(wn.Month()) - int(wd.Month())
	clock := func(t time.Time) time.Duration {
		return t.Sub(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC))
	}
	if wd.Day() > wn.Day() || (wd.Day() == wn.Day() && clock(wd) > clock(wn)) {
		totalMonths--
	}
	years, months := totalMonths/12, totalMonths%12
	pivot := wd
	if years != 0 || months != 0 {
		py, pm := wd.Year()+years, int(wd.Month())+months
		if pm > 12 {
			pm -= 12
			py++
		}
		pivot = time.Date(py, time.Month(pm), min(monthDays[pm-1], wd.Day()), wd.Hour(), wd.Minute(), wd.Second(), 0, time.UTC)
	}
	remaining := wn.Sub(pivot).Seconds()
	partials := []int{years, months}
	for _, chunk := range []float64{7 * 86400, 86400, 3600, 60} {
		count := math.Floor(remaining / chunk)
		partials = append(partials, int(count))
		remaining -= chunk * count
	}
	i := 0
	for i < len(partials) && partials[i] == 0 {
		i++
	}
	if i == len(partials) {
		return "0\u00a0minutes"
	}
	var out []string
	for depth := 0; i < len(partials) && depth < 2 && partials[i] != 0; i, depth = i+1, depth+1 {
		unit := sinceUnits[i]
		if partials[i] != 1 {
			unit += "s"
		}
		out = append(out, strconv.Itoa(partials[i])+"\u00a0"+unit)
	}
	return strings.Join(out, ", ")
}
