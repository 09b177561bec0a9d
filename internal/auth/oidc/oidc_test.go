package oidc

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/testclock"
)

const redirect = "https://radnice.example/login/callback"

// otherKey is a key the provider does not publish; made once, RSA is slow.
var otherKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

type rp struct {
	tp *TestProvider
	c  *Client
}

func setup(t *testing.T, p Profile) *rp {
	t.Helper()
	tp := NewTestProvider("radnice-client", "s3cret")
	t.Cleanup(tp.Close)
	cfg := tp.Config(p, redirect)
	if p == Generic {
		cfg.GenericACR = map[Level]string{LevelSubstantial: "urn:test:substantial"}
	}
	c, err := New(context.Background(), cfg, tp.Server.Client())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &rp{tp: tp, c: c}
}

// login runs Start and the provider's side, returning the attempt, the
// state from the redirect and the code.
func (f *rp) login(t *testing.T, level Level, subject string, claims map[string]any) (*Attempt, string, string) {
	t.Helper()
	a, to, err := f.c.Start(level)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	u, err := url.Parse(to)
	if err != nil {
		t.Fatalf("redirect URL: %v", err)
	}
	q := u.Query()
	code, err := f.tp.IssueCode(q, subject, claims)
	if err != nil {
		t.Fatalf("IssueCode: %v", err)
	}
	return a, q.Get("state"), code
}

