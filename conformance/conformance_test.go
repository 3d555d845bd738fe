package conformance

import (
	"context"
	"errors"
	"os"
	"testing"
)

// EnvReport names a file the full report is written to.
const EnvReport = "GOJANGO_CONFORMANCE_REPORT"

// workers is how many cases run at once.
const workers = 8

// TestConformance runs every case against the Django twin and the Go twin
// in their modes and compares them (see doc.go). It skips when Django is
// missing, except under CI.
func TestConformance(t *testing.T) {
	pythonPath, err := djangoPath()
	if errors.Is(err, errNoDjango) && os.Getenv("CI") == "" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	readme, err := readmeSections("../README.md")
	if err != nil {
		t.Fatal(err)
	}

	goServers, err := startGo()
	if err != nil {
		t.Fatalf("start the Go twin: %v", err)
	}
	twins := map[string]pair{}
	for mode, gs := range goServers {
		t.Cleanup(func() { _ = gs.stop() })
		ds, err := startDjango(ctx, pythonPath, mode)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ds.stop() })
		twins[mode] = pair{Django: ds, Go: gs}
	}

	var ins []*instance
	all := append(append([]Case{}, ruleCases...), matrixCases()...)
	for i := range all {
		for _, e := range all[i].entriesOf() {
			ins = append(ins, all[i].instantiate(e))
		}
	}
	results := runAll(ctx, ins, twins, workers)
	verdicts := make([]*verdict, len(results))
	for i, r := range results {
		verdicts[i] = judge(r)
	}
	rep := summarise(verdicts, readme)

	t.Log(rep.Summary)
	for _, l := range rep.Lines {
		t.Log(l)
	}
	if path := os.Getenv(EnvReport); path != "" {
		if err := os.WriteFile(path, []byte(rep.String()), 0o644); err != nil {
			t.Errorf("write the report: %v", err)
		}
	}
	if rep.Failures > 0 {
		for mode, tw := range twins {
			if s := tw.Django.Stderr(); s != "" {
				t.Logf("Django twin (%s mode) stderr, last lines:\n%s", mode, lastLines(s, 20))
			}
		}
		t.Errorf("%d failures (mismatches not in known.go, leaks in Go, errors); %s", rep.Failures, rep.Summary)
	}
}
