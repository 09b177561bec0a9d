package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/testclock"
	"golang.org/x/oauth2"
)

// mounted is a Provider on a mux at /demo-idp/, as the portal mounts it,
// with two clients, each allowed exactly one redirect URI.
type mounted struct {
	srv    *httptest.Server
	p      *Provider
	issuer string
	hooks  atomic.Int32 // calls of the Authorize hook
	deny   atomic.Bool
}

var mountedClients = map[string]struct{ secret, redirect string }{
	"jizerov":   {"jizerov-secret", "https://jizerov.example/prihlaseni/navrat"},
	"horni-ves": {"ves-secret", "http://ves.localhost:8080/prihlaseni/navrat?x=1"},
}

func mount(t *testing.T) *mounted {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "portal") })
	m := &mounted{srv: httptest.NewServer(mux)}
	t.Cleanup(m.srv.Close)
	m.issuer = m.srv.URL + "/demo-idp"
	p, err := NewProvider(m.issuer)
	if err != nil {
		t.Fatal(err)
	}
	for id, c := range mountedClients {
		redirect := c.redirect
		if err := p.AddClient(ClientReg{ID: id, Secret: c.secret, RedirectAllowed: func(u string) bool { return u == redirect }}); err != nil {
			t.Fatal(err)
		}
	}
	p.Authorize = func(w http.ResponseWriter, r *http.Request, req *AuthRequest) {
		m.hooks.Add(1)
		if m.deny.Load() {
			if err := p.Deny(w, r, req); err != nil {
				t.Errorf("Deny: %v", err)
			}
			return
		}
		if err := p.Approve(w, r, req, "sub-of-"+req.ClientID, map[string]any{"given_name": "Eva", "family_name": "Dvořáková"}); err != nil {
			t.Errorf("Approve: %v", err)
		}
	}
	mux.Handle("/demo-idp/", p)
	m.p = p
	return m
}