func TestStartRedirect(t *testing.T) {
	f := setup(t, NIA)
	a, to, err := f.c.Start(LevelSubstantial)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(to)
	q := u.Query()
	want := map[string]string{
		"client_id":             "radnice-client",
		"redirect_uri":          redirect,
		"response_type":         "code",
		"state":                 a.State,
		"nonce":                 a.Nonce,
		"code_challenge_method": "S256",
		"acr_values":            ACRNIASubstantial,
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if q.Get("code_challenge") == "" || q.Get("code_challenge") == a.Verifier {
		t.Errorf("code_challenge %q must be S256 of the verifier", q.Get("code_challenge"))
	}
	if u.Path != "/authorize" {
		t.Errorf("path %q", u.Path)
	}
	a2, _, _ := f.c.Start(LevelSubstantial)
	if a2.State == a.State || a2.Nonce == a.Nonce || a2.Verifier == a.Verifier {
		t.Error("state, nonce and verifier must be fresh for every attempt")
	}
}

func TestHappyNIA(t *testing.T) {
	f := setup(t, NIA)
	a, state, code := f.login(t, LevelSubstantial, "bsi-pseudonym-123", map[string]any{
		"given_name": "Jana", "family_name": "Nováková", "birthdate": "1980-02-03",
		"email": "jana@example.cz", "email_verified": true,
		"acr": ACRNIAHigh, // more than asked for is fine
	})
	id, err := f.c.Finish(context.Background(), a, state, code)
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if id.Issuer != f.tp.Issuer || id.Subject != "bsi-pseudonym-123" {
		t.Errorf("identity (%q, %q)", id.Issuer, id.Subject)
	}
	if id.GivenName != "Jana" || id.FamilyName != "Nováková" || id.BirthDate != "1980-02-03" ||
		id.Email != "jana@example.cz" || !id.EmailVerified {
		t.Errorf("claims: %+v", id)
	}
	if id.ACR != ACRNIAHigh || id.Level != LevelHigh {
		t.Errorf("acr %q level %v", id.ACR, id.Level)
	}
	if id.VerifiedBirthNumber != "" {
		t.Errorf("NIA must not yield a verified birth number, got %q", id.VerifiedBirthNumber)
	}
}

func TestHappyBankID(t *testing.T) {
	f := setup(t, BankID)
	a, state, code := f.login(t, LevelSubstantial, "bank-sub-9", map[string]any{
		"name": "Petr Svoboda",
		"txn":  "6941683f-c6db-4c8e-8e20-d4a3d5ab6a76",
		"verified_claims": map[string]any{
			"verification": map[string]any{"trust_framework": "cz_aml"},
			"claims":       map[string]any{"birthnumber": "7801233540", "given_name": "Petr"},
		},
	})
	id, err := f.c.Finish(context.Background(), a, state, code)
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if id.Subject != "bank-sub-9" || id.ACR != ACRBankIDLoA3 || id.Level != LevelSubstantial {
		t.Errorf("identity %+v", id)
	}
	if id.VerifiedBirthNumber != "7801233540" {
		t.Errorf("verified birth number %q", id.VerifiedBirthNumber)
	}
	if id.TxnID != "6941683f-c6db-4c8e-8e20-d4a3d5ab6a76" || id.Name != "Petr Svoboda" {
		t.Errorf("txn %q name %q", id.TxnID, id.Name)
	}
}

func TestBankIDBirthNumberOnlyFromCZAML(t *testing.T) {
	cases := map[string]map[string]any{
		"other trust framework": {"verified_claims": map[string]any{
			"verification": map[string]any{"trust_framework": "eidas"},
			"claims":       map[string]any{"birthnumber": "7801233540"},
		}},
		"plain claim": {"birthnumber": "7801233540"},
		"array, none cz_aml": {"verified_claims": []any{map[string]any{
			"verification": map[string]any{"trust_framework": "de_aml"},
			"claims":       map[string]any{"birthnumber": "7801233540"},
		}}},
	}
	for name, cl := range cases {
		t.Run(name, func(t *testing.T) {
			f := setup(t, BankID)
			a, state, code := f.login(t, LevelSubstantial, "s", cl)
			id, err := f.c.Finish(context.Background(), a, state, code)
			if err != nil {
				t.Fatalf("Finish: %v", err)
			}
			if id.VerifiedBirthNumber != "" {
				t.Errorf("birth number %q must be ignored", id.VerifiedBirthNumber)
			}
		})
	}
	t.Run("array with cz_aml", func(t *testing.T) {
		f := setup(t, BankID)
		a, state, code := f.login(t, LevelSubstantial, "s", map[string]any{"verified_claims": []any{
			map[string]any{"verification": map[string]any{"trust_framework": "de_aml"}, "claims": map[string]any{"birthnumber": "1"}},
			map[string]any{"verification": map[string]any{"trust_framework": "cz_aml"}, "claims": map[string]any{"birthnumber": "7801233540"}},
		}})
		id, err := f.c.Finish(context.Background(), a, state, code)
		if err != nil {
			t.Fatalf("Finish: %v", err)
		}
		if id.VerifiedBirthNumber != "7801233540" {
			t.Errorf("birth number %q", id.VerifiedBirthNumber)
		}
	})
}

func TestGenericLevels(t *testing.T) {
	f := setup(t, Generic)
	// No level required: acr ignored.
	a, state, code := f.login(t, LevelNone, "g1", map[string]any{"acr": "whatever"})
	id, err := f.c.Finish(context.Background(), a, state, code)
	if err != nil {
		t.Fatalf("no level: %v", err)
	}
	if id.Level != LevelNone || id.ACR != "whatever" {
		t.Errorf("level %v acr %q", id.Level, id.ACR)
	}
	// Level required: acr must equal the configured value.
	a, state, code = f.login(t, LevelSubstantial, "g1", nil)
	if _, err := f.c.Finish(context.Background(), a, state, code); err != nil {
		t.Fatalf("substantial: %v", err)
	}
	a, state, code = f.login(t, LevelSubstantial, "g1", map[string]any{"acr": "urn:test:substantial-ish"})
	if id, err := f.c.Finish(context.Background(), a, state, code); !errors.Is(err, ErrLevel) || id != nil {
		t.Fatalf("unequal acr: %v, %v", id, err)
	}
	// A level the provider has no value for cannot be started.
	if _, _, err := f.c.Start(LevelHigh); !errors.Is(err, ErrLevel) {
		t.Fatalf("Start(high) on generic: %v", err)
	}
}

func TestBankIDHasNoHighLevel(t *testing.T) {
	f := setup(t, BankID)
	if _, _, err := f.c.Start(LevelHigh); !errors.Is(err, ErrLevel) {
		t.Fatalf("Start(high): %v", err)
	}
}

func TestLevelMapping(t *testing.T) {
	for _, p := range []Profile{NIA, BankID} {
		for _, l := range []Level{LevelLow, LevelSubstantial, LevelHigh} {
			acr, ok := ACRFor(p, l)
			if !ok {
				continue
			}
			if back, ok := LevelOf(p, acr); !ok || back != l {
				t.Errorf("%s %v -> %q -> %v", p, l, acr, back)
			}
		}
	}
	if l, _ := LevelOf(BankID, "loa2"); l >= func() Level { l, _ := LevelOf(BankID, "loa3"); return l }() {
		t.Error("loa2 must be below loa3")
	}
	if _, ok := LevelOf(NIA, "loa3"); ok {
		t.Error("NIA must not know BankID values")
	}
}

// TestRejections: every failure gives the right sentinel and no identity.
func TestRejections(t *testing.T) {
	type tc struct {
		profile Profile
		level   Level
		claims  map[string]any
		arrange func(f *rp, a *Attempt, state, code *string)
		want    error
	}
	mutate := func(m func(cl, h map[string]any)) func(f *rp, a *Attempt, state, code *string) {
		return func(f *rp, _ *Attempt, _, _ *string) { f.tp.Mutate = m }
	}
	cases := map[string]tc{
		"wrong issuer":   {arrange: mutate(func(cl, _ map[string]any) { cl["iss"] = "https://evil.example" }), want: ErrToken},
		"wrong audience": {arrange: mutate(func(cl, _ map[string]any) { cl["aud"] = "someone-else" }), want: ErrToken},
		"expired token": {arrange: mutate(func(cl, _ map[string]any) {
			cl["exp"] = time.Now().Add(-time.Minute).Unix()
		}), want: ErrToken},
		"bad nonce":     {arrange: mutate(func(cl, _ map[string]any) { cl["nonce"] = "other-nonce" }), want: ErrNonce},
		"missing nonce": {arrange: mutate(func(cl, _ map[string]any) { delete(cl, "nonce") }), want: ErrNonce},
		"missing state": {arrange: func(_ *rp, _ *Attempt, state, _ *string) { *state = "" }, want: ErrState},
		"mismatched state": {arrange: func(_ *rp, _ *Attempt, state, _ *string) {
			*state = "forged-" + *state
		}, want: ErrState},
		"no attempt in session": {arrange: func(_ *rp, a *Attempt, _, _ *string) { *a = Attempt{} }, want: ErrState},
		"alg none":              {arrange: func(f *rp, _ *Attempt, _, _ *string) { f.tp.AlgNone = true }, want: ErrToken},
		"unknown key": {arrange: func(f *rp, _ *Attempt, _, _ *string) {
			f.tp.SignWith = otherKey()
		}, want: ErrToken},
		"known kid, wrong key": {arrange: func(f *rp, _ *Attempt, _, _ *string) {
			f.tp.SignWith = otherKey()
			f.tp.Mutate = func(_, h map[string]any) { h["kid"] = f.tp.KeyID() }
		}, want: ErrToken},
		"HS256 header":         {arrange: mutate(func(_, h map[string]any) { h["alg"] = "HS256" }), want: ErrToken},
		"acr too low NIA":      {claims: map[string]any{"acr": ACRNIALow}, want: ErrLevel},
		"acr missing":          {claims: map[string]any{"acr": ""}, want: ErrLevel},
		"acr too low BankID":   {profile: BankID, claims: map[string]any{"acr": ACRBankIDLoA2}, want: ErrLevel},
		"acr of other profile": {claims: map[string]any{"acr": ACRBankIDLoA3}, want: ErrLevel},
		"PKCE verifier mismatch": {arrange: func(_ *rp, a *Attempt, _, _ *string) {
			a.Verifier = "0123456789012345678901234567890123456789abc"
		}, want: ErrExchange},
		"unknown code": {arrange: func(_ *rp, _ *Attempt, _, code *string) { *code = "made-up" }, want: ErrExchange},
		"no code":      {arrange: func(_ *rp, _ *Attempt, _, code *string) { *code = "" }, want: ErrExchange},
		"stale attempt": {arrange: func(_ *rp, a *Attempt, _, _ *string) {
			a.Created = time.Now().Add(-AttemptTTL - time.Second)
		}, want: ErrExpiredAttempt},
		"subject missing":  {arrange: mutate(func(cl, _ map[string]any) { delete(cl, "sub") }), want: ErrToken},
		"at_hash mismatch": {arrange: mutate(func(cl, _ map[string]any) { cl["at_hash"] = "AAAAAAAAAAAAAAAAAAAAAA" }), want: ErrToken},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := c.profile
			if p == "" {
				p = NIA
			}
			level := c.level
			if level == LevelNone {
				level = LevelSubstantial
			}
			f := setup(t, p)
			a, state, code := f.login(t, level, "subject-1", c.claims)
			if c.arrange != nil {
				c.arrange(f, a, &state, &code)
			}
			id, err := f.c.Finish(context.Background(), a, state, code)
			t.Logf("%v", err)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if id != nil {
				t.Fatalf("identity %+v returned with error", id)
			}
		})
	}
}

