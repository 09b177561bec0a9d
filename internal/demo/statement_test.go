package demo_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/demo"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/payment"
	"github.com/radnice/radnice/internal/payment/bank"
)

// The demo bank's statement pays every waiting basket once and parses as
// the real importer expects; a town that is not a demo has none.
func TestDemoStatementPaysBaskets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	tn := fixture.Town(t, d, "lhota", 30)
	if _, err := demo.Statement(ctx, d, tn.ID); err == nil {
		t.Fatal("a statement for a town that is not a demo")
	}
	if _, err := d.Write().Exec(ctx, `UPDATE tenants SET demo = TRUE WHERE id = $1`, tn.ID); err != nil {
		t.Fatal(err)
	}
	svc := &payment.Service{DB: d}
	var basket int64
	d.Read().QueryRow(ctx, `SELECT id FROM payments WHERE tenant_id = $1 AND channel = 'transfer' AND state = 'pending'`, tn.ID).Scan(&basket)
	if basket == 0 {
		t.Fatal("the fixture has no waiting basket")
	}
	for round := range 2 {
		b, err := demo.Statement(ctx, d, tn.ID)
		if err != nil {
			t.Fatal(err)
		}
		st, err := bank.Parse(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("round %d: the demo statement does not parse: %v\n%s", round, err, b)
		}
		res, err := svc.Import(ctx, tn.ID, st.Account, st.PaymentTxs())
		if err != nil {
			t.Fatal(err)
		}
		if round == 0 && (res.Matched < 1 || res.Unmatched != 1) {
			t.Fatalf("first import: %+v", res)
		}
		if round == 1 && res.Matched != 0 {
			t.Fatalf("second statement booked again: %+v", res)
		}
	}
	p, _ := svc.Get(ctx, tn.ID, basket)
	if p.State != payment.StatePaid {
		t.Fatalf("basket %s", p.State)
	}
}
