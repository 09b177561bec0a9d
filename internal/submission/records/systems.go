package records

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// ActionSave is the audit action of a change of a town's records system.
const ActionSave = "records.save"

// Config is a town's records management (a row of records_systems).
type Config struct {
	TenantID  int64
	BaseURL   string
	Token     string // never shown, logged or audited
	Enabled   bool
	UpdatedAt time.Time
}

// Status is a town's configuration (without the token) and how far its
// sync has got.
type Status struct {
	Config
	Cursor   string
	SyncedAt *time.Time
}

// Systems keeps each town's records management and builds its client.
type Systems struct {
	DB    *db.DB
	Audit *audit.Store // nil: the DB's own
	// HTTP makes the adapters' calls; nil: Client's default, with timeouts.
	HTTP *http.Client
	Log  *slog.Logger
	// Build makes the System of a configuration; nil: the REST/JSON Client.
	Build func(Config) System
	Now   func() time.Time

	mu    sync.Mutex
	built map[int64]builtSystem
}

type builtSystem struct {
	url, token string
	sys        System
}

func (s *Systems) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

func (s *Systems) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

// CheckURL tells what is wrong with a records system's address, "" when
// nothing: it must be an absolute http or https URL without credentials,
// a query or a fragment.
func CheckURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		return "must be an absolute URL, e.g. https://spisovka.example.cz/api/v1"
	case u.Scheme != "https" && u.Scheme != "http":
		return "must be http or https"
	case u.User != nil:
		return "must not carry credentials: the token is given apart"
	case u.RawQuery != "" || u.Fragment != "":
		return "must not have a query or a fragment"
	}
	return ""
}