func TestReplayedCode(t *testing.T) {
	f := setup(t, NIA)
	a, state, code := f.login(t, LevelLow, "s", nil)
	if _, err := f.c.Finish(context.Background(), a, state, code); err != nil {
		t.Fatalf("first Finish: %v", err)
	}
	id, err := f.c.Finish(context.Background(), a, state, code)
	if !errors.Is(err, ErrExchange) || id != nil {
		t.Fatalf("replay: %v, %v", id, err)
	}
}

func TestCodeBurnedByFailedExchange(t *testing.T) {
	// A code presented with a wrong verifier is gone: the right verifier
	// afterwards does not revive it.
	f := setup(t, NIA)
	a, state, code := f.login(t, LevelLow, "s", nil)
	good := a.Verifier
	a.Verifier = "0123456789012345678901234567890123456789abc"
	if _, err := f.c.Finish(context.Background(), a, state, code); !errors.Is(err, ErrExchange) {
		t.Fatalf("wrong verifier: %v", err)
	}
	a.Verifier = good
	if _, err := f.c.Finish(context.Background(), a, state, code); !errors.Is(err, ErrExchange) {
		t.Fatalf("second try: %v", err)
	}
}

func TestStateCheckedBeforeNetwork(t *testing.T) {
	// With the provider gone, a bad state must still be ErrState, not a
	// network error: the check happens before any call.
	f := setup(t, NIA)
	a, state, code := f.login(t, LevelLow, "s", nil)
	f.tp.Close()
	if _, err := f.c.Finish(context.Background(), a, "x"+state, code); !errors.Is(err, ErrState) {
		t.Fatalf("bad state: %v", err)
	}
	a.Created = time.Now().Add(-time.Hour)
	if _, err := f.c.Finish(context.Background(), a, state, code); !errors.Is(err, ErrExpiredAttempt) {
		t.Fatalf("stale: %v", err)
	}
}

