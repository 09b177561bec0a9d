// Package oidc is the relying-party side of citizen login with OpenID
// Connect: NIA/eIdentita, BankID CZ and a generic provider, configured per
// town.
//
// The flow is the authorization code flow with PKCE (S256), state and
// nonce. Start gives the caller an Attempt to keep in the session and the URL
// to send the person to; Finish checks the state before any network call,
// exchanges the code with the PKCE verifier, verifies the ID token (issuer,
// audience, expiry, signature with the provider's published keys, only
// RS256/ES256/PS256), then the nonce and the level of assurance.
//
// A person's login identity is (Issuer, Subject), never e-mail or name.
// Errors are a few sentinels (ErrState, ErrExpiredAttempt, ErrToken,
// ErrNonce, ErrLevel, ErrExchange), wrapped with detail for the log; the
// person should see one calm message whatever went wrong.
package oidc

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Profile says which kind of provider a configuration talks to; it decides
// how acr values map to levels and which claims count as verified.
type Profile string

const (
	NIA     Profile = "nia"     // Národní identitní autorita (eIdentita)
	BankID  Profile = "bankid"  // BankID CZ, directly
	Generic Profile = "generic" // any other OpenID Connect provider
)

// Level is a level of assurance, ordered: a higher value is stronger.
type Level int

const (
	LevelNone        Level = iota // no level required (generic providers only)
	LevelLow                      // eIDAS low
	LevelSubstantial              // eIDAS substantial
	LevelHigh                     // eIDAS high
)

