package management

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"gojango/framework/db"
	"gojango/framework/settings"
)

// testMySQL returns the DATABASES entry of the test MySQL/MariaDB server
// (GOJANGO_TEST_MYSQL_DSN, default root@tcp(127.0.0.1:3306)/test) and a
// connection to it; it skips the test when the server does not answer, and
// fails instead when CI is set.
func testMySQL(t *testing.T) (settings.Database, *sql.DB) {
	t.Helper()
	dsn := os.Getenv("GOJANGO_TEST_MYSQL_DSN")
	if dsn == "" {
		dsn = "root@tcp(127.0.0.1:3306)/test"
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("GOJANGO_TEST_MYSQL_DSN %q: %v", dsn, err)
	}
	e := settings.Database{Engine: "mysql", User: cfg.User, Password: cfg.Passwd, Name: cfg.DBName,
		Options: map[string]any{"connect_timeout": 3}}
	if cfg.Net == "unix" {
		e.Host = cfg.Addr
	} else if e.Host, e.Port, err = net.SplitHostPort(cfg.Addr); err != nil {
		t.Fatalf("GOJANGO_TEST_MYSQL_DSN %q: %v", dsn, err)
	}
	driver, conn, err := db.Driver(e, "")
	if err != nil {
		t.Fatal(err)
	}
	sdb, err := sql.Open(driver, conn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := sdb.PingContext(ctx); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("MySQL unreachable (set GOJANGO_TEST_MYSQL_DSN): %v", err)
		}
		t.Skipf("MySQL unreachable, skipping (set GOJANGO_TEST_MYSQL_DSN to a reachable server): %v", err)
	}
	return e, sdb
}

// mysqlSettings is a settings.toml whose DATABASES.default is e and whose
// CACHES are the db aliases given (alias -> table), next to a locmem
// default when none of them is "default".
func mysqlSettings(e settings.Database, caches map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[DATABASES.default]\nENGINE = %q\nNAME = %q\nUSER = %q\nPASSWORD = %q\nHOST = %q\nPORT = %q\n",
		e.Engine, e.Name, e.User, e.Password, e.Host, e.Port)
	if _, ok := caches["default"]; !ok {
		b.WriteString("[CACHES.default]\nBACKEND = \"locmem\"\n")
	}
	for alias, table := range caches {
		fmt.Fprintf(&b, "[CACHES.%s]\nBACKEND = \"db\"\nLOCATION = %q\n", alias, table)
	}
	return b.String()
}

func randomTable(t *testing.T) string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "c_check_" + hex.EncodeToString(b[:])
}

// djangoDDL is the cache table Django's createcachetable makes on MySQL,
// with cache_key of keyType.
func djangoDDL(table, keyType string) string {
	return "CREATE TABLE `" + table + "` (\n" +
		"    `cache_key` " + keyType + " NOT NULL PRIMARY KEY,\n" +
		"    `value` longtext NOT NULL,\n" +
		"    `expires` datetime(6) NOT NULL\n" +
		");"
}

// Issue 9: check warns (caches.W010, exit 0) about a MySQL cache table
// whose cache_key compares by a collation, with the ALTER TABLE that fixes
// it as the hint; after that ALTER, or for a table createcachetable made,
// there is nothing to report.
func TestCheckWarnsNonBinaryKeyColumn(t *testing.T) {
	e, sdb := testMySQL(t)
	cases := []struct {
		name    string
		keyType string // "" for createcachetable's table
		warn    bool
	}{
		{name: "DjangoDDL", keyType: "varchar(255)", warn: true},
		{name: "Utf8mb4BinPadSpace", keyType: "varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", warn: true},
		{name: "NoPadBin", keyType: "varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin"},
		{name: "CreateCacheTable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			table := randomTable(t)
			t.Cleanup(func() { sdb.Exec("DROP TABLE IF EXISTS `" + table + "`") })
			writeSettings(t, mysqlSettings(e, map[string]string{"sessions": table}))
			if c.keyType == "" {
				if code, out, errOut := run(t, "", "createcachetable"); code != 0 {
					t.Fatalf("createcachetable: %d %q %q", code, out, errOut)
				}
			} else if _, err := sdb.Exec(djangoDDL(table, c.keyType)); err != nil {
				t.Fatal(err)
			}
			var collation string
			if err := sdb.QueryRow("SELECT COALESCE(COLLATION_NAME, '') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = 'cache_key'", table).Scan(&collation); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := run(t, "", "check")
			if !c.warn {
				if code != 0 || !strings.Contains(out, "System check identified no issues (0 silenced).") || errOut != "" {
					t.Fatalf("check: code %d, stdout %q, stderr %q; want no issues", code, out, errOut)
				}
				return
			}
			fix := "ALTER TABLE `" + table + "` MODIFY `cache_key` varbinary(1020) NOT NULL;"
			want := "System check identified some issues:\n\nWARNINGS:\n?: (caches.W010) The 'sessions' cache's table '" + table +
				"' has a cache_key column of type varchar(255) and collation " + collation + ", which does not compare keys byte for byte"
			if code != 0 || !strings.HasPrefix(errOut, want) || strings.Contains(errOut, "ERRORS") ||
				!strings.Contains(errOut, "\n\tHINT: Run on the 'default' database: "+fix+"\n") ||
				!strings.HasSuffix(errOut, "\n\nSystem check identified 1 issue (0 silenced).\n") {
				t.Fatalf("check: code %d, stderr %q; want exit 0 and a warning starting %q with the hint %q", code, errOut, want, fix)
			}
			// The hint, run as given, fixes the table.
			if _, err := sdb.Exec(fix); err != nil {
				t.Fatalf("%s: %v", fix, err)
			}
			if code, out, errOut := run(t, "", "check"); code != 0 || !strings.Contains(out, "no issues") {
				t.Fatalf("check after the fix: code %d, stdout %q, stderr %q", code, out, errOut)
			}
		})
	}
}

// A warning next to an error: both sections, ERRORS first, and the command
// fails because of the error.
func TestCheckErrorsAndWarnings(t *testing.T) {
	e, sdb := testMySQL(t)
	old, missing := randomTable(t), randomTable(t)
	t.Cleanup(func() { sdb.Exec("DROP TABLE IF EXISTS `" + old + "`") })
	if _, err := sdb.Exec(djangoDDL(old, "varchar(255)")); err != nil {
		t.Fatal(err)
	}
	writeSettings(t, mysqlSettings(e, map[string]string{"old": old, "missing": missing}))
	code, _, errOut := run(t, "", "check")
	e4, w10 := strings.Index(errOut, "ERRORS:\n?: (caches.E004)"), strings.Index(errOut, "\nWARNINGS:\n?: (caches.W010)")
	if code != 1 || e4 < 0 || w10 < e4 || !strings.Contains(errOut, "System check identified 2 issues (0 silenced).") {
		t.Fatalf("check: code %d, stderr %q", code, errOut)
	}
}
