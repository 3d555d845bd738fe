// Command bench measures gojango's cache side by side with its anchors:
// the page cache against a plain handler and an uncached view, the
// locmem data API against otter, ristretto and go-cache, the file and db
// backends at small and large sizes, and a cold-page stampede. Everything
// runs in one process on loopback; the result is a Markdown table.
//
//	cd bench && go run .                       # everything, 3 s per figure
//	go run . -only page,stampede -duration 2s  # some sections
//	go run . -only page/b -cpuprofile b.prof   # one figure, profiled
//	go run . -only data/10k/ours/hit           # ids: data/SIZE/CACHE/OP/GOROUTINES
//	go run . -quick                            # every table and goal in about a minute
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	_ "gojango/framework/cache/backends/all"
)

// config is what the flags say.
type config struct {
	duration time.Duration
	clients  int
	rounds   int
	only     []string
	quick    bool // -quick: short figures and smaller scale rows
	// clientsSet: -clients was given (else the page figures run at 16 and 64)
	clientsSet bool
}

// want reports whether the measurement id (e.g. "page/b",
// "data/hit/10k/1") is selected by -only: an entry selects the ids equal to
// it or under it ("page" selects "page/b").
func (c config) want(id string) bool {
	if len(c.only) == 0 {
		return true
	}
	for _, o := range c.only {
		if id == o || strings.HasPrefix(id, o+"/") || strings.HasPrefix(o, id+"/") {
			return true
		}
	}
	return false
}

// exact is want without the "a parent of a selected id" rule: whether the
// measurement itself is selected.
func (c config) exact(id string) bool {
	if len(c.only) == 0 {
		return true
	}
	for _, o := range c.only {
		if id == o || strings.HasPrefix(id, o+"/") {
			return true
		}
	}
	return false
}

func main() {
	testing.Init() // testing.Benchmark reads -test.benchtime
	var cfg config
	var only, cpuprofile, memprofile string
	flag.DurationVar(&cfg.duration, "duration", 3*time.Second, "time per measurement")
	flag.IntVar(&cfg.clients, "clients", 64, "concurrent HTTP clients for the page cache figures")
	flag.IntVar(&cfg.rounds, "rounds", 5, "rounds of the page cache figures (the median is reported; the goals take the median of each round's ratio)")
	flag.StringVar(&only, "only", "", "comma list of sections or measurement ids: page, data, scale, stampede, or e.g. page/b, data/10k/ours/hit/1 (data/SIZE/CACHE/OP/GOROUTINES), scale/db")
	flag.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the measurements to this file")
	flag.BoolVar(&cfg.quick, "quick", false, "a quick check of every table and goal (under 90 s): -duration 200ms -rounds 1, fewer sets timed in scale; figures are noisier")
	flag.StringVar(&memprofile, "memprofile", "", "write an allocation profile (every 4 KB sampled) to this file at the end")
	flag.Parse()
	for _, o := range strings.Split(only, ",") {
		if o = strings.TrimSpace(o); o != "" {
			cfg.only = append(cfg.only, o)
		}
	}
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "clients" {
			cfg.clientsSet = true
		}
	})
	if cfg.quick {
		set := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["duration"] {
			cfg.duration = 200 * time.Millisecond
		}
		if !set["rounds"] {
			cfg.rounds = 1
		}
	}
	cfg.rounds = max(1, cfg.rounds)
	if err := flag.Set("test.benchtime", cfg.duration.String()); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	// The framework logs warnings (a CacheKeyWarning, a corrupt page):
	// none are expected, and they must not mix with the table.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))

	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}

	if memprofile != "" {
		runtime.MemProfileRate = 4096
		defer writeMemProfile(memprofile)
	}

	ctx := context.Background()
	rep := &report{}
	machine := machineLine()
	start := time.Now()
	sections := []struct {
		name string
		run  func(context.Context, config, *report) error
	}{
		{"page", runPage},
		{"inprocess", runInProcess},
		{"data", runData},
		{"scale", runScale},
		{"stampede", runStampede},
		{"tiered", runTiered},
		{"metrics", runMetrics},
	}
	failed := false
	for _, s := range sections {
		if !cfg.want(s.name) {
			continue
		}
		progress("== %s", s.name)
		if err := s.run(ctx, cfg, rep); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", s.name, err)
			failed = true
		}
	}
	rep.print(os.Stdout, machine, cfg, time.Since(start))
	if failed {
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func writeMemProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
	}
}

// progress tells the operator what runs now (stderr: the table is stdout).
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// machineLine describes where the figures were taken.
func machineLine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	load := ""
	if l := loadAverage(); l != "" {
		load = ", load average " + l + " at start"
	}
	return fmt.Sprintf("%s/%s, %d CPUs (GOMAXPROCS %d), %s, %s%s",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), cpu, load)
}

// loadAverage is the 1, 5 and 15 minute load averages ("" when unknown).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
