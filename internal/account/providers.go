package account

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/radnice/radnice/internal/auth/oidc"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// Provider is one identity provider a town offers for citizen login.
type Provider struct {
	ID           int64
	TenantID     int64
	Slug         string // in URLs: /prihlaseni/{slug}
	Name         string // on the button: "eIdentita", "BankID"
	Profile      oidc.Profile
	Issuer       string
	ClientID     string
	ClientSecret string
	Scopes       []string
	Level        oidc.Level // the least level a login through it must have
	GenericACR   map[oidc.Level]string
	Position     int
	Enabled      bool
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// ParseLevel reads "none", "low", "substantial", "high".
func ParseLevel(s string) (oidc.Level, bool) {
	for l := oidc.LevelNone; l <= oidc.LevelHigh; l++ {
		if l.String() == s {
			return l, true
		}
	}
	return oidc.LevelNone, false
}

func (p *Provider) validate() error {
	var v derr.InvalidError
	if !slugRE.MatchString(p.Slug) {
		v.Add("slug", "idp.slug", "lower-case letters, digits and dashes, at most 40")
	}
	if strings.TrimSpace(p.Name) == "" {
		v.Add("name", "idp.name", "a name is required")
	}
	switch p.Profile {
	case oidc.NIA, oidc.BankID, oidc.Generic:
	default:
		v.Add("profile", "idp.profile", "nia, bankid or generic")
	}
	if u, err := url.Parse(p.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		v.Add("issuer", "idp.issuer", "an absolute http(s) URL")
	}
	if p.ClientID == "" {
		v.Add("client_id", "idp.client_id", "the client id is required")
	}
	if p.Level == oidc.LevelNone && p.Profile != oidc.Generic {
		v.Add("level", "idp.level", "NIA and BankID logins must require a level")
	}
	if p.Profile == oidc.Generic && p.Level != oidc.LevelNone && p.GenericACR[p.Level] == "" {
		v.Add("generic_acr", "idp.generic_acr", "a generic provider needs the acr value of its level")
	}
	return v.Err()
}

// SaveProvider adds a provider to the town or, when the slug exists,
// replaces its settings.
func (s *Store) SaveProvider(ctx context.Context, p *Provider) (err error) {
	defer derr.Wrap(&err, "account.SaveProvider(%d, %q)", p.TenantID, p.Slug)
	if err := p.validate(); err != nil {
		return err
	}
	acr := map[string]string{}
	for l, v := range p.GenericACR {
		acr[l.String()] = v
	}
	acrJSON, _ := json.Marshal(acr)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE identity_providers SET name = $1, profile = $2, issuer = $3, client_id = $4,
			client_secret = $5, scopes = $6, level = $7, generic_acr = $8, position = $9, enabled = $10
			WHERE tenant_id = $11 AND slug = $12`, p.Name, string(p.Profile), p.Issuer, p.ClientID, p.ClientSecret,
			strings.Join(p.Scopes, " "), p.Level.String(), string(acrJSON), p.Position, p.Enabled, p.TenantID, p.Slug)
		if err != nil {
			return err
		}
		if n > 0 {
			return tx.QueryRow(ctx, `SELECT id FROM identity_providers WHERE tenant_id = $1 AND slug = $2`, p.TenantID, p.Slug).Scan(&p.ID)
		}
		return tx.QueryRow(ctx, `INSERT INTO identity_providers (tenant_id, slug, name, profile, issuer, client_id, client_secret,
			scopes, level, generic_acr, position, enabled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			p.TenantID, p.Slug, p.Name, string(p.Profile), p.Issuer, p.ClientID, p.ClientSecret, strings.Join(p.Scopes, " "),
			p.Level.String(), string(acrJSON), p.Position, p.Enabled).Scan(&p.ID)
	})
}

