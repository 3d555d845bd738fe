package app_example_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBrowserTechnical500PageRenders loads the example's panicking view in
// headless Chromium with DEBUG on: the technical 500 page renders (its
// title names the panic and the path), the screenshot shows the yellow
// summary band with text in it, and the server goes on serving.
func TestBrowserTechnical500PageRenders(t *testing.T) {
	chromium, chromedriver := browserBinaries(t)
	srv := serveProject(t, newRequestLog())
	wd := newSession(t, startChromedriver(t, chromedriver), chromium, t.TempDir())

	wd.Navigate(srv.URL + "/boom/")
	if title := wd.Title(); !strings.HasPrefix(title, "panic(") || !strings.HasSuffix(title, " at /boom/") {
		t.Fatalf("page title = %q; want \"panic(<type>) at /boom/\"", title)
	}
	if txt, err := wd.TextOf("pre#stack"); err != nil || !strings.Contains(txt, "app_example.Boom") {
		t.Fatalf("the stack on the page does not name the view (%v): %.300q", err, txt)
	}
	shot := wd.Screenshot()
	if dir := os.Getenv("GOJANGO_SCREENSHOT_DIR"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "technical_500.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	summary, dark := summaryBand(img)
	t.Logf("screenshot %dx%d: %.0f%% of the top band is the summary's #ffc, %d dark text pixels in it",
		img.Bounds().Dx(), img.Bounds().Dy(), summary*100, dark)
	if summary < 0.5 || dark < 50 {
		t.Fatalf("the screenshot's top band is not the technical page's summary: %.0f%% #ffc, %d dark pixels", summary*100, dark)
	}
	resp, err := http.Get(srv.URL + "/clock/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the next request after the panic: %d", resp.StatusCode)
	}
}

// summaryBand looks at the top 80 pixel rows of img: the share of pixels
// of Django's summary yellow (#ffffcc) and the number of dark ones (text).
func summaryBand(img image.Image) (share float64, dark int) {
	b := img.Bounds()
	total, yellow := 0, 0
	for y := b.Min.Y; y < b.Min.Y+80 && y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			total++
			switch {
			case r >= 0xf8 && g >= 0xf8 && bl >= 0xc4 && bl <= 0xd4:
				yellow++
			case r < 0x60 && g < 0x60 && bl < 0x60:
				dark++
			}
		}
	}
	if total == 0 {
		return 0, 0
	}
	return float64(yellow) / float64(total), dark
}
