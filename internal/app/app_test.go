package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/config"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
)

// testConfig is the configuration a test server runs with, on the engine
// dbtest chooses.
func testConfig(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" }, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := dbtest.Options(t)
	cfg.DatabaseURL = o.URL
	if o.SQLitePath != "" {
		cfg.DataDir = strings.TrimSuffix(o.SQLitePath, "/radnice.db")
	}
	cfg.Addr = "127.0.0.1:0"
	cfg.ShutdownTimeout = 10 * time.Second
	return cfg
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testPortal wires the portal on a fresh database with the given towns
// created by setup, and returns its handler.
func testPortal(t testing.TB, setup func(d *db.DB)) (http.Handler, *portal) {
	t.Helper()
	cfg := testConfig(t)
	ctx := context.Background()
	d, err := openDB(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if setup != nil {
		setup(d)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p, err := newPortal(ctx, d, cfg, log, false)
	if err != nil {
		t.Fatal(err)
	}
	return p.handler(), p
}

// get performs one request against h.
func get(t testing.TB, h http.Handler, method, host, path string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	r.Host = host
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func runCmd(t *testing.T, envVars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &env{stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return envVars[k] }})
	return code, stdout.String(), stderr.String()
}

func TestCommandLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct {
		name     string
		env      map[string]string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no command", nil, nil, 2, "Usage"},
		{"unknown command", nil, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"bad flag", nil, []string{"migrate", "--nope"}, 2, "flag provided but not defined"},
		{"stray argument", nil, []string{"migrate", "extra"}, 2, `unexpected argument "extra"`},
		{"bad config value", map[string]string{"RADNICE_ADDR": "nonsense"}, []string{"serve"}, 1, "RADNICE_ADDR"},
		{"bad flag value", nil, []string{"serve", "--session-idle", "soon"}, 1, "RADNICE_SESSION_IDLE"},
		{"unreachable database", map[string]string{"RADNICE_DATABASE_URL": "postgres://u:pw@127.0.0.1:1/x?connect_timeout=2"},
			[]string{"migrate"}, 1, "cannot connect to PostgreSQL at 127.0.0.1:1/x"},
		{"unmigrated database", map[string]string{"RADNICE_DATA_DIR": dir}, []string{"serve"}, 1, "radnice migrate"},
		{"seed without town", map[string]string{"RADNICE_DATA_DIR": dir}, []string{"seed"}, 2, "--tenant is required"},
		{"seed too big", map[string]string{"RADNICE_DATA_DIR": dir}, []string{"seed", "--tenant", "x", "--citizens", "0"}, 2, "--citizens"},
		{"tenant without verb", map[string]string{"RADNICE_DATA_DIR": dir}, []string{"tenant"}, 2, "tenant list"},
	}
	for _, c := range cases {
		code, _, stderr := runCmd(t, c.env, c.args...)
		if code != c.wantCode || !strings.Contains(stderr, c.wantErr) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d mentioning %q", c.name, code, stderr, c.wantCode, c.wantErr)
		}
		if strings.Contains(stderr, "pw@") {
			t.Errorf("%s: stderr shows the database password", c.name)
		}
	}
	if code, out, _ := runCmd(t, nil, "version"); code != 0 || !strings.HasPrefix(out, "radnice ") {
		t.Errorf("version: %d %q", code, out)
	}
}

