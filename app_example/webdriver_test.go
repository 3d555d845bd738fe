package app_example_test

// A small W3C WebDriver client (JSON over HTTP) for chromedriver: just what
// the browser test needs. https://www.w3.org/TR/webdriver2/

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// webElementKey is the W3C name under which an element reference is sent.
const webElementKey = "element-6066-11e4-a52e-4f735466cecf"

// The binaries, from Debian's chromium and chromium-driver packages; the
// environment may point elsewhere.
var (
	chromiumEnv     = envOr("GOJANGO_TEST_CHROMIUM", "/usr/bin/chromium")
	chromedriverEnv = envOr("GOJANGO_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
)

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// skipOrFail skips the test with msg, or fails it when CI is set: in CI a
// missing browser is a broken setup, not a reason to test less.
func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (CI is set, so this fails instead of skipping)", msg)
	}
	t.Skip(msg)
}

// lockedBuffer collects chromedriver's output for the failure report.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startChromedriver starts chromedriver on a free loopback port and returns
// its base URL once it reports ready. t.Cleanup stops it.
func startChromedriver(t *testing.T, path string) string {
	t.Helper()
	// chromedriver and the browser keep their scratch directories under
	// TMPDIR: give them one the test removes (after they stop: cleanups
	// run last-in first-out). A short name, not t.TempDir: the browser puts
	// unix sockets there, and a socket path has at most 107 bytes.
	tmp, err := os.MkdirTemp("", "wd")
	if err != nil {
		t.Fatalf("chromedriver: temp dir: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(tmp) })
	const attempts = 3 // the free port may be taken between probe and start
	var lastErr error
	for range attempts {
		port, err := freePort()
		if err != nil {
			t.Fatalf("chromedriver: find a free port: %v", err)
		}
		out := &lockedBuffer{}
		cmd := exec.Command(path, "--port="+strconv.Itoa(port), "--allowed-ips=127.0.0.1")
		cmd.Stdout, cmd.Stderr = out, out
		cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
		if err := cmd.Start(); err != nil {
			t.Fatalf("chromedriver: start %s: %v", path, err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		base := "http://127.0.0.1:" + strconv.Itoa(port)
		if err := waitReady(base, exited, 20*time.Second); err != nil {
			stopProcess(cmd, exited)
			lastErr = fmt.Errorf("%w; output:\n%s", err, out.String())
			continue
		}
		t.Cleanup(func() {
			stopProcess(cmd, exited)
			if t.Failed() {
				t.Logf("chromedriver output:\n%s", out.String())
			}
		})
		return base
	}
	t.Fatalf("chromedriver did not start: %v", lastErr)
	return ""
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls GET /status until chromedriver says ready, it exits, or
// the timeout passes.
func waitReady(base string, exited <-chan error, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("chromedriver exited: %v", err)
		default:
		}
		resp, err := client.Get(base + "/status")
		if err == nil {
			var st struct {
				Value struct {
					Ready bool `json:"ready"`
				} `json:"value"`
			}
			derr := json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if derr == nil && st.Value.Ready {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("chromedriver at %s not ready after %s (last error: %v)", base, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stopProcess asks the process to stop, then kills it if it lingers.
func stopProcess(cmd *exec.Cmd, exited <-chan error) {
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case <-exited:
		return
	case <-time.After(5 * time.Second):
	}
	_ = cmd.Process.Kill()
	<-exited
}

// wdSession is one WebDriver session (one browser).
type wdSession struct {
	t      *testing.T
	base   string // chromedriver's URL
	id     string
	client *http.Client
}

// webDriverError is an error answer from the remote end.
type webDriverError struct {
	Status  int
	Code    string `json:"error"`
	Message string `json:"message"`
}

func (e *webDriverError) Error() string {
	msg, _, _ := strings.Cut(e.Message, "\n") // chromedriver appends a stack trace
	return fmt.Sprintf("webdriver: %s (HTTP %d): %s", e.Code, e.Status, msg)
}

// newSession starts headless Chromium through chromedriver at base;
// t.Cleanup closes it (quitting the browser).
func newSession(t *testing.T, base, chromium, userDataDir string) *wdSession {
	t.Helper()
	s := &wdSession{t: t, base: base, client: &http.Client{Timeout: 60 * time.Second}}
	caps := map[string]any{
		"capabilities": map[string]any{
			"alwaysMatch": map[string]any{
				"browserName":      "chrome",
				"pageLoadStrategy": "normal",
				"goog:chromeOptions": map[string]any{
					"binary": chromium,
					"args": []string{
						"--headless", "--no-sandbox", "--disable-gpu",
						"--disable-background-networking", "--disable-dev-shm-usage",
						"--disable-quic", "--no-first-run", "--disable-component-update",
						"--disable-sync", "--user-data-dir=" + userDataDir,
					},
				},
			},
		},
	}
	var v struct {
		SessionID string `json:"sessionId"`
	}
	if err := s.do(http.MethodPost, "/session", caps, &v); err != nil {
		t.Fatalf("start a Chromium session (%s): %v", chromium, err)
	}
	s.id = v.SessionID
	t.Cleanup(func() {
		if err := s.do(http.MethodDelete, "/session/"+s.id, nil, nil); err != nil {
			t.Logf("close the browser session: %v", err)
		}
	})
	// Bound page loads and scripts; no implicit wait: the test polls itself.
	if err := s.do(http.MethodPost, s.path("/timeouts"), map[string]any{"pageLoad": 30000, "script": 10000, "implicit": 0}, nil); err != nil {
		t.Fatalf("set timeouts: %v", err)
	}
	return s
}

func (s *wdSession) path(p string) string { return "/session/" + s.id + p }

// do sends one command and decodes the answer's "value" into out.
func (s *wdSession) do(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("webdriver: encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.client.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		return fmt.Errorf("webdriver: %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("webdriver: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("webdriver: read %s %s: %w", method, path, err)
	}
	var env struct {
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return fmt.Errorf("webdriver: %s %s: HTTP %d, not JSON: %.200s", method, path, resp.StatusCode, data)
	}
	if resp.StatusCode != http.StatusOK {
		e := &webDriverError{Status: resp.StatusCode}
		if err := json.Unmarshal(env.Value, e); err != nil || e.Code == "" {
			return fmt.Errorf("webdriver: %s %s: HTTP %d: %.200s", method, path, resp.StatusCode, data)
		}
		return fmt.Errorf("%s %s: %w", method, path, e)
	}
	if out != nil {
		if err := json.Unmarshal(env.Value, out); err != nil {
			return fmt.Errorf("webdriver: decode %s %s: %w", method, path, err)
		}
	}
	return nil
}

// must runs a command that has to succeed.
func (s *wdSession) must(err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
}

// Navigate loads url and waits for the page load (pageLoadStrategy normal).
func (s *wdSession) Navigate(url string) {
	s.t.Helper()
	s.must(s.do(http.MethodPost, s.path("/url"), map[string]string{"url": url}, nil))
}

// Refresh reloads the page; the browser revalidates what it has cached.
func (s *wdSession) Refresh() {
	s.t.Helper()
	s.must(s.do(http.MethodPost, s.path("/refresh"), map[string]any{}, nil))
}

// CurrentURL returns the page's URL.
func (s *wdSession) CurrentURL() string {
	s.t.Helper()
	var u string
	s.must(s.do(http.MethodGet, s.path("/url"), nil, &u))
	return u
}

// Title returns the page's title.
func (s *wdSession) Title() string {
	s.t.Helper()
	var title string
	s.must(s.do(http.MethodGet, s.path("/title"), nil, &title))
	return title
}

// Screenshot returns a PNG of the viewport.
func (s *wdSession) Screenshot() []byte {
	s.t.Helper()
	var b64 string
	s.must(s.do(http.MethodGet, s.path("/screenshot"), nil, &b64))
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		s.t.Fatalf("webdriver: screenshot: %v", err)
	}
	return png
}

// Screenshot returns a PNG of the element (W3C Take Element Screenshot).
func (e element) Screenshot() []byte {
	e.s.t.Helper()
	var b64 string
	e.s.must(e.s.do(http.MethodGet, e.s.path("/element/"+e.id+"/screenshot"), nil, &b64))
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		e.s.t.Fatalf("webdriver: element screenshot: %v", err)
	}
	return png
}

// element is a reference to an element on the current page.
type element struct {
	s  *wdSession
	id string
}

// find returns the elements matching the CSS selector (none is no error).
func (s *wdSession) find(css string) ([]element, error) {
	var refs []map[string]string
	if err := s.do(http.MethodPost, s.path("/elements"), map[string]string{"using": "css selector", "value": css}, &refs); err != nil {
		return nil, err
	}
	els := make([]element, 0, len(refs))
	for _, r := range refs {
		els = append(els, element{s: s, id: r[webElementKey]})
	}
	return els, nil
}

// FindAll returns the elements matching css.
func (s *wdSession) FindAll(css string) []element {
	s.t.Helper()
	els, err := s.find(css)
	s.must(err)
	return els
}

// Find returns the one element matching css, waiting up to timeout for it
// to appear.
func (s *wdSession) Find(css string, timeout time.Duration) element {
	s.t.Helper()
	var els []element
	s.Wait(timeout, "element "+css, func() (bool, string) {
		var err error
		els, err = s.find(css)
		if err != nil {
			return false, err.Error()
		}
		return len(els) > 0, fmt.Sprintf("no element matches %q on %s", css, s.CurrentURL())
	})
	return els[0]
}

// TextOf returns the rendered text of the first element matching css, or
// an error (none matches, or the page changed under the lookup).
func (s *wdSession) TextOf(css string) (string, error) {
	els, err := s.find(css)
	if err != nil {
		return "", err
	}
	if len(els) == 0 {
		return "", fmt.Errorf("no element matches %q", css)
	}
	return els[0].text()
}

// Wait polls cond every 50ms until it holds; after timeout the test fails
// with what cond last said.
func (s *wdSession) Wait(timeout time.Duration, what string, cond func() (ok bool, state string)) {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waited %s for %s: %s", timeout, what, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (e element) text() (string, error) {
	var txt string
	err := e.s.do(http.MethodGet, e.s.path("/element/"+e.id+"/text"), nil, &txt)
	return txt, err
}

// Text returns the element's rendered text.
func (e element) Text() string {
	e.s.t.Helper()
	txt, err := e.text()
	e.s.must(err)
	return txt
}

// Attr returns the element's attribute (as written in the HTML).
func (e element) Attr(name string) string {
	e.s.t.Helper()
	var v *string
	e.s.must(e.s.do(http.MethodGet, e.s.path("/element/"+e.id+"/attribute/"+name), nil, &v))
	if v == nil {
		return ""
	}
	return *v
}

// Value returns the form control's current value (its value property).
func (e element) Value() string {
	e.s.t.Helper()
	var v *string
	e.s.must(e.s.do(http.MethodGet, e.s.path("/element/"+e.id+"/property/value"), nil, &v))
	if v == nil {
		return ""
	}
	return *v
}

// Clear empties an input or textarea.
func (e element) Clear() {
	e.s.t.Helper()
	e.s.must(e.s.do(http.MethodPost, e.s.path("/element/"+e.id+"/clear"), map[string]any{}, nil))
}

// SendKeys types text into the element.
func (e element) SendKeys(text string) {
	e.s.t.Helper()
	e.s.must(e.s.do(http.MethodPost, e.s.path("/element/"+e.id+"/value"), map[string]string{"text": text}, nil))
}

// Click clicks the element.
func (e element) Click() {
	e.s.t.Helper()
	e.s.must(e.s.do(http.MethodPost, e.s.path("/element/"+e.id+"/click"), map[string]any{}, nil))
}
