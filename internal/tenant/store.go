package tenant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/i18n"
)

// Store reads and writes towns.
type Store struct {
	DB *db.DB
}

const columns = `id, slug, name, official_name, ico, data_box, coat_of_arms, color_primary, color_accent,
	iban, email, phone, address, office_hours, default_lang, demo, created_at, updated_at`

// Create adds a town with its host names.
func (s *Store) Create(ctx context.Context, t *Tenant) (err error) {
	defer derr.Wrap(&err, "tenant.Create(%q)", t.Slug)
	t.Normalize()
	if err := t.Validate(); err != nil {
		return err
	}
	now := time.Now().UTC()
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO tenants (slug, name, official_name, ico, data_box, coat_of_arms,
			color_primary, color_accent, iban, email, phone, address, office_hours, default_lang, demo, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id`,
			t.Slug, t.Name, t.OfficialName, t.ICO, t.DataBox, t.CoatOfArms, t.ColorPrimary, t.ColorAccent,
			t.IBAN, t.Email, t.Phone, t.Address, t.hoursJSON(), string(t.DefaultLang), t.Demo, now).Scan(&t.ID)
		if db.IsUniqueViolation(err) {
			return derr.Invalid("slug", "tenant.slug.taken", fmt.Sprintf("a town %q exists already", t.Slug))
		}
		if err != nil {
			return err
		}
		for _, h := range t.Hosts {
			_, err := tx.Exec(ctx, `INSERT INTO tenant_hosts (host, tenant_id) VALUES ($1, $2)`, h, t.ID)
			if db.IsUniqueViolation(err) {
				return derr.Invalid("hosts", "tenant.hosts.taken", fmt.Sprintf("host %q already serves another town", h))
			}
			if err != nil {
				return err
			}
		}
		t.CreatedAt, t.UpdatedAt = now, now
		return nil
	})
}

// BySlug finds a town by its slug.
func (s *Store) BySlug(ctx context.Context, slug string) (_ *Tenant, err error) {
	defer derr.Wrap(&err, "tenant.BySlug(%q)", slug)
	all, err := s.list(ctx, `WHERE slug = $1`, slug)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, derr.ErrNotFound
	}
	return all[0], nil
}

// Get finds a town by its id.
func (s *Store) Get(ctx context.Context, id int64) (_ *Tenant, err error) {
	defer derr.Wrap(&err, "tenant.Get(%d)", id)
	all, err := s.list(ctx, `WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, derr.ErrNotFound
	}
	return all[0], nil
}

// All lists every town with its hosts.
func (s *Store) All(ctx context.Context) (_ []*Tenant, err error) {
	defer derr.Wrap(&err, "tenant.All")
	return s.list(ctx, `ORDER BY id`)
}

func (s *Store) list(ctx context.Context, where string, args ...any) ([]*Tenant, error) {
	rows, err := s.DB.Read().Query(ctx, `SELECT `+columns+` FROM tenants `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Tenant
	byID := map[int64]*Tenant{}
	for rows.Next() {
		var t Tenant
		var hours, lang string
		if err := rows.Scan(&t.ID, &t.Slug, &t.Name, &t.OfficialName, &t.ICO, &t.DataBox, &t.CoatOfArms,
			&t.ColorPrimary, &t.ColorAccent, &t.IBAN, &t.Email, &t.Phone, &t.Address, &hours, &lang, &t.Demo,
			&t.CreatedAt, &t.UpdatedAt); err != nil {
			return nil, err
		}
		t.DefaultLang = i18n.Lang(lang)
		if err := json.Unmarshal([]byte(hours), &t.OfficeHours); err != nil {
			return nil, fmt.Errorf("town %s: office hours: %w", t.Slug, err)
		}
		out = append(out, &t)
		byID[t.ID] = &t
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	hrows, err := s.DB.Read().Query(ctx, `SELECT host, tenant_id FROM tenant_hosts ORDER BY host`)
	if err != nil {
		return nil, err
	}
	defer hrows.Close()
	for hrows.Next() {
		var host string
		var id int64
		if err := hrows.Scan(&host, &id); err != nil {
			return nil, err
		}
		if t := byID[id]; t != nil {
			t.Hosts = append(t.Hosts, host)
		}
	}
	return out, hrows.Err()
}

// Registry answers "which town is this host?" from memory; it reloads from
// the database when told to and at least every TTL, so a town added by
// another instance appears without a restart.
type Registry struct {
	store *Store
	ttl   time.Duration

	mu     sync.RWMutex
	byHost map[string]*Tenant
	loaded time.Time
}

// NewRegistry loads every town once.
func NewRegistry(ctx context.Context, s *Store, ttl time.Duration) (*Registry, error) {
	r := &Registry{store: s, ttl: ttl}
	return r, r.Reload(ctx)
}

// Reload reads every town afresh.
func (r *Registry) Reload(ctx context.Context) error {
	all, err := r.store.All(ctx)
	if err != nil {
		return err
	}
	m := make(map[string]*Tenant)
	for _, t := range all {
		for _, h := range t.Hosts {
			m[h] = t
		}
	}
	r.mu.Lock()
	r.byHost, r.loaded = m, time.Now()
	r.mu.Unlock()
	return nil
}

// ByHost returns the town served at host (a Host header, port allowed), or
// ErrNotFound.
func (r *Registry) ByHost(ctx context.Context, host string) (*Tenant, error) {
	r.mu.RLock()
	stale := time.Since(r.loaded) > r.ttl
	r.mu.RUnlock()
	if stale {
		if err := r.Reload(ctx); err != nil {
			if errors.Is(err, context.Canceled) {
				return nil, err
			}
			// Keep serving what we know and try again after another TTL,
			// so a database that is away is not asked on every request.
			r.mu.Lock()
			r.loaded = time.Now()
			r.mu.Unlock()
		}
	}
	r.mu.RLock()
	t := r.byHost[NormalizeHost(host)]
	r.mu.RUnlock()
	if t == nil {
		return nil, derr.ErrNotFound
	}
	return t, nil
}

// Hosts lists every host name that serves a town.
func (r *Registry) Hosts() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.byHost))
	for h := range r.byHost {
		out = append(out, h)
	}
	return out
}
