package templates_test

import (
	"testing"
	"time"

	"gojango/framework/templates"
)

// TestDateFormatCharacters checks each of Django's format characters
// (django/utils/dateformat.py) on fixed times.
func TestDateFormatCharacters(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	d := time.Date(2006, 1, 2, 15, 4, 5, 123000, chicago) // a Monday, CST
	summer := time.Date(2024, 7, 4, 0, 0, 0, 0, chicago)  // midnight, CDT
	tests := []struct {
		name   string
		t      time.Time
		format string
		want   string
	}{
		{"a_pm", d, "a", "p.m."}, {"A_PM", d, "A", "PM"}, {"b_lower_month", d, "b", "jan"},
		{"c_isoformat", d, "c", "2006-01-02T15:04:05.000123-06:00"},
		{"c_isoformat_no_microseconds", summer, "c", "2024-07-04T00:00:00-05:00"},
		{"d_day_padded", d, "d", "02"}, {"D_weekday_abbr", d, "D", "Mon"}, {"e_zone_name", d, "e", "CST"},
		{"E_alt_month", d, "E", "January"}, {"f_hour_minutes", d, "f", "3:04"}, {"f_hour_only", summer, "f", "12"},
		{"F_month", d, "F", "January"}, {"g", d, "g", "3"}, {"G", d, "G", "15"}, {"h", d, "h", "03"},
		{"H", d, "H", "15"}, {"i", d, "i", "04"}, {"I_no_dst", d, "I", "0"}, {"I_dst", summer, "I", "1"},
		{"j", d, "j", "2"}, {"l", d, "l", "Monday"}, {"L_not_leap", d, "L", "False"}, {"L_leap", summer, "L", "True"},
		{"m", d, "m", "01"}, {"M", d, "M", "Jan"}, {"n", d, "n", "1"}, {"N_AP_style", d, "N", "Jan."},
		{"N_AP_style_july", summer, "N", "July"}, {"o_iso_year", d, "o", "2006"}, {"O_offset", d, "O", "-0600"},
		{"P_time", d, "P", "3:04 p.m."}, {"P_midnight", summer, "P", "midnight"},
		{"P_noon", summer.Add(12 * time.Hour), "P", "noon"},
		{"r_rfc5322", d, "r", "Mon, 02 Jan 2006 15:04:05 -0600"}, {"s", d, "s", "05"}, {"S_nd", d, "S", "nd"},
		{"S_th_for_12", d.AddDate(0, 0, 10), "S", "th"}, {"t_days_in_month", d, "t", "31"},
		{"T_zone", summer, "T", "CDT"}, {"u_microseconds", d, "u", "000123"}, {"U_epoch", d, "U", "1136235845"},
		{"w_weekday", d, "w", "1"}, {"W_iso_week", d, "W", "1"}, {"y", d, "y", "06"}, {"Y", d, "Y", "2006"},
		{"z_day_of_year", summer, "z", "186"}, {"Z_offset_seconds", d, "Z", "-21600"},
		{"backslash_escapes", d, `\Y\e\s: Y`, "Yes: 2006"},
		{"backslash_before_char_is_literal", d, `\\Y`, `\Y`},
		{"non_ascii_literal", d, "à Y", "à 2006"},
		{"trailing_backslash", d, `Y\`, `2006\`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := templates.FormatDate(tt.t, tt.format); got != tt.want {
				t.Errorf("FormatDate(%q) = %q, want %q", tt.format, got, tt.want)
			}
		})
	}
}

// TestTimeFormatRejectsDateCharacters checks Django's time filter rule: a
// date-only format character makes the output "" (TimeFormat has no such
// method).
func TestTimeFormatRejectsDateCharacters(t *testing.T) {
	d := time.Date(2006, 1, 2, 15, 4, 5, 0, time.UTC)
	if got, err := templates.FormatTime(d, "H:i"); err != nil || got != "15:04" {
		t.Errorf(`FormatTime("H:i") = %q, %v`, got, err)
	}
	if _, err := templates.FormatTime(d, "Y H"); err == nil {
		t.Error(`FormatTime("Y H") succeeded, want an error`)
	}
}

// TestTimeSinceDjangoExamples checks timesince's documented examples.
func TestTimeSinceDjangoExamples(t *testing.T) {
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	tests := []struct {
		name     string
		d, now   time.Time
		reversed bool
		want     string
	}{
		{"one_year_one_month", at(2013, 2, 10, 0, 0), at(2014, 3, 10, 0, 0), false, "1\u00a0year, 1\u00a0month"},
		{"future_is_zero_minutes", at(2024, 6, 1, 0, 0), at(2024, 5, 1, 0, 0), false, "0\u00a0minutes"},
		{"adjacent_units_only", at(2024, 1, 1, 0, 0), at(2024, 1, 15, 3, 0), false, "2\u00a0weeks"},
		{"hours_minutes", at(2024, 1, 1, 0, 0), at(2024, 1, 1, 5, 7), false, "5\u00a0hours, 7\u00a0minutes"},
		{"timeuntil", at(2024, 1, 2, 0, 0), at(2024, 1, 1, 0, 0), true, "1\u00a0day"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := templates.TimeSince(tt.d, tt.now, tt.reversed); got != tt.want {
				t.Errorf("TimeSince = %q, want %q", got, tt.want)
			}
		})
	}
}