func TestWrongClientSecret(t *testing.T) {
	f := setup(t, NIA)
	cfg := f.tp.Config(NIA, redirect)
	cfg.ClientSecret = "wrong"
	c, err := New(context.Background(), cfg, f.tp.Server.Client())
	if err != nil {
		t.Fatal(err)
	}
	f.c = c
	a, state, code := f.login(t, LevelLow, "s", nil)
	if _, err := c.Finish(context.Background(), a, state, code); !errors.Is(err, ErrExchange) {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	tp := NewTestProvider("c", "s")
	defer tp.Close()
	bad := []ProviderConfig{
		{Issuer: tp.Issuer, ClientID: "c", RedirectURL: redirect, Profile: "saml"},
		{Issuer: tp.Issuer, RedirectURL: redirect, Profile: NIA},
		{Issuer: tp.Issuer, ClientID: "c", Profile: NIA},
		{Issuer: tp.Issuer + "/other", ClientID: "c", RedirectURL: redirect, Profile: NIA},
	}
	for i, cfg := range bad {
		if _, err := New(context.Background(), cfg, tp.Server.Client()); err == nil {
			t.Errorf("config %d accepted", i)
		}
	}
}

func TestClockDrivesAttemptAge(t *testing.T) {
	f := setup(t, NIA)
	clk := testclock.New(time.Now())
	f.c.Now = clk.Now
	a, state, code := f.login(t, LevelLow, "s", nil)
	clk.Add(AttemptTTL + time.Second)
	if _, err := f.c.Finish(context.Background(), a, state, code); !errors.Is(err, ErrExpiredAttempt) {
		t.Fatalf("after TTL: %v", err)
	}
	// Within the TTL the same clock is used for token expiry too.
	f2 := setup(t, NIA)
	clk2 := testclock.New(time.Now())
	f2.c.Now = clk2.Now
	a, state, code = f2.login(t, LevelLow, "s", nil)
	clk2.Add(AttemptTTL - time.Second) // token lives 5 minutes
	if _, err := f2.c.Finish(context.Background(), a, state, code); !errors.Is(err, ErrToken) {
		t.Fatalf("token past exp by the clock: %v", err)
	}
}

func TestAuthorizeEndpointForDemo(t *testing.T) {
	f := setup(t, NIA)
	f.tp.AuthorizeAs = func(url.Values) (string, map[string]any) {
		return "demo-person", map[string]any{"given_name": "Eva"}
	}
	a, to, err := f.c.Start(LevelSubstantial)
	if err != nil {
		t.Fatal(err)
	}
	hc := *f.tp.Server.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Get(to)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), redirect+"?") {
		t.Fatalf("status %d location %q", resp.StatusCode, loc)
	}
	id, err := f.c.Finish(context.Background(), a, loc.Query().Get("state"), loc.Query().Get("code"))
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if id.Subject != "demo-person" || id.GivenName != "Eva" || id.Level != LevelSubstantial {
		t.Errorf("identity %+v", id)
	}
}
