package payment_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/obligation"
	"github.com/radnice/radnice/internal/payment"
	"github.com/radnice/radnice/internal/tenant"
)

// testGateway is a minimal gateway for the ledger's rules: returns are
// signed with an HMAC; the payer's actions are method calls. The real
// adapters and their fakes are tested in gpwebpay and comgate.
type testGateway struct {
	mu          sync.Mutex
	key         []byte
	orders      map[int64]*order
	statusCalls int
}

type order struct {
	amount int64
	state  payment.State
}

func newTestGateway() *testGateway {
	return &testGateway{key: []byte("k"), orders: map[int64]*order{}}
}

func (g *testGateway) Name() string { return "test" }

func (g *testGateway) Create(_ context.Context, p payment.GatewayPayment) (payment.Started, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, dup := g.orders[p.OrderNumber]; dup {
		return payment.Started{}, errors.New("duplicate order")
	}
	g.orders[p.OrderNumber] = &order{amount: p.Amount, state: payment.StatePending}
	return payment.Started{RedirectURL: "https://gw.test/pay?order=" + strconv.FormatInt(p.OrderNumber, 10)}, nil
}

func (g *testGateway) sign(order int64, merchant string) string {
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte(merchant + "|" + strconv.FormatInt(order, 10)))
	return hex.EncodeToString(m.Sum(nil))
}

func (g *testGateway) returnValues(order int64) url.Values {
	return url.Values{"order": {strconv.FormatInt(order, 10)}, "sig": {g.sign(order, "M1")}}
}

func (g *testGateway) VerifyReturn(v url.Values) (payment.Hint, error) {
	n, err := strconv.ParseInt(v.Get("order"), 10, 64)
	if err != nil || !hmac.Equal([]byte(v.Get("sig")), []byte(g.sign(n, "M1"))) {
		return payment.Hint{}, payment.ErrForged
	}
	return payment.Hint{OrderNumber: n}, nil
}

func (g *testGateway) VerifyNotify(url.Values) (payment.Hint, error) {
	return payment.Hint{}, payment.ErrForged
}

func (g *testGateway) Status(_ context.Context, n int64, _ string) (payment.Status, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.statusCalls++
	o := g.orders[n]
	if o == nil {
		return payment.Status{}, errors.New("unknown order")
	}
	return payment.Status{State: o.state, Amount: o.amount, Currency: "CZK"}, nil
}

func (g *testGateway) set(n int64, s payment.State, amount int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.orders[n].state = s
	if amount != 0 {
		g.orders[n].amount = amount
	}
}

type rig struct {
	t   *testing.T
	ctx context.Context
	d   *db.DB
	tn  *tenant.Tenant
	gw  *testGateway
	svc *payment.Service
	obs *obligation.Store
	// an owner with at least two open obligations
	owner payment.Owner
	open  []obligation.Line
}

