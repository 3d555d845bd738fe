package management

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	dto "github.com/prometheus/client_model/go"

	"gojango/framework/cache"
	"gojango/framework/metrics"
)

// cacheStatsReport is what cachestats prints (--json: as is).
type cacheStatsReport struct {
	URL         string            `json:"url"`
	Server      *metrics.Snapshot `json:"server"`                 // nil when the server could not be read
	ServerError string            `json:"server_error,omitempty"` // why
	Stores      []storeReport     `json:"stores"`
}

type storeReport struct {
	Alias   string           `json:"alias"`
	Backend string           `json:"backend"`
	Info    *cache.StoreInfo `json:"info,omitempty"`
	Note    string           `json:"note,omitempty"` // why there is no Info
}

func cacheStatsCommand() *Command {
	var asJSON *bool
	var url *string
	var timeout *time.Duration
	return &Command{
		Name:  "cachestats",
		Usage: "[ALIAS...]",
		Short: "Prints the cache numbers of a running server's metrics endpoint (METRICS), and what the file, db and redis stores hold.",
		Flags: func(fs *flag.FlagSet) {
			asJSON = fs.Bool("json", false, "print JSON")
			url = fs.String("url", "", "the metrics endpoint (default http://127.0.0.1:8000 + METRICS_URL)")
			timeout = fs.Duration("timeout", 3*time.Second, "how long to wait for the server and each store")
		},
		Run: func(ctx context.Context, env *Env, _ *flag.FlagSet, args []string) error {
			rep := cacheStatsReport{URL: *url, Stores: []storeReport{}}
			if rep.URL == "" {
				rep.URL = "http://127.0.0.1:8000" + env.Settings.MetricsURL
			}
			snap, err := scrapeMetrics(ctx, rep.URL, *timeout)
			if err != nil {
				rep.ServerError = err.Error()
			} else {
				rep.Server = snap
			}
			aliases := args
			if len(aliases) == 0 {
				aliases = env.Caches.Aliases()
			}
			for _, a := range aliases {
				c, err := env.Caches.Cache(a)
				if err != nil {
					return err
				}
				rep.Stores = append(rep.Stores, inspectStore(ctx, c, *timeout))
			}
			if *asJSON {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			printCacheStats(env.Stdout, rep)
			return nil
		},
	}
}

// inspectStore asks an alias's store what it holds, when it can tell.
func inspectStore(ctx context.Context, c *cache.Cache, timeout time.Duration) storeReport {
	r := storeReport{Alias: c.Alias(), Backend: c.Backend()}
	switch c.Backend() {
	case "locmem", "dummy":
		r.Note = "in-process: its numbers live in the server (see the metrics)"
		return r
	}
	st, err := c.Store()
	if err != nil {
		r.Note = err.Error()
		return r
	}
	in, ok := st.(cache.Inspector)
	if !ok {
		r.Note = "the " + c.Backend() + " store cannot tell what it holds"
		return r
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	info, err := in.Inspect(ctx)
	if err != nil {
		r.Note = err.Error()
		return r
	}
	r.Info = &info
	return r
}

// scrapeMetrics reads a metrics endpoint into a Snapshot (latencies as
// the mean of the samples; no p95).
func scrapeMetrics(ctx context.Context, url string, timeout time.Duration) (*metrics.Snapshot, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("metrics endpoint %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("no server answers at %s (is runserver running with METRICS = true?): %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metrics endpoint %s answered %s (is METRICS = true?)", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("metrics endpoint %s: %w", url, err)
	}
	return snapshotOf(fams), nil
}

// snapshotOf folds the scraped families into a Snapshot.
func snapshotOf(fams map[string]*dto.MetricFamily) *metrics.Snapshot {
	snap := &metrics.Snapshot{Time: time.Now().UTC(), Aliases: []metrics.AliasSnapshot{}, Routes: []metrics.RouteSnapshot{}, Fragments: []metrics.FragmentCount{}}
	aliases := map[string]*metrics.AliasSnapshot{}
	alias := func(m *dto.Metric) *metrics.AliasSnapshot {
		l := labels(m)
		a := aliases[l["alias"]]
		if a == nil {
			a = &metrics.AliasSnapshot{Alias: l["alias"], Backend: l["backend"], Errors: map[string]uint64{}, Latency: []metrics.OpLatency{}}
			aliases[l["alias"]] = a
		}
		return a
	}
	routes := map[[3]string]*metrics.RouteSnapshot{}
	route := func(m *dto.Metric) *metrics.RouteSnapshot {
		l := labels(m)
		k := [3]string{l["route"], l["layer"], l["alias"]}
		r := routes[k]
		if r == nil {
			r = &metrics.RouteSnapshot{Route: k[0], Layer: k[1], Alias: k[2], Bypasses: map[string]uint64{}}
			routes[k] = r
		}
		return r
	}
	frags := map[string]*metrics.FragmentCount{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			v := uint64(m.GetCounter().GetValue())
			switch name {
			case "gojango_cache_gets_total":
				if labels(m)["result"] == "hit" {
					alias(m).Hits = v
				} else {
					alias(m).Misses = v
				}
			case "gojango_cache_sets_total":
				alias(m).Sets = v
			case "gojango_cache_adds_total":
				alias(m).Adds = v
			case "gojango_cache_deletes_total":
				alias(m).Deletes = v
			case "gojango_cache_incrs_total":
				alias(m).Incrs = v
			case "gojango_cache_touches_total":
				alias(m).Touches = v
			case "gojango_cache_evictions_total":
				alias(m).Evictions = v
			case "gojango_cache_fail_open_skips_total":
				alias(m).FailOpenSkips = v
			case "gojango_cache_errors_total":
				alias(m).Errors[labels(m)["op"]] = v
			case "gojango_cache_operation_duration_seconds":
				if h := m.GetHistogram(); h.GetSampleCount() > 0 {
					a := alias(m)
					a.Latency = append(a.Latency, metrics.OpLatency{Op: labels(m)["op"], Samples: h.GetSampleCount(),
						MeanSec: h.GetSampleSum() / float64(h.GetSampleCount())})
				}
			case "gojango_page_cache_hits_total":
				route(m).Hits = v
			case "gojango_page_cache_misses_total":
				route(m).Misses = v
			case "gojango_page_cache_stores_total":
				route(m).Stores = v
			case "gojango_page_cache_stale_total":
				route(m).Stale = v
			case "gojango_page_cache_stampede_waits_total":
				route(m).StampedeWaits = v
			case "gojango_page_cache_bypasses_total":
				route(m).Bypasses[labels(m)["reason"]] = v
			case "gojango_template_fragment_gets_total":
				n := labels(m)["fragment"]
				fc := frags[n]
				if fc == nil {
					fc = &metrics.FragmentCount{Name: n}
					frags[n] = fc
				}
				if labels(m)["result"] == "hit" {
					fc.Hits = v
				} else {
					fc.Misses = v
				}
			}
		}
	}
	for _, a := range aliases {
		if a.Hits+a.Misses > 0 {
			a.HitRatio = float64(a.Hits) / float64(a.Hits+a.Misses)
		}
		sort.Slice(a.Latency, func(i, j int) bool { return a.Latency[i].Op < a.Latency[j].Op })
		snap.Aliases = append(snap.Aliases, *a)
	}
	sort.Slice(snap.Aliases, func(i, j int) bool { return snap.Aliases[i].Alias < snap.Aliases[j].Alias })
	for _, r := range routes {
		if r.Hits+r.Misses > 0 {
			r.HitRatio = float64(r.Hits) / float64(r.Hits+r.Misses)
		}
		snap.Routes = append(snap.Routes, *r)
	}
	sort.Slice(snap.Routes, func(i, j int) bool {
		a, b := snap.Routes[i], snap.Routes[j]
		return a.Route+"\x00"+a.Layer+"\x00"+a.Alias < b.Route+"\x00"+b.Layer+"\x00"+b.Alias
	})
	for _, f := range frags {
		snap.Fragments = append(snap.Fragments, *f)
	}
	sort.Slice(snap.Fragments, func(i, j int) bool { return snap.Fragments[i].Name < snap.Fragments[j].Name })
	return snap
}

func labels(m *dto.Metric) map[string]string {
	out := make(map[string]string, len(m.GetLabel()))
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

func printCacheStats(w io.Writer, rep cacheStatsReport) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	if rep.Server == nil {
		fmt.Fprintf(tw, "Server: %s\n", rep.ServerError)
	} else {
		fmt.Fprintf(tw, "Server %s\n\n", rep.URL)
		fmt.Fprintln(tw, "alias\tbackend\thit ratio\thits\tmisses\tsets\tdeletes\tevictions\terrors\tfail-open skips\t")
		for _, a := range rep.Server.Aliases {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%d\t\n", a.Alias, a.Backend, percent(a.Hits, a.Misses, a.HitRatio),
				a.Hits, a.Misses, a.Sets, a.Deletes, a.Evictions, countsText(a.Errors), a.FailOpenSkips)
		}
		if len(rep.Server.Routes) > 0 {
			fmt.Fprintln(tw, "\nroute\tlayer\talias\thit ratio\thits\tmisses\tstores\tstale\tbypasses\t")
			for _, r := range rep.Server.Routes {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t\n", r.Route, r.Layer, r.Alias, percent(r.Hits, r.Misses, r.HitRatio),
					r.Hits, r.Misses, r.Stores, r.Stale, countsText(r.Bypasses))
			}
		}
		if len(rep.Server.Fragments) > 0 {
			fmt.Fprintln(tw, "\nfragment\thits\tmisses\t")
			for _, f := range rep.Server.Fragments {
				fmt.Fprintf(tw, "%s\t%d\t%d\t\n", f.Name, f.Hits, f.Misses)
			}
		}
	}
	fmt.Fprintln(tw, "\nstore\tbackend\tentries\tsize\twhere\t")
	for _, s := range rep.Stores {
		if s.Info == nil {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t%s\t\n", s.Alias, s.Backend, s.Note)
			continue
		}
		size := "unknown"
		if s.Info.Bytes >= 0 {
			size = fmt.Sprintf("%d bytes %s", s.Info.Bytes, s.Info.BytesWhat)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t\n", s.Alias, s.Backend, s.Info.Entries, size, s.Info.Where)
	}
}

func percent(hits, misses uint64, ratio float64) string {
	if hits+misses == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*ratio)
}

func countsText(m map[string]uint64) string {
	if len(m) == 0 {
		return "0"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
