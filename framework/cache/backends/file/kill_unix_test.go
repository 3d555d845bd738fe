//go:build unix

package file

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"gojango/framework/cache"
	"gojango/framework/settings"
)

const (
	killDirEnv  = "GOJANGO_FILECACHE_KILL_DIR"
	readyMarker = "file-cache-writer-ready"
	killKeys    = 4
)

// checkedValue builds a value of n bytes whose first 65 say what the rest
// must hash to: "V" + hex(sha256(body)) + body. Odd seeds make random bodies
// (stored raw), even ones a repeated pattern (stored compressed).
func checkedValue(seed uint64, n int) []byte {
	body := make([]byte, n-65)
	if seed%2 == 1 {
		var s [32]byte
		s[0], s[1] = byte(seed), byte(seed>>8)
		_, _ = rand.NewChaCha8(s).Read(body)
	} else {
		pat := []byte(fmt.Sprintf("pattern %d ", seed))
		for i := 0; i < len(body); i += copy(body[i:], pat) {
		}
	}
	sum := sha256.Sum256(body)
	v := make([]byte, 0, n)
	v = append(v, 'V')
	v = append(v, hex.EncodeToString(sum[:])...)
	return append(v, body...)
}

// validValue reports whether v is a whole value made by checkedValue.
func validValue(v []byte) bool {
	if len(v) < 65 || v[0] != 'V' {
		return false
	}
	sum := sha256.Sum256(v[65:])
	return bytes.Equal(v[1:65], []byte(hex.EncodeToString(sum[:])))
}

func killStore(t testing.TB, dir string) *Store {
	t.Helper()
	st, err := New(cache.Params{Config: settings.Cache{Location: dir, MaxEntries: 1000, CullFrequency: 3}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return st.(*Store)
}

// TestKillWriterProcess is not a test of its own: it is the writer process
// TestKilledWriterNeverTearsValues runs (and kills). It keeps setting large
// values to a few keys until it is killed (or a minute has passed).
func TestKillWriterProcess(t *testing.T) {
	dir := os.Getenv(killDirEnv)
	if dir == "" {
		t.Skip("writer process of TestKilledWriterNeverTearsValues; runs only under it")
	}
	s := killStore(t, dir)
	r := rand.New(rand.NewPCG(uint64(os.Getpid()), uint64(time.Now().UnixNano())))
	// Values are made once, so the writer spends its time writing; most are
	// random (written raw: little time goes to compressing, most to the
	// write a kill should interrupt), one is compressible.
	values := make([][]byte, 6)
	for i := range values {
		seed := r.Uint64() | 1
		if i == 0 {
			seed &^= 1
		}
		values[i] = checkedValue(seed, 1<<20+r.IntN(3<<20))
	}
	stop := time.Now().Add(time.Minute) // never outlive a parent that died
	for i := 0; time.Now().Before(stop); i++ {
		key := fmt.Sprint("big", r.IntN(killKeys))
		if err := s.Set(ctx, key, values[r.IntN(len(values))], time.Time{}); err != nil {
			t.Fatalf("Set: %v", err)
		}
		if i == 0 {
			fmt.Println(readyMarker)
		}
	}
}

// A writer process killed (SIGKILL) at random moments while it writes 1-4
// MB values never leaves a torn value: every read, during and after, is a
// miss or a whole value whose checksum holds. The temporary files the kills
// leave are removed by clear once stale.
func TestKilledWriterNeverTearsValues(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a writer process several times")
	}
	dir := filepath.Join(t.TempDir(), "shared")
	s := killStore(t, dir)
	hits := 0
	check := func(when string) {
		t.Helper()
		for k := range killKeys {
			key := fmt.Sprint("big", k)
			v, ok, err := s.Get(ctx, key)
			if err != nil {
				t.Fatalf("%s: Get(%s): %v", when, key, err)
			}
			if ok {
				hits++
				if !validValue(v) {
					t.Fatalf("%s: Get(%s) returned a torn value (%d bytes)", when, key, len(v))
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	const rounds = 10
	for round := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillWriterProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), killDirEnv+"="+dir)
		cmd.Stderr = os.Stderr
		mw := &markerWriter{ready: make(chan struct{})}
		cmd.Stdout = mw
		done := make(chan struct{})
		if err := cmd.Start(); err != nil {
			t.Fatalf("start writer: %v", err)
		}
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-mw.ready:
		case <-done:
			t.Fatalf("round %d: writer exited before its first set", round)
		}
		// Read while the writer writes, then kill it at a random moment.
		until := time.Now().Add(time.Duration(10+r.IntN(300)) * time.Millisecond)
		for time.Now().Before(until) {
			check(fmt.Sprintf("round %d, writer running", round))
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatalf("kill writer: %v", err)
		}
		<-done
		check(fmt.Sprintf("round %d, writer killed", round))
	}
	check("after all rounds")
	if hits == 0 {
		t.Fatal("no read ever hit: the writer wrote nothing")
	}

	_, temps := (&env{dir: s.Dir()}).files(t)
	t.Logf("%d reads hit; the kills left %d temporary files", hits, len(temps))
	old := time.Now().Add(-2 * staleTempAge)
	for _, name := range temps {
		_ = os.Chtimes(filepath.Join(s.Dir(), name), old, old)
	}
	if err := s.Clear(ctx); err != nil {
		t.Fatalf("Clear: %v", err)
	}
	files, temps := (&env{dir: s.Dir()}).files(t)
	if len(files) != 0 || len(temps) != 0 {
		t.Fatalf("after clear: cache files %v, temporary files %v", files, temps)
	}
}

// markerWriter is the writer process's stdout: it closes ready once the
// writer has printed readyMarker.
type markerWriter struct {
	mu    sync.Mutex
	buf   []byte
	ready chan struct{}
	seen  bool
}

func (w *markerWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.seen {
		w.buf = append(w.buf, p...)
		if bytes.Contains(w.buf, []byte(readyMarker)) {
			w.seen = true
			close(w.ready)
		}
	}
	return len(p), nil
}
