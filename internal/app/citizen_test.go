package app

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/account"
	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth/oidc"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/person"
	"github.com/radnice/radnice/internal/tenant"
)

// loginRig is a town whose provider "tp" is an OpenID Connect provider
// running in the test process, and the whole portal in front of it.
type loginRig struct {
	t     *testing.T
	p     *portal
	town  *tenant.Tenant
	tp    *oidc.TestProvider
	b     *browser
	alice *person.Person // a person of the town without an account yet
}

func newLoginRig(t *testing.T) *loginRig {
	t.Helper()
	tp := oidc.NewTestProvider("lhota-portal", "tajne")
	t.Cleanup(tp.Close)
	rig := &loginRig{t: t, tp: tp}
	h, p := testPortal(t, func(d *db.DB) {
		rig.town = fixture.Town(t, d, "lhota", 40)
		ctx := context.Background()
		if err := (&account.Store{DB: d}).SaveProvider(ctx, &account.Provider{TenantID: rig.town.ID, Slug: "tp",
			Name: "BankID (test)", Profile: oidc.BankID, Issuer: tp.Issuer, ClientID: tp.ClientID, ClientSecret: tp.ClientSecret,
			Scopes: []string{"openid", "profile"}, Level: oidc.LevelSubstantial, Enabled: true}); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := d.Read().QueryRow(ctx, `SELECT max(id) FROM persons WHERE tenant_id = $1 AND birth_number IS NOT NULL
			AND id NOT IN (SELECT person_id FROM accounts WHERE person_id IS NOT NULL)`, rig.town.ID).Scan(&id); err != nil {
			t.Fatal(err)
		}
		var err error
		if rig.alice, err = (&person.Store{DB: d}).Get(ctx, rig.town.ID, id); err != nil {
			t.Fatal(err)
		}
	})
	rig.p = p
	rig.b = newBrowser(t, h, "lhota.test")
	return rig
}

// claims are what BankID says of alice, with her verified birth number.
func (r *loginRig) claims() map[string]any {
	a := r.alice
	return map[string]any{"given_name": a.GivenName, "family_name": a.FamilyName, "birthdate": a.BirthDate.Format("2006-01-02"),
		"verified_claims": map[string]any{"verification": map[string]any{"trust_framework": "cz_aml"},
			"claims": map[string]any{"birthnumber": a.BirthNumber}}}
}

// start begins a login at the portal and returns the provider's request.
func (r *loginRig) start(path string) url.Values {
	r.t.Helper()
	code, _, hdr := r.b.do("GET", path, nil, nil)
	if code != 303 || !strings.HasPrefix(hdr.Get("Location"), r.tp.Issuer+"/authorize?") {
		r.t.Fatalf("login start: %d %s", code, hdr.Get("Location"))
	}
	u, _ := url.Parse(hdr.Get("Location"))
	return u.Query()
}

func (r *loginRig) callback(state, code string) (int, string, string) {
	r.t.Helper()
	q := url.Values{}
	if state != "" {
		q.Set("state", state)
	}
	if code != "" {
		q.Set("code", code)
	}
	status, body, hdr := r.b.do("GET", "/prihlaseni/navrat?"+q.Encode(), nil, nil)
	return status, body, hdr.Get("Location")
}

// signedInSessions counts sessions that belong to somebody.
func (r *loginRig) signedInSessions() int {
	r.t.Helper()
	var n int
	if err := r.p.db.Read().QueryRow(context.Background(), `SELECT count(*) FROM sessions WHERE tenant_id = $1 AND principal <> ''`,
		r.town.ID).Scan(&n); err != nil {
		r.t.Fatal(err)
	}
	return n
}

