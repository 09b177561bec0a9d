package obligation_test

import (
	"context"
	"errors"
	"testing"
	"time"

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
	if err != nil || *want != *got {
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
