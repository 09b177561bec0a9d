package payment_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/payment"
)

// An overpayment moves to another obligation of the same payer: the
// ledger of both says so, the money is counted once, and every refusal
// changes nothing.
func TestTransferOverpayment(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	clerk := audit.Actor{Kind: audit.ActorStaff, ID: 11, Name: "Pokladní"}
	from, to := r.open[0], r.open[1]
	owed := r.balance(from.ID)
	if _, err := r.svc.Cash(r.ctx, clerk, r.tn.ID, from.ID, owed+5000); err != nil {
		t.Fatal(err)
	}
	var stranger int64
	if err := r.d.Read().QueryRow(r.ctx, `SELECT min(id) FROM obligations WHERE tenant_id = $1 AND person_id <> $2 AND household_id IS NULL`,
		r.tn.ID, r.owner.PersonID).Scan(&stranger); err != nil {
		t.Fatal(err)
	}
	// The other obligation is paid but for 10 CZK, so a move of more is too much.
	if _, err := r.svc.Cash(r.ctx, clerk, r.tn.ID, to.ID, r.balance(to.ID)-1000); err != nil {
		t.Fatal(err)
	}
	rows := r.ledgerRows()
	for _, c := range []struct {
		name     string
		to, want int64
		reason   string
		key      string
	}{
		{"more than is overpaid", to.ID, 5001, "chyba", "transfer.overpaid"},
		{"to itself", from.ID, 100, "chyba", "transfer.same"},
		{"no reason", to.ID, 100, " ", "transfer.reason"},
		{"zero", to.ID, 0, "chyba", "transfer.amount"},
		{"to somebody else", stranger, 100, "chyba", "transfer.owner"},
		{"more than is owed there", to.ID, 2000, "chyba", "transfer.toomuch"},
	} {
		_, err := r.svc.Transfer(r.ctx, clerk, r.tn.ID, from.ID, c.to, c.want, c.reason)
		var inv *derr.InvalidError
		if !errors.As(err, &inv) || inv.Fields[0].Key != c.key {
			t.Errorf("%s: %v, want %s", c.name, err, c.key)
		}
	}
	if n := r.ledgerRows(); n != rows {
		t.Fatalf("refused moves wrote %d ledger rows", n-rows)
	}
	toBefore, paidBefore := r.balance(to.ID), int64(0)
	if l, err := r.obs.Line(r.ctx, r.tn.ID, to.ID); err == nil {
		paidBefore = l.Paid
	}
	move := int64(1000)
	if _, err := r.svc.Transfer(r.ctx, clerk, r.tn.ID, from.ID, to.ID, move, "platil dvakrát, převod na druhý poplatek"); err != nil {
		t.Fatal(err)
	}
	if b := r.balance(from.ID); b != -5000+move {
		t.Errorf("overpaid obligation after the move: %d", b)
	}
	if b := r.balance(to.ID); b != toBefore-move {
		t.Errorf("other obligation after the move: %d, want %d", b, toBefore-move)
	}
	l, err := r.obs.Line(r.ctx, r.tn.ID, to.ID)
	if err != nil || l.Paid != paidBefore+move || l.Balance != 0 {
		t.Errorf("the move counts as paid on the other obligation: %+v %v", l, err)
	}
	es, _ := (&audit.Store{DB: r.d}).Search(r.ctx, r.tn.ID, audit.Query{Action: payment.ActionTransfer})
	if len(es) == 0 || es[0].ActorID != clerk.ID || es[0].Reason != "platil dvakrát, převod na druhý poplatek" { // newest first; the fixture moved one too
		t.Errorf("transfer audit: %+v", es)
	}
}

// Ten officials moving the same overpayment at once move it once: the
// overpaid obligation's row is locked while its balance is read.
func TestTransferConcurrent(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	clerk := audit.Actor{Kind: audit.ActorStaff, ID: 11, Name: "Pokladní"}
	from, to := r.open[0], r.open[1]
	if r.balance(to.ID) < 3000 {
		t.Fatalf("the fixture's second obligation owes only %d", r.balance(to.ID))
	}
	if _, err := r.svc.Cash(r.ctx, clerk, r.tn.ID, from.ID, r.balance(from.ID)+3000); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, refused := 0, 0
	for range 10 {
		wg.Go(func() {
			_, err := r.svc.Transfer(r.ctx, clerk, r.tn.ID, from.ID, to.ID, 1000, "souběh")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, derr.ErrInvalid):
				refused++
			default:
				t.Errorf("transfer: %v", err)
			}
		})
	}
	wg.Wait()
	if ok != 3 || refused != 7 || r.balance(from.ID) != 0 {
		t.Fatalf("%d moved, %d refused, balance %d; want 3, 7, 0", ok, refused, r.balance(from.ID))
	}
}
