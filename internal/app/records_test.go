package app

import (
	"context"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/demo"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/submission/records"
	"github.com/radnice/radnice/internal/tenant"
)

// `radnice records set` and `records list`: a town's records management
// is configuration; bad settings are refused naming the flag, the token is
// never printed.
func TestRecordsCommand(t *testing.T) {
	t.Parallel()
	envVars := map[string]string{"RADNICE_DATA_DIR": t.TempDir()}
	if url := dbtest.PostgresURL(); url != "" {
		envVars = map[string]string{"RADNICE_DATABASE_URL": dbtest.Options(t).URL}
	}
	if code, _, errs := runCmd(t, envVars, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", errs)
	}
	if code, _, errs := runCmd(t, envVars, "tenant", "add", "--slug", "lhota", "--name", "Lhota", "--host", "lhota.test"); code != 0 {
		t.Fatalf("tenant add: %s", errs)
	}
	token := t.TempDir() + "/token"
	os.WriteFile(token, []byte("s3cret-token\n"), 0o600)
	empty := t.TempDir() + "/empty"
	os.WriteFile(empty, []byte("\n"), 0o600)
	for _, c := range []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no verb", []string{"records"}, 2, "records list"},
		{"no town", []string{"records", "set", "--url", "https://s.example.cz", "--token-file", token}, 2, "--tenant is required"},
		{"no url", []string{"records", "set", "--tenant", "lhota", "--token-file", token}, 2, "--url and --token-file"},
		{"bad url", []string{"records", "set", "--tenant", "lhota", "--url", "spisovka", "--token-file", token}, 2, "--url must be an absolute URL"},
		{"missing file", []string{"records", "set", "--tenant", "lhota", "--url", "https://s.example.cz", "--token-file", token + "x"}, 1, "--token-file"},
		{"empty token", []string{"records", "set", "--tenant", "lhota", "--url", "https://s.example.cz", "--token-file", empty}, 1, "one line"},
		{"unknown town", []string{"records", "set", "--tenant", "nikde", "--url", "https://s.example.cz", "--token-file", token}, 1, `town "nikde"`},
	} {
		code, _, errs := runCmd(t, envVars, c.args...)
		if code != c.wantCode || !strings.Contains(errs, c.wantErr) {
			t.Errorf("%s: exit %d, %q; want %d mentioning %q", c.name, code, errs, c.wantCode, c.wantErr)
		}
	}
	if code, out, _ := runCmd(t, envVars, "records", "list"); code != 0 || !strings.Contains(out, "lhota") || !strings.Contains(out, "none") {
		t.Fatalf("list before: %d %q", code, out)
	}
	if code, out, errs := runCmd(t, envVars, "records", "set", "--tenant", "lhota", "--url", "https://spisovka.lhota.example.cz/api/v1/",
		"--token-file", token); code != 0 || !strings.Contains(out, "enabled") {
		t.Fatalf("set: %d %q %q", code, out, errs)
	}
	if code, out, _ := runCmd(t, envVars, "records", "list", "--tenant", "lhota"); code != 0 ||
		!strings.Contains(out, "on    https://spisovka.lhota.example.cz/api/v1 (never synced)") || strings.Contains(out, "s3cret") {
		t.Fatalf("list: %d %q", code, out)
	}
	if code, out, _ := runCmd(t, envVars, "records", "set", "--tenant", "lhota", "--url", "https://spisovka.lhota.example.cz/api/v1",
		"--token-file", token, "--disabled"); code != 0 || !strings.Contains(out, "stay \"submitted\"") {
		t.Fatalf("set --disabled: %d %q", code, out)
	}
	if code, out, _ := runCmd(t, envVars, "records", "list"); code != 0 || !strings.Contains(out, "off ") {
		t.Fatalf("list after --disabled: %d %q", code, out)
	}
}

// The portal as served wires the hand-off and the sync: a filing is handed
// to the town's records management by the job queue and gets its
// reference number; a case filed on paper there appears in the portal's
// copy after the periodic sync.
func TestRecordsWiring(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var tn *tenant.Tenant
	_, p := testPortal(t, func(d *db.DB) { tn = fixture.Town(t, d, "lhota", 30) })
	fake := records.NewFake()
	fake.AddOffice("lhota-token", records.Office{Name: tn.OfficialName, Prefix: "OULH"})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	if err := (&records.Systems{DB: p.db}).Save(ctx, audit.System, &records.Config{TenantID: tn.ID, BaseURL: srv.URL + "/api",
		Token: "lhota-token", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	var person, acc, formID int64
	var bn string
	if err := p.db.Read().QueryRow(ctx, `SELECT a.person_id, a.id, p.birth_number FROM accounts a JOIN persons p ON p.id = a.person_id
		WHERE a.tenant_id = $1 AND p.birth_number IS NOT NULL ORDER BY a.id LIMIT 1`, tn.ID).Scan(&person, &acc, &bn); err != nil {
		t.Fatal(err)
	}
	if err := p.db.Read().QueryRow(ctx, `SELECT min(id) FROM forms WHERE tenant_id = $1`, tn.ID).Scan(&formID); err != nil {
		t.Fatal(err)
	}
	paper, err := fake.FilePaper("lhota-token", records.Paper{Title: "Žádost o kácení dřevin", Department: "Odbor životního prostředí", BirthNumber: bn})
	if err != nil {
		t.Fatal(err)
	}
	subs := p.web.Submissions
	sub, _, err := subs.File(ctx, submission.Filing{TenantID: tn.ID, Token: "wiring-1", AccountID: acc, PersonID: person, FormID: formID,
		FormVersion: 1, Title: "Obecné podání", Department: "Podatelna", Answers: form.Answers{"predmet": {"Dotaz"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.queue.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		p.queue.Stop(sctx)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := subs.Get(ctx, tn.ID, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		var paperCases int
		p.db.Read().QueryRow(ctx, `SELECT count(*) FROM submissions WHERE tenant_id = $1 AND records_id = $2 AND person_id = $3`,
			tn.ID, paper.CaseID, person).Scan(&paperCases)
		if got.State == submission.StateRegistered && strings.HasPrefix(got.Reference, "OULH/1/") && paperCases == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not handed over or synced: %s %q, %d paper cases", got.State, got.Reference, paperCases)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// demoPaperCases: in demo mode the demo citizen of Horní Ves finds, on
// /podani, the cases the fake records management holds for them as filed
// on paper, brought by the sync that runs at start; the fake's own page
// says DEMO.
func demoPaperCases(t *testing.T, addr, port string) {
	t.Helper()
	do := demoBrowser(t, addr)
	town := "http://ves.localhost:" + port
	if code, body, _ := do("GET", "http://localhost:"+port+demo.RecordsPath+"/", nil); code != 200 || !strings.Contains(body, "DEMO") ||
		!strings.Contains(body, "Žádost o povolení kácení dřevin") {
		t.Fatalf("demo records management: %d\n%.1000s", code, body)
	}
	demoLogin(t, do, port, town, "horni-ves-citizen", "Občan")
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body, _ := do("GET", town+"/podani", nil)
		if code == 200 && strings.Contains(body, "Žádost o povolení kácení dřevin") && strings.Contains(body, "Žádost o vydání rybářského lístku") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo citizen's paper cases are not on /podani: %d\n%.3000s", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
