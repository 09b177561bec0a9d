package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/submission/records"
	"github.com/radnice/radnice/internal/tenant"
)

// RecordsPath is where the demo records management (a fake, marked DEMO on
// its page) is mounted on the portal's own address; its API is under
// RecordsPath + "/api".
const RecordsPath = "/demo-spisovka"

// The demo towns' offices at the fake: the prefix of their reference
// numbers, and the departments their paper cases go to.
var demoOffices = map[string]struct{ prefix, department, otherDepartment string }{
	"jizerov":   {"MJZ", "Odbor životního prostředí", "Odbor dopravy"},
	"horni-ves": {"OUHV", "Obecní úřad", "Obecní úřad"},
}

// Records gives each demo town records management: a fake answering at
// base + RecordsPath (base is http://localhost:<port>, the demo server
// itself), written to the towns' records_systems rows with a new token at
// every start, as an administrator would with `radnice records set`, so
// the portal reaches it through exactly the code it uses for a real one.
// The fake holds cases filed on paper for the demo citizen of each town
// (and one for the demo company): the first sync, at start, brings them
// to the citizen's /podani. It returns the handler to mount at
// RecordsPath.
func Records(ctx context.Context, d *db.DB, base string) (http.Handler, error) {
	fake := records.NewFake()
	systems := &records.Systems{DB: d}
	for _, town := range Towns() {
		t, err := (&tenant.Store{DB: d}).BySlug(ctx, town.Tenant.Slug)
		if err != nil {
			return nil, err
		}
		office := demoOffices[t.Slug]
		if office.prefix == "" {
			office.prefix, office.department, office.otherDepartment = strings.ToUpper(t.Slug), "Podatelna", "Podatelna"
		}
		// Numbers go on from where earlier starts left them: each start
		// begins above every reference the town holds.
		var held int
		if err := d.Read().QueryRow(ctx, `SELECT count(*) FROM submissions WHERE tenant_id = $1 AND reference <> ''`, t.ID).Scan(&held); err != nil {
			return nil, err
		}
		token := rand.Text()
		fake.AddOffice(token, records.Office{Name: t.OfficialName + " (DEMO)", Prefix: office.prefix, FirstNumber: 100 + held})
		if err := systems.Save(ctx, audit.System, &records.Config{TenantID: t.ID, BaseURL: base + RecordsPath + "/api",
			Token: token, Enabled: true}); err != nil {
			return nil, fmt.Errorf("demo records management of %s: %w", t.Name, err)
		}
		if err := demoPaperCases(ctx, d, fake, token, t, office.prefix, office.department, office.otherDepartment); err != nil {
			return nil, fmt.Errorf("demo paper cases of %s: %w", t.Name, err)
		}
	}
	return fake, nil
}

// demoPaperCases files, at the fake, cases the demo citizen (and the demo
// company) started on paper. Their ids and reference numbers are fixed,
// so a later start files the same cases, which the portal holds already.
func demoPaperCases(ctx context.Context, d *db.DB, fake *records.Fake, token string, t *tenant.Tenant, prefix, department, other string) error {
	personas, err := Personas(ctx, d, t.Slug)
	if err != nil {
		return err
	}
	var citizen, rep string
	for _, p := range personas {
		switch p.Key {
		case t.Slug + "-citizen":
			citizen = p.BirthNumber
		case t.Slug + "-rep":
			rep = p.BirthNumber
		}
	}
	now := time.Now().UTC()
	ref := func(n int, at time.Time, dep string) string {
		return prefix + "/" + strconv.Itoa(n) + "/" + strconv.Itoa(at.Year()) + "/" + records.Initials(dep)
	}
	var cases []records.Paper
	if citizen != "" {
		felling, licence := now.AddDate(0, 0, -12), now.AddDate(0, 0, -40)
		cases = append(cases,
			records.Paper{ID: "DEMO-" + t.Slug + "-P1", Reference: ref(17, felling, department), Title: "Žádost o povolení kácení dřevin",
				Department: department, BirthNumber: citizen, State: "in_progress", FiledAt: felling},
			records.Paper{ID: "DEMO-" + t.Slug + "-P2", Reference: ref(9, licence, department), Title: "Žádost o vydání rybářského lístku",
				Department: department, BirthNumber: citizen, State: "approved", FiledAt: licence})
	}
	if rep != "" {
		var ico string
		err := d.Read().QueryRow(ctx, `SELECT c.ico FROM companies c
			JOIN company_representatives r ON r.tenant_id = c.tenant_id AND r.company_id = c.id
			JOIN persons p ON p.tenant_id = r.tenant_id AND p.id = r.person_id
			WHERE c.tenant_id = $1 AND p.birth_number = $2 ORDER BY c.id LIMIT 1`, t.ID, rep).Scan(&ico)
		if err != nil && !errors.Is(err, db.ErrNoRows) {
			return err
		}
		if ico != "" {
			at := now.AddDate(0, 0, -5)
			cases = append(cases, records.Paper{ID: "DEMO-" + t.Slug + "-P3", Reference: ref(31, at, other),
				Title: "Žádost o zvláštní užívání komunikace (předzahrádka)", Department: other, ICO: ico, FiledAt: at})
		}
	}
	for _, c := range cases {
		if _, err := fake.FilePaper(token, c); err != nil {
			return err
		}
	}
	return nil
}
