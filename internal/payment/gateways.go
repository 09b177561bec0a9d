package payment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// Each town configures its own card gateway: a row of payment_gateways per
// gateway it has a contract with, at most one of them active. New card
// payments go through the active one; a payment keeps the gateway it was
// made with, so it is still resolved (returns, pushes, the sweeper) through
// that gateway's row after the town switches to another.

// The gateways a town can configure (the schema's check).
const (
	GatewayGPWebpay = "gpwebpay"
	GatewayComGate  = "comgate"
)

// KnownGateway reports whether name is a gateway a town can configure.
func KnownGateway(name string) bool { return name == GatewayGPWebpay || name == GatewayComGate }

// ActionGatewaySave is the audit action of a change of a town's gateway.
const ActionGatewaySave = "payment.gateway.save"

// GatewaySource gives the Service each town's card gateways.
type GatewaySource interface {
	// Gateway is the town's gateway called name, active or not.
	// derr.ErrNotFound when the town has none of that name.
	Gateway(ctx context.Context, tenantID int64, name string) (Gateway, error)
	// Active is the name of the gateway the town's new card payments go
	// through; "" when the town takes no card payments.
	Active(ctx context.Context, tenantID int64) (string, error)
}

// StaticGateways is a GatewaySource that gives every town the same
// gateways, by name (tests). A single gateway is active; with several,
// none is, since nothing says which.
type StaticGateways map[string]Gateway

// Gateway returns the gateway called name.
func (m StaticGateways) Gateway(_ context.Context, _ int64, name string) (Gateway, error) {
	if gw := m[name]; gw != nil {
		return gw, nil
	}
	return nil, derr.ErrNotFound
}

// Active is the only gateway's name, or "".
func (m StaticGateways) Active(context.Context, int64) (string, error) {
	if len(m) == 1 {
		for name := range m {
			return name, nil
		}
	}
	return "", nil
}

// GatewayConfig is one town's configuration of one gateway: a row of
// payment_gateways.
type GatewayConfig struct {
	TenantID int64
	Name     string // GatewayGPWebpay, GatewayComGate
	// Settings is a JSON object with what is not secret (merchant,
	// addresses, the gateway's public key), as the adapter's builder
	// (payment/gateways) reads it.
	Settings json.RawMessage
	// Secret is the merchant's private key or API secret. It is never
	// shown, logged or put in the audit log; Gateways leaves it empty.
	Secret    string
	Active    bool
	UpdatedAt time.Time
}

// GatewayStore keeps the towns' gateway rows and builds a client from each
// when a payment needs it. It is a GatewaySource.
type GatewayStore struct {
	DB    *db.DB
	Audit *audit.Store // nil: a store on DB
	// Build makes the adapter for a row. SaveGateway refuses a row it
	// cannot build, so a bad key never reaches the table.
	Build func(*GatewayConfig) (Gateway, error)
	Now   func() time.Time

	mu    sync.Mutex
	built map[gatewayKey]builtGateway
}

type gatewayKey struct {
	tenantID int64
	name     string
}

// builtGateway is a client with the row it was built from.
type builtGateway struct {
	settings, secret string
	gw               Gateway
}

var _ GatewaySource = (*GatewayStore)(nil)

func (s *GatewayStore) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *GatewayStore) audit() *audit.Store {
	if s.Audit != nil {
		return s.Audit
	}
	return &audit.Store{DB: s.DB, Now: s.Now}
}

