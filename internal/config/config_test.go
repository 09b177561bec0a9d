package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DataDir != "./data" || c.Postgres() || c.SessionIdle != 20*time.Minute {
		t.Fatalf("defaults: %+v", c)
	}
	if c.SQLitePath() != filepath.Join("data", "radnice.db") {
		t.Fatalf("SQLitePath = %q", c.SQLitePath())
	}
}

func TestPrecedence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "radnice.conf")
	secret := filepath.Join(dir, "token")
	os.WriteFile(secret, []byte("s3cret\n"), 0o600)
	os.WriteFile(file, []byte("# comment\nRADNICE_ADDR=:7000\nRADNICE_DATA_DIR=\"/srv/radnice\"\nRADNICE_JOB_WORKERS=3\nRADNICE_METRICS_TOKEN_FILE="+secret+"\n"), 0o600)

	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fv := Flags(fs)
	if err := fs.Parse([]string{"--config", file, "--job-workers", "5"}); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{"RADNICE_ADDR": ":9000"}), fv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9000" { // environment beats file
		t.Errorf("Addr = %q", c.Addr)
	}
	if c.DataDir != "/srv/radnice" { // file beats default
		t.Errorf("DataDir = %q", c.DataDir)
	}
	if c.JobWorkers != 5 { // flag beats file
		t.Errorf("JobWorkers = %d", c.JobWorkers)
	}
	if c.MetricsToken != "s3cret" { // secret from a file, newline trimmed
		t.Errorf("MetricsToken = %q", c.MetricsToken)
	}
}

func TestSecretFromEnvFile(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "dburl")
	os.WriteFile(p, []byte("postgres://u:pw@db/radnice\n"), 0o600)
	c, err := Load(env(map[string]string{"RADNICE_DATABASE_URL_FILE": p}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Postgres() || c.DatabaseURL != "postgres://u:pw@db/radnice" {
		t.Fatalf("DatabaseURL = %q", c.DatabaseURL)
	}
}

// A wrong value stops the program with a message naming the variable, and a
// secret is never echoed.
func TestBadValues(t *testing.T) {
	t.Parallel()
	cases := []struct {
		env      map[string]string
		want     string
		mustHide string
	}{
		{map[string]string{"RADNICE_ADDR": "8080"}, "RADNICE_ADDR", ""},
		{map[string]string{"RADNICE_ADDR": ":99999"}, "RADNICE_ADDR", ""},
		{map[string]string{"RADNICE_DATABASE_URL": "mysql://root:hunter2@x/db"}, "RADNICE_DATABASE_URL", "hunter2"},
		{map[string]string{"RADNICE_LOG_LEVEL": "loud"}, "RADNICE_LOG_LEVEL", ""},
		{map[string]string{"RADNICE_LOG_FORMAT": "xml"}, "RADNICE_LOG_FORMAT", ""},
		{map[string]string{"RADNICE_SESSION_IDLE": "forever"}, "RADNICE_SESSION_IDLE", ""},
		{map[string]string{"RADNICE_SESSION_IDLE": "2h", "RADNICE_SESSION_MAX": "1h"}, "RADNICE_SESSION_MAX", ""},
		{map[string]string{"RADNICE_DB_MAX_CONNS": "0"}, "RADNICE_DB_MAX_CONNS", ""},
		{map[string]string{"RADNICE_SQLITE_READERS": "many"}, "RADNICE_SQLITE_READERS", ""},
		{map[string]string{"RADNICE_TRUST_PROXY": "maybe"}, "RADNICE_TRUST_PROXY", ""},
		{map[string]string{"RADNICE_COOKIE_SECURE": "yes"}, "RADNICE_COOKIE_SECURE", ""},
		{map[string]string{"RADNICE_DATA_DIR": " "}, "RADNICE_DATA_DIR", ""},
		{map[string]string{"RADNICE_METRICS_TOKEN_FILE": "/nonexistent/token"}, "RADNICE_METRICS_TOKEN_FILE", ""},
		{map[string]string{"RADNICE_CONFIG": "/nonexistent/radnice.conf"}, "RADNICE_CONFIG", ""},
	}
	for _, c := range cases {
		_, err := Load(env(c.env), nil)
		if err == nil {
			t.Errorf("%v: accepted", c.env)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %q does not name %s", c.env, err, c.want)
		}
		if c.mustHide != "" && strings.Contains(err.Error(), c.mustHide) {
			t.Errorf("%v: %q reveals the secret", c.env, err)
		}
	}
}

func TestConfigFileUnknownKey(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "c")
	os.WriteFile(p, []byte("RADNICE_ADRR=:1\n"), 0o600)
	_, err := Load(env(map[string]string{"RADNICE_CONFIG": p}), nil)
	if err == nil || !strings.Contains(err.Error(), "RADNICE_ADRR") {
		t.Fatalf("typo in file: %v", err)
	}
}

// Every option is in the README's table.
func TestREADMEListsEveryOption(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range Options() {
		if !strings.Contains(string(b), "`"+o.Name+"`") {
			t.Errorf("README.md does not document %s", o.Name)
		}
	}
}
