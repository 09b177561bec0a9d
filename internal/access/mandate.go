package access

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/account"
	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/czid"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// Mandate lets a person (the agent) act for a person or a company (the
// grantor) in some agendas for a limited time.
type Mandate struct {
	ID         int64
	TenantID   int64
	Agent      Party // a person
	Grantor    Party // a person or a company
	Agendas    []Agenda
	ValidFrom  time.Time
	ValidUntil time.Time
	CreatedAt  time.Time
	CreatedBy  string
	RevokedAt  time.Time // zero while not revoked
	RevokedBy  string
}

// ActiveAt tells whether the mandate is in force at t.
func (m *Mandate) ActiveAt(t time.Time) bool {
	return m.RevokedAt.IsZero() && !t.Before(m.ValidFrom) && t.Before(m.ValidUntil)
}

// Audit actions of mandates.
const (
	ActionMandateGrant  = "mandate.grant"
	ActionMandateRevoke = "mandate.revoke"
)

// MaxMandate is the longest a mandate given in the portal may run.
const MaxMandate = 5 * 365 * 24 * time.Hour

const mandateColumns = `m.id, m.tenant_id, m.agent_person_id, ap.given_name || ' ' || ap.family_name,
	coalesce(m.grantor_person_id, 0), coalesce(gp.given_name || ' ' || gp.family_name, ''),
	coalesce(m.grantor_company_id, 0), coalesce(gc.name, ''),
	m.agendas, m.valid_from, m.valid_until, m.created_at, m.created_by, m.revoked_at, m.revoked_by`

const mandateFrom = ` FROM mandates m
	JOIN persons ap ON ap.tenant_id = m.tenant_id AND ap.id = m.agent_person_id
	LEFT JOIN persons gp ON gp.tenant_id = m.tenant_id AND gp.id = m.grantor_person_id
	LEFT JOIN companies gc ON gc.tenant_id = m.tenant_id AND gc.id = m.grantor_company_id`

