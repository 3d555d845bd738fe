package management

import (
	"fmt"
	"strconv"
	"strings"
)

// globalOptions are Django's options of every command
// (BaseCommand.create_parser): --settings, --verbosity/-v, --traceback,
// --no-color, --force-color, --version.
type globalOptions struct {
	settings  string
	verbosity int
	traceback bool
	noColor   bool
	version   bool
}

const globalUsage = `  --settings FILE     the settings file (default $GOJANGO_SETTINGS, else settings.toml)
  -v, --verbosity N   0 minimal, 1 normal, 2 verbose, 3 very verbose (default 1)
  --traceback         print the whole chain of a command's error
  --no-color          no colored output (gojango prints none)
  --force-color       accepted for Django's sake (gojango prints no color)
  --version           print the version and exit
`

// parseGlobal takes the global options out of args, wherever they stand
// before a "--", and returns the rest.
func parseGlobal(args []string) (globalOptions, []string, error) {
	g := globalOptions{verbosity: 1}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(a, "=")
		takeValue := func() (string, error) {
			if hasValue {
				return value, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("option %s needs a value", name)
			}
			i++
			return args[i], nil
		}
		switch name {
		case "--settings", "-settings":
			v, err := takeValue()
			if err != nil {
				return g, nil, err
			}
			g.settings = v
		case "--verbosity", "-verbosity", "-v":
			v, err := takeValue()
			if err != nil {
				return g, nil, err
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 3 {
				return g, nil, fmt.Errorf("argument -v/--verbosity: invalid choice: '%s' (choose from 0, 1, 2, 3)", v)
			}
			g.verbosity = n
		case "--traceback", "-traceback":
			g.traceback = true
		case "--no-color", "-no-color":
			g.noColor = true
		case "--force-color", "-force-color":
		case "--version", "-version":
			g.version = true
		default:
			rest = append(rest, a)
		}
	}
	return g, rest, nil
}