func (m *mounted) rp(t *testing.T, clientID, secret, redirect string) *Client {
	t.Helper()
	c, err := New(context.Background(), ProviderConfig{
		Name: "demo", Issuer: m.issuer, ClientID: clientID, ClientSecret: secret,
		RedirectURL: redirect, Profile: NIA, Scopes: []string{"profile"},
	}, m.srv.Client())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// noFollow is the test server's client that returns redirects unfollowed.
func noFollow(srv *httptest.Server) *http.Client {
	hc := *srv.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

// authorize GETs the authorization URL and returns the response (body read).
func (m *mounted) authorize(t *testing.T, to string) (*http.Response, string) {
	t.Helper()
	resp, err := noFollow(m.srv).Get(to)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// callback checks a 302 to the client's redirect URI and returns its query.
func callback(t *testing.T, resp *http.Response, redirect string) url.Values {
	t.Helper()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, strings.Split(redirect, "?")[0]+"?") {
		t.Fatalf("status %d, Location %q; want a redirect to %s", resp.StatusCode, loc, redirect)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestMountedProviderTwoClients(t *testing.T) {
	m := mount(t)
	for id, c := range mountedClients {
		t.Run(id, func(t *testing.T) {
			rp := m.rp(t, id, c.secret, c.redirect)
			a, to, err := rp.Start(LevelSubstantial)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(to, m.issuer+"/authorize?") {
				t.Fatalf("authorization URL %q is not under the issuer's path", to)
			}
			resp, _ := m.authorize(t, to)
			q := callback(t, resp, c.redirect)
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
			}
			if strings.Contains(c.redirect, "?x=1") && q.Get("x") != "1" {
				t.Errorf("the redirect URI's own query was lost: %v", q)
			}
			id2, err := rp.Finish(context.Background(), a, q.Get("state"), q.Get("code"))
			if err != nil {
				t.Fatalf("Finish: %v", err)
			}
			if id2.Issuer != m.issuer || id2.Subject != "sub-of-"+id || id2.GivenName != "Eva" || id2.FamilyName != "Dvořáková" {
				t.Errorf("identity %+v", id2)
			}
			if id2.ACR != ACRNIASubstantial || id2.Level != LevelSubstantial {
				t.Errorf("acr %q level %v: the first requested acr value must be echoed", id2.ACR, id2.Level)
			}
			// The same code again: refused.
			if _, err := rp.Finish(context.Background(), a, q.Get("state"), q.Get("code")); !errors.Is(err, ErrExchange) {
				t.Fatalf("code used twice: %v", err)
			}
		})
	}
}

func TestMountedProviderRefusals(t *testing.T) {
	m := mount(t)
	jz, ves := mountedClients["jizerov"], mountedClients["horni-ves"]

	t.Run("wrong client secret", func(t *testing.T) {
		rp := m.rp(t, "jizerov", "not-the-secret", jz.redirect)
		a, to, _ := rp.Start(LevelLow)
		q := callback(t, first(m.authorize(t, to)), jz.redirect)
		if _, err := rp.Finish(context.Background(), a, q.Get("state"), q.Get("code")); !errors.Is(err, ErrExchange) {
			t.Fatalf("wrong secret: %v", err)
		}
		// The failed client authentication did not spend the code: the
		// right secret still redeems it.
		good := m.rp(t, "jizerov", jz.secret, jz.redirect)
		if _, err := good.Finish(context.Background(), a, q.Get("state"), q.Get("code")); err != nil {
			t.Fatalf("right secret after a wrong one: %v", err)
		}
	})

	t.Run("code of another client", func(t *testing.T) {
		rpJ := m.rp(t, "jizerov", jz.secret, jz.redirect)
		a, to, _ := rpJ.Start(LevelLow)
		q := callback(t, first(m.authorize(t, to)), jz.redirect)
		// Horní Ves presents Jizerov's code (with Jizerov's redirect URI
		// and verifier): refused, and the code is gone for Jizerov too.
		rpV := m.rp(t, "horni-ves", ves.secret, jz.redirect)
		if _, err := rpV.Finish(context.Background(), a, q.Get("state"), q.Get("code")); !errors.Is(err, ErrExchange) {
			t.Fatalf("other client's code: %v", err)
		}
		if _, err := rpJ.Finish(context.Background(), a, q.Get("state"), q.Get("code")); !errors.Is(err, ErrExchange) {
			t.Fatalf("code after a misuse: %v", err)
		}
	})

	t.Run("redirect URI not allowed", func(t *testing.T) {
		for _, bad := range []string{
			"https://evil.example/prihlaseni/navrat",
			jz.redirect + "/x",
			ves.redirect, // Horní Ves's, not Jizerov's
		} {
			before := m.hooks.Load()
			rp := m.rp(t, "jizerov", jz.secret, bad)
			_, to, _ := rp.Start(LevelLow)
			resp, body := m.authorize(t, to)
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" || strings.Contains(body, "code=") {
				t.Errorf("%s: status %d Location %q", bad, resp.StatusCode, resp.Header.Get("Location"))
			}
			if m.hooks.Load() != before {
				t.Errorf("%s: the login page was shown for an invalid request", bad)
			}
		}
	})

	t.Run("redirect URI differs at the token endpoint", func(t *testing.T) {
		rp := m.rp(t, "jizerov", jz.secret, jz.redirect)
		a, to, _ := rp.Start(LevelLow)
		q := callback(t, first(m.authorize(t, to)), jz.redirect)
		tok := m.tokenCall(t, url.Values{
			"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "code_verifier": {a.Verifier},
			"redirect_uri": {jz.redirect + "?other"}, "client_id": {"jizerov"}, "client_secret": {jz.secret},
		})
		if tok["error"] != "invalid_grant" {
			t.Fatalf("token response %v", tok)
		}
	})

	t.Run("code expires after 10 minutes", func(t *testing.T) {
		clk := testclock.New(time.Now())
		m2 := mount(t)
		m2.p.Now = clk.Now
		rp := m2.rp(t, "jizerov", jz.secret, jz.redirect)
		a, to, _ := rp.Start(LevelLow)
		q := callback(t, first(m2.authorize(t, to)), jz.redirect)
		clk.Add(10*time.Minute + time.Second)
		if _, err := rp.Finish(context.Background(), a, q.Get("state"), q.Get("code")); !errors.Is(err, ErrExchange) {
			t.Fatalf("stale code: %v", err)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		m.deny.Store(true)
		defer m.deny.Store(false)
		rp := m.rp(t, "jizerov", jz.secret, jz.redirect)
		a, to, _ := rp.Start(LevelLow)
		q := callback(t, first(m.authorize(t, to)), jz.redirect)
		if q.Get("error") != "access_denied" || q.Get("state") != a.State || q.Has("code") {
			t.Fatalf("callback %v", q)
		}
	})
}

func first(r *http.Response, _ string) *http.Response { return r }

// TestAuthorizeValidatesBeforeTheHook: every broken request is a plain 400,
// never a redirect and never the login page.
func TestAuthorizeValidatesBeforeTheHook(t *testing.T) {
	m := mount(t)
	jz := mountedClients["jizerov"]
	good := url.Values{
		"client_id": {"jizerov"}, "redirect_uri": {jz.redirect}, "response_type": {"code"},
		"scope": {"openid profile"}, "state": {"st"}, "nonce": {"no"},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"},
	}
	with := func(k, v string) url.Values {
		q := url.Values{}
		for kk, vv := range good {
			q[kk] = vv
		}
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
		return q
	}
	cases := map[string]url.Values{
		"unknown client":         with("client_id", "nobody"),
		"no client":              with("client_id", ""),
		"no redirect":            with("redirect_uri", ""),
		"redirect with fragment": with("redirect_uri", jz.redirect+"#f"),
		"implicit flow":          with("response_type", "id_token"),
		"no openid scope":        with("scope", "profile"),
		"no PKCE":                with("code_challenge", ""),
		"PKCE plain":             with("code_challenge_method", "plain"),
		"PKCE method missing":    with("code_challenge_method", ""),
		"challenge not S256":     with("code_challenge", "short"),
		"repeated redirect":      func() url.Values { q := with("state", "st"); q.Add("redirect_uri", "https://evil.example/"); return q }(),
	}
	for name, q := range cases {
		t.Run(name, func(t *testing.T) {
			before := m.hooks.Load()
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				var resp *http.Response
				var err error
				if method == http.MethodGet {
					resp, err = noFollow(m.srv).Get(m.issuer + "/authorize?" + q.Encode())
				} else {
					resp, err = noFollow(m.srv).PostForm(m.issuer+"/authorize", q)
				}
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
					t.Errorf("%s: status %d Location %q", method, resp.StatusCode, resp.Header.Get("Location"))
				}
			}
			if m.hooks.Load() != before {
				t.Error("the hook ran for an invalid request")
			}
		})
	}
	// The good request, by GET and by POST, reaches the hook.
	for _, post := range []bool{false, true} {
		var resp *http.Response
		var err error
		if post {
			resp, err = noFollow(m.srv).PostForm(m.issuer+"/authorize", good)
		} else {
			resp, err = noFollow(m.srv).Get(m.issuer + "/authorize?" + good.Encode())
		}
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if q := callback(t, resp, jz.redirect); q.Get("code") == "" || q.Get("state") != "st" {
			t.Errorf("post=%v: callback %v", post, q)
		}
	}
	// A POST's parameters come from its body only, not from the query.
	resp, err := noFollow(m.srv).PostForm(m.issuer+"/authorize?"+good.Encode(), url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("POST with parameters only in the query: status %d", resp.StatusCode)
	}
}

// TestProviderTokenContents checks the ID token itself: iss exactly the
// issuer with its path, aud the client id, at_hash of the access token, kid
// of the published key.
func TestProviderTokenContents(t *testing.T) {
	m := mount(t)
	jz := mountedClients["jizerov"]
	verifier := oauth2.GenerateVerifier()
	q := url.Values{
		"client_id": {"jizerov"}, "redirect_uri": {jz.redirect}, "response_type": {"code"}, "scope": {"openid"},
		"nonce": {"n-1"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"},
		"acr_values": {ACRNIAHigh + " " + ACRNIALow},
	}
	resp, _ := m.authorize(t, m.issuer+"/authorize?"+q.Encode())
	code := callback(t, resp, jz.redirect).Get("code")

	req, _ := http.NewRequest(http.MethodPost, m.issuer+"/token", strings.NewReader(url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier}, "redirect_uri": {jz.redirect},
	}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("jizerov", jz.secret)
	tr, err := m.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Body.Close()
	var tok map[string]any
	if err := json.NewDecoder(tr.Body).Decode(&tok); err != nil || tr.StatusCode != http.StatusOK {
		t.Fatalf("token: %d %v", tr.StatusCode, err)
	}
	if tr.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("token response Cache-Control %q", tr.Header.Get("Cache-Control"))
	}
	parts := strings.Split(tok["id_token"].(string), ".")
	if len(parts) != 3 {
		t.Fatalf("id_token has %d parts", len(parts))
	}
	var header, claims map[string]any
	decodePart(t, parts[0], &header)
	decodePart(t, parts[1], &claims)
	ah := sha256.Sum256([]byte(tok["access_token"].(string)))
	want := map[string]any{
		"iss": m.issuer, "aud": "jizerov", "sub": "sub-of-jizerov", "nonce": "n-1",
		"at_hash": base64.RawURLEncoding.EncodeToString(ah[:16]), "acr": ACRNIAHigh,
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
	if header["alg"] != "RS256" || header["kid"] != m.p.KeyID() {
		t.Errorf("header %v", header)
	}

	// The same code again, even with everything right: invalid_grant.
	again := m.tokenCall(t, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier},
		"redirect_uri": {jz.redirect}, "client_id": {"jizerov"}, "client_secret": {jz.secret},
	})
	if again["error"] != "invalid_grant" {
		t.Errorf("second use: %v", again)
	}
}