func (s *Service) mandates(ctx context.Context, q db.Querier, tenantID int64, where string, args ...any) ([]*Mandate, error) {
	rows, err := q.Query(ctx, `SELECT `+mandateColumns+mandateFrom+` WHERE m.tenant_id = $1 AND `+where+` ORDER BY m.valid_until DESC, m.id`,
		append([]any{tenantID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Mandate
	for rows.Next() {
		var m Mandate
		var gp, gc int64
		var gpName, gcName, agendas string
		var revoked *time.Time
		if err := rows.Scan(&m.ID, &m.TenantID, &m.Agent.ID, &m.Agent.Name, &gp, &gpName, &gc, &gcName, &agendas,
			&m.ValidFrom, &m.ValidUntil, &m.CreatedAt, &m.CreatedBy, &revoked, &m.RevokedBy); err != nil {
			return nil, err
		}
		m.Agent.Kind = PartyPerson
		if gp != 0 {
			m.Grantor = Party{Kind: PartyPerson, ID: gp, Name: gpName}
		} else {
			m.Grantor = Party{Kind: PartyCompany, ID: gc, Name: gcName}
		}
		for _, a := range strings.Fields(agendas) {
			if ag, ok := ParseAgenda(a); ok {
				m.Agendas = append(m.Agendas, ag)
			}
		}
		if revoked != nil {
			m.RevokedAt = revoked.UTC()
		}
		out = append(out, &m)
	}
	return out, rows.Err()
}

// MandateRequest is what a citizen fills in to give a mandate.
type MandateRequest struct {
	Grantor          string // party key: the citizen's own person or a company they represent
	AgentBirthNumber string // the agent's birth number, as on their identity card
	AgentFamilyName  string // and family name; both must match the town's records
	Agendas          []Agenda
	ValidUntil       time.Time
}

// Mandates returns the mandates the citizen gave (for themselves or for a
// company they represent) and those given to them, newest first.
func (s *Service) Mandates(ctx context.Context, p *Principal) (given, received []*Mandate, err error) {
	defer derr.Wrap(&err, "access.Mandates")
	if p == nil || p.Kind != Citizen || !p.Account.Linked() {
		return nil, nil, nil
	}
	var persons, companies []any
	for _, q := range p.Parties {
		switch {
		case q.Via == ViaSelf && q.Kind == PartyPerson:
			persons = append(persons, q.ID)
		case q.Via == ViaRepresentative:
			companies = append(companies, q.ID)
		}
	}
	q := s.DB.Read()
	where, args := grantorWhere(persons, companies)
	if given, err = s.mandates(ctx, q, p.TenantID, where, args...); err != nil {
		return nil, nil, err
	}
	received, err = s.mandates(ctx, q, p.TenantID, `m.agent_person_id = $2`, p.Self().ID)
	return given, received, err
}

func grantorWhere(persons, companies []any) (string, []any) {
	var parts []string
	var args []any
	n := 2
	for _, id := range persons {
		parts = append(parts, fmt.Sprintf("m.grantor_person_id = $%d", n))
		args = append(args, id)
		n++
	}
	for _, id := range companies {
		parts = append(parts, fmt.Sprintf("m.grantor_company_id = $%d", n))
		args = append(args, id)
		n++
	}
	if len(parts) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// GrantMandate records a mandate the citizen gives, for themselves or for
// a company they represent by law. A mandate holder cannot pass it on.
func (s *Service) GrantMandate(ctx context.Context, p *Principal, r MandateRequest, m Meta) (_ *Mandate, err error) {
	defer derr.Wrap(&err, "access.GrantMandate")
	if p == nil || p.Kind != Citizen || !p.Account.Linked() {
		return nil, derr.ErrForbidden
	}
	grantor, ok := p.Party(r.Grantor)
	if !ok || !(grantor.Via == ViaSelf || grantor.Via == ViaRepresentative) {
		return nil, derr.Invalid("grantor", "mandate.grantor", "you can give a mandate only for yourself or a company you represent")
	}
	var v derr.InvalidError
	bn, bnErr := czid.ParseBirthNumber(r.AgentBirthNumber)
	if bnErr != nil {
		v.Add("agent_birth_number", "mandate.agent.birth_number", "not a valid birth number")
	}
	family := strings.TrimSpace(r.AgentFamilyName)
	if family == "" || len([]rune(family)) > 100 {
		v.Add("agent_family_name", "mandate.agent.family_name", "the family name is required")
	}
	if len(r.Agendas) == 0 {
		v.Add("agendas", "mandate.agendas", "choose at least one agenda")
	}
	now := s.now()
	switch {
	case r.ValidUntil.IsZero() || !r.ValidUntil.After(now):
		v.Add("valid_until", "mandate.until.past", "the end must be in the future")
	case r.ValidUntil.Sub(now) > MaxMandate:
		v.Add("valid_until", "mandate.until.long", "at most five years")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var agendas []string
	for _, a := range Agendas { // stored in canonical order, without duplicates
		for _, b := range r.Agendas {
			if a == b {
				agendas = append(agendas, string(a))
				break
			}
		}
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var agent int64
		var agentFamily string
		err := tx.QueryRow(ctx, `SELECT id, family_name FROM persons WHERE tenant_id = $1 AND birth_number = $2`, p.TenantID, string(bn)).
			Scan(&agent, &agentFamily)
		if errors.Is(err, db.ErrNoRows) || (err == nil && !strings.EqualFold(agentFamily, family)) {
			return derr.Invalid("agent_birth_number", "mandate.agent.unknown", "no person of the town has this birth number and family name")
		}
		if err != nil {
			return err
		}
		if grantor.Kind == PartyPerson && agent == grantor.ID {
			return derr.Invalid("agent_birth_number", "mandate.agent.self", "you cannot give a mandate to yourself")
		}
		var gp, gc any
		if grantor.Kind == PartyPerson {
			gp = grantor.ID
		} else {
			gc = grantor.ID
		}
		by := "account:" + fmt.Sprint(p.Account.ID)
		if err := tx.QueryRow(ctx, `INSERT INTO mandates (tenant_id, agent_person_id, grantor_person_id, grantor_company_id, agendas,
			valid_from, valid_until, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $8) RETURNING id`,
			p.TenantID, agent, gp, gc, strings.Join(agendas, " "), now, r.ValidUntil.UTC(), by).Scan(&id); err != nil {
			return err
		}
		details, _ := json.Marshal(map[string]any{"mandate": id, "grantor": grantor.Key(), "agendas": agendas,
			"until": r.ValidUntil.UTC().Format(time.RFC3339)})
		return s.audit().Record(ctx, tx, &audit.Entry{TenantID: p.TenantID, ActorKind: audit.ActorCitizen, ActorID: p.Account.ID,
			ActorName: p.Account.Name(), Action: ActionMandateGrant, SubjectKind: audit.SubjectPerson, SubjectID: agent,
			Details: details, RequestID: m.RequestID, IP: m.IP})
	})
	if err != nil {
		return nil, err
	}
	ms, err := s.mandates(ctx, s.DB.Read(), p.TenantID, `m.id = $2`, id)
	if err != nil || len(ms) == 0 {
		return nil, errors.Join(err, derr.ErrNotFound)
	}
	return ms[0], nil
}

// RevokeMandate ends a mandate at once. The grantor (or a representative
// of the granting company) and the agent may revoke it; for anybody else it
// does not exist.
func (s *Service) RevokeMandate(ctx context.Context, p *Principal, id int64, m Meta) (err error) {
	defer derr.Wrap(&err, "access.RevokeMandate(%d)", id)
	if p == nil || p.Kind != Citizen || !p.Account.Linked() {
		return derr.ErrNotFound
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		ms, err := s.mandates(ctx, tx, p.TenantID, `m.id = $2`, id)
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			return derr.ErrNotFound
		}
		md := ms[0]
		self := p.Self()
		mine := md.Agent.ID == self.ID || (md.Grantor.Kind == PartyPerson && md.Grantor.ID == self.ID)
		if q, ok := p.Party(md.Grantor.Key()); ok && q.Via == ViaRepresentative {
			mine = true
		}
		if !mine {
			return derr.ErrNotFound
		}
		if !md.RevokedAt.IsZero() {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE mandates SET revoked_at = $1, revoked_by = $2 WHERE tenant_id = $3 AND id = $4`,
			s.now(), "account:"+fmt.Sprint(p.Account.ID), p.TenantID, id); err != nil {
			return err
		}
		details, _ := json.Marshal(map[string]any{"mandate": id, "grantor": md.Grantor.Key()})
		return s.audit().Record(ctx, tx, &audit.Entry{TenantID: p.TenantID, ActorKind: audit.ActorCitizen, ActorID: p.Account.ID,
			ActorName: p.Account.Name(), Action: ActionMandateRevoke, SubjectKind: audit.SubjectPerson, SubjectID: md.Agent.ID,
			Details: details, RequestID: m.RequestID, IP: m.IP})
	})
}

// Meta is what the face knows of the request, for the audit log.
type Meta = account.Meta