func (l Level) String() string {
	switch l {
	case LevelNone:
		return "none"
	case LevelLow:
		return "low"
	case LevelSubstantial:
		return "substantial"
	case LevelHigh:
		return "high"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// The acr values of NIA (eIDAS levels of assurance) and BankID CZ.
const (
	ACRNIALow         = "http://eidas.europa.eu/LoA/low"
	ACRNIASubstantial = "http://eidas.europa.eu/LoA/substantial"
	ACRNIAHigh        = "http://eidas.europa.eu/LoA/high"
	ACRBankIDLoA2     = "loa2"
	ACRBankIDLoA3     = "loa3"
)

var profileACR = map[Profile]map[Level]string{
	NIA: {
		LevelLow:         ACRNIALow,
		LevelSubstantial: ACRNIASubstantial,
		LevelHigh:        ACRNIAHigh,
	},
	// BankID has two levels; loa3 is the bank identity notified at eIDAS
	// substantial. There is no BankID level for eIDAS high.
	BankID: {
		LevelLow:         ACRBankIDLoA2,
		LevelSubstantial: ACRBankIDLoA3,
	},
}

// ACRFor returns the acr value a profile uses for a level; false when the
// profile has no such level (BankID has no high; Generic has no fixed
// values, see ProviderConfig.GenericACR).
func ACRFor(p Profile, l Level) (string, bool) {
	s, ok := profileACR[p][l]
	return s, ok
}

// LevelOf returns the level an acr value stands for in a profile; false
// when the value is unknown.
func LevelOf(p Profile, acr string) (Level, bool) {
	for l, s := range profileACR[p] {
		if s == acr {
			return l, true
		}
	}
	return LevelNone, false
}

// ProviderConfig is one identity provider of one town.
type ProviderConfig struct {
	Name         string // shown to the person ("NIA", "BankID", …)
	Issuer       string // exact issuer URL; discovery is at Issuer + "/.well-known/openid-configuration"
	ClientID     string
	ClientSecret string
	RedirectURL  string
	Scopes       []string // "openid" is always added
	Profile      Profile
	// GenericACR gives, for the Generic profile only, the acr value the
	// provider uses for each level. A token's acr counts as the level whose
	// value it equals exactly. Without it, a Generic provider can only be
	// used when no level is required.
	GenericACR map[Level]string
}

// Sentinel errors of Finish (and Start). Each is wrapped with detail for the
// log; test with errors.Is.
var (
	ErrState          = errors.New("oidc: state missing or mismatched")
	ErrExpiredAttempt = errors.New("oidc: login attempt expired")
	ErrExchange       = errors.New("oidc: code exchange refused")
	ErrToken          = errors.New("oidc: ID token invalid")
	ErrNonce          = errors.New("oidc: nonce mismatch")
	ErrLevel          = errors.New("oidc: level of assurance too low")
)

// AttemptTTL is how long a started login may take to come back.
const AttemptTTL = 10 * time.Minute

// SigningAlgs are the only ID token signature algorithms accepted.
var SigningAlgs = []string{gooidc.RS256, gooidc.ES256, gooidc.PS256}

// Attempt is what the caller keeps in the person's session between Start
// and Finish. It holds secrets (the PKCE verifier): keep it server-side.
type Attempt struct {
	State    string
	Nonce    string
	Verifier string // PKCE code verifier
	Level    Level  // level required
	Created  time.Time
}

// Identity is the person the provider vouches for. (Issuer, Subject) is the
// login identity; the rest is informational.
type Identity struct {
	Issuer        string
	Subject       string
	GivenName     string
	FamilyName    string
	Name          string
	BirthDate     string
	Email         string
	EmailVerified bool
	ACR           string
	Level         Level
	// VerifiedBirthNumber is the rodné číslo only when it comes from BankID
	// verified_claims under the trust framework cz_aml; "" otherwise.
	VerifiedBirthNumber string
	TxnID               string // BankID "txn", kept for audit
}

// Client is the relying party for one provider.
type Client struct {
	cfg      ProviderConfig
	http     *http.Client
	oauth    oauth2.Config
	verifier *gooidc.IDTokenVerifier
	// Now is the clock for attempt age and token expiry; nil means
	// time.Now. Set it right after New, before use.
	Now func() time.Time
}

// New discovers the provider at cfg.Issuer. httpClient may be nil (then
// http.DefaultClient); it is used for discovery, keys and the token call.
func New(ctx context.Context, cfg ProviderConfig, httpClient *http.Client) (*Client, error) {
	switch {
	case cfg.Issuer == "":
		return nil, errors.New("oidc: provider config: issuer missing")
	case cfg.ClientID == "":
		return nil, errors.New("oidc: provider config: client id missing")
	case cfg.RedirectURL == "":
		return nil, errors.New("oidc: provider config: redirect URL missing")
	}
	switch cfg.Profile {
	case NIA, BankID, Generic:
	default:
		return nil, fmt.Errorf("oidc: provider config: unknown profile %q", cfg.Profile)
	}
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	pctx := gooidc.ClientContext(ctx, httpClient)
	p, err := gooidc.NewProvider(pctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discovery of %s: %w", cfg.Issuer, err)
	}
	scopes := []string{gooidc.ScopeOpenID}
	for _, s := range cfg.Scopes {
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	c := &Client{
		cfg:  cfg,
		http: httpClient,
		oauth: oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			RedirectURL:  cfg.RedirectURL,
			Endpoint:     p.Endpoint(),
			Scopes:       scopes,
		},
	}
	c.verifier = p.Verifier(&gooidc.Config{
		ClientID:             cfg.ClientID,
		SupportedSigningAlgs: SigningAlgs,
		Now:                  c.now,
	})
	return c, nil
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Name is the configured provider name.
func (c *Client) Name() string { return c.cfg.Name }

// Profile is the configured profile.
func (c *Client) Profile() Profile { return c.cfg.Profile }

func (c *Client) acrFor(l Level) (string, bool) {
	if c.cfg.Profile == Generic {
		s, ok := c.cfg.GenericACR[l]
		return s, ok && s != ""
	}
	return ACRFor(c.cfg.Profile, l)
}

func (c *Client) levelOf(acr string) (Level, bool) {
	if acr == "" {
		return LevelNone, false
	}
	if c.cfg.Profile == Generic {
		for l, s := range c.cfg.GenericACR {
			if s == acr {
				return l, true
			}
		}
		return LevelNone, false
	}
	return LevelOf(c.cfg.Profile, acr)
}

// Start begins a login that needs at least level. It returns the attempt to
// keep in the session and the URL to redirect the person to. LevelNone asks
// for no particular level and is allowed only for the Generic profile.
func (c *Client) Start(level Level) (*Attempt, string, error) {
	var acr string
	if level != LevelNone || c.cfg.Profile != Generic {
		var ok bool
		if acr, ok = c.acrFor(level); !ok {
			return nil, "", fmt.Errorf("%w: provider %s (%s) offers no level %s", ErrLevel, c.cfg.Name, c.cfg.Profile, level)
		}
	}
	state, err := randomToken()
	if err != nil {
		return nil, "", err
	}
	nonce, err := randomToken()
	if err != nil {
		return nil, "", err
	}
	a := &Attempt{
		State:    state,
		Nonce:    nonce,
		Verifier: oauth2.GenerateVerifier(),
		Level:    level,
		Created:  c.now(),
	}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(a.Verifier), gooidc.Nonce(a.Nonce)}
	if acr != "" {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", acr))
	}
	return a, c.oauth.AuthCodeURL(a.State, opts...), nil
}

// claims are the ID token claims Finish reads.
type claims struct {
	GivenName      string          `json:"given_name"`
	FamilyName     string          `json:"family_name"`
	Name           string          `json:"name"`
	BirthDate      string          `json:"birthdate"`
	Email          string          `json:"email"`
	EmailVerified  any             `json:"email_verified"`
	ACR            string          `json:"acr"`
	Nonce          string          `json:"nonce"`
	Txn            string          `json:"txn"`
	VerifiedClaims json.RawMessage `json:"verified_claims"`
}

// Finish completes a login: gotState and code are the callback's "state"
// and "code" parameters. On any error the Identity is nil.
func (c *Client) Finish(ctx context.Context, a *Attempt, gotState, code string) (*Identity, error) {
	// Local checks first: nothing goes to the network for a forged or stale
	// callback.
	if a == nil || a.State == "" || gotState == "" {
		return nil, fmt.Errorf("%w: missing", ErrState)
	}
	if subtle.ConstantTimeCompare([]byte(a.State), []byte(gotState)) != 1 {
		return nil, fmt.Errorf("%w: mismatched", ErrState)
	}
	if a.Created.IsZero() || c.now().Sub(a.Created) > AttemptTTL || a.Created.After(c.now().Add(time.Minute)) {
		return nil, fmt.Errorf("%w: started %s", ErrExpiredAttempt, a.Created.Format(time.RFC3339))
	}
	if code == "" {
		return nil, fmt.Errorf("%w: no code in callback", ErrExchange)
	}
	if a.Nonce == "" || a.Verifier == "" {
		return nil, fmt.Errorf("%w: attempt lacks nonce or verifier", ErrState)
	}

	ctx = gooidc.ClientContext(ctx, c.http) // oauth2 and go-oidc read the same context key
	tok, err := c.oauth.Exchange(ctx, code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrExchange, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fmt.Errorf("%w: no id_token in token response", ErrToken)
	}
	idt, err := c.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrToken, err)
	}
	if idt.Subject == "" {
		return nil, fmt.Errorf("%w: no subject", ErrToken)
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrToken, err)
		}
	}
	var cl claims
	if err := idt.Claims(&cl); err != nil {
		return nil, fmt.Errorf("%w: claims: %v", ErrToken, err)
	}
	if idt.Nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(a.Nonce)) != 1 {
		return nil, ErrNonce
	}
	got, known := c.levelOf(cl.ACR)
	if a.Level != LevelNone && (!known || got < a.Level) {
		return nil, fmt.Errorf("%w: need %s, got acr %q", ErrLevel, a.Level, cl.ACR)
	}
	id := &Identity{
		Issuer:        idt.Issuer,
		Subject:       idt.Subject,
		GivenName:     cl.GivenName,
		FamilyName:    cl.FamilyName,
		Name:          cl.Name,
		BirthDate:     cl.BirthDate,
		Email:         cl.Email,
		EmailVerified: cl.EmailVerified == true || cl.EmailVerified == "true",
		ACR:           cl.ACR,
		Level:         got,
		TxnID:         cl.Txn,
	}
	if c.cfg.Profile == BankID {
		id.VerifiedBirthNumber = verifiedBirthNumber(cl.VerifiedClaims)
	}
	return id, nil
}

// verifiedClaims is one OpenID Connect for Identity Assurance element.
type verifiedClaims struct {
	Verification struct {
		TrustFramework string `json:"trust_framework"`
	} `json:"verification"`
	Claims map[string]any `json:"claims"`
}

// TrustFrameworkCZAML is the BankID trust framework under which the bank
// verified the data (Czech anti-money-laundering identification).
const TrustFrameworkCZAML = "cz_aml"

// verifiedBirthNumber returns the birth number from verified_claims (an
// object or an array of them) verified under cz_aml, else "".
func verifiedBirthNumber(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var list []verifiedClaims
	if err := json.Unmarshal(raw, &list); err != nil {
		var one verifiedClaims
		if err := json.Unmarshal(raw, &one); err != nil {
			return ""
		}
		list = []verifiedClaims{one}
	}
	for _, vc := range list {
		if vc.Verification.TrustFramework != TrustFrameworkCZAML {
			continue
		}
		if s, ok := vc.Claims["birthnumber"].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("oidc: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
