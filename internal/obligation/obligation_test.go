package obligation_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/obligation"
	"github.com/radnice/radnice/internal/tenant"
)

func TestStatusFromLedger(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	due := func(d int) time.Time { return today.AddDate(0, 0, d) }
	cases := []struct {
		name                      string
		amount, balance, paid, wo int64
		due                       time.Time
		want                      obligation.Status
	}{
		{"open", 100, 100, 0, 0, due(10), obligation.StatusOpen},
		{"due today is not overdue", 100, 100, 0, 0, due(0), obligation.StatusOpen},
		{"overdue", 100, 100, 0, 0, due(-1), obligation.StatusOverdue},
		{"partly paid", 100, 40, 60, 0, due(10), obligation.StatusPartlyPaid},
		{"partly paid and late", 100, 40, 60, 0, due(-1), obligation.StatusOverdue},
		{"paid", 100, 0, 100, 0, due(-30), obligation.StatusPaid},
		{"overpaid", 100, -100, 200, 0, due(10), obligation.StatusOverpaid},
		{"written off", 100, 0, 30, 70, due(-30), obligation.StatusWrittenOff},
	}
	for _, c := range cases {
		l := obligation.Line{Obligation: obligation.Obligation{Amount: c.amount, DueDate: c.due}, Balance: c.balance, Paid: c.paid, WrittenOff: c.wo}
		if got := l.Status(today); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// ByVS finds the town's obligation by its variable symbol, with the same
// balance as Line; another town's symbol, a basket's and nonsense are not
// found.
func TestByVS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	a := fixture.Town(t, d, "alfa", 30)
	b := fixture.Town(t, d, "beta", 30)
	s := &obligation.Store{DB: d}
	var id, vs int64
	if err := d.Read().QueryRow(ctx, `SELECT id, vs FROM obligations o WHERE tenant_id = $1
		AND NOT EXISTS (SELECT 1 FROM obligations x WHERE x.tenant_id = $2 AND x.vs = o.vs) ORDER BY id LIMIT 1`, a.ID, b.ID).Scan(&id, &vs); err != nil {
		t.Fatal(err)
	}
	got, err := s.ByVS(ctx, a.ID, vs)
	if err != nil || got.ID != id || got.VS != vs || got.TenantID != a.ID {
		t.Fatalf("ByVS(%d): %+v, %v", vs, got, err)
	}
	want, err := s.Line(ctx, a.ID, id)
	if err != nil || !reflect.DeepEqual(want, got) {
		t.Fatalf("ByVS and Line differ:\n%+v\n%+v (%v)", got, want, err)
	}
	var basket int64
	if err := d.Read().QueryRow(ctx, `SELECT vs FROM payments WHERE tenant_id = $1 AND vs IS NOT NULL LIMIT 1`, a.ID).Scan(&basket); err != nil {
		t.Fatalf("no basket in the fixture: %v", err)
	}
	for _, c := range []struct {
		town *tenant.Tenant
		vs   int64
	}{{b, vs}, {a, basket}, {a, 0}, {a, -vs}, {a, 9_999_999_999}} {
		if l, err := s.ByVS(ctx, c.town.ID, c.vs); !errors.Is(err, derr.ErrNotFound) {
			t.Errorf("ByVS(%s, %d): %+v, %v", c.town.Slug, c.vs, l, err)
		}
	}
}

// An obligation in instalments is overdue as soon as one part is, and what
// is due next is the unpaid rest of the oldest unsettled part.
func TestInstalments(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC)
	parts := []obligation.Instalment{
		{Seq: 1, Due: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC), Amount: 300},
		{Seq: 2, Due: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), Amount: 300},
		{Seq: 3, Due: time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC), Amount: 400},
	}
	cases := []struct {
		name     string
		paid     int64
		want     obligation.Status
		nextDue  time.Time
		nextOwed int64
	}{
		{"nothing paid: the first part is late", 0, obligation.StatusOverdue, parts[0].Due, 300},
		{"first part paid: the second is late", 300, obligation.StatusOverdue, parts[1].Due, 300},
		{"half of the second paid", 450, obligation.StatusOverdue, parts[1].Due, 150},
		{"two parts paid: the third is not due yet", 600, obligation.StatusPartlyPaid, parts[2].Due, 400},
		{"all paid", 1000, obligation.StatusPaid, time.Time{}, 0},
	}
	for _, c := range cases {
		l := obligation.Line{Obligation: obligation.Obligation{Amount: 1000, DueDate: parts[2].Due, Instalments: parts},
			Balance: 1000 - c.paid, Paid: c.paid}
		if got := l.Status(today); got != c.want {
			t.Errorf("%s: status %s, want %s", c.name, got, c.want)
		}
		due, owed, ok := l.Next()
		if !due.Equal(c.nextDue) || owed != c.nextOwed || ok != (c.nextOwed > 0) {
			t.Errorf("%s: next %s %d %v, want %s %d", c.name, due, owed, ok, c.nextDue, c.nextOwed)
		}
	}
	// Before the first part is due, nothing is late.
	l := obligation.Line{Obligation: obligation.Obligation{Amount: 1000, DueDate: parts[2].Due, Instalments: parts}, Balance: 1000}
	if got := l.Status(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)); got != obligation.StatusOpen {
		t.Errorf("before the first part: %s", got)
	}
}

