package demo

import (
	"context"
	"slices"
	"testing"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/fixture"
)

// A demo database made before the demo official was a case worker of the
// demo forms' departments gets those grants at the next start, keeps
// what an administrator gave, and a start with nothing missing changes
// nothing.
func TestEnsureGrants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	tn := fixture.Town(t, d, "jizerov", 0)
	o := Towns()[0].Official
	staff := &auth.StaffStore{DB: d}
	old := []auth.Grant{{Role: auth.Administrator}, {Role: auth.CaseWorker, Department: "Odbor dopravy"},
		{Role: auth.CaseWorker, Department: "Matrika"}}
	st, err := staff.Provision(ctx, audit.System, tn.ID, o.Email, o.Name, OfficialPassword, OfficialSecret, old)
	if err != nil {
		t.Fatal(err)
	}
	if err := ensureGrants(ctx, d, tn.ID, o); err != nil {
		t.Fatal(err)
	}
	got, err := staff.Get(ctx, tn.ID, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range append(o.Grants, old...) {
		if !slices.Contains(got.Grants, g) {
			t.Errorf("missing %+v after the start", g)
		}
	}
	if len(got.Grants) != len(o.Grants)+1 {
		t.Errorf("grants: %+v", got.Grants)
	}
	entries := func() int {
		es, err := (&audit.Store{DB: d}).Search(ctx, tn.ID, audit.Query{Action: audit.ActionRightsGrant, Limit: audit.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	before := entries()
	if err := ensureGrants(ctx, d, tn.ID, o); err != nil {
		t.Fatal(err)
	}
	if entries() != before {
		t.Error("a start with nothing missing changed the grants")
	}
}