// Save adds or replaces the town's records management. Pointed at another
// address, the town's sync starts from the beginning of the new system's
// change feed (applying it again changes nothing already applied). The
// change is audited without the token.
func (s *Systems) Save(ctx context.Context, by audit.Actor, c *Config) (err error) {
	defer derr.Wrap(&err, "records.Save(%d)", c.TenantID)
	c.BaseURL = strings.TrimRight(strings.TrimSpace(c.BaseURL), "/")
	c.Token = strings.TrimSpace(c.Token)
	var v derr.InvalidError
	if c.TenantID <= 0 {
		v.Add("tenant", "records.tenant", "no town")
	}
	if msg := CheckURL(c.BaseURL); msg != "" {
		v.Add("url", "records.url", msg)
	}
	if c.Token == "" || strings.ContainsAny(c.Token, "\r\n") {
		v.Add("token", "records.token", "the token must be one non-empty line")
	}
	if err := v.Err(); err != nil {
		return err
	}
	now := s.now()
	au := s.Audit
	if au == nil {
		au = &audit.Store{DB: s.DB}
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var old string
		err := tx.QueryRow(ctx, `SELECT base_url FROM records_systems WHERE tenant_id = $1`+tx.ForUpdate(), c.TenantID).Scan(&old)
		if err != nil && !errors.Is(err, db.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO records_systems (tenant_id, base_url, token, enabled, updated_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (tenant_id) DO UPDATE SET base_url = excluded.base_url, token = excluded.token,
				enabled = excluded.enabled, updated_at = excluded.updated_at`,
			c.TenantID, c.BaseURL, c.Token, c.Enabled, now); err != nil {
			return err
		}
		if old != c.BaseURL {
			if _, err := tx.Exec(ctx, `INSERT INTO records_sync (tenant_id, cursor) VALUES ($1, '')
				ON CONFLICT (tenant_id) DO UPDATE SET cursor = '', synced_at = NULL`, c.TenantID); err != nil {
				return err
			}
		}
		host := ""
		if u, err := url.Parse(c.BaseURL); err == nil {
			host = u.Host
		}
		details, _ := json.Marshal(map[string]any{"host": host, "enabled": c.Enabled, "moved": old != c.BaseURL})
		return au.Record(ctx, tx, &audit.Entry{TenantID: c.TenantID, ActorKind: by.Kind, ActorID: by.ID, ActorName: by.Name,
			Action: ActionSave, Details: details})
	})
	if err != nil {
		return err
	}
	c.UpdatedAt = now
	s.mu.Lock()
	delete(s.built, c.TenantID)
	s.mu.Unlock()
	return nil
}

// Statuses lists the towns that have records management configured, in
// the order of their ids (tokens left out).
func (s *Systems) Statuses(ctx context.Context) (_ []Status, err error) {
	defer derr.Wrap(&err, "records.Statuses")
	rows, err := s.DB.Read().Query(ctx, `SELECT r.tenant_id, r.base_url, r.enabled, r.updated_at, coalesce(y.cursor, ''), y.synced_at
		FROM records_systems r LEFT JOIN records_sync y ON y.tenant_id = r.tenant_id ORDER BY r.tenant_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Status
	for rows.Next() {
		var st Status
		if err := rows.Scan(&st.TenantID, &st.BaseURL, &st.Enabled, &st.UpdatedAt, &st.Cursor, &st.SyncedAt); err != nil {
			return nil, err
		}
		st.UpdatedAt = st.UpdatedAt.UTC()
		out = append(out, st)
	}
	return out, rows.Err()
}

// config reads the town's row.
func (s *Systems) config(ctx context.Context, tenantID int64) (*Config, error) {
	c := Config{TenantID: tenantID}
	err := s.DB.Read().QueryRow(ctx, `SELECT base_url, token, enabled, updated_at FROM records_systems WHERE tenant_id = $1`, tenantID).
		Scan(&c.BaseURL, &c.Token, &c.Enabled, &c.UpdatedAt)
	if errors.Is(err, db.ErrNoRows) {
		return nil, ErrNotConfigured
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// For returns the town's records management, ErrNotConfigured when it has
// none or it is off. The client is built once per configuration.
func (s *Systems) For(ctx context.Context, tenantID int64) (_ System, err error) {
	defer derr.Wrap(&err, "records.For(%d)", tenantID)
	c, err := s.config(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if !c.Enabled {
		return nil, ErrNotConfigured
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.built[tenantID]; ok && b.url == c.BaseURL && b.token == c.Token {
		return b.sys, nil
	}
	var sys System
	if s.Build != nil {
		sys = s.Build(*c)
	} else {
		sys = NewClient(c.BaseURL, c.Token, s.HTTP, s.log().With("tenant", tenantID))
	}
	if s.built == nil {
		s.built = map[int64]builtSystem{}
	}
	s.built[tenantID] = builtSystem{url: c.BaseURL, token: c.Token, sys: sys}
	return sys, nil
}

// Enabled lists the towns whose records management is on.
func (s *Systems) Enabled(ctx context.Context) (_ []int64, err error) {
	defer derr.Wrap(&err, "records.Enabled")
	rows, err := s.DB.Read().Query(ctx, `SELECT tenant_id FROM records_systems WHERE enabled ORDER BY tenant_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Cursor is where the town's sync goes on from, "" from the beginning.
func (s *Systems) Cursor(ctx context.Context, tenantID int64) (string, error) {
	var c string
	err := s.DB.Read().QueryRow(ctx, `SELECT cursor FROM records_sync WHERE tenant_id = $1`, tenantID).Scan(&c)
	if errors.Is(err, db.ErrNoRows) {
		return "", nil
	}
	return c, err
}

// lockCursor reads the town's cursor inside tx and holds it until tx
// ends, so that two syncs of one town never apply the same page together.
func lockCursor(ctx context.Context, tx *db.Tx, tenantID int64) (string, error) {
	if _, err := tx.Exec(ctx, `INSERT INTO records_sync (tenant_id, cursor) VALUES ($1, '') ON CONFLICT (tenant_id) DO NOTHING`, tenantID); err != nil {
		return "", err
	}
	var c string
	err := tx.QueryRow(ctx, `SELECT cursor FROM records_sync WHERE tenant_id = $1`+tx.ForUpdate(), tenantID).Scan(&c)
	return c, err
}

// saveCursor stores the cursor inside tx, the transaction that applied
// the changes it covers.
func saveCursor(ctx context.Context, tx *db.Tx, tenantID int64, cursor string, at time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE records_sync SET cursor = $1, synced_at = $2 WHERE tenant_id = $3`, cursor, at, tenantID)
	return err
}