// A citizen logs in through the provider with PKCE, state and nonce, gets a
// new session, accepts the terms, and sees their own name and records.
func TestCitizenLogin(t *testing.T) {
	t.Parallel()
	r := newLoginRig(t)
	if code, _, hdr := r.b.do("GET", "/muj-ucet", nil, nil); code != 303 || hdr.Get("Location") != "/prihlaseni?next=%2Fmuj-ucet" {
		t.Fatalf("anonymous /muj-ucet: %d %s", code, hdr.Get("Location"))
	}
	if code, body, _ := r.b.do("GET", "/prihlaseni", nil, nil); code != 200 || !strings.Contains(body, `href="/prihlaseni/tp"`) {
		t.Fatalf("login page: %d", code)
	}
	q := r.start("/prihlaseni/tp?next=%2Fmuj-ucet")
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if len(q.Get(k)) < 32 {
			t.Errorf("authorization request %s = %q", k, q.Get(k))
		}
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("acr_values") != oidc.ACRBankIDLoA3 ||
		q.Get("redirect_uri") != "http://lhota.test/prihlaseni/navrat" {
		t.Errorf("authorization request: %v", q)
	}
	before := r.b.cookie()
	code, err := r.tp.IssueCode(q, "sub-alice", r.claims())
	if err != nil {
		t.Fatal(err)
	}
	status, _, loc := r.callback(q.Get("state"), code)
	if status != 303 || loc != "/muj-ucet" {
		t.Fatalf("callback: %d %s", status, loc)
	}
	if after := r.b.cookie(); after == "" || after == before {
		t.Fatalf("session id not renewed at login")
	}
	// First login: the terms come first.
	status, _, hdr := r.b.do("GET", "/muj-ucet", nil, nil)
	if status != 303 || !strings.HasPrefix(hdr.Get("Location"), "/souhlas") {
		t.Fatalf("first visit: %d %s", status, hdr.Get("Location"))
	}
	status, body, _ := r.b.do("GET", hdr.Get("Location"), nil, nil)
	if status != 200 || !strings.Contains(body, "Podmínky obce") {
		t.Fatalf("terms page: %d", status)
	}
	if status, _, _ := r.b.do("POST", "/souhlas", url.Values{"version": {"1"}, "next": {"/muj-ucet"}}, nil); status != 400 {
		t.Errorf("consent without the tick: %d", status)
	}
	if status, _, hdr := r.b.do("POST", "/souhlas", url.Values{"version": {"1"}, "agree": {"yes"}, "next": {"/muj-ucet"}}, nil); status != 303 || hdr.Get("Location") != "/muj-ucet" {
		t.Fatalf("consent: %d %s", status, hdr.Get("Location"))
	}
	status, body, _ = r.b.do("GET", "/muj-ucet", nil, nil)
	name := r.alice.GivenName + " " + r.alice.FamilyName
	if status != 200 || !strings.Contains(body, name) || !strings.Contains(body, "propojen s vašimi údaji") {
		t.Fatalf("account page: %d\n%.2000s", status, body)
	}
	// A new version of the terms asks again.
	fixture.Terms(t, r.p.db, r.town)
	if status, _, hdr := r.b.do("GET", "/muj-ucet", nil, nil); status != 303 || !strings.HasPrefix(hdr.Get("Location"), "/souhlas") {
		t.Fatalf("after new terms: %d %s", status, hdr.Get("Location"))
	}
	// Logout ends the session.
	if status, _, _ := r.b.do("POST", "/odhlaseni", url.Values{}, nil); status != 303 {
		t.Fatalf("logout: %d", status)
	}
	if n := r.signedInSessions(); n != 0 {
		t.Fatalf("%d signed-in sessions after logout", n)
	}
	if status, _, _ := r.b.do("GET", "/muj-ucet", nil, nil); status != 303 {
		t.Fatalf("after logout /muj-ucet: %d", status)
	}
}

