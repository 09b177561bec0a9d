package payment_test

import (
	"errors"
	"testing"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/derr"
)

// Cash at the counter is booked at once; an overpayment is refunded only
// after a second official approves, and once.
func TestCashAndRefundWithFourEyes(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	clerk := audit.Actor{Kind: audit.ActorStaff, ID: 11, Name: "Pokladní"}
	boss := audit.Actor{Kind: audit.ActorStaff, ID: 12, Name: "Vedoucí"}
	ob := r.open[0]
	owed := r.balance(ob.ID)
	if _, err := r.svc.Cash(r.ctx, clerk, r.tn.ID, ob.ID, 0); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("zero cash: %v", err)
	}
	pay, err := r.svc.Cash(r.ctx, clerk, r.tn.ID, ob.ID, owed+5000)
	if err != nil || pay.Channel != "cash" || pay.State != "paid" {
		t.Fatalf("cash: %+v %v", pay, err)
	}
	if b := r.balance(ob.ID); b != -5000 {
		t.Fatalf("after cash: %d", b)
	}
	if _, err := r.svc.RequestRefund(r.ctx, clerk, r.tn.ID, ob.ID, 6000, "CZ6508000000192000145399", "přeplatek"); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("refund over the overpayment: %v", err)
	}
	id, err := r.svc.RequestRefund(r.ctx, clerk, r.tn.ID, ob.ID, 5000, "CZ6508000000192000145399", "přeplatek v hotovosti")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.RequestRefund(r.ctx, clerk, r.tn.ID, ob.ID, 1, "CZ6508000000192000145399", "znovu"); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("a second refund of the same overpayment: %v", err)
	}
	if err := r.svc.DecideRefund(r.ctx, clerk, r.tn.ID, id, true); !errors.Is(err, derr.ErrForbidden) {
		t.Fatalf("approving one's own refund: %v", err)
	}
	if b := r.balance(ob.ID); b != -5000 {
		t.Fatalf("a refund was booked before approval: %d", b)
	}
	if err := r.svc.DecideRefund(r.ctx, boss, r.tn.ID, id, true); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.DecideRefund(r.ctx, boss, r.tn.ID, id, true); !errors.Is(err, derr.ErrConflict) {
		t.Fatalf("approving twice: %v", err)
	}
	if b := r.balance(ob.ID); b != 0 {
		t.Fatalf("after the refund: %d", b)
	}
	if list, _ := r.svc.Refunds(r.ctx, r.tn.ID); len(list) != 1 { // the fixture's own refund waits
		t.Fatalf("still waiting: %d", len(list))
	}
	es, _ := (&audit.Store{DB: r.d}).Search(r.ctx, r.tn.ID, audit.Query{Action: "refund.approve"})
	if len(es) != 1 || es[0].ActorID != boss.ID {
		t.Fatalf("approval audit: %+v", es)
	}
}
