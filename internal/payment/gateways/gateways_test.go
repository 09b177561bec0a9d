package gateways_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/payment"
	"github.com/radnice/radnice/internal/payment/comgate"
	"github.com/radnice/radnice/internal/payment/gateways"
	"github.com/radnice/radnice/internal/payment/gpwebpay"
	"github.com/radnice/radnice/internal/tenant"
)

// gpRow is a GP webpay row against a fake that accepts the key made here.
func gpRow(t *testing.T, tenantID int64, base string, active bool) *payment.GatewayConfig {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	fake := gpwebpay.NewFake("1234567890", &key.PublicKey)
	fake.BaseURL = base
	merchantKey, err := gateways.PrivateKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	gpKey, err := gateways.PublicKeyPEM(fake.GPPublicKey())
	if err != nil {
		t.Fatal(err)
	}
	return gateways.GPWebpayConfig(tenantID, gateways.GPWebpay{MerchantNumber: "1234567890", GatewayURL: fake.GatewayURL(),
		WSURL: fake.WSURL(), GPKey: gpKey}, merchantKey, active)
}

func active(t *testing.T, s *payment.GatewayStore, tenantID int64) string {
	t.Helper()
	name, err := s.Active(context.Background(), tenantID)
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// A town's gateways are saved, listed without secrets and switched: making
// one active switches the other off; switching the active one off leaves
// the town without cards. A row that cannot be built is refused before
// anything is written; every save is audited without the secret; the
// client is built once per version of the row.
func TestGatewayStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	tn := fixture.Town(t, d, "lhota", 0)
	s := gateways.NewStore(d, nil)

	if got := active(t, s, tn.ID); got != "" {
		t.Fatalf("a new town's active gateway: %q", got)
	}
	cg := gateways.ComGateConfig(tn.ID, gateways.ComGate{Merchant: "100200", Test: true}, "tajne-heslo-1", true)
	if err := s.SaveGateway(ctx, audit.System, cg); err != nil {
		t.Fatal(err)
	}
	if got := active(t, s, tn.ID); got != payment.GatewayComGate {
		t.Fatalf("active after saving ComGate: %q", got)
	}
	if err := s.SaveGateway(ctx, audit.System, gpRow(t, tn.ID, "https://gw.test/pgw", true)); err != nil {
		t.Fatal(err)
	}
	if got := active(t, s, tn.ID); got != payment.GatewayGPWebpay {
		t.Fatalf("active after saving GP webpay: %q", got)
	}
	list, err := s.Gateways(ctx, tn.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %v %v", list, err)
	}
	for _, c := range list {
		if c.Secret != "" {
			t.Errorf("%s listed with its secret", c.Name)
		}
		if c.Active != (c.Name == payment.GatewayGPWebpay) {
			t.Errorf("%s active=%v", c.Name, c.Active)
		}
		if desc := gateways.Describe(c); strings.Contains(desc, "tajne") || strings.Contains(desc, "PRIVATE") {
			t.Errorf("description shows a secret: %s", desc)
		}
	}
	// The old gateway is still there for the payments made through it.
	if _, err := s.Gateway(ctx, tn.ID, payment.GatewayComGate); err != nil {
		t.Fatalf("the inactive gateway: %v", err)
	}
	// Switching the active one off leaves none.
	off := gpRow(t, tn.ID, "https://gw.test/pgw", false)
	if err := s.SaveGateway(ctx, audit.System, off); err != nil {
		t.Fatal(err)
	}
	if got := active(t, s, tn.ID); got != "" {
		t.Fatalf("active after switching GP webpay off: %q", got)
	}

	// Refused before anything is written.
	var before int
	d.Read().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE tenant_id = $1`, tn.ID).Scan(&before)
	bad := gpRow(t, tn.ID, "https://gw.test/pgw", true)
	bad.Secret = "-----BEGIN PRIVATE KEY-----\nnonsense\n-----END PRIVATE KEY-----\n"
	for name, c := range map[string]*payment.GatewayConfig{
		"bad key":       bad,
		"unknown name":  {TenantID: tn.ID, Name: "gopay", Settings: []byte(`{}`), Active: true},
		"no merchant":   gateways.ComGateConfig(tn.ID, gateways.ComGate{}, "x", true),
		"unknown field": {TenantID: tn.ID, Name: payment.GatewayComGate, Settings: []byte(`{"merchnt":"1"}`), Secret: "x", Active: true},
	} {
		if err := s.SaveGateway(ctx, audit.System, c); !errors.Is(err, derr.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if got := active(t, s, tn.ID); got != "" {
		t.Fatalf("a refused row changed the active gateway: %q", got)
	}
	var after int
	d.Read().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE tenant_id = $1`, tn.ID).Scan(&after)
	if after != before || after != 3 {
		t.Fatalf("audit entries: %d before the refused rows, %d after; want 3", before, after)
	}
	var leaked int
	d.Read().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND (details LIKE '%tajne%' OR details LIKE '%PRIVATE%')`,
		tn.ID).Scan(&leaked)
	if leaked != 0 {
		t.Fatalf("the audit log holds a secret")
	}

	// One client per version of the row.
	g1, _ := s.Gateway(ctx, tn.ID, payment.GatewayComGate)
	g2, _ := s.Gateway(ctx, tn.ID, payment.GatewayComGate)
	if g1 == nil || g1 != g2 {
		t.Fatalf("the client was built again for the same row")
	}
	cg.Secret, cg.Active = "tajne-heslo-2", false
	if err := s.SaveGateway(ctx, audit.System, cg); err != nil {
		t.Fatal(err)
	}
	if g3, _ := s.Gateway(ctx, tn.ID, payment.GatewayComGate); g3 == g1 {
		t.Fatalf("a changed row still gets the old client")
	}
}

// townRig is a town whose card gateway is a shop at the shared fake
// ComGate, and a person there with something to pay.
type townRig struct {
	tn     *tenant.Tenant
	owner  payment.Owner
	open   int64
	secret string
}

func newTownRig(t *testing.T, d *db.DB, s *payment.GatewayStore, fake *comgate.Fake, slug, merchant string) *townRig {
	t.Helper()
	ctx := context.Background()
	r := &townRig{tn: fixture.Town(t, d, slug, 30), secret: "secret-" + merchant}
	fake.AddMerchant(comgate.FakeMerchant{Merchant: merchant, Secret: r.secret})
	if err := s.SaveGateway(ctx, audit.System, gateways.ComGateConfig(r.tn.ID,
		gateways.ComGate{Merchant: merchant, APIURL: fake.APIURL(), Test: true}, r.secret, true)); err != nil {
		t.Fatal(err)
	}
	if err := d.Read().QueryRow(ctx, `SELECT o.person_id, o.id FROM obligations o WHERE o.tenant_id = $1 AND o.person_id IS NOT NULL
		AND (SELECT sum(l.amount) FROM ledger_entries l WHERE l.tenant_id = o.tenant_id AND l.obligation_id = o.id) > 0
		ORDER BY o.id LIMIT 1`, r.tn.ID).Scan(&r.owner.PersonID, &r.open); err != nil {
		t.Fatalf("nothing to pay in %s: %v", slug, err)
	}
	return r
}

// A town's gateway is never used for another town: town A's card payment
// cannot be returned, pushed or resolved through town B, whose ComGate
// shop is another; B does not get A's GP webpay. A payment made through a
// gateway the town has since switched off is still resolved, by the
// sweeper, through that gateway's row.
func TestGatewaysPerTown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	fake := comgate.NewFake()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	fake.BaseURL = srv.URL
	store := gateways.NewStore(d, nil)
	svc := &payment.Service{DB: d, Gateways: store, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	a := newTownRig(t, d, store, fake, "alfa", "100001")
	b := newTownRig(t, d, store, fake, "beta", "100002")

	p, err := svc.Create(ctx, a.tn.ID, a.owner, []int64{a.open}, payment.ChannelCard, "", "test")
	if err != nil || p.Gateway != payment.GatewayComGate {
		t.Fatalf("create: %+v %v", p, err)
	}
	if _, err := svc.StartCard(ctx, p, "Poplatek", "", "https://alfa.test/platba/comgate/navrat", ""); err != nil {
		t.Fatal(err)
	}
	if err := fake.Paid(p.GatewayRef); err != nil {
		t.Fatal(err)
	}
	ret := url.Values{"id": {p.GatewayRef}, "refId": {strconv.FormatInt(p.ID, 10)}, "result": {"paid"}}
	push := url.Values{"merchant": {"100001"}, "secret": {a.secret}, "transId": {p.GatewayRef},
		"refId": {strconv.FormatInt(p.ID, 10)}, "status": {"PAID"}}
	if _, err := svc.Return(ctx, b.tn.ID, payment.GatewayComGate, ret); !errors.Is(err, derr.ErrNotFound) {
		t.Errorf("A's return at B: %v", err)
	}
	if _, err := svc.Notify(ctx, b.tn.ID, payment.GatewayComGate, push); !errors.Is(err, payment.ErrForged) {
		t.Errorf("A's push at B: %v", err)
	}
	if _, err := svc.Resolve(ctx, b.tn.ID, p.ID); !errors.Is(err, derr.ErrNotFound) {
		t.Errorf("A's payment resolved at B: %v", err)
	}
	// B's own push for A's payment (B's merchant and secret) names no
	// payment of B's.
	pushB := url.Values{"merchant": {"100002"}, "secret": {b.secret}, "transId": {p.GatewayRef}, "status": {"PAID"}}
	if _, err := svc.Notify(ctx, b.tn.ID, payment.GatewayComGate, pushB); !errors.Is(err, derr.ErrNotFound) {
		t.Errorf("B's push naming A's payment: %v", err)
	}
	if got, _ := svc.Get(ctx, a.tn.ID, p.ID); got.State != payment.StatePending {
		t.Fatalf("A's payment after B's tries: %s", got.State)
	}
	// A's own push pays it.
	if got, err := svc.Notify(ctx, a.tn.ID, payment.GatewayComGate, push); err != nil || got.State != payment.StatePaid {
		t.Fatalf("A's push at A: %+v %v", got, err)
	}

	// A also configures GP webpay; B has none of it.
	if err := store.SaveGateway(ctx, audit.System, gpRow(t, a.tn.ID, "https://gw.test/pgw", false)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Gateway(ctx, b.tn.ID, payment.GatewayGPWebpay); !errors.Is(err, derr.ErrNotFound) {
		t.Errorf("A's GP webpay at B: %v", err)
	}
	if _, err := svc.Return(ctx, b.tn.ID, payment.GatewayGPWebpay, url.Values{"ORDERNUMBER": {strconv.FormatInt(p.ID, 10)}}); !errors.Is(err, derr.ErrNotFound) {
		t.Errorf("a GP webpay return at B: %v", err)
	}

	// B pays through ComGate, then switches to GP webpay before the
	// result is known; the sweeper still resolves the payment through B's
	// ComGate row, and new card payments go through GP webpay.
	q, err := svc.Create(ctx, b.tn.ID, b.owner, []int64{b.open}, payment.ChannelCard, "", "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.StartCard(ctx, q, "Poplatek", "", "https://beta.test/platba/comgate/navrat", ""); err != nil {
		t.Fatal(err)
	}
	if err := store.SaveGateway(ctx, audit.System, gpRow(t, b.tn.ID, "https://gw.test/pgw", true)); err != nil {
		t.Fatal(err)
	}
	if got := active(t, store, b.tn.ID); got != payment.GatewayGPWebpay {
		t.Fatalf("B's active gateway: %q", got)
	}
	if _, err := svc.Create(ctx, b.tn.ID, b.owner, []int64{b.open}, payment.ChannelCard, payment.GatewayComGate, "test"); !errors.Is(err, derr.ErrInvalid) {
		t.Errorf("a new payment through the switched-off gateway: %v", err)
	}
	if err := fake.Paid(q.GatewayRef); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Sweep(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Get(ctx, b.tn.ID, q.ID); got.State != payment.StatePaid || got.Gateway != payment.GatewayComGate {
		t.Fatalf("B's payment after the sweep: %s through %s", got.State, got.Gateway)
	}

	// A town with no active gateway refuses card payments calmly.
	if err := store.SaveGateway(ctx, audit.System, gateways.ComGateConfig(a.tn.ID,
		gateways.ComGate{Merchant: "100001", APIURL: fake.APIURL(), Test: true}, a.secret, false)); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Create(ctx, a.tn.ID, a.owner, []int64{a.open}, payment.ChannelCard, "", "test")
	var inv *derr.InvalidError
	if !errors.As(err, &inv) || inv.Fields[0].Key != "payment.gateway.none" {
		t.Fatalf("card payment without a gateway: %v", err)
	}
}
