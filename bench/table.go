package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// table is one Markdown table with notes under it.
type table struct {
	title string
	head  []string
	rows  [][]string
	notes []string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) note(format string, args ...any) {
	t.notes = append(t.notes, fmt.Sprintf(format, args...))
}

func (t *table) print(w io.Writer) {
	fmt.Fprintf(w, "### %s\n\n", t.title)
	fmt.Fprintf(w, "| %s |\n", strings.Join(t.head, " | "))
	seps := make([]string, len(t.head))
	for i := range seps {
		seps[i] = "---"
		if i > 0 {
			seps[i] = "---:"
		}
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(seps, " | "))
	for _, r := range t.rows {
		for len(r) < len(t.head) {
			r = append(r, "")
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
	}
	if len(t.notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range t.notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
	fmt.Fprintln(w)
}

// goal is one target the issue sets, checked against a figure.
type goal struct {
	text   string // what is wanted
	got    string // what was measured
	ok     bool
	absent bool // the figure was not measured (skipped)
}

// report collects the tables and goals of every section.
type report struct {
	tables []*table
	goals  []goal
}

func (r *report) table(title string, head ...string) *table {
	t := &table{title: title, head: head}
	r.tables = append(r.tables, t)
	return t
}

func (r *report) goal(text, got string, ok bool) {
	r.goals = append(r.goals, goal{text: text, got: got, ok: ok})
}

func (r *report) skipped(text, why string) {
	r.goals = append(r.goals, goal{text: text, got: why, absent: true})
}

func (r *report) print(w io.Writer, machine string, cfg config, took time.Duration) {
	fmt.Fprintln(w)
	fmt.Fprintf(w, "## gojango cache benchmarks\n\n")
	fmt.Fprintf(w, "Machine: %s.  \n", machine)
	fmt.Fprintf(w, "Run: `go run .")
	if cfg.quick {
		fmt.Fprintf(w, " -quick")
	}
	fmt.Fprintf(w, " -duration %s -clients %d -rounds %d", cfg.duration, cfg.clients, cfg.rounds)
	if len(cfg.only) > 0 {
		fmt.Fprintf(w, " -only %s", strings.Join(cfg.only, ","))
	}
	fmt.Fprintf(w, "`, %s in all", took.Round(time.Second))
	if l := loadAverage(); l != "" {
		fmt.Fprintf(w, "; load average %s at the end", l)
	}
	fmt.Fprintf(w, ".\n\n")
	for _, t := range r.tables {
		t.print(w)
	}
	if len(r.goals) == 0 {
		return
	}
	g := &table{title: "Goals", head: []string{"goal", "measured", "result"}}
	for _, x := range r.goals {
		res := "MISS"
		switch {
		case x.absent:
			res = "n/a"
		case x.ok:
			res = "PASS"
		}
		g.add(x.text, x.got, res)
	}
	g.print(w)
}

// Formatting.

func fmtRate(perSec float64) string { return groupThousands(int64(perSec + 0.5)) }

func groupThousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func fmtNs(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e4:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	case ns >= 100:
		return fmt.Sprintf("%.0f ns", ns)
	default:
		return fmt.Sprintf("%.1f ns", ns)
	}
}

func fmtRatio(x float64) string { return fmt.Sprintf("%.2f×", x) }

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	default:
		return d.Round(100 * time.Nanosecond).String()
	}
}