// SaveGateway adds the town's gateway or replaces its configuration. An
// active gateway becomes the town's only active one: the others are
// switched off in the same transaction. The change is audited (the
// gateway's name and whether it is active; never the settings' values or
// the secret).
func (s *GatewayStore) SaveGateway(ctx context.Context, by audit.Actor, c *GatewayConfig) (err error) {
	defer derr.Wrap(&err, "payment.SaveGateway(%d, %q)", c.TenantID, c.Name)
	if c.TenantID <= 0 {
		return derr.Invalid("tenant", "payment.gateway.tenant", "no town")
	}
	if !KnownGateway(c.Name) {
		return derr.Invalid("name", "payment.gateway.name", "gpwebpay or comgate")
	}
	if len(bytes.TrimSpace(c.Settings)) == 0 {
		c.Settings = json.RawMessage("{}")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, c.Settings); err != nil || compact.Bytes()[0] != '{' {
		return derr.Invalid("settings", "payment.gateway.settings", "settings must be a JSON object")
	}
	c.Settings = compact.Bytes()
	if s.Build != nil {
		if _, err := s.Build(c); err != nil {
			return derr.Invalid("settings", "payment.gateway.settings", err.Error())
		}
	}
	now := s.now().Truncate(time.Microsecond)
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if c.Active {
			// Before the upsert: the unique index allows one active
			// gateway per town at every statement.
			if _, err := tx.Exec(ctx, `UPDATE payment_gateways SET active = $1, updated_at = $2
				WHERE tenant_id = $3 AND name <> $4 AND active`, false, now, c.TenantID, c.Name); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO payment_gateways (tenant_id, name, settings, secret, active, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (tenant_id, name) DO UPDATE SET settings = excluded.settings, secret = excluded.secret,
				active = excluded.active, updated_at = excluded.updated_at`,
			c.TenantID, c.Name, string(c.Settings), c.Secret, c.Active, now); err != nil {
			return err
		}
		details, _ := json.Marshal(map[string]any{"gateway": c.Name, "active": c.Active})
		return s.audit().Record(ctx, tx, &audit.Entry{TenantID: c.TenantID, ActorKind: by.Kind, ActorID: by.ID,
			ActorName: by.Name, Action: ActionGatewaySave, Details: details})
	})
	if db.IsUniqueViolation(err) {
		// Another official made another gateway of the town active at the
		// same moment: theirs stands; this one may be saved again.
		return derr.ErrConflict
	}
	if err != nil {
		return err
	}
	c.UpdatedAt = now
	return nil
}

// Gateways lists the town's gateways by name, without their secrets.
func (s *GatewayStore) Gateways(ctx context.Context, tenantID int64) (_ []*GatewayConfig, err error) {
	defer derr.Wrap(&err, "payment.Gateways(%d)", tenantID)
	rows, err := s.DB.Read().Query(ctx, `SELECT tenant_id, name, settings, active, updated_at FROM payment_gateways
		WHERE tenant_id = $1 ORDER BY name`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*GatewayConfig
	for rows.Next() {
		var c GatewayConfig
		var settings string
		if err := rows.Scan(&c.TenantID, &c.Name, &settings, &c.Active, &c.UpdatedAt); err != nil {
			return nil, err
		}
		c.Settings, c.UpdatedAt = json.RawMessage(settings), c.UpdatedAt.UTC()
		out = append(out, &c)
	}
	return out, rows.Err()
}

// Active is the name of the town's active gateway, "" when it has none.
func (s *GatewayStore) Active(ctx context.Context, tenantID int64) (_ string, err error) {
	defer derr.Wrap(&err, "payment.ActiveGateway(%d)", tenantID)
	var name string
	err = s.DB.Read().QueryRow(ctx, `SELECT name FROM payment_gateways WHERE tenant_id = $1 AND active`, tenantID).Scan(&name)
	if errors.Is(err, db.ErrNoRows) {
		return "", nil
	}
	return name, err
}

// Gateway is the client of the town's gateway called name, active or not.
// The row is read every time, so a change made by another process (the
// command line, another instance) is used at once; the client is built
// again only when the row's settings or secret differ from the ones it was
// built from (building parses keys).
func (s *GatewayStore) Gateway(ctx context.Context, tenantID int64, name string) (_ Gateway, err error) {
	defer derr.Wrap(&err, "payment.Gateway(%d, %q)", tenantID, name)
	if !KnownGateway(name) {
		return nil, derr.ErrNotFound
	}
	var settings, secret string
	err = s.DB.Read().QueryRow(ctx, `SELECT settings, secret FROM payment_gateways WHERE tenant_id = $1 AND name = $2`,
		tenantID, name).Scan(&settings, &secret)
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	key := gatewayKey{tenantID, name}
	s.mu.Lock()
	b, ok := s.built[key]
	s.mu.Unlock()
	if ok && b.settings == settings && b.secret == secret {
		return b.gw, nil
	}
	if s.Build == nil {
		return nil, errors.New("no gateway builder")
	}
	// Built outside the lock: two requests racing here build twice, and
	// either client serves, as both come from the same row.
	gw, err := s.Build(&GatewayConfig{TenantID: tenantID, Name: name, Settings: json.RawMessage(settings), Secret: secret})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.built == nil {
		s.built = map[gatewayKey]builtGateway{}
	}
	s.built[key] = builtGateway{settings: settings, secret: secret, gw: gw}
	s.mu.Unlock()
	return gw, nil
}