func (m *mounted) tokenCall(t *testing.T, form url.Values) map[string]any {
	t.Helper()
	resp, err := m.srv.Client().PostForm(m.issuer+"/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func decodePart(t *testing.T, s string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestProviderRoutes(t *testing.T) {
	m := mount(t)
	cases := []struct {
		method, path string
		status       int
	}{
		{"GET", "/demo-idp/.well-known/openid-configuration", 200},
		{"GET", "/demo-idp/jwks", 200},
		{"GET", "/demo-idp/token", 405},
		{"DELETE", "/demo-idp/authorize", 405},
		{"GET", "/demo-idp/", 404},
		{"GET", "/demo-idp/authorize/x", 404},
		{"GET", "/.well-known/openid-configuration", 200}, // the portal's, not the provider's
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, m.srv.URL+c.path, nil)
		resp, err := m.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, resp.StatusCode, c.status)
		}
		if c.path == "/.well-known/openid-configuration" && string(b) != "portal" {
			t.Errorf("the provider answered outside its path: %q", b)
		}
	}
	var disc map[string]any
	resp, err := m.srv.Client().Get(m.issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&disc); err != nil {
		t.Fatal(err)
	}
	if disc["issuer"] != m.issuer || disc["token_endpoint"] != m.issuer+"/token" || disc["authorization_endpoint"] != m.issuer+"/authorize" {
		t.Errorf("discovery %v", disc)
	}
}

