package oidc

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Provider is a small OpenID Connect provider (the authorization code flow
// with PKCE S256 only), meant for the demo and for tests: it is an
// http.Handler serving, under the issuer's path,
//
//	<path>/.well-known/openid-configuration   discovery
//	<path>/jwks                               the signing key (RSA 2048, made at start)
//	<path>/authorize                          GET and POST
//	<path>/token                              POST, client_secret_basic or client_secret_post
//
// so that with the issuer http://localhost:8080/demo-idp it can be mounted on
// a mux at "/demo-idp/" without stripping the prefix.
//
// The authorization endpoint validates the request completely (client,
// redirect URI, response type, scope, PKCE) and only then hands it to the
// Authorize hook, which renders the embedder's login page and finally calls
// Approve or Deny. An invalid request gets a plain 400 page, never a
// redirect. Codes are single use, live 10 minutes and are bound to the
// client, the redirect URI and the PKCE challenge. ID tokens are RS256 with
// a kid, aud is the client id and at_hash covers the access token.
// Subjects (pairwise or not) are the embedder's: it passes them to Approve.
type Provider struct {
	// Authorize is called for a validated authorization request (GET or
	// POST; on a POST r.PostForm is parsed). It must answer, normally by
	// rendering a page or by calling Approve or Deny. Without it every
	// authorization request gets a 400.
	Authorize func(w http.ResponseWriter, r *http.Request, req *AuthRequest)
	// TokenTTL is the ID token lifetime (default 5 minutes).
	TokenTTL time.Duration
	// Now is the clock for codes and tokens; nil means time.Now. Set it
	// before use.
	Now func() time.Time

	issuer string
	base   string // the issuer's path, "" or "/demo-idp"
	key    *rsa.PrivateKey
	kid    string
	// tweaks, when set, returns TestProvider's misbehaviour switches.
	tweaks func() tokenTweaks

	mu      sync.Mutex
	clients map[string]ClientReg
	codes   map[string]*pendingCode
}

// ClientReg is a relying party registered with a Provider.
type ClientReg struct {
	ID, Secret string
	// RedirectAllowed says whether a redirect URI may be used by this
	// client; the URI given at the token endpoint must moreover equal the
	// one of the authorization request exactly.
	RedirectAllowed func(uri string) bool
}

// AuthRequest is a validated authorization request.
type AuthRequest struct {
	ClientID      string
	RedirectURI   string
	State         string
	Nonce         string
	CodeChallenge string // S256 (the only method accepted)
	Scopes        []string
	ACRValues     []string // as requested, in order
}

// Values returns the request's authorization parameters, e.g. to carry them
// in a login form's hidden fields (the POST is validated again).
func (a *AuthRequest) Values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("client_id", a.ClientID)
	set("redirect_uri", a.RedirectURI)
	v.Set("response_type", "code")
	set("scope", strings.Join(a.Scopes, " "))
	set("state", a.State)
	set("nonce", a.Nonce)
	set("code_challenge", a.CodeChallenge)
	v.Set("code_challenge_method", "S256")
	set("acr_values", strings.Join(a.ACRValues, " "))
	return v
}

// codeTTL is how long an authorization code may wait for the token call.
const codeTTL = 10 * time.Minute

type pendingCode struct {
	clientID    string
	redirectURI string
	challenge   string
	nonce       string
	subject     string
	claims      map[string]any
	created     time.Time
}

// tokenTweaks are TestProvider's switches for issuing bad ID tokens.
type tokenTweaks struct {
	mutate   func(claims, header map[string]any)
	signWith *rsa.PrivateKey
	algNone  bool
	ttl      time.Duration
}