// Every way a login can be wrong ends with a calm message and no session.
func TestCitizenLoginRejected(t *testing.T) {
	t.Parallel()
	r := newLoginRig(t)
	cases := []struct {
		name  string
		setup func(tp *oidc.TestProvider)
		// tweak may change what the callback carries.
		tweak func(q url.Values, code string) (state, c string)
	}{
		{"wrong issuer", func(tp *oidc.TestProvider) {
			tp.Mutate = func(c, _ map[string]any) { c["iss"] = "https://evil.example" }
		}, nil},
		{"wrong audience", func(tp *oidc.TestProvider) {
			tp.Mutate = func(c, _ map[string]any) { c["aud"] = "another-client" }
		}, nil},
		{"expired token", func(tp *oidc.TestProvider) {
			tp.Mutate = func(c, _ map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }
		}, nil},
		{"bad nonce", func(tp *oidc.TestProvider) {
			tp.Mutate = func(c, _ map[string]any) { c["nonce"] = "not-the-nonce" }
		}, nil},
		{"missing state", nil, func(q url.Values, code string) (string, string) { return "", code }},
		{"mismatched state", nil, func(q url.Values, code string) (string, string) { return q.Get("state") + "x", code }},
		{"alg none", func(tp *oidc.TestProvider) { tp.AlgNone = true }, nil},
		{"unknown key", func(tp *oidc.TestProvider) { tp.SignWith = otherRSAKey() }, nil},
		{"level too low", func(tp *oidc.TestProvider) {
			tp.Mutate = func(c, _ map[string]any) { c["acr"] = oidc.ACRBankIDLoA2 }
		}, nil},
		{"provider error", nil, func(q url.Values, code string) (string, string) { return q.Get("state"), "" }},
	}
	for _, c := range cases {
		r.tp.Mutate, r.tp.AlgNone, r.tp.SignWith = nil, false, nil
		q := r.start("/prihlaseni/tp")
		code, err := r.tp.IssueCode(q, "sub-"+c.name, r.claims())
		if err != nil {
			t.Fatal(err)
		}
		if c.setup != nil {
			c.setup(r.tp)
		}
		state := q.Get("state")
		if c.tweak != nil {
			state, code = c.tweak(q, code)
		}
		status, body, _ := r.callback(state, code)
		if status < 400 || status >= 500 || !strings.Contains(body, "Přihlášení se nepodařilo") && !strings.Contains(body, "úroveň záruky") &&
			!strings.Contains(body, "příliš dlouho") {
			t.Errorf("%s: %d\n%.300s", c.name, status, body)
		}
		if n := r.signedInSessions(); n != 0 {
			t.Fatalf("%s: %d signed-in sessions", c.name, n)
		}
		if r.b.cookie() != "" {
			t.Errorf("%s: a session cookie is left", c.name)
		}
	}
	r.tp.Mutate, r.tp.AlgNone, r.tp.SignWith = nil, false, nil

	// A replayed code: a good login, then its code again with a new attempt.
	q := r.start("/prihlaseni/tp")
	code, _ := r.tp.IssueCode(q, "sub-replay", r.claims())
	if status, _, loc := r.callback(q.Get("state"), code); status != 303 || loc != "/muj-ucet" {
		t.Fatalf("good login: %d %s", status, loc)
	}
	r.b.do("POST", "/odhlaseni", url.Values{}, nil)
	q2 := r.start("/prihlaseni/tp")
	if status, _, _ := r.callback(q2.Get("state"), code); status != 400 {
		t.Errorf("replayed code: %d", status)
	}
	if n := r.signedInSessions(); n != 0 {
		t.Errorf("replayed code: %d signed-in sessions", n)
	}
	// Each refusal is in the audit log, with the provider and the reason.
	failures, err := (&audit.Store{DB: r.p.db}).Search(context.Background(), r.town.ID, audit.Query{Action: audit.ActionLoginFailed})
	if err != nil || len(failures) != len(cases)+1 || !strings.Contains(string(failures[0].Details), `"provider":"tp"`) {
		t.Errorf("login failures audited: %d (want %d) %v", len(failures), len(cases)+1, err)
	}
	// The callback with no login in progress at all.
	if status, _, _ := r.callback("x", "y"); status != 400 {
		t.Errorf("callback without attempt: %d", status)
	}
}

// A login that merely has the same name and birth date as a person of the
// town, from a provider that does not verify the birth number, gets an
// account that is not linked and sees nobody's records.
func TestSameNameNeverLinks(t *testing.T) {
	t.Parallel()
	r := newLoginRig(t)
	cl := r.claims()
	delete(cl, "verified_claims")
	q := r.start("/prihlaseni/tp")
	code, _ := r.tp.IssueCode(q, "sub-lookalike", cl)
	if status, _, _ := r.callback(q.Get("state"), code); status != 303 {
		t.Fatalf("login: %d", status)
	}
	r.b.do("POST", "/souhlas", url.Values{"version": {"1"}, "agree": {"yes"}}, nil)
	status, body, _ := r.b.do("GET", "/muj-ucet", nil, nil)
	if status != 200 || !strings.Contains(body, "není propojen") || strings.Contains(body, r.alice.BirthDate.Format("2. 1. 2006")) {
		t.Fatalf("lookalike account: %d\n%.1500s", status, body)
	}
	var linked int
	r.p.db.Read().QueryRow(context.Background(), `SELECT count(*) FROM accounts WHERE tenant_id = $1 AND person_id = $2`,
		r.town.ID, r.alice.ID).Scan(&linked)
	if linked != 0 {
		t.Fatalf("the lookalike was linked to alice")
	}
	// Asking for the link puts the account in the officials' queue.
	if status, _, hdr := r.b.do("POST", "/muj-ucet/propojeni", url.Values{}, nil); status != 303 || !strings.Contains(hdr.Get("Location"), "ok=propojeni") {
		t.Fatalf("link request: %d", status)
	}
	pending, err := r.p.web.Accounts.Pending(context.Background(), r.town.ID, 10)
	if err != nil || len(pending) != 1 || pending[0].FamilyName != r.alice.FamilyName {
		t.Fatalf("pending links: %v %v", pending, err)
	}
}

// otherRSAKey is a key the provider does not publish; made once, RSA is slow.
var otherRSAKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})