// A household's obligation is seen by every adult of the household, with
// its schedule, and by nobody else; a schedule that does not add up, and a
// household of another town, are refused and write nothing.
func TestHouseholdObligations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	a := fixture.Town(t, d, "alfa", 40)
	b := fixture.Town(t, d, "beta", 40)
	s := &obligation.Store{DB: d}
	var hh, first, second, child, other int64
	if err := d.Read().QueryRow(ctx, `SELECT m1.household_id, m1.person_id, m2.person_id,
		(SELECT min(c.person_id) FROM household_members c WHERE c.tenant_id = m1.tenant_id AND c.household_id = m1.household_id AND c.role = 'child')
		FROM household_members m1 JOIN household_members m2 ON m2.tenant_id = m1.tenant_id AND m2.household_id = m1.household_id
			AND m2.role = 'adult' AND m2.person_id > m1.person_id
		WHERE m1.tenant_id = $1 AND m1.role = 'adult' AND EXISTS (SELECT 1 FROM household_members c
			WHERE c.tenant_id = m1.tenant_id AND c.household_id = m1.household_id AND c.role = 'child')
		ORDER BY m1.household_id LIMIT 1`, a.ID).Scan(&hh, &first, &second, &child); err != nil {
		t.Fatalf("no household of two adults and a child: %v", err)
	}
	if err := d.Read().QueryRow(ctx, `SELECT min(person_id) FROM household_members WHERE tenant_id = $1 AND household_id <> $2`,
		a.ID, hh).Scan(&other); err != nil {
		t.Fatal(err)
	}
	kind, err := s.EnsureKind(ctx, a.ID, obligation.Kind{Code: "najem", NameCS: "Nájemné", NameEN: "Rent", Department: "Majetek"})
	if err != nil {
		t.Fatal(err)
	}
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	insert := func(town int64, o *obligation.Obligation) error {
		return d.InTx(ctx, func(tx *db.Tx) error {
			ids, err := db.ReserveIDs(ctx, tx, "obligations", 1)
			if err != nil {
				return err
			}
			o.ID = ids[0]
			return s.InsertAssessed(ctx, tx, town, []*obligation.Obligation{o})
		})
	}
	rent := &obligation.Obligation{KindID: kind.ID, PersonID: first, HouseholdID: hh, Period: "2026", Amount: 600_00,
		VS: 3_990_000_001, Instalments: []obligation.Instalment{{Due: day(3, 31), Amount: 200_00}, {Due: day(6, 30), Amount: 400_00}}}
	if err := insert(a.ID, rent); err != nil {
		t.Fatal(err)
	}
	for _, p := range []int64{first, second} {
		lines, err := s.Overview(ctx, a.ID, p, 0)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, l := range lines {
			if l.ID == rent.ID {
				found = true
				if l.HouseholdID != hh || l.Household == "" || len(l.Instalments) != 2 || l.Instalments[1].Amount != 400_00 ||
					!l.DueDate.Equal(day(6, 30)) {
					t.Errorf("person %d sees the rent as %+v", p, l)
				}
			}
		}
		if !found {
			t.Errorf("adult %d of the household does not see its rent", p)
		}
	}
	for _, p := range []int64{child, other} {
		lines, err := s.Overview(ctx, a.ID, p, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if l.ID == rent.ID {
				t.Errorf("person %d, not an adult of the household, sees its rent", p)
			}
		}
	}
	one, err := s.Line(ctx, a.ID, rent.ID)
	if err != nil || len(one.Instalments) != 2 {
		t.Fatalf("Line: %+v, %v", one, err)
	}

	var before int64
	if err := d.Read().QueryRow(ctx, `SELECT count(*) FROM obligations`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]*obligation.Obligation{
		"parts do not add up": {KindID: kind.ID, PersonID: first, Period: "2026", Amount: 500_00, VS: 3_990_000_002,
			Instalments: []obligation.Instalment{{Due: day(3, 31), Amount: 200_00}, {Due: day(6, 30), Amount: 200_00}}},
		"parts out of order": {KindID: kind.ID, PersonID: first, Period: "2026", Amount: 400_00, VS: 3_990_000_003,
			Instalments: []obligation.Instalment{{Due: day(6, 30), Amount: 200_00}, {Due: day(3, 31), Amount: 200_00}}},
		"household without a payer": {KindID: kind.ID, CompanyID: 1, HouseholdID: hh, Period: "2026", Amount: 1, DueDate: day(1, 1), VS: 3_990_000_004},
	} {
		if err := insert(a.ID, o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// The database itself refuses a household of another town, whatever
	// the code above it does.
	var bPerson, bKind int64
	if err := d.Read().QueryRow(ctx, `SELECT min(id) FROM persons WHERE tenant_id = $1`, b.ID).Scan(&bPerson); err != nil {
		t.Fatal(err)
	}
	if err := d.Read().QueryRow(ctx, `SELECT min(id) FROM obligation_kinds WHERE tenant_id = $1`, b.ID).Scan(&bKind); err != nil {
		t.Fatal(err)
	}
	if err := insert(b.ID, &obligation.Obligation{KindID: bKind, PersonID: bPerson, HouseholdID: hh, Period: "2026",
		Amount: 1, DueDate: day(1, 1), VS: 3_990_000_005}); err == nil {
		t.Error("an obligation of town beta owed by a household of town alfa was stored")
	}
	var after int64
	if err := d.Read().QueryRow(ctx, `SELECT count(*) FROM obligations`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("refused obligations left %d rows", after-before)
	}
}
