package payment_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/payment"
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

// A cash payment names the official who took it.
func TestCashNamesTheOfficial(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	clerk := audit.Actor{Kind: audit.ActorStaff, ID: 11, Name: "Pokladní"}
	pay, err := r.svc.Cash(r.ctx, clerk, r.tn.ID, r.open[0].ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := r.svc.Get(r.ctx, r.tn.ID, pay.ID); err != nil || got.CreatedBy != "staff:11" || got.Official() != 11 {
		t.Fatalf("cash payment: %+v %v", got, err)
	}
	basket, err := r.svc.Create(r.ctx, r.tn.ID, r.owner, []int64{r.open[1].ID}, payment.ChannelTransfer, "", "staff:11")
	if err != nil || basket.Official() != 0 {
		t.Fatalf("a basket is nobody's cash: %+v %v", basket, err)
	}
}

// ImportBy books like Import and records who imported what, in the same
// transaction: a refused statement leaves no record.
func TestImportByRecords(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	clerk := audit.Actor{Kind: audit.ActorStaff, ID: 11, Name: "Pokladní"}
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	txs := []payment.StatementTx{
		{Ref: "I1", Booked: day, Amount: 1000, VS: r.open[0].VS},
		{Ref: "I2", Booked: day, Amount: 2000, VS: 4321},
		{Ref: "I3", Booked: day, Amount: -500},
	}
	entries := func() []audit.Entry {
		es, err := (&audit.Store{DB: r.d}).Search(r.ctx, r.tn.ID, audit.Query{Action: payment.ActionImport})
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	if _, err := r.svc.ImportBy(r.ctx, clerk, r.tn.ID, "CZ6508000000192000145399", []payment.StatementTx{{Amount: 1}}); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("refused statement: %v", err)
	}
	if es := entries(); len(es) != 0 {
		t.Fatalf("a refused statement was recorded: %+v", es)
	}
	res, err := r.svc.ImportBy(r.ctx, clerk, r.tn.ID, "CZ6508000000192000145399", txs)
	if want := (payment.ImportResult{Transactions: 3, Matched: 1, Unmatched: 1, Ignored: 1}); err != nil || res != want {
		t.Fatalf("import: %+v %v", res, err)
	}
	if _, err := r.svc.ImportBy(r.ctx, clerk, r.tn.ID, "CZ6508000000192000145399", txs); err != nil {
		t.Fatal(err)
	}
	es := entries()
	if len(es) != 2 || es[0].ActorID != clerk.ID || es[0].ActorKind != audit.ActorStaff {
		t.Fatalf("import entries: %+v", es)
	}
	var first, again map[string]any
	json.Unmarshal(es[1].Details, &first)
	json.Unmarshal(es[0].Details, &again)
	if first["matched"] != 1.0 || first["unmatched"] != 1.0 || first["ignored"] != 1.0 || first["duplicates"] != 0.0 ||
		first["transactions"] != 3.0 || first["account"] != "CZ6508000000192000145399" {
		t.Fatalf("first import's details: %s", es[1].Details)
	}
	if again["duplicates"] != 3.0 || again["matched"] != 0.0 {
		t.Fatalf("second import's details: %s", es[0].Details)
	}
}
