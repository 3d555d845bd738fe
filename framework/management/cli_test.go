package management

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// Each row is one of Django's manage.py behaviours, as Django 5.2.19 prints
// it (with "manage.py" spelled "go run .").
func TestManageBehavesLikeDjangosManagePy(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		out, err string // substrings of stdout and stderr
	}{
		{"UnknownCommandSuggestsTheClosest", []string{"runserv"}, 1, "", "Unknown command: 'runserv'. Did you mean runserver?\nType 'go run . help' for usage.\n"},
		{"UnknownCommandWithoutCloseMatch", []string{"zzzzzz"}, 1, "", "Unknown command: 'zzzzzz'\nType 'go run . help' for usage.\n"},
		{"HelpGroupsCommandsByApp", []string{"help"}, 0, "\n[gojango]\n    cachestats ", ""},
		{"HelpListsInstalledAppsCommands", []string{"help"}, 0, "\n[testapp]\n    hello ", ""},
		{"NoCommandIsHelp", nil, 0, "Available subcommands:", ""},
		{"HelpOfUnknownCommandIsAnError", []string{"help", "nosuch"}, 1, "", "Unknown command: 'nosuch'\n"},
		{"HelpOfACommand", []string{"help", "createcachetable"}, 0, "-dry-run", ""},
		{"VersionOption", []string{"--version"}, 0, Version + "\n", ""},
		{"VersionAfterCommand", []string{"check", "--version"}, 0, Version + "\n", ""},
		{"SettingsOption", []string{"check", "--settings", "nonexistent.toml"}, 1, "", "nonexistent.toml"},
		{"SettingsOptionWithEquals", []string{"--settings=nonexistent.toml", "check"}, 1, "", "nonexistent.toml"},
		{"VerbosityChoices", []string{"check", "-v", "7"}, 2, "", "argument -v/--verbosity: invalid choice: '7' (choose from 0, 1, 2, 3)"},
		{"VerbosityZero", []string{"check", "--verbosity", "0", "--no-color", "--force-color"}, 0, "System check identified no issues", ""},
		{"TracebackShowsTheChain", []string{"clearcache", "nope", "--traceback"}, 1, "", "Traceback"},
		{"LongOptionsAsDjangoSpellsThem", []string{"createcachetable", "--dry-run", "--database", "default"}, 0, "", ""},
		{"OptionsAfterArguments", []string{"expirepage", "http://127.0.0.1:8000/x/", "--cache", "default"}, 0, "Expired http://127.0.0.1:8000/x/", ""},
		{"AppCommandRuns", []string{"hello", "-v", "2"}, 0, "hello from testapp (verbosity 2)", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			writeSettings(t, "INSTALLED_APPS = [\"testapp\"]\n[CACHES.default]\nBACKEND = \"locmem\"\n")
			var out, errb bytes.Buffer
			code := Execute(context.Background(), tc.args, Project{}, &out, &errb)
			if code != tc.code || !strings.Contains(out.String(), tc.out) || !strings.Contains(errb.String(), tc.err) {
				t.Fatalf("go run . %s: code %d, stdout %q, stderr %q; want code %d, stdout with %q, stderr with %q",
					strings.Join(tc.args, " "), code, out.String(), errb.String(), tc.code, tc.out, tc.err)
			}
		})
	}
}

// Django's get_close_matches picks names at least 0.6 alike.
func TestCloseMatchFollowsDifflibsCutoff(t *testing.T) {
	names := []string{"check", "clearcache", "createcachetable", "expirepage", "runserver", "startapp"}
	for in, want := range map[string]string{"runserv": "runserver", "chek": "check", "startap": "startapp", "xyz": "", "createcache": "createcachetable"} {
		if got := closeMatch(in, names); got != want {
			t.Errorf("closeMatch(%q) = %q; want %q", in, got, want)
		}
	}
}