// NewProvider makes a provider for issuer, an http or https URL that may
// have a path (no trailing slash, query or fragment). It generates the
// signing key. Register clients with AddClient.
func NewProvider(issuer string) (*Provider, error) {
	u, err := url.Parse(issuer)
	switch {
	case err != nil:
		return nil, fmt.Errorf("oidc provider: issuer %q: %v", issuer, err)
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "", u.User != nil,
		u.RawQuery != "", u.Fragment != "", u.Opaque != "":
		return nil, fmt.Errorf("oidc provider: issuer %q must be an http(s) URL with a host and no query", issuer)
	case strings.HasSuffix(u.Path, "/"):
		return nil, fmt.Errorf("oidc provider: issuer %q must not end with a slash", issuer)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("oidc provider: key: %w", err)
	}
	return &Provider{
		issuer:  issuer,
		base:    u.Path,
		key:     key,
		kid:     keyID(&key.PublicKey),
		clients: map[string]ClientReg{},
		codes:   map[string]*pendingCode{},
	}, nil
}

// Issuer is the issuer URL, exactly as given to NewProvider.
func (p *Provider) Issuer() string { return p.issuer }

// KeyID is the kid of the published signing key.
func (p *Provider) KeyID() string { return p.kid }

// AddClient registers a relying party. The id must be new, and the secret
// and RedirectAllowed are required.
func (p *Provider) AddClient(c ClientReg) error {
	switch {
	case c.ID == "":
		return errors.New("oidc provider: client id missing")
	case c.Secret == "":
		return fmt.Errorf("oidc provider: client %q: secret missing", c.ID)
	case c.RedirectAllowed == nil:
		return fmt.Errorf("oidc provider: client %q: RedirectAllowed missing", c.ID)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, dup := p.clients[c.ID]; dup {
		return fmt.Errorf("oidc provider: client %q registered twice", c.ID)
	}
	p.clients[c.ID] = c
	return nil
}

func (p *Provider) client(id string) (ClientReg, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.clients[id]
	return c, ok
}

func (p *Provider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func keyID(pub *rsa.PublicKey) string {
	h := sha256.Sum256(pub.N.Bytes())
	return "tp-" + hex.EncodeToString(h[:8])
}

// ServeHTTP serves the provider's endpoints under the issuer's path.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, p.base)
	if !ok {
		http.NotFound(w, r)
		return
	}
	type endpoint struct {
		methods []string
		serve   http.HandlerFunc
	}
	var e endpoint
	switch rest {
	case "/.well-known/openid-configuration":
		e = endpoint{[]string{http.MethodGet, http.MethodHead}, p.discovery}
	case "/jwks":
		e = endpoint{[]string{http.MethodGet, http.MethodHead}, p.jwks}
	case "/authorize":
		e = endpoint{[]string{http.MethodGet, http.MethodHead, http.MethodPost}, p.authorize}
	case "/token":
		e = endpoint{[]string{http.MethodPost}, p.token}
	default:
		http.NotFound(w, r)
		return
	}
	if !slices.Contains(e.methods, r.Method) {
		w.Header().Set("Allow", strings.Join(e.methods, ", "))
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	e.serve(w, r)
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.issuer,
		"authorization_endpoint":                p.issuer + "/authorize",
		"token_endpoint":                        p.issuer + "/token",
		"jwks_uri":                              p.issuer + "/jwks",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"pairwise"},
		"scopes_supported":                      []string{"openid", "profile", "email"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"acr_values_supported":                  []string{ACRNIALow, ACRNIASubstantial, ACRNIAHigh, ACRBankIDLoA2, ACRBankIDLoA3},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	pub := p.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{{
		"kty": "RSA",
		"use": "sig",
		"alg": "RS256",
		"kid": p.kid,
		"n":   b64(pub.N.Bytes()),
		"e":   b64(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// maxParam bounds every authorization parameter.
const maxParam = 2048

// s256Challenge is what an S256 code challenge looks like: base64url of
// SHA-256, unpadded.
var s256Challenge = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// parseAuthRequest validates authorization parameters.
func (p *Provider) parseAuthRequest(params url.Values) (*AuthRequest, error) {
	for _, k := range []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce",
		"code_challenge", "code_challenge_method", "acr_values"} {
		if len(params[k]) > 1 {
			return nil, fmt.Errorf("parameter %s repeated", k)
		}
		if len(params.Get(k)) > maxParam {
			return nil, fmt.Errorf("parameter %s too long", k)
		}
	}
	c, ok := p.client(params.Get("client_id"))
	if !ok {
		return nil, errors.New("unknown client_id")
	}
	redirect := params.Get("redirect_uri")
	if redirect == "" {
		return nil, errors.New("redirect_uri missing")
	}
	if err := checkRedirectURI(redirect); err != nil {
		return nil, err
	}
	if !c.RedirectAllowed(redirect) {
		return nil, errors.New("redirect_uri not allowed for this client")
	}
	if params.Get("response_type") != "code" {
		return nil, errors.New("response_type must be code")
	}
	scopes := strings.Fields(params.Get("scope"))
	if !slices.Contains(scopes, "openid") {
		return nil, errors.New("scope must include openid")
	}
	if params.Get("code_challenge_method") != "S256" || !s256Challenge.MatchString(params.Get("code_challenge")) {
		return nil, errors.New("PKCE S256 required")
	}
	return &AuthRequest{
		ClientID:      c.ID,
		RedirectURI:   redirect,
		State:         params.Get("state"),
		Nonce:         params.Get("nonce"),
		CodeChallenge: params.Get("code_challenge"),
		Scopes:        scopes,
		ACRValues:     strings.Fields(params.Get("acr_values")),
	}, nil
}

// checkRedirectURI accepts only absolute http(s) URLs with a host, no
// user info and no fragment.
func checkRedirectURI(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.Fragment != "" || strings.Contains(s, "#") || u.Opaque != "" {
		return errors.New("redirect_uri must be an absolute http(s) URL without fragment")
	}
	return nil
}

// authParams are the authorization parameters of a request: the query of
// a GET, the form body of a POST (never both mixed).
func authParams(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	if r.Method != http.MethodPost {
		return r.URL.Query(), nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	return r.PostForm, nil
}

func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	params, err := authParams(w, r)
	if err != nil {
		badRequest(w, errors.New("unreadable form"))
		return
	}
	req, err := p.parseAuthRequest(params)
	if err != nil {
		badRequest(w, err)
		return
	}
	if p.Authorize == nil {
		badRequest(w, errors.New("this provider has no login page"))
		return
	}
	p.Authorize(w, r, req)
}

// badRequest is the plain page for an authorization request that cannot be
// answered by redirecting: the redirect URI is not known to be safe.
func badRequest(w http.ResponseWriter, err error) {
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "Invalid authorization request: "+err.Error(), http.StatusBadRequest)
}

// recheck validates req again: the embedder may have built or changed it.
func (p *Provider) recheck(req *AuthRequest) (*AuthRequest, error) {
	if req == nil {
		return nil, errors.New("no authorization request")
	}
	return p.parseAuthRequest(req.Values())
}

// Approve logs the person in: it issues a code for req and redirects (302)
// to the redirect URI with code and state. The ID token will carry subject,
// the claims and, unless claims has "acr", the first requested acr value.
// Approve always answers; the error (req no longer valid, empty subject) is
// for the log.
func (p *Provider) Approve(w http.ResponseWriter, r *http.Request, req *AuthRequest, subject string, claims map[string]any) error {
	req, err := p.recheck(req)
	if err != nil {
		badRequest(w, err)
		return err
	}
	code, err := p.issue(req, subject, claims)
	if err != nil {
		http.Error(w, "Login failed.", http.StatusInternalServerError)
		return err
	}
	redirectBack(w, r, req, url.Values{"code": {code}})
	return nil
}

// Deny refuses the login (the person cancelled): it redirects to the
// redirect URI with error=access_denied and the state. The error is for the
// log, as with Approve.
func (p *Provider) Deny(w http.ResponseWriter, r *http.Request, req *AuthRequest) error {
	req, err := p.recheck(req)
	if err != nil {
		badRequest(w, err)
		return err
	}
	redirectBack(w, r, req, url.Values{"error": {"access_denied"}})
	return nil
}

func redirectBack(w http.ResponseWriter, r *http.Request, req *AuthRequest, add url.Values) {
	u, _ := url.Parse(req.RedirectURI) // checked by parseAuthRequest
	q := u.Query()
	for k, v := range add {
		q[k] = v
	}
	if req.State != "" {
		q.Set("state", req.State)
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// issue stores a code for req.
func (p *Provider) issue(req *AuthRequest, subject string, claims map[string]any) (string, error) {
	if subject == "" {
		return "", errors.New("oidc provider: subject missing")
	}
	cl := make(map[string]any, len(claims)+1)
	for k, v := range claims {
		cl[k] = v
	}
	if _, ok := cl["acr"]; !ok && len(req.ACRValues) > 0 {
		cl["acr"] = req.ACRValues[0]
	}
	code, err := randomToken()
	if err != nil {
		return "", err
	}
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, pc := range p.codes { // forget codes nobody came for
		if now.Sub(pc.created) > codeTTL {
			delete(p.codes, k)
		}
	}
	p.codes[code] = &pendingCode{
		clientID:    req.ClientID,
		redirectURI: req.RedirectURI,
		challenge:   req.CodeChallenge,
		nonce:       req.Nonce,
		subject:     subject,
		claims:      cl,
		created:     now,
	}
	return code, nil
}

// authenticateClient reads client_secret_basic or client_secret_post.
func (p *Provider) authenticateClient(r *http.Request) (ClientReg, bool) {
	id, secret, basic := r.BasicAuth()
	if basic {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return ClientReg{}, false
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c, ok := p.client(id)
	if !ok || secret == "" {
		return ClientReg{}, false
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
		return ClientReg{}, false
	}
	return c, true
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	c, ok := p.authenticateClient(r)
	if !ok {
		if _, _, basic := r.BasicAuth(); basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="oidc"`)
		}
		tokenError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	code := r.PostForm.Get("code")
	p.mu.Lock()
	pc := p.codes[code]
	delete(p.codes, code) // single use, even when the rest fails
	p.mu.Unlock()
	if pc == nil || pc.clientID != c.ID || p.now().Sub(pc.created) > codeTTL {
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
	access, err := randomToken()
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error")
		return
	}
	idToken, err := p.idToken(pc, access)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   300,
		"id_token":     idToken,
	})
}

func (p *Provider) idToken(pc *pendingCode, accessToken string) (string, error) {
	var tw tokenTweaks
	if p.tweaks != nil {
		tw = p.tweaks()
	}
	now := p.now()
	ttl := p.TokenTTL
	if tw.ttl != 0 {
		ttl = tw.ttl
	}
	if ttl == 0 {
		ttl = 5 * time.Minute
	}
	ah := sha256.Sum256([]byte(accessToken))
	cl := map[string]any{}
	for k, v := range pc.claims {
		cl[k] = v
	}
	cl["iss"] = p.issuer
	cl["sub"] = pc.subject
	cl["aud"] = pc.clientID
	cl["iat"] = now.Unix()
	cl["auth_time"] = now.Unix()
	cl["exp"] = now.Add(ttl).Unix()
	cl["at_hash"] = b64(ah[:16])
	if pc.nonce != "" {
		cl["nonce"] = pc.nonce
	}
	key, kid := p.key, p.kid
	if tw.signWith != nil {
		key, kid = tw.signWith, keyID(&tw.signWith.PublicKey)
	}
	header := map[string]any{"alg": "RS256", "typ": "JWT", "kid": kid}
	if tw.algNone {
		header = map[string]any{"alg": "none", "typ": "JWT"}
	}
	if tw.mutate != nil {
		tw.mutate(cl, header)
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
