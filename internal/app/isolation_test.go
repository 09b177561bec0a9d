package app

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/obligation"
	"github.com/radnice/radnice/internal/person"
	"github.com/radnice/radnice/internal/tenant"
)

// infrastructure tables belong to libraries, not to a town: the migration
// tool's version table and the job queue (whose jobs carry the town in their
// arguments).
func infrastructure(table string) bool {
	return table == "goose_db_version" || strings.HasPrefix(table, "river_") || strings.HasPrefix(table, "sqlite_")
}

type column struct {
	name    string
	text    bool
	notNull bool
}

func tables(t *testing.T, d *db.DB) map[string][]column {
	t.Helper()
	ctx := context.Background()
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if d.Dialect() == db.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`
	}
	rows, err := d.Read().Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		if !infrastructure(n) {
			names = append(names, n)
		}
	}
	rows.Close()
	out := map[string][]column{}
	for _, n := range names {
		q := `SELECT name, lower(type), "notnull" = 1 OR pk > 0 FROM pragma_table_info($1)`
		if d.Dialect() == db.Postgres {
			q = `SELECT column_name, data_type, is_nullable = 'NO' FROM information_schema.columns
				WHERE table_schema = 'public' AND table_name = $1`
		}
		rows, err := d.Read().Query(ctx, q, n)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c column
			var typ string
			if err := rows.Scan(&c.name, &typ, &c.notNull); err != nil {
				t.Fatal(err)
			}
			c.text = typ == "text"
			out[n] = append(out[n], c)
		}
		rows.Close()
	}
	return out
}

// TestTownsNeverMix proves, for every table, that town A's rows cannot be
// reached through town B: every table carries the town, links across towns
// are impossible in the schema itself, the stores answer "not found" across
// towns, and no page served at B's host shows any value only A has.
func TestTownsNeverMix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var a, b *tenant.Tenant
	var aToken string
	h, p := testPortal(t, func(d *db.DB) {
		a = fixture.Town(t, d, "alfa", 150)
		b = fixture.Town(t, d, "beta", 150)
	})
	d := p.db
	// A's session is a signed-in citizen of A (the company representative,
	// who acts for a company too).
	var aAccount int64
	if err := d.Read().QueryRow(ctx, `SELECT min(id) FROM accounts WHERE tenant_id = $1`, a.ID).Scan(&aAccount); err != nil {
		t.Fatal(err)
	}
	aToken, _, err := p.sessions.Store.Create(ctx, a.ID, map[string]string{"note": "session of alfa",
		access.KeyAccount: strconv.FormatInt(aAccount, 10), access.KeyLevel: "2"})
	if err != nil {
		t.Fatal(err)
	}

	// 1. Every table carries the town, and every table has rows of A (so
	// the fixture keeps up with the schema and the checks below bite).
	schema := tables(t, d)
	if len(schema) < 10 {
		t.Fatalf("only %d tables found", len(schema))
	}
	scope := func(table string) string {
		if table == "tenants" {
			return "id"
		}
		return "tenant_id"
	}
	onlyA := map[string]string{} // value -> table, for values B has nowhere
	valuesOf := func(tenantID int64) map[string]string {
		vals := map[string]string{}
		for table, cols := range schema {
			for _, c := range cols {
				if !c.text {
					continue
				}
				rows, err := d.Read().Query(ctx, `SELECT `+c.name+` FROM `+table+` WHERE `+scope(table)+` = $1`, tenantID)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var v sql.NullString
					rows.Scan(&v)
					if len(v.String) >= 6 {
						vals[v.String] = table + "." + c.name
					}
				}
				rows.Close()
			}
		}
		return vals
	}
	for table, cols := range schema {
		if table != "tenants" {
			ok := false
			for _, c := range cols {
				ok = ok || (c.name == "tenant_id" && c.notNull)
			}
			if !ok {
				t.Errorf("table %s has no NOT NULL tenant_id column", table)
				continue
			}
		}
		var n int
		if err := d.Read().QueryRow(ctx, `SELECT count(*) FROM `+table+` WHERE `+scope(table)+` = $1`, a.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("table %s has no rows of town A: extend the fixture so this test covers it", table)
		}
	}
	bVals := valuesOf(b.ID)
	for v, where := range valuesOf(a.ID) {
		if _, shared := bVals[v]; !shared {
			onlyA[v] = where
		}
	}
	if len(onlyA) < 100 {
		t.Fatalf("only %d values distinguish town A; the check would prove little", len(onlyA))
	}

	// 2. The schema refuses links across towns.
	var aPerson, aHousehold, bPerson, kindB int64
	d.Read().QueryRow(ctx, `SELECT id FROM persons WHERE tenant_id = $1 LIMIT 1`, a.ID).Scan(&aPerson)
	d.Read().QueryRow(ctx, `SELECT id FROM households WHERE tenant_id = $1 LIMIT 1`, a.ID).Scan(&aHousehold)
	d.Read().QueryRow(ctx, `SELECT id FROM persons WHERE tenant_id = $1 LIMIT 1`, b.ID).Scan(&bPerson)
	d.Read().QueryRow(ctx, `SELECT id FROM obligation_kinds WHERE tenant_id = $1 LIMIT 1`, b.ID).Scan(&kindB)
	crossLinks := []struct{ name, sql string }{
		{"B's member in A's household", `INSERT INTO household_members (tenant_id, household_id, person_id, role) VALUES ($1, $2, $3, 'adult')`},
		{"B's obligation on A's person", `INSERT INTO obligations (tenant_id, kind_id, person_id, period, amount, due_date, vs, created_at)
			VALUES ($1, $4, $2, '2026', 100, '2026-01-01', 999999, '2026-01-01')`},
	}
	for _, c := range crossLinks {
		err := d.InTx(ctx, func(tx *db.Tx) error {
			args := []any{b.ID, aHousehold, bPerson}
			if strings.Contains(c.sql, "obligations") {
				args = []any{b.ID, aPerson, nil, kindB}
				_, err := tx.Exec(ctx, c.sql, args[0], args[1], nil, args[3])
				return err
			}
			_, err := tx.Exec(ctx, c.sql, args...)
			return err
		})
		if err == nil {
			t.Errorf("%s: the schema allowed a link across towns", c.name)
		}
	}

	// 3. The stores answer "not found" across towns.
	people := &person.Store{DB: d}
	if _, err := people.Get(ctx, b.ID, aPerson); !errors.Is(err, derr.ErrNotFound) {
		t.Errorf("person of A through B: %v", err)
	}
	if got, err := people.HouseholdMembers(ctx, b.ID, aHousehold); err != nil || len(got) != 0 {
		t.Errorf("household of A through B: %d, %v", len(got), err)
	}
	var aCompany int64
	d.Read().QueryRow(ctx, `SELECT id FROM companies WHERE tenant_id = $1 LIMIT 1`, a.ID).Scan(&aCompany)
	if _, err := people.GetCompany(ctx, b.ID, aCompany); !errors.Is(err, derr.ErrNotFound) {
		t.Errorf("company of A through B: %v", err)
	}
	obs := &obligation.Store{DB: d}
	if got, err := obs.ForPerson(ctx, b.ID, aPerson); err != nil || len(got) != 0 {
		t.Errorf("obligations of A's person through B: %d, %v", len(got), err)
	}
	var aObligation int64
	d.Read().QueryRow(ctx, `SELECT id FROM obligations WHERE tenant_id = $1 LIMIT 1`, a.ID).Scan(&aObligation)
	if bal, err := obs.Balance(ctx, b.ID, aObligation); err != nil || bal != 0 {
		t.Errorf("balance of A's obligation through B: %d, %v", bal, err)
	}
	if _, err := p.sessions.Store.Get(ctx, b.ID, aToken); !errors.Is(err, derr.ErrNotFound) {
		t.Errorf("A's session through B: %v", err)
	}

	// 4. No page at B's host shows a value only A has, even when the
	// browser presents A's session cookie. Every route is walked.
	var aPayment int64
	d.Read().QueryRow(ctx, `SELECT min(id) FROM payments WHERE tenant_id = $1`, a.ID).Scan(&aPayment)
	var aCash int64
	d.Read().QueryRow(ctx, `SELECT min(id) FROM payments WHERE tenant_id = $1 AND channel = 'cash'`, a.ID).Scan(&aCash)
	var aCase, aCaseFile int64
	d.Read().QueryRow(ctx, `SELECT submission_id, id FROM submission_files WHERE tenant_id = $1 AND submission_id IS NOT NULL
		ORDER BY id LIMIT 1`, a.ID).Scan(&aCase, &aCaseFile)
	var aDraft int64
	d.Read().QueryRow(ctx, `SELECT min(id) FROM submission_drafts WHERE tenant_id = $1`, a.ID).Scan(&aDraft)
	samples := map[string]string{
		"GET /jazyk/{lang}":              "/jazyk/en?next=/",
		"GET /prihlaseni/{provider}":     "/prihlaseni/bankid",
		"GET /zavazky/{id}":              "/zavazky/" + strconv.FormatInt(aObligation, 10),
		"GET /platba/{id}":               "/platba/" + strconv.FormatInt(aPayment, 10),
		"GET /platba/{id}/potvrzeni.pdf": "/platba/" + strconv.FormatInt(aPayment, 10) + "/potvrzeni.pdf",
		"GET /platba/{gateway}/navrat":   "/platba/gpwebpay/navrat?ORDERNUMBER=" + strconv.FormatInt(aPayment, 10),
		"/":                              "/neexistuje",
		// An official of A asked for at B (that an administrator of B gets
		// 404 for it is in TestStaffAdministration).
		"GET /urad/sprava/urednici/{id}": "/urad/sprava/urednici/1",
		// A's cash receipt asked for at B (that B's fee clerk gets 404 for
		// it is in TestPaymentDesk).
		"GET /urad/platby/doklad/{id}": "/urad/platby/doklad/" + strconv.FormatInt(aCash, 10),
		// A's person and company asked for on B's payment desk.
		"GET /urad/platby/osoby/{id}": "/urad/platby/osoby/" + strconv.FormatInt(aPerson, 10),
		"GET /urad/platby/firmy/{id}": "/urad/platby/firmy/" + strconv.FormatInt(aCompany, 10),
		// A's case and its file asked for in B's back office.
		"GET /urad/podani/{id}":                "/urad/podani/" + strconv.FormatInt(aCase, 10),
		"GET /urad/podani/{id}/soubory/{file}": "/urad/podani/" + strconv.FormatInt(aCase, 10) + "/soubory/" + strconv.FormatInt(aCaseFile, 10),
		// A's case, its receipt and file asked for by a citizen at B.
		"GET /podani/{id}":                "/podani/" + strconv.FormatInt(aCase, 10),
		"GET /podani/{id}/potvrzeni.pdf":  "/podani/" + strconv.FormatInt(aCase, 10) + "/potvrzeni.pdf",
		"GET /podani/{id}/soubory/{file}": "/podani/" + strconv.FormatInt(aCase, 10) + "/soubory/" + strconv.FormatInt(aCaseFile, 10),
		// A's draft, its step and its review, asked for at B.
		"GET /formulare/koncept/{id}":          "/formulare/koncept/" + strconv.FormatInt(aDraft, 10),
		"GET /formulare/koncept/{id}/kontrola": "/formulare/koncept/" + strconv.FormatInt(aDraft, 10) + "/kontrola",
		// A's category and situation asked for at B (B has its own of the
		// same slugs: the page must show B's).
		"GET /potrebuji-vyridit/{category}":        "/potrebuji-vyridit/" + fixture.CatalogCategory,
		"GET /potrebuji-vyridit/{category}/{slug}": "/potrebuji-vyridit/" + fixture.CatalogCategory + "/" + fixture.CatalogSlug,
	}
	var paths []string
	for _, r := range append(p.web.Routes(), p.office.Routes()...) {
		if strings.HasPrefix(r.Pattern, "POST ") {
			continue // no GET: nothing to show
		}
		path := strings.TrimSuffix(strings.TrimPrefix(r.Pattern, "GET "), "{$}")
		if s, ok := samples[r.Pattern]; ok {
			path = s
		} else if strings.Contains(path, "{") {
			t.Errorf("route %s has no sample path in TestTownsNeverMix", r.Pattern)
			continue
		}
		paths = append(paths, path)
	}
	paths = append(paths, "/healthz", "/readyz", "/static/site.css")
	for _, path := range paths {
		for _, lang := range []string{"cs", "en"} {
			w := get(t, h, http.MethodGet, "beta.test", path, map[string]string{"Cookie": "radnice=" + aToken + "; lang=" + lang})
			// The fixture's identity provider answers nowhere: its login
			// start says "unavailable" (503) by design.
			if w.Code >= 500 && !(path == "/prihlaseni/bankid" && w.Code == http.StatusServiceUnavailable) {
				t.Errorf("%s at B: status %d", path, w.Code)
			}
			body := w.Body.String()
			for v, where := range onlyA {
				if strings.Contains(body, v) {
					t.Errorf("%s at B shows %q from A's %s", path, v, where)
				}
			}
			if strings.Contains(body, "Obec alfa") {
				t.Errorf("%s at B names town A", path)
			}
		}
	}
	// And A's own host does show A (the check above is not vacuous).
	if w := get(t, h, http.MethodGet, "alfa.test", "/kontakty", nil); !strings.Contains(w.Body.String(), "alfa@example.org") {
		t.Errorf("A's contacts page does not show A's e-mail")
	}
}
