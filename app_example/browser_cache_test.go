package app_example_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"gojango/framework/metrics"
)

// chartPixels decodes a PNG and counts its pixels that are not near-white
// (ink) and those of the hit colour (#2e9d4f, give or take rendering).
func chartPixels(t *testing.T, b []byte) (ink, green int, size image.Point) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the chart screenshot is not a PNG: %v", err)
	}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			R, G, B := int(cr>>8), int(cg>>8), int(cb>>8)
			if R < 235 || G < 235 || B < 235 {
				ink++
			}
			if abs(R-0x2e) < 24 && abs(G-0x9d) < 24 && abs(B-0x4f) < 24 {
				green++
			}
		}
	}
	return ink, green, r.Size()
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// TestBrowserCachePanelChartChanges opens the live cache panel /_cache/
// in headless Chromium, screenshots its chart, makes cached requests, and
// sees the chart change: the page counts on the panel rise and the
// screenshot, decoded, shows more of the hit colour than before (hit bars
// for the aliases and the page requests per second).
func TestBrowserCachePanelChartChanges(t *testing.T) {
	chromium, chromedriver := browserBinaries(t)
	log := newRequestLog()
	srv := serveProject(t, log)
	t.Cleanup(func() {
		if m := metrics.Current(); m != nil {
			m.Stop()
		}
	})
	profile := t.TempDir()
	wd := newSession(t, startChromedriver(t, chromedriver), chromium, profile)

	wd.Navigate(srv.URL + "/_cache/")
	requests := func() (int, string) {
		s := wd.Find("#status", waitFor)
		n, _ := strconv.Atoi(s.Attr("data-page-requests"))
		return n, s.Text()
	}
	wd.Wait(waitFor, "the panel reads data.json", func() (bool, string) {
		n, txt := requests()
		return n >= 0 && wd.Find("#status", waitFor).Attr("data-page-requests") != "", fmt.Sprintf("status %q (%d)", txt, n)
	})
	before, _ := requests()
	shot1 := wd.Find("#chart", waitFor).Screenshot()
	ink1, green1, size := chartPixels(t, shot1)
	if size.X < 300 || size.Y < 150 {
		t.Fatalf("the chart is %v pixels: not drawn", size)
	}
	if ink1 < 500 {
		t.Fatalf("the chart before any request has %d non-white pixels: blank", ink1)
	}

	// Cached pages: a miss then hits on /clock/ (per-site and per-view
	// caches), a private page bypassed.
	for i := 0; i < 6; i++ {
		for _, p := range []string{"/clock/", "/me/"} {
			resp, err := http.Get(srv.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	wd.Wait(waitFor, "the panel counts the requests and draws their bars", func() (bool, string) {
		n, txt := requests()
		bars := len(wd.FindAll("#chart rect.bar-hit"))
		return n >= before+12 && bars > 0, fmt.Sprintf("status %q, %d hit bars", txt, bars)
	})
	shot2 := wd.Find("#chart", waitFor).Screenshot()
	ink2, green2, _ := chartPixels(t, shot2)
	t.Logf("chart: %d ink / %d green pixels before, %d / %d after", ink1, green1, ink2, green2)
	if dir := os.Getenv("GOJANGO_TEST_SCREENSHOTS"); dir != "" { // to look at them
		_ = os.WriteFile(filepath.Join(dir, "chart-before.png"), shot1, 0o644)
		_ = os.WriteFile(filepath.Join(dir, "chart-after.png"), shot2, 0o644)
	}
	if green2 <= green1+50 {
		t.Fatalf("the chart's hit colour covers %d pixels after the requests, %d before: the chart did not change", green2, green1)
	}
	if bytes.Equal(shot1, shot2) {
		t.Fatal("the chart screenshots before and after the requests are identical")
	}
	// The routes table names the chi patterns with their bypass reasons.
	rows := wd.FindAll("#routes tbody tr")
	if len(rows) == 0 {
		t.Fatal("the routes table is empty")
	}
	txt, err := wd.TextOf("#routes")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/clock/", "/me/", "private"} {
		if !bytes.Contains([]byte(txt), []byte(want)) {
			t.Fatalf("the routes table lacks %q:\n%s", want, txt)
		}
	}
}
