package management

import (
	"fmt"
	"io"
	"sort"
)

// help prints the commands grouped by app, as Django's `manage.py help`
// does, or one command's usage; an unknown name is an error.
func help(cmds commandSet, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		c, ok := cmds.byName[args[0]]
		if !ok {
			fmt.Fprintf(stderr, "Unknown command: %s\nType 'go run . help' for usage.\n", pyRepr(args[0]))
			return 1
		}
		fs := newFlagSet(c, stderr)
		fs.SetOutput(stdout)
		fs.Usage()
		return 0
	}
	fmt.Fprintln(stdout, "\nType 'go run . help <subcommand>' for help on a specific subcommand.")
	fmt.Fprintln(stdout, "\nAvailable subcommands:")
	groups := make([]string, 0, len(cmds.groups))
	for g, names := range cmds.groups {
		if len(names) > 0 {
			groups = append(groups, g)
		}
	}
	sort.Strings(groups)
	for _, g := range groups {
		names := append([]string(nil), cmds.groups[g]...)
		sort.Strings(names)
		fmt.Fprintf(stdout, "\n[%s]\n", g)
		for _, n := range names {
			fmt.Fprintf(stdout, "    %-18s %s\n", n, cmds.byName[n].Short)
		}
	}
	return 0
}

// unknownCommand prints Django's "Unknown command: 'runserv'. Did you mean
// runserver?" (the suggestion only when a name is close enough).
func unknownCommand(w io.Writer, name string, cmds commandSet) {
	names := make([]string, 0, len(cmds.byName))
	for n := range cmds.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	msg := "Unknown command: " + pyRepr(name)
	if best := closeMatch(name, names); best != "" {
		msg += ". Did you mean " + best + "?"
	}
	fmt.Fprintf(w, "%s\nType 'go run . help' for usage.\n", msg)
}

// closeMatch is the best of names whose similarity to name (Python
// difflib's ratio: 2*matches/total length) is at least 0.6, as Django's
// get_close_matches(name, commands) picks it; "" if none is.
func closeMatch(name string, names []string) string {
	best, bestRatio := "", 0.6
	for _, n := range names {
		if r := similarity(name, n); r >= bestRatio && (best == "" || r > bestRatio) {
			best, bestRatio = n, r
		}
	}
	return best
}

// similarity is 2*M/T with M the characters of the longest common
// subsequence, close to difflib's ratio for command names.
func similarity(a, b string) float64 {
	if len(a)+len(b) == 0 {
		return 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				cur[j] = prev[j-1] + 1
			case prev[j] > cur[j-1]:
				cur[j] = prev[j]
			default:
				cur[j] = cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	return 2 * float64(prev[len(b)]) / float64(len(a)+len(b))
}

// pyRepr quotes s as Python's repr of a str does in Django's messages.
func pyRepr(s string) string { return "'" + s + "'" }
