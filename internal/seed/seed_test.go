package seed_test

import (
	"context"
	"errors"
	"testing"

	"github.com/radnice/radnice/internal/czid"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/seed"
)

func TestTown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	town := fixture.Town(t, d, "a", 0)
	res, err := seed.Town(ctx, d, seed.Options{TenantID: town.ID, City: "Obec", Citizens: 1500, Seed: 7, Year: 2026, BatchSize: 400})
	if err != nil {
		t.Fatal(err)
	}
	if res.Persons != 1500 {
		t.Fatalf("persons = %d", res.Persons)
	}
	count := func(q string, args ...any) int {
		var n int
		if err := d.Read().QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM persons WHERE tenant_id = $1`, town.ID); n != 1500 {
		t.Fatalf("persons in db = %d", n)
	}
	// Every person is in exactly one household and owes one waste fee.
	if n := count(`SELECT count(*) FROM household_members WHERE tenant_id = $1`, town.ID); n != 1500 {
		t.Fatalf("household members = %d", n)
	}
	if n := count(`SELECT count(*) FROM obligations o JOIN obligation_kinds k ON k.id = o.kind_id
		WHERE o.tenant_id = $1 AND k.code = 'odpad'`, town.ID); n != 1500 {
		t.Fatalf("waste fees = %d", n)
	}
	// Some households keep dogs; companies have a representative.
	if n := count(`SELECT count(*) FROM obligations o JOIN obligation_kinds k ON k.id = o.kind_id
		WHERE o.tenant_id = $1 AND k.code = 'pes'`, town.ID); n < 50 || n > 400 {
		t.Fatalf("dog fees = %d, want a plausible share", n)
	}
	if c, r := count(`SELECT count(*) FROM companies WHERE tenant_id = $1`, town.ID),
		count(`SELECT count(*) FROM company_representatives WHERE tenant_id = $1`, town.ID); c == 0 || c != r {
		t.Fatalf("companies = %d, representatives = %d", c, r)
	}
	// Every twelfth household rents a town flat: a household's obligation,
	// billed to an adult of it, in four instalments that add up.
	households := count(`SELECT count(*) FROM households WHERE tenant_id = $1`, town.ID)
	if n := count(`SELECT count(*) FROM obligations o JOIN obligation_kinds k ON k.id = o.kind_id
		WHERE o.tenant_id = $1 AND k.code = 'najem' AND o.household_id IS NOT NULL`, town.ID); n != (households+11)/12 {
		t.Fatalf("rents = %d, want %d of %d households", n, (households+11)/12, households)
	}
	if n := count(`SELECT count(*) FROM obligations o WHERE o.tenant_id = $1 AND o.household_id IS NOT NULL AND NOT EXISTS
		(SELECT 1 FROM household_members m WHERE m.tenant_id = o.tenant_id AND m.household_id = o.household_id
			AND m.person_id = o.person_id AND m.role = 'adult')`, town.ID); n != 0 {
		t.Fatalf("%d household obligations billed to somebody not an adult of the household", n)
	}
	if n := count(`SELECT count(*) FROM obligations o WHERE o.tenant_id = $1 AND o.household_id IS NOT NULL AND (
		(SELECT count(*) FROM obligation_instalments i WHERE i.tenant_id = o.tenant_id AND i.obligation_id = o.id) <> 4 OR
		(SELECT sum(amount) FROM obligation_instalments i WHERE i.tenant_id = o.tenant_id AND i.obligation_id = o.id) <> o.amount)`, town.ID); n != 0 {
		t.Fatalf("%d rents whose instalments do not add up", n)
	}
	// Every balance equals the assessment: the ledger is consistent.
	if n := count(`SELECT count(*) FROM obligations o WHERE o.tenant_id = $1 AND o.amount <>
		(SELECT coalesce(sum(amount), 0) FROM ledger_entries l WHERE l.tenant_id = o.tenant_id AND l.obligation_id = o.id)`, town.ID); n != 0 {
		t.Fatalf("%d obligations whose ledger does not add up", n)
	}
	// Identifiers are valid and unique.
	rows, err := d.Read().Query(ctx, `SELECT birth_number FROM persons WHERE tenant_id = $1 AND birth_number IS NOT NULL`, town.ID)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for rows.Next() {
		var bn string
		rows.Scan(&bn)
		if _, err := czid.ParseBirthNumber(bn); err != nil || seen[bn] {
			t.Fatalf("birth number %s: valid=%v duplicate=%v", bn, err == nil, seen[bn])
		}
		seen[bn] = true
	}
	rows.Close()
	if len(seen) < 1490 {
		t.Fatalf("only %d of 1500 have a birth number", len(seen))
	}
	rows, _ = d.Read().Query(ctx, `SELECT ico FROM companies WHERE tenant_id = $1`, town.ID)
	for rows.Next() {
		var ico string
		rows.Scan(&ico)
		if !czid.ValidICO(ico) {
			t.Fatalf("IČO %s invalid", ico)
		}
	}
	rows.Close()

	// Seeding a town that has people is refused and changes nothing.
	if _, err := seed.Town(ctx, d, seed.Options{TenantID: town.ID, Citizens: 10, Seed: 1}); !errors.Is(err, seed.ErrNotEmpty) {
		t.Fatalf("second seed: %v", err)
	}
	if n := count(`SELECT count(*) FROM persons WHERE tenant_id = $1`, town.ID); n != 1500 {
		t.Fatalf("persons after refused seed = %d", n)
	}
}

// The same seed gives the same town, on any engine.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	names := func(d *db.DB, tenantID int64) []string {
		rows, err := d.Read().Query(ctx, `SELECT given_name || ' ' || family_name || ' ' || coalesce(birth_number, '') || ' ' || street
			FROM persons WHERE tenant_id = $1 ORDER BY id`, tenantID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			rows.Scan(&s)
			out = append(out, s)
		}
		return out
	}
	d := dbtest.Open(t)
	a, b := fixture.Town(t, d, "a", 0), fixture.Town(t, d, "b", 0)
	for _, town := range []int64{a.ID, b.ID} {
		if _, err := seed.Town(ctx, d, seed.Options{TenantID: town, Citizens: 300, Seed: 42, Year: 2026, BatchSize: 100}); err != nil {
			t.Fatal(err)
		}
	}
	na, nb := names(d, a.ID), names(d, b.ID)
	if len(na) != 300 || len(nb) != 300 {
		t.Fatalf("%d, %d people", len(na), len(nb))
	}
	for i := range na {
		if na[i] != nb[i] {
			t.Fatalf("person %d differs: %q vs %q", i, na[i], nb[i])
		}
	}
}

func TestBadOptions(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	for _, n := range []int{0, -1, 10_000_001} {
		if _, err := seed.Town(context.Background(), d, seed.Options{TenantID: 1, Citizens: n}); err == nil {
			t.Errorf("citizens %d accepted", n)
		}
	}
}