// migrate, tenant add, seed and tenant list work together on a fresh data
// directory; a bad town is refused with a message naming the field.
func TestAdminCommands(t *testing.T) {
	t.Parallel()
	envVars := map[string]string{"RADNICE_DATA_DIR": t.TempDir()}
	if url := dbtest.PostgresURL(); url != "" {
		envVars = map[string]string{"RADNICE_DATABASE_URL": dbtest.Options(t).URL}
	}
	if code, out, errs := runCmd(t, envVars, "migrate"); code != 0 || !strings.Contains(out, "schema: version") {
		t.Fatalf("migrate: %d %q %q", code, out, errs)
	}
	code, _, errs := runCmd(t, envVars, "tenant", "add", "--slug", "Bad Slug", "--name", "X", "--host", "x.test", "--color", "#ffff00")
	if code != 1 || !strings.Contains(errs, "slug") || !strings.Contains(errs, "contrast") {
		t.Fatalf("bad town: %d %q", code, errs)
	}
	if code, out, errs := runCmd(t, envVars, "tenant", "add", "--slug", "lhota", "--name", "Lhota", "--host", "lhota.test",
		"--iban", "CZ6508000000192000145399"); code != 0 || !strings.Contains(out, "lhota.test") {
		t.Fatalf("tenant add: %d %q %q", code, out, errs)
	}
	if code, _, errs := runCmd(t, envVars, "tenant", "add", "--slug", "lhota2", "--name", "Lhota", "--host", "lhota.test"); code != 1 || !strings.Contains(errs, "already serves") {
		t.Fatalf("taken host: %d %q", code, errs)
	}
	if code, out, errs := runCmd(t, envVars, "seed", "--tenant", "lhota", "--citizens", "120", "--seed", "3"); code != 0 || !strings.Contains(out, "seeded 120 persons") {
		t.Fatalf("seed: %d %q %q", code, out, errs)
	}
	if code, _, errs := runCmd(t, envVars, "seed", "--tenant", "lhota", "--citizens", "5"); code != 1 || !strings.Contains(errs, "already has people") {
		t.Fatalf("second seed: %d %q", code, errs)
	}
	if code, out, _ := runCmd(t, envVars, "tenant", "list"); code != 0 || !strings.Contains(out, "lhota") {
		t.Fatalf("tenant list: %d %q", code, out)
	}
	// Citizen login providers and terms are configuration.
	secret := t.TempDir() + "/secret"
	os.WriteFile(secret, []byte("s3cret\n"), 0o600)
	if code, _, errs := runCmd(t, envVars, "idp", "set", "--tenant", "lhota", "--slug", "nia", "--name", "eIdentita",
		"--profile", "nia", "--issuer", "not a url", "--client-id", "x"); code != 1 || !strings.Contains(errs, "issuer") {
		t.Fatalf("bad idp: %d %q", code, errs)
	}
	if code, out, errs := runCmd(t, envVars, "idp", "set", "--tenant", "lhota", "--slug", "nia", "--name", "eIdentita",
		"--profile", "nia", "--issuer", "https://tnia.identitaobcana.cz/FPSTS", "--client-id", "lhota-portal",
		"--client-secret-file", secret); code != 0 || !strings.Contains(out, "/prihlaseni/nia") {
		t.Fatalf("idp set: %d %q %q", code, out, errs)
	}
	if code, out, _ := runCmd(t, envVars, "idp", "list", "--tenant", "lhota"); code != 0 || !strings.Contains(out, "tnia.identitaobcana.cz") ||
		strings.Contains(out, "s3cret") {
		t.Fatalf("idp list: %d %q", code, out)
	}
	termsFile := t.TempDir() + "/terms.txt"
	os.WriteFile(termsFile, []byte("Podmínky.\n\nDruhý odstavec."), 0o600)
	if code, _, errs := runCmd(t, envVars, "terms", "publish", "--tenant", "lhota", "--terms-cs", termsFile); code != 1 || !strings.Contains(errs, "privacy_cs") {
		t.Fatalf("terms without privacy: %d %q", code, errs)
	}
	if code, out, errs := runCmd(t, envVars, "terms", "publish", "--tenant", "lhota", "--terms-cs", termsFile, "--privacy-cs", termsFile); code != 0 || !strings.Contains(out, "version 1") {
		t.Fatalf("terms publish: %d %q %q", code, out, errs)
	}
	if code, out, errs := runCmd(t, envVars, "staff", "invite", "--tenant", "lhota", "--email", "starosta@lhota.test",
		"--name", "Starosta", "--role", "administrator", "--role", "case_worker:Matrika"); code != 0 || !strings.Contains(out, "invitation token") {
		t.Fatalf("staff invite: %d %q %q", code, out, errs)
	}
	if code, _, errs := runCmd(t, envVars, "staff", "invite", "--tenant", "lhota", "--email", "x@lhota.test",
		"--name", "X", "--role", "mayor"); code != 1 || !strings.Contains(errs, "unknown role") {
		t.Fatalf("staff invite with a bad role: %d %q", code, errs)
	}
	// The terms and the invitation are in the audit log, and the chain holds ...
	if code, out, errs := runCmd(t, envVars, "audit", "verify"); code != 0 || !strings.Contains(out, "OK, 2 entries") {
		t.Fatalf("audit verify: %d %q %q", code, out, errs)
	}
	// ... until someone edits a row behind the portal's back.
	tamper(t, envVars, `UPDATE audit_log SET actor_name = 'someone else' WHERE seq = 1`)
	if code, out, errs := runCmd(t, envVars, "audit", "verify", "--tenant", "lhota"); code != 1 ||
		!strings.Contains(out, "BROKEN at seq 1") || !strings.Contains(errs, "tampered") {
		t.Fatalf("audit verify after tampering: %d %q %q", code, out, errs)
	}
	if code, _, errs := runCmd(t, envVars, "staff", "invite", "--tenant", "lhota"); code != 2 || !strings.Contains(errs, "required") {
		t.Fatalf("staff invite without flags: %d %q", code, errs)
	}
	if code, _, errs := runCmd(t, envVars, "staff", "invite", "--tenant", "nowhere", "--email", "x@y.test", "--name", "X",
		"--role", "editor"); code != 1 || !strings.Contains(errs, "nowhere") {
		t.Fatalf("staff invite to an unknown town: %d %q", code, errs)
	}
}

// tamper changes the audit log directly, the way an intruder with database
// access would: past the append-only trigger.
func tamper(t *testing.T, envVars map[string]string, stmt string) {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Load(func(k string) string { return envVars[k] }, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err = d.InTx(ctx, func(tx *db.Tx) error {
		disable := `DROP TRIGGER audit_log_no_update`
		if d.Dialect() == db.Postgres {
			disable = `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`
		}
		if _, err := tx.Exec(ctx, disable); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, stmt)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
