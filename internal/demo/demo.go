// Package demo builds the demo installation: two invented towns, a city
// modelled on a regional capital and a small village, each with a synthetic
// population. Demo mode is never on unless asked for (`radnice demo`), and
// every demo page says so.
package demo

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/person"
	"github.com/radnice/radnice/internal/seed"
	"github.com/radnice/radnice/internal/tenant"
)

//go:embed assets/jizerov.svg
var jizerovArms string

//go:embed assets/horni-ves.svg
var horniVesArms string

// Official is a demo town's official, ready to sign in at /urad/prihlaseni.
// The password and the TOTP secret are public: this is a demo.
type Official struct {
	Email, Name string
	Grants      []auth.Grant
}

// Demo officials' password and second-factor secret (the login page of a
// demo town shows the current code).
const (
	OfficialPassword = "demo-heslo-uradu"
	OfficialSecret   = "JZUGS4TBNZSWKZDFNVXW2ZLSN5ZGK3TE"
)

// Town is a demo town and the population it gets on first start.
type Town struct {
	Official    Official
	Tenant      tenant.Tenant
	Citizens    int
	Seed        uint64
	Village     bool
	PostalCodes []string
}

// Towns are the demo towns. Their accounts and IČO are valid in form but
// invented.
func Towns() []Town {
	return []Town{
		{
			Tenant: tenant.Tenant{
				Slug: "jizerov", Name: "Jizerov", OfficialName: "Statutární město Jizerov",
				ICO: "12345679", DataBox: "jzr7abc", CoatOfArms: jizerovArms,
				ColorPrimary: "#1d4f91", ColorAccent: "#d4a017",
				IBAN: "CZ8120100000001234567004", Email: "podatelna@jizerov.example.cz", Phone: "+420 485 000 111",
				Address: "nám. Dr. E. Beneše 1/1, 460 01 Jizerov",
				OfficeHours: []tenant.Hours{
					{Day: 1, Open: "08:00", Close: "17:00"}, {Day: 2, Open: "08:00", Close: "14:00"},
					{Day: 3, Open: "08:00", Close: "17:00"}, {Day: 4, Open: "08:00", Close: "14:00"},
					{Day: 5, Open: "08:00", Close: "12:00"},
				},
				DefaultLang: "cs", Demo: true, Hosts: []string{"localhost", "127.0.0.1", "jizerov.localhost"},
			},
			Official: Official{Email: "urednik@jizerov.example.cz", Name: "Jana Úřednická", Grants: []auth.Grant{
				{Role: auth.Administrator}, {Role: auth.CounterClerk}, {Role: auth.ContactCentre}, {Role: auth.FeeClerk},
				{Role: auth.CaseWorker, Department: "Odbor dopravy"}, {Role: auth.CaseWorker, Department: "Odbor ekonomiky"},
				{Role: auth.CaseWorker, Department: "Odbor správy majetku"}, {Role: auth.CaseWorker, Department: "Podatelna"},
				{Role: auth.Editor}, {Role: auth.Auditor}}},
			Citizens: 2000, Seed: 2026, PostalCodes: []string{"460 01", "460 06", "460 07", "460 08", "460 14", "460 15"},
		},
		{
			Tenant: tenant.Tenant{
				Slug: "horni-ves", Name: "Horní Ves", OfficialName: "Obec Horní Ves",
				ICO: "76543218", DataBox: "hvs4xyz", CoatOfArms: horniVesArms,
				ColorPrimary: "#2e6b30", ColorAccent: "#e0b400",
				IBAN: "CZ0320100000004455667002", Email: "obec@hornives.example.cz", Phone: "+420 482 000 222",
				Address: "Horní Ves 1, 463 44 Horní Ves",
				OfficeHours: []tenant.Hours{
					{Day: 1, Open: "08:00", Close: "12:00"}, {Day: 1, Open: "13:00", Close: "17:00"},
					{Day: 3, Open: "08:00", Close: "12:00"}, {Day: 3, Open: "13:00", Close: "17:00"},
				},
				DefaultLang: "cs", Demo: true, Hosts: []string{"ves.localhost", "horni-ves.localhost"},
			},
			Official: Official{Email: "starosta@hornives.example.cz", Name: "Petr Starý", Grants: []auth.Grant{
				{Role: auth.Administrator}, {Role: auth.FeeClerk}, {Role: auth.CaseWorker, Department: "Obecní úřad"}}},
			Citizens: 300, Seed: 44, Village: true, PostalCodes: []string{"463 44"},
		},
	}
}

// Ensure creates the demo towns that do not exist yet and gives each an
// empty one its population. Running it again changes nothing.
func Ensure(ctx context.Context, d *db.DB, log *slog.Logger) error {
	tenants := &tenant.Store{DB: d}
	people := &person.Store{DB: d}
	for _, town := range Towns() {
		t, err := tenants.BySlug(ctx, town.Tenant.Slug)
		if errors.Is(err, derr.ErrNotFound) {
			nt := town.Tenant
			nt.Hosts = append([]string(nil), town.Tenant.Hosts...)
			if err := tenants.Create(ctx, &nt); err != nil {
				return err
			}
			t = &nt
			log.Info("demo town created", "town", t.Name, "hosts", t.Hosts)
		} else if err != nil {
			return err
		}
		var officials int
		if err := d.Read().QueryRow(ctx, `SELECT count(*) FROM staff WHERE tenant_id = $1`, t.ID).Scan(&officials); err != nil {
			return err
		}
		if officials == 0 {
			o := town.Official
			if _, err := (&auth.StaffStore{DB: d}).Provision(ctx, audit.System, t.ID, o.Email, o.Name, OfficialPassword,
				OfficialSecret, o.Grants); err != nil {
				return fmt.Errorf("demo official of %s: %w", t.Name, err)
			}
		} else if err := ensureGrants(ctx, d, t.ID, town.Official); err != nil {
			return fmt.Errorf("demo official of %s: %w", t.Name, err)
		}
		n, err := people.Count(ctx, t.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		res, err := seed.Town(ctx, d, seed.Options{
			TenantID: t.ID, City: t.Name, PostalCodes: town.PostalCodes, Village: town.Village,
			Citizens: town.Citizens, Seed: town.Seed,
		})
		if err != nil {
			return fmt.Errorf("demo town %s: %w", t.Name, err)
		}
		log.Info("demo town populated", "town", t.Name, "persons", res.Persons, "households", res.Households,
			"companies", res.Companies, "obligations", res.Obligations, "took", res.Elapsed.Round(1e6).String())
	}
	return nil
}

// SignInHint tells a demo town's login page whom to sign in as, with the
// code the authenticator would show now.
func SignInHint(t *tenant.Tenant, now time.Time) (email, password, code string, ok bool) {
	if t == nil || !t.Demo {
		return "", "", "", false
	}
	for _, town := range Towns() {
		if town.Tenant.Slug == t.Slug {
			return town.Official.Email, OfficialPassword, auth.TOTPCode(OfficialSecret, now), true
		}
	}
	return "", "", "", false
}
