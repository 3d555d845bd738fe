package settings_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gojango/framework/settings"
)

func TestMetricsSettings(t *testing.T) {
	tests := []struct {
		name    string
		toml    string
		on      bool
		url     string
		wantErr string
	}{
		{"default off", ``, false, "/metrics", ""},
		{"on", "METRICS = true\n", true, "/metrics", ""},
		{"own path", "METRICS = true\nMETRICS_URL = \"/internal/metrics\"\n", true, "/internal/metrics", ""},
		{"not a bool", "METRICS = \"yes\"\n", false, "", "METRICS"},
		{"relative path", "METRICS_URL = \"metrics\"\n", false, "", `METRICS_URL: want a path starting with "/"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "settings.toml")
			if err := os.WriteFile(path, []byte(tt.toml), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := settings.Load(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load: err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Metrics != tt.on || s.MetricsURL != tt.url {
				t.Fatalf("METRICS, METRICS_URL = %v, %q; want %v, %q", s.Metrics, s.MetricsURL, tt.on, tt.url)
			}
		})
	}
	if d := settings.Default(); d.Metrics || d.MetricsURL != "/metrics" {
		t.Fatalf("Default(): METRICS, METRICS_URL = %v, %q", d.Metrics, d.MetricsURL)
	}
}