// Providers lists the town's providers in their order; with enabledOnly,
// only those offered on the login page.
func (s *Store) Providers(ctx context.Context, tenantID int64, enabledOnly bool) (_ []*Provider, err error) {
	defer derr.Wrap(&err, "account.Providers(%d)", tenantID)
	rows, err := s.DB.Read().Query(ctx, `SELECT id, tenant_id, slug, name, profile, issuer, client_id, client_secret, scopes,
		level, generic_acr, position, enabled FROM identity_providers WHERE tenant_id = $1 ORDER BY position, slug`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Provider
	for rows.Next() {
		var p Provider
		var profile, scopes, level, acr string
		if err := rows.Scan(&p.ID, &p.TenantID, &p.Slug, &p.Name, &profile, &p.Issuer, &p.ClientID, &p.ClientSecret,
			&scopes, &level, &acr, &p.Position, &p.Enabled); err != nil {
			return nil, err
		}
		p.Profile = oidc.Profile(profile)
		p.Scopes = strings.Fields(scopes)
		p.Level, _ = ParseLevel(level)
		var m map[string]string
		if err := json.Unmarshal([]byte(acr), &m); err == nil && len(m) > 0 {
			p.GenericACR = map[oidc.Level]string{}
			for k, v := range m {
				if l, ok := ParseLevel(k); ok {
					p.GenericACR[l] = v
				}
			}
		}
		if enabledOnly && !p.Enabled {
			continue
		}
		out = append(out, &p)
	}
	return out, rows.Err()
}

// Provider returns one enabled provider of the town by slug.
func (s *Store) Provider(ctx context.Context, tenantID int64, slug string) (*Provider, error) {
	all, err := s.Providers(ctx, tenantID, true)
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		if p.Slug == slug {
			return p, nil
		}
	}
	return nil, fmt.Errorf("account.Provider(%d, %q): %w", tenantID, slug, derr.ErrNotFound)
}

// ErrProviderUnavailable means the provider could not be reached (its
// discovery document or keys); the login page says so calmly.
var ErrProviderUnavailable = errors.New("identity provider unavailable")

// Logins runs citizen logins against the towns' providers. It discovers a
// provider once per configuration and redirect address and keeps the
// client; a failed discovery is tried again at the next login.
type Logins struct {
	Store *Store
	HTTP  *http.Client // nil: a client with a 10-second timeout
	// Now is the relying party's clock (tests); nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	clients map[string]*oidc.Client
}

func (l *Logins) client(ctx context.Context, p *Provider, redirectURL string) (*oidc.Client, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%v\x00%s", p.ID, p.Profile, p.Issuer, p.ClientID, p.ClientSecret,
		strings.Join(p.Scopes, " "), redirectURL, p.GenericACR, p.Name)
	key := hex.EncodeToString(h.Sum(nil))
	l.mu.Lock()
	c := l.clients[key]
	l.mu.Unlock()
	if c != nil {
		return c, nil
	}
	hc := l.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := oidc.New(dctx, oidc.ProviderConfig{Name: p.Name, Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: p.ClientSecret,
		RedirectURL: redirectURL, Scopes: p.Scopes, Profile: p.Profile, GenericACR: p.GenericACR}, hc)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProviderUnavailable, err)
	}
	c.Now = l.Now
	l.mu.Lock()
	if l.clients == nil {
		l.clients = map[string]*oidc.Client{}
	}
	l.clients[key] = c
	l.mu.Unlock()
	return c, nil
}

// Start begins a login through the town's provider slug that needs at
// least level (the provider's own level when higher). redirectURL is the
// callback on the host the person is on.
func (l *Logins) Start(ctx context.Context, tenantID int64, slug, redirectURL string, level oidc.Level) (*oidc.Attempt, string, error) {
	p, err := l.Store.Provider(ctx, tenantID, slug)
	if err != nil {
		return nil, "", err
	}
	c, err := l.client(ctx, p, redirectURL)
	if err != nil {
		return nil, "", err
	}
	return c.Start(max(level, p.Level))
}

// Finish completes a login started with Start.
func (l *Logins) Finish(ctx context.Context, tenantID int64, slug, redirectURL string, a *oidc.Attempt, state, code string) (*oidc.Identity, error) {
	p, err := l.Store.Provider(ctx, tenantID, slug)
	if err != nil {
		return nil, err
	}
	c, err := l.client(ctx, p, redirectURL)
	if err != nil {
		return nil, err
	}
	return c.Finish(ctx, a, state, code)
}
