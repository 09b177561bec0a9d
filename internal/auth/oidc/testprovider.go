package oidc

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// TestProvider is an in-process OpenID Connect provider for tests and the
// demo: discovery, JWKS (one RSA 2048 key made at start), /authorize and
// /token with client authentication, single-use codes and PKCE S256. It signs
// ID tokens RS256 with a kid.
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

	key *rsa.PrivateKey
	kid string

	mu    sync.Mutex
	codes map[string]*pendingCode
}

type pendingCode struct {
	clientID    string
	redirectURI string
	challenge   string
	nonce       string
	subject     string
	claims      map[string]any
	created     time.Time
}

// NewTestProvider starts a provider for one client. Close it when done.
func NewTestProvider(clientID, clientSecret string) *TestProvider {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(fmt.Sprintf("oidc test provider: %v", err))
	}
	tp := &TestProvider{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		key:          key,
		kid:          keyID(&key.PublicKey),
		codes:        map[string]*pendingCode{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", tp.discovery)
	mux.HandleFunc("GET /jwks", tp.jwks)
	mux.HandleFunc("GET /authorize", tp.authorize)
	mux.HandleFunc("POST /token", tp.token)
	tp.Server = httptest.NewServer(mux)
	tp.Issuer = tp.Server.URL
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
func (tp *TestProvider) KeyID() string { return tp.kid }

func keyID(pub *rsa.PublicKey) string {
	h := sha256.Sum256(pub.N.Bytes())
	return "tp-" + hex.EncodeToString(h[:8])
}

func (tp *TestProvider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                tp.Issuer,
		"authorization_endpoint":                tp.Issuer + "/authorize",
		"token_endpoint":                        tp.Issuer + "/token",
		"jwks_uri":                              tp.Issuer + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"acr_values_supported":                  []string{ACRNIALow, ACRNIASubstantial, ACRNIAHigh, ACRBankIDLoA2, ACRBankIDLoA3},
	})
}

func (tp *TestProvider) jwks(w http.ResponseWriter, _ *http.Request) {
	pub := tp.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{{
		"kty": "RSA",
		"use": "sig",
		"alg": "RS256",
		"kid": tp.kid,
		"n":   b64(pub.N.Bytes()),
		"e":   b64(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// IssueCode stands for the person logging in: params is the authorization
// request's query (client_id, redirect_uri, state, nonce, code_challenge,
// code_challenge_method, acr_values). The ID token will carry subject, the
// given claims and, unless claims has "acr", the first requested acr value.
func (tp *TestProvider) IssueCode(params url.Values, subject string, claims map[string]any) (string, error) {
	switch {
	case params.Get("client_id") != tp.ClientID:
		return "", errors.New("test provider: unknown client_id")
	case params.Get("response_type") != "code":
		return "", errors.New("test provider: response_type must be code")
	case params.Get("redirect_uri") == "":
		return "", errors.New("test provider: redirect_uri missing")
	case params.Get("code_challenge") == "" || params.Get("code_challenge_method") != "S256":
		return "", errors.New("test provider: PKCE S256 required")
	case subject == "":
		return "", errors.New("test provider: subject missing")
	}
	cl := map[string]any{}
	for k, v := range claims {
		cl[k] = v
	}
	if _, ok := cl["acr"]; !ok {
		if acr := strings.Fields(params.Get("acr_values")); len(acr) > 0 {
			cl["acr"] = acr[0]
		}
	}
	code := randomString()
	tp.mu.Lock()
	tp.codes[code] = &pendingCode{
		clientID:    params.Get("client_id"),
		redirectURI: params.Get("redirect_uri"),
		challenge:   params.Get("code_challenge"),
		nonce:       params.Get("nonce"),
		subject:     subject,
		claims:      cl,
		created:     time.Now(),
	}
	tp.mu.Unlock()
	return code, nil
}

func (tp *TestProvider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if tp.AuthorizeAs == nil {
		http.Error(w, "test provider: call IssueCode from the test", http.StatusBadRequest)
		return
	}
	sub, cl := tp.AuthorizeAs(q)
	code, err := tp.IssueCode(q, sub, cl)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	u, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	v := u.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (tp *TestProvider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != tp.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(tp.ClientSecret)) != 1 {
		tokenError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	code := r.PostForm.Get("code")
	tp.mu.Lock()
	pc := tp.codes[code]
	delete(tp.codes, code) // single use, even when the rest fails
	tp.mu.Unlock()
	if pc == nil || pc.clientID != id || time.Since(pc.created) > 10*time.Minute {
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	if r.PostForm.Get("redirect_uri") != pc.redirectURI {
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if subtle.ConstantTimeCompare([]byte(b64(sum[:])), []byte(pc.challenge)) != 1 {
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	access := randomString()
	idToken, err := tp.idToken(pc, access)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   300,
		"id_token":     idToken,
	})
}

func (tp *TestProvider) idToken(pc *pendingCode, accessToken string) (string, error) {
	now := time.Now()
	ttl := tp.TokenTTL
	if ttl == 0 {
		ttl = 5 * time.Minute
	}
	ah := sha256.Sum256([]byte(accessToken))
	cl := map[string]any{}
	for k, v := range pc.claims {
		cl[k] = v
	}
	cl["iss"] = tp.Issuer
	cl["sub"] = pc.subject
	cl["aud"] = pc.clientID
	cl["iat"] = now.Unix()
	cl["auth_time"] = now.Unix()
	cl["exp"] = now.Add(ttl).Unix()
	cl["at_hash"] = b64(ah[:16])
	if pc.nonce != "" {
		cl["nonce"] = pc.nonce
	}
	key, kid := tp.key, tp.kid
	if tp.SignWith != nil {
		key, kid = tp.SignWith, keyID(&tp.SignWith.PublicKey)
	}
	header := map[string]any{"alg": "RS256", "typ": "JWT", "kid": kid}
	if tp.AlgNone {
		header = map[string]any{"alg": "none", "typ": "JWT"}
	}
	if tp.Mutate != nil {
		tp.Mutate(cl, header)
	}
	hb, err := json.Marshal(header)
	if err != nil {
		return "", err
	}
	pb, err := json.Marshal(cl)
	if err != nil {
		return "", err
	}
	signing := b64(hb) + "." + b64(pb)
	if header["alg"] == "none" {
		return signing + ".", nil
	}
	h := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, h[:])
	if err != nil {
		return "", err
	}
	return signing + "." + b64(sig), nil
}

func tokenError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func randomString() string {
	s, err := randomToken()
	if err != nil {
		panic(err)
	}
	return s
}