func TestNewProviderAndAddClientRefuse(t *testing.T) {
	for _, iss := range []string{"", "localhost:8080", "ftp://x/", "http://x/demo-idp/", "http://x/a?b=c", "http:///path"} {
		if _, err := NewProvider(iss); err == nil {
			t.Errorf("issuer %q accepted", iss)
		}
	}
	p, err := NewProvider("http://localhost:8080/demo-idp")
	if err != nil {
		t.Fatal(err)
	}
	all := func(string) bool { return true }
	if err := p.AddClient(ClientReg{ID: "a", Secret: "s", RedirectAllowed: all}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []ClientReg{
		{ID: "a", Secret: "s2", RedirectAllowed: all}, // twice
		{Secret: "s", RedirectAllowed: all},
		{ID: "b", RedirectAllowed: all},
		{ID: "c", Secret: "s"},
	} {
		if err := p.AddClient(c); err == nil {
			t.Errorf("client %+v accepted", c)
		}
	}
}

func TestApproveRechecksTheRequest(t *testing.T) {
	// An embedder that changes the validated request cannot send a code to
	// a redirect URI the client may not use.
	m := mount(t)
	jz := mountedClients["jizerov"]
	m.p.Authorize = func(w http.ResponseWriter, r *http.Request, req *AuthRequest) {
		req.RedirectURI = "https://evil.example/cb"
		if err := m.p.Approve(w, r, req, "s", nil); err == nil {
			t.Error("Approve accepted a changed redirect URI")
		}
	}
	rp := m.rp(t, "jizerov", jz.secret, jz.redirect)
	_, to, _ := rp.Start(LevelLow)
	resp, _ := m.authorize(t, to)
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Fatalf("status %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
