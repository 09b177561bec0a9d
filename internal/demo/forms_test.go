package demo

import (
	"context"
	"testing"

	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/obligation"
	"github.com/radnice/radnice/internal/tenant"
)

// Every demo form file parses and passes the definition's checks, and
// every demo town has its forms.
func TestDemoFormsValid(t *testing.T) {
	t.Parallel()
	for _, town := range Towns() {
		names, err := FormFiles(town.Tenant.Slug)
		if err != nil || len(names) < 5 {
			t.Fatalf("%s: %d form files, %v", town.Tenant.Slug, len(names), err)
		}
		slugs := map[string]bool{}
		for _, n := range names {
			slug, def, err := Form(n)
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			if slugs[slug] {
				t.Errorf("%s: slug %q twice", town.Tenant.Slug, slug)
			}
			slugs[slug] = true
			if def.Title.EN == "" || def.Intro.CS == "" || def.Intro.EN == "" {
				t.Errorf("%s: a title or an intro is missing a language", n)
			}
			for _, s := range def.Steps {
				if s.Title.EN == "" {
					t.Errorf("%s: step %s has no English title", n, s.ID)
				}
				for _, f := range s.Fields {
					if f.Label.EN == "" || (f.Hint.CS != "") != (f.Hint.EN != "") {
						t.Errorf("%s: field %s lacks a translation", n, f.ID)
					}
					for _, o := range f.Options {
						if o.Label.EN == "" {
							t.Errorf("%s: option %s of %s has no English label", n, o.Value, f.ID)
						}
					}
				}
			}
		}
		for _, want := range []string{"prihlaseni-psa", "poplatek-za-odpad", "hlaseni-zavady", "obecne-podani", "zmena-kontaktnich-udaju"} {
			if !slugs[want] {
				t.Errorf("%s has no form %s", town.Tenant.Slug, want)
			}
		}
	}
}

// Publishing the demo forms at every start makes their first versions
// once; a second start changes nothing.
func TestEnsureFormsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	for _, town := range Towns() {
		tn := town.Tenant
		tn.Hosts = append([]string(nil), town.Tenant.Hosts...)
		if err := (&tenant.Store{DB: d}).Create(ctx, &tn); err != nil {
			t.Fatal(err)
		}
		// The seed makes these kinds; this test makes no population.
		for _, k := range []obligation.Kind{{Code: "pes", NameCS: "Pes", NameEN: "Dog", Department: "x"}, {Code: "odpad", NameCS: "Odpad", NameEN: "Waste", Department: "x"}} {
			if _, err := (&obligation.Store{DB: d}).EnsureKind(ctx, tn.ID, k); err != nil {
				t.Fatal(err)
			}
		}
	}
	versions := func() map[string]int {
		out := map[string]int{}
		rows, err := d.Read().Query(ctx, `SELECT t.slug, f.slug, f.version FROM forms f JOIN tenants t ON t.id = f.tenant_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var town, slug string
			var v int
			rows.Scan(&town, &slug, &v)
			out[town+"/"+slug] = v
		}
		return out
	}
	for range 2 {
		if err := EnsureForms(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	got := versions()
	if len(got) != 11 || got["jizerov/rezidentni-parkovani"] != 1 || got["horni-ves/prihlaseni-psa"] != 1 {
		t.Fatalf("demo forms: %v", got)
	}
	for k, v := range got {
		if v != 1 {
			t.Errorf("%s is at version %d after two starts", k, v)
		}
	}
	var n int
	d.Read().QueryRow(ctx, `SELECT count(*) FROM form_versions`).Scan(&n)
	if n != 11 {
		t.Errorf("%d versions", n)
	}
}