func newRig(t *testing.T) *rig {
	t.Helper()
	d := dbtest.Open(t)
	tn := fixture.Town(t, d, "lhota", 40)
	gw := newTestGateway()
	r := &rig{t: t, ctx: context.Background(), d: d, tn: tn, gw: gw, obs: &obligation.Store{DB: d},
		svc: &payment.Service{DB: d, Gateways: payment.StaticGateways{"test": gw}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	var person int64
	if err := d.Read().QueryRow(r.ctx, `SELECT person_id FROM obligations WHERE tenant_id = $1 AND person_id IS NOT NULL
		AND person_id NOT IN (SELECT person_id FROM payments WHERE person_id IS NOT NULL)
		GROUP BY person_id HAVING count(*) >= 2 ORDER BY person_id LIMIT 1`, tn.ID).Scan(&person); err != nil {
		t.Fatalf("no person with two obligations: %v", err)
	}
	r.owner = payment.Owner{PersonID: person}
	r.open = r.lines()
	return r
}

func (r *rig) lines() []obligation.Line {
	r.t.Helper()
	ls, err := r.obs.Overview(r.ctx, r.tn.ID, r.owner.PersonID, 0)
	if err != nil {
		r.t.Fatal(err)
	}
	return ls
}

func (r *rig) balance(id int64) int64 {
	r.t.Helper()
	b, err := r.obs.Balance(r.ctx, r.tn.ID, id)
	if err != nil {
		r.t.Fatal(err)
	}
	return b
}

func (r *rig) ledgerRows() int {
	var n int
	r.d.Read().QueryRow(r.ctx, `SELECT count(*) FROM ledger_entries WHERE tenant_id = $1`, r.tn.ID).Scan(&n)
	return n
}

func (r *rig) card(ids ...int64) *payment.Payment {
	r.t.Helper()
	p, err := r.svc.Create(r.ctx, r.tn.ID, r.owner, ids, payment.ChannelCard, "test", "test")
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.svc.StartCard(r.ctx, p, "Poplatek", "", "https://lhota.test/platba/test/navrat", ""); err != nil {
		r.t.Fatal(err)
	}
	return p
}

// Fifty identical returns arriving at once book the payment once.
func TestConcurrentReturnsApplyOnce(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ob := r.open[0]
	before := r.balance(ob.ID)
	p := r.card(ob.ID)
	if p.Amount != before {
		t.Fatalf("attempt for %d, owed %d", p.Amount, before)
	}
	r.gw.set(p.ID, payment.StatePaid, 0)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.svc.Return(r.ctx, r.tn.ID, "test", r.gw.returnValues(p.ID)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("return: %v", err)
	}
	if b := r.balance(ob.ID); b != 0 {
		t.Fatalf("balance after 50 returns: %d (owed %d)", b, before)
	}
	var entries int
	r.d.Read().QueryRow(r.ctx, `SELECT count(*) FROM ledger_entries WHERE payment_id = $1`, p.ID).Scan(&entries)
	if entries != 1 {
		t.Fatalf("%d ledger entries for one payment", entries)
	}
	if got, _ := r.svc.Get(r.ctx, r.tn.ID, p.ID); got.State != payment.StatePaid {
		t.Fatalf("state %s", got.State)
	}
}

// A forged or mistaken message changes nothing.
func TestForgedReturnsChangeNothing(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ob := r.open[0]
	p := r.card(ob.ID)
	r.gw.set(p.ID, payment.StatePaid, 0)
	rows := r.ledgerRows()

	bad := r.gw.returnValues(p.ID)
	bad.Set("sig", bad.Get("sig")[:10]+"00"+bad.Get("sig")[12:])
	other := r.gw.returnValues(p.ID)
	other.Set("sig", r.gw.sign(p.ID, "M2")) // signed for another merchant
	unknown := r.gw.returnValues(p.ID + 1000)
	for name, v := range map[string]url.Values{"bad signature": bad, "other merchant": other} {
		if _, err := r.svc.Return(r.ctx, r.tn.ID, "test", v); !errors.Is(err, payment.ErrForged) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := r.svc.Return(r.ctx, r.tn.ID, "test", unknown); !errors.Is(err, derr.ErrNotFound) {
		t.Errorf("unknown order: %v", err)
	}
	// Another town's order number is unknown here.
	other2 := fixture.Town(t, r.d, "beta", 0)
	if _, err := r.svc.Return(r.ctx, other2.ID, "test", r.gw.returnValues(p.ID)); !errors.Is(err, derr.ErrNotFound) {
		t.Errorf("another town: %v", err)
	}
	// The gateway reports a smaller amount: nothing is booked.
	r.gw.set(p.ID, payment.StatePaid, p.Amount-100)
	if _, err := r.svc.Return(r.ctx, r.tn.ID, "test", r.gw.returnValues(p.ID)); !errors.Is(err, payment.ErrAmountMismatch) {
		t.Errorf("wrong amount: %v", err)
	}
	if n := r.ledgerRows(); n != rows {
		t.Fatalf("ledger changed: %d → %d", rows, n)
	}
	if got, _ := r.svc.Get(r.ctx, r.tn.ID, p.ID); got.State != payment.StatePending {
		t.Fatalf("state %s", got.State)
	}
}

// A crash at any step leaves the ledger as it was; the sweeper finishes
// the job once.
func TestCrashThenSweep(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	for i, step := range []string{"status", "apply", "no return at all"} {
		ob := r.open[i%len(r.open)]
		if r.balance(ob.ID) <= 0 {
			continue
		}
		rows := r.ledgerRows()
		p := r.card(ob.ID)
		r.gw.set(p.ID, payment.StatePaid, 0)
		if step != "no return at all" {
			r.svc.FailAt(func(s string) error {
				if s == step {
					return errors.New("crash at " + s)
				}
				return nil
			})
			if _, err := r.svc.Return(r.ctx, r.tn.ID, "test", r.gw.returnValues(p.ID)); err == nil {
				t.Fatalf("%s: no error", step)
			}
			r.svc.FailAt(nil)
		}
		if n := r.ledgerRows(); n != rows {
			t.Fatalf("%s: ledger changed by a crashed step", step)
		}
		if n, err := r.svc.Sweep(r.ctx, 0); err != nil || n == 0 {
			t.Fatalf("%s: sweep %d %v", step, n, err)
		}
		if n := r.ledgerRows(); n != rows+1 {
			t.Fatalf("%s: %d entries after the sweep, want %d", step, n, rows+1)
		}
		if b := r.balance(ob.ID); b != 0 {
			t.Fatalf("%s: balance %d", step, b)
		}
		if n, _ := r.svc.Sweep(r.ctx, 0); n != 0 {
			t.Fatalf("%s: the sweeper still sees %d pending", step, n)
		}
	}
	// A payment the gateway never settles is given up after a day.
	clk := fixture.NewClock(time.Now().UTC())
	r.svc.Now = clk.Now
	var person, ob int64
	r.d.Read().QueryRow(r.ctx, `SELECT person_id, min(id) FROM obligations WHERE tenant_id = $1 AND person_id <> $2
		AND person_id NOT IN (SELECT person_id FROM payments WHERE person_id IS NOT NULL)
		GROUP BY person_id ORDER BY person_id LIMIT 1`, r.tn.ID, r.owner.PersonID).Scan(&person, &ob)
	p, err := r.svc.Create(r.ctx, r.tn.ID, payment.Owner{PersonID: person}, []int64{ob}, payment.ChannelCard, "test", "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.StartCard(r.ctx, p, "Poplatek", "", "https://lhota.test/x", ""); err != nil {
		t.Fatal(err)
	}
	clk.Add(payment.AbandonAfter + time.Hour)
	if _, err := r.svc.Sweep(r.ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, _ := r.svc.Get(r.ctx, r.tn.ID, p.ID); got.State != payment.StateCancelled {
		t.Fatalf("abandoned payment: %s", got.State)
	}
}

// Paying an obligation twice (card, then the same by transfer) leaves an
// overpayment on it; statements are booked once; baskets need their exact
// amount; what matches nothing waits for a clerk.
func TestStatementsAndOverpayment(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	a, b := r.open[0], r.open[1]
	owedA := r.balance(a.ID)
	p := r.card(a.ID)
	r.gw.set(p.ID, payment.StatePaid, 0)
	if _, err := r.svc.Return(r.ctx, r.tn.ID, "test", r.gw.returnValues(p.ID)); err != nil {
		t.Fatal(err)
	}
	basket, err := r.svc.Create(r.ctx, r.tn.ID, r.owner, []int64{b.ID}, payment.ChannelTransfer, "", "test")
	if err != nil || basket.VS != payment.BasketVSBase+basket.ID {
		t.Fatalf("basket: %+v %v", basket, err)
	}
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	txs := []payment.StatementTx{
		{Ref: "A1", Booked: day, Amount: owedA, VS: a.VS},                  // A again: overpaid
		{Ref: "B1", Booked: day, Amount: basket.Amount - 1, VS: basket.VS}, // wrong amount: unmatched
		{Ref: "B2", Booked: day, Amount: basket.Amount, VS: basket.VS},     // the basket
		{Ref: "B3", Booked: day, Amount: basket.Amount, VS: basket.VS},     // the basket again: unmatched
		{Ref: "X1", Booked: day, Amount: 50000, VS: 1234},                  // nobody's
		{Ref: "D1", Booked: day, Amount: -20000, VS: a.VS},                 // money out
		{Ref: "R1", Booked: day, Amount: 30000, VS: a.VS, Reversal: true},  // a reversal
	}
	res, err := r.svc.Import(r.ctx, r.tn.ID, "CZ6508000000192000145399", txs)
	if err != nil {
		t.Fatal(err)
	}
	want := payment.ImportResult{Transactions: 7, Matched: 2, Unmatched: 3, Ignored: 2}
	if res != want {
		t.Fatalf("import: %+v, want %+v", res, want)
	}
	if bal := r.balance(a.ID); bal != -owedA {
		t.Fatalf("paid twice: balance %d, want %d (overpaid)", bal, -owedA)
	}
	if bal := r.balance(b.ID); bal != 0 {
		t.Fatalf("basket: balance %d", bal)
	}
	if got, _ := r.svc.Get(r.ctx, r.tn.ID, basket.ID); got.State != payment.StatePaid {
		t.Fatalf("basket state %s", got.State)
	}
	rows := r.ledgerRows()
	again, err := r.svc.Import(r.ctx, r.tn.ID, "CZ6508000000192000145399", txs)
	if err != nil || again.Duplicates != 7 || again.Matched != 0 || r.ledgerRows() != rows {
		t.Fatalf("second import: %+v %v", again, err)
	}
	// A clerk books the stray payment; twice is refused.
	queue, err := r.svc.Unmatched(r.ctx, r.tn.ID, 10)
	if err != nil || len(queue) != 4 { // three of ours and the fixture's stray payment
		t.Fatalf("queue: %d %v", len(queue), err)
	}
	clerk := audit.Actor{Kind: audit.ActorStaff, ID: 1, Name: "Pokladní"}
	var stray int64
	for _, q := range queue {
		if q.VS == 1234 {
			stray = q.ID
		}
	}
	if err := r.svc.Assign(r.ctx, clerk, r.tn.ID, stray, b.ID, "dohledáno podle jména"); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.Assign(r.ctx, clerk, r.tn.ID, stray, b.ID, "znovu"); !errors.Is(err, derr.ErrConflict) {
		t.Fatalf("assigning twice: %v", err)
	}
	if bal := r.balance(b.ID); bal != -50000 {
		t.Fatalf("after assignment: %d", bal)
	}
	// Bad input changes nothing.
	if _, err := r.svc.Import(r.ctx, r.tn.ID, "CZ6508000000192000145399", []payment.StatementTx{{Amount: 1}}); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("transaction without reference: %v", err)
	}
	// Another's obligations cannot be put in a basket.
	var foreign int64
	r.d.Read().QueryRow(r.ctx, `SELECT min(id) FROM obligations WHERE tenant_id = $1 AND person_id <> $2`, r.tn.ID, r.owner.PersonID).Scan(&foreign)
	if _, err := r.svc.Create(r.ctx, r.tn.ID, r.owner, []int64{foreign}, payment.ChannelCard, "test", "x"); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("another's obligation: %v", err)
	}
}
