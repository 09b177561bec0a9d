package oidc

import (
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"
)

// TestProvider is an in-process OpenID Connect provider for tests: a
// Provider with one client on its own httptest.Server. It offers discovery,
// JWKS (one RSA 2048 key made at start), /authorize and /token with client
// authentication, single-use codes and PKCE S256, and signs ID tokens RS256
// with a kid. The client may use any redirect URI (the token call must
// repeat the one of the authorization request).
//
// A test normally calls Client.Start, parses the redirect URL and passes its
// query to IssueCode, then calls Client.Finish with the code. The
// misbehaviour switches (Mutate, SignWith, AlgNone) make it issue bad tokens;
// set them before the token call. It is not for production.
type TestProvider struct {
	Server       *httptest.Server
	Issuer       string // = Server.URL
	ClientID     string
	ClientSecret string

	// Mutate, when set, may change the ID token's claims and JOSE header
	// just before signing.
	Mutate func(claims map[string]any, header map[string]any)
	// SignWith, when set, signs with this key instead of the published one;
	// its kid is not in the JWKS.
	SignWith *rsa.PrivateKey
	// AlgNone issues an unsigned token with alg "none".
	AlgNone bool
	// AuthorizeAs, when set, makes GET /authorize log the person in at once
	// (for the demo): it returns the subject and claims for the request.
	AuthorizeAs func(params url.Values) (subject string, claims map[string]any)
	// TokenTTL is the ID token lifetime (default 5 minutes).
	TokenTTL time.Duration

	p *Provider
}

// NewTestProvider starts a provider for one client. Close it when done.
func NewTestProvider(clientID, clientSecret string) *TestProvider {
	srv := httptest.NewUnstartedServer(nil)
	p, err := NewProvider("http://" + srv.Listener.Addr().String())
	if err == nil {
		err = p.AddClient(ClientReg{ID: clientID, Secret: clientSecret, RedirectAllowed: func(string) bool { return true }})
	}
	if err != nil {
		srv.Close()
		panic(fmt.Sprintf("oidc test provider: %v", err))
	}
	tp := &TestProvider{
		Server:       srv,
		ClientID:     clientID,
		ClientSecret: clientSecret,
		p:            p,
	}
	p.tweaks = func() tokenTweaks {
		return tokenTweaks{mutate: tp.Mutate, signWith: tp.SignWith, algNone: tp.AlgNone, ttl: tp.TokenTTL}
	}
	p.Authorize = tp.authorize
	srv.Config.Handler = p
	srv.Start()
	tp.Issuer = srv.URL
	if tp.Issuer != p.Issuer() {
		srv.Close()
		panic(fmt.Sprintf("oidc test provider: server at %s, issuer %s", tp.Issuer, p.Issuer()))
	}
	return tp
}

// Close stops the server.
func (tp *TestProvider) Close() { tp.Server.Close() }

// Config returns a provider configuration that talks to this provider.
func (tp *TestProvider) Config(profile Profile, redirectURL string) ProviderConfig {
	return ProviderConfig{
		Name:         "test-" + string(profile),
		Issuer:       tp.Issuer,
		ClientID:     tp.ClientID,
		ClientSecret: tp.ClientSecret,
		RedirectURL:  redirectURL,
		Scopes:       []string{"openid", "profile", "email"},
		Profile:      profile,
	}
}

// KeyID is the kid of the published signing key.
func (tp *TestProvider) KeyID() string { return tp.p.KeyID() }

// IssueCode stands for the person logging in: params is the authorization
// request's query (client_id, redirect_uri, state, nonce, code_challenge,
// code_challenge_method, acr_values). The ID token will carry subject, the
// given claims and, unless claims has "acr", the first requested acr value.
func (tp *TestProvider) IssueCode(params url.Values, subject string, claims map[string]any) (string, error) {
	req, err := tp.p.parseAuthRequest(params)
	if err != nil {
		return "", fmt.Errorf("test provider: %w", err)
	}
	if subject == "" {
		return "", errors.New("test provider: subject missing")
	}
	return tp.p.issue(req, subject, claims)
}

// authorize is the Provider's hook: with AuthorizeAs it logs in at once.
func (tp *TestProvider) authorize(w http.ResponseWriter, r *http.Request, req *AuthRequest) {
	if tp.AuthorizeAs == nil {
		http.Error(w, "test provider: call IssueCode from the test", http.StatusBadRequest)
		return
	}
	params := r.URL.Query()
	if r.Method == http.MethodPost {
		params = r.PostForm
	}
	sub, cl := tp.AuthorizeAs(params)
	_ = tp.p.Approve(w, r, req, sub, cl)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
