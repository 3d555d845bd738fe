package templates

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Django's date format characters (django/utils/dateformat.py), in English.
// FormatDate is DateFormat.format, FormatTime is TimeFormat.format: a
// format character not preceded by a backslash is replaced, "\x" prints x,
// and everything else is copied as it is.

// formatChars are the characters Django's re_formatchars knows.
const formatChars = "aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ"

// timeChars are the ones TimeFormat has; the time filter renders "" for a
// format with any other (Django's AttributeError).
const timeChars = "aAefgGhHiOPsTuZ"

var (
	monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	monthsAP = [...]string{"Jan.", "Feb.", "March", "April", "May", "June", "July",
		"Aug.", "Sept.", "Oct.", "Nov.", "Dec."}
	weekdayNames = [...]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
)

// FormatDate formats t with Django's date format characters, as the date
// filter does with a format string (no time zone conversion: convert t
// first). Every character is valid for a date and time, so it never fails.
func FormatDate(t time.Time, format string) string {
	out, _ := formatWith(t, format, formatChars)
	return out
}

// FormatTime formats t with Django's time format characters (the time
// filter). A date-only character (Y, d, ...) in format is an error, which
// the filter renders as "".
func FormatTime(t time.Time, format string) (string, error) {
	return formatWith(t, format, timeChars)
}

func formatWith(t time.Time, format, allowed string) (string, error) {
	var b strings.Builder
	var lit strings.Builder // the literal piece being collected, still escaped
	flush := func() {
		b.WriteString(unescapeLiteral(lit.String()))
		lit.Reset()
	}
	prevBackslash := false
	for _, c := range format {
		if !prevBackslash && c < 128 && strings.IndexByte(formatChars, byte(c)) >= 0 {
			if strings.IndexByte(allowed, byte(c)) < 0 {
				return "", fmt.Errorf("format character %q is not a time format character", c)
			}
			flush()
			b.WriteString(formatChar(t, byte(c)))
			prevBackslash = false
			continue
		}
		lit.WriteRune(c)
		prevBackslash = c == '\\'
	}
	flush()
	return b.String(), nil
}

// unescapeLiteral applies Django's re_escaped ("\\(.)" -> "\1") to a
// literal piece: a backslash and the character after it (not a newline)
// become that character.
func unescapeLiteral(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '\\' && i+1 < len(rs) && rs[i+1] != '\n' {
			b.WriteRune(rs[i+1])
			i++
			continue
		}
		b.WriteRune(rs[i])
	}
	return b.String()
}

func pad2(n int) string {
	if n >= 0 && n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func hour12(t time.Time) int {
	if h := t.Hour() % 12; h != 0 {
		return h
	}
	return 12
}

// formatChar is one of Django's DateFormat/TimeFormat methods.
func formatChar(t time.Time, c byte) string {
	switch c {
	case 'a':
		if t.Hour() > 11 {
			return "p.m."
		}
		return "a.m."
	case 'A':
		if t.Hour() > 11 {
			return "PM"
		}
		return "AM"
	case 'b':
		return strings.ToLower(monthNames[t.Month()-1][:3])
	case 'c':
		return isoFormat(t)
	case 'd':
		return pad2(t.Day())
	case 'D':
		return weekdayNames[(int(t.Weekday())+6)%7][:3]
	case 'e', 'T':
		name, _ := t.Zone()
		return name
	case 'E', 'F':
		return monthNames[t.Month()-1]
	case 'f':
		if t.Minute() == 0 {
			return strconv.Itoa(hour12(t))
		}
		return strconv.Itoa(hour12(t)) + ":" + pad2(t.Minute())
	case 'g':
		return strconv.Itoa(hour12(t))
	case 'G':
		return strconv.Itoa(t.Hour())
	case 'h':
		return pad2(hour12(t))
	case 'H':
		return pad2(t.Hour())
	case 'i':
		return pad2(t.Minute())
	case 'I':
		if t.IsDST() {
			return "1"
		}
		return "0"
	case 'j':
		return strconv.Itoa(t.Day())
	case 'l':
		return weekdayNames[(int(t.Weekday())+6)%7]
	case 'L':
		if y := t.Year(); y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return "True"
		}
		return "False"
	case 'm':
		return pad2(int(t.Month()))
	case 'M':
		return monthNames[t.Month()-1][:3]
	case 'n':
		return strconv.Itoa(int(t.Month()))
	case 'N':
		return monthsAP[t.Month()-1]
	case 'o':
		y, _ := t.ISOWeek()
		return strconv.Itoa(y)
	case 'O':
		return offsetHHMM(t, "")
	case 'P':
		switch {
		case t.Minute() == 0 && t.Hour() == 0:
			return "midnight"
		case t.Minute() == 0 && t.Hour() == 12:
			return "noon"
		}
		return formatChar(t, 'f') + " " + formatChar(t, 'a')
	case 'r':
		return t.Format("Mon, 02 Jan 2006 15:04:05 ") + offsetHHMM(t, "")
	case 's':
		return pad2(t.Second())
	case 'S':
		switch d := t.Day(); {
		case d == 11 || d == 12 || d == 13:
			return "th"
		case d%10 == 1:
			return "st"
		case d%10 == 2:
			return "nd"
		case d%10 == 3:
			return "rd"
		}
		return "th"
	case 't':
		return strconv.Itoa(time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day())
	case 'u':
		return fmt.Sprintf("%06d", t.Nanosecond()/1000)
	case 'U':
		return strconv.FormatInt(t.Unix(), 10)
	case 'w':
		return strconv.Itoa(int(t.Weekday()))
	case 'W':
		_, w := t.ISOWeek()
		return strconv.Itoa(w)
	case 'y':
		return pad2(((t.Year() % 100) + 100) % 100)
	case 'Y':
		return fmt.Sprintf("%04d", t.Year())
	case 'z':
		return strconv.Itoa(t.YearDay())
	case 'Z':
		_, off := t.Zone()
		return strconv.Itoa(off)
	}
	return ""
}

// offsetHHMM is the zone offset as +HHMM (sep "") or +HH:MM (sep ":").
func offsetHHMM(t time.Time, sep string) string {
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return sign + pad2(off/3600) + sep + pad2(off/60%60)
}

// isoFormat is Python's datetime.isoformat() of an aware datetime:
// microseconds only when not zero, the offset as +HH:MM.
func isoFormat(t time.Time) string {
	s := t.Format("2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	return s + offsetHHMM(t, ":")
}
