// Package access is the one place that decides who may do what: it turns a
// session into a Principal (anonymous, a citizen acting for somebody, or an
// official with roles), lists whom a citizen may act for (themselves, the
// companies they represent, their minor children, those who gave them a
// mandate), and checks a route's Rule and a service's agenda.
//
// The faces declare a Rule per route and ask the Principal for the party to
// act for; the domain services take that party and scope every query by it.
// Nothing else decides access.
package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/radnice/radnice/internal/account"
	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/auth/oidc"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// Kind of principal.
type Kind int

const (
	Anonymous Kind = iota
	Citizen
	Official
)

func (k Kind) String() string {
	switch k {
	case Citizen:
		return "citizen"
	case Official:
		return "official"
	}
	return "anonymous"
}

// Agenda is an area of the town's business a mandate can be limited to.
type Agenda string

const (
	AgendaObligations Agenda = "obligations" // what is owed, payments
	AgendaSubmissions Agenda = "submissions" // forms, cases
)

// Agendas lists every agenda, in display order.
var Agendas = []Agenda{AgendaObligations, AgendaSubmissions}

// ParseAgenda reads an agenda name.
func ParseAgenda(s string) (Agenda, bool) {
	a := Agenda(s)
	return a, slices.Contains(Agendas, a)
}

// PartyKind is what a party is.
type PartyKind string

const (
	PartyPerson  PartyKind = "person"  // a person of the town's records
	PartyCompany PartyKind = "company" // a company of the town's records
	PartyAccount PartyKind = "account" // an account not (yet) linked to records
)

// Via says why a citizen may act for a party.
type Via string

const (
	ViaSelf           Via = "self"
	ViaRepresentative Via = "representative" // statutory representative of a company
	ViaParent         Via = "parent"         // parent of a minor in the same household
	ViaMandate        Via = "mandate"
)

// Party is somebody a citizen acts for.
type Party struct {
	Kind      PartyKind
	ID        int64
	Name      string
	Via       Via
	Agendas   []Agenda  // nil: every agenda
	Until     time.Time // a mandate's end; zero otherwise
	MandateID int64
	// Households the citizen is an adult of (their own party only): a
	// household's obligations are every adult's to see and pay.
	Households []int64
}

// Key identifies the party in forms and the session ("company:12").
func (p Party) Key() string { return string(p.Kind) + ":" + strconv.FormatInt(p.ID, 10) }

// Allows tells whether the party may be acted for in agenda.
func (p Party) Allows(a Agenda) bool {
	if p.Kind == PartyAccount {
		return false // an unlinked account has no records to act on
	}
	return p.Agendas == nil || slices.Contains(p.Agendas, a)
}

// Principal is who is asking.
type Principal struct {
	Kind     Kind
	TenantID int64
	Account  *account.Account // Citizen
	Staff    *auth.Staff      // Official
	Level    oidc.Level       // the level of assurance of this login (citizens)
	// Parties are whom the citizen may act for, themselves first.
	Parties []Party
	// Acting is the party the citizen acts for now (one of Parties).
	Acting Party
	// ConsentNeeded: the town has terms the citizen has not accepted yet.
	ConsentNeeded bool
	// SessionKey identifies the session's owner ("account:12", "staff:3").
	SessionKey string
}

// AnonymousIn is nobody, in a town.
func AnonymousIn(tenantID int64) *Principal { return &Principal{Kind: Anonymous, TenantID: tenantID} }

// Actor is the principal as an audit actor.
func (p *Principal) Actor() audit.Actor {
	switch p.Kind {
	case Citizen:
		return p.Account.Actor()
	case Official:
		return audit.Actor{Kind: audit.ActorStaff, ID: p.Staff.ID, Name: p.Staff.Name}
	}
	return audit.Actor{Kind: "anonymous", Name: "anonymous"}
}

// Name is how the header names the principal.
func (p *Principal) Name() string {
	switch p.Kind {
	case Citizen:
		return p.Account.Name()
	case Official:
		return p.Staff.Name
	}
	return ""
}

// ActFor returns the party the citizen acts for, when it may be acted for
// in agenda; ErrForbidden otherwise (an official, anonymous, an unlinked
// account, a mandate for another agenda).
func (p *Principal) ActFor(a Agenda) (Party, error) {
	if p == nil || p.Kind != Citizen {
		return Party{}, derr.ErrForbidden
	}
	if !p.Acting.Allows(a) {
		return Party{}, fmt.Errorf("%w: acting for %s in %s", derr.ErrForbidden, p.Acting.Key(), a)
	}
	return p.Acting, nil
}

// Party returns the party with key among those the citizen may act for.
func (p *Principal) Party(key string) (Party, bool) {
	if p == nil {
		return Party{}, false
	}
	for _, q := range p.Parties {
		if q.Key() == key {
			return q, true
		}
	}
	return Party{}, false
}

// PartiesIn lists the parties the citizen may act for in agenda (none for
// anybody else).
func (p *Principal) PartiesIn(a Agenda) []Party {
	if p == nil || p.Kind != Citizen {
		return nil
	}
	var out []Party
	for _, q := range p.Parties {
		if q.Allows(a) {
			out = append(out, q)
		}
	}
	return out
}

// Owner returns the party the citizen may act for in agenda that owns a
// record owned by person personID or, when that is 0, by company
// companyID, or owed by household householdID (0: none) when the citizen
// is an adult of it. false means the record is not theirs to see: the
// faces answer as if it did not exist.
func (p *Principal) Owner(a Agenda, personID, companyID, householdID int64) (Party, bool) {
	for _, q := range p.PartiesIn(a) {
		if (q.Kind == PartyPerson && personID != 0 && q.ID == personID) ||
			(q.Kind == PartyCompany && personID == 0 && companyID != 0 && q.ID == companyID) ||
			(q.Kind == PartyPerson && householdID != 0 && slices.Contains(q.Households, householdID)) {
			return q, true
		}
	}
	return Party{}, false
}

// Self is the citizen's own party (the first).
func (p *Principal) Self() Party {
	if p == nil || len(p.Parties) == 0 {
		return Party{}
	}
	return p.Parties[0]
}

// HasRole tells whether an official holds any of roles (a case worker of
// any department counts for CaseWorker).
func (p *Principal) HasRole(roles ...auth.Role) bool {
	if p == nil || p.Kind != Official {
		return false
	}
	for _, g := range p.Staff.Grants {
		if slices.Contains(roles, g.Role) {
			return true
		}
	}
	return false
}

// Require returns ErrForbidden unless the principal is an official holding
// one of roles.
func (p *Principal) Require(roles ...auth.Role) error {
	if p.HasRole(roles...) {
		return nil
	}
	return derr.ErrForbidden
}

// Session data keys the access layer reads.
const (
	KeyAccount = "account"  // a signed-in citizen's account id
	KeyLevel   = "level"    // the citizen login's level of assurance
	KeyActing  = "acting"   // the party key the citizen acts for
	KeyStaff   = "staff_id" // a signed-in official
)

// Service resolves principals and keeps mandates.
type Service struct {
	DB       *db.DB
	Accounts *account.Store
	Staff    *auth.StaffStore
	Audit    *audit.Store
	Now      func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) audit() *audit.Store {
	if s.Audit != nil {
		return s.Audit
	}
	return &audit.Store{DB: s.DB, Now: s.Now}
}

// Resolve turns a session's data into the principal. A session whose
// account or official is gone (or disabled) is anonymous.
func (s *Service) Resolve(ctx context.Context, tenantID int64, data map[string]string) (*Principal, error) {
	if id, err := strconv.ParseInt(data[KeyStaff], 10, 64); err == nil && id > 0 {
		st, err := s.Staff.Get(ctx, tenantID, id)
		if errors.Is(err, derr.ErrNotFound) || (err == nil && st.Disabled) {
			return AnonymousIn(tenantID), nil
		}
		if err != nil {
			return nil, err
		}
		return &Principal{Kind: Official, TenantID: tenantID, Staff: st, SessionKey: "staff:" + strconv.FormatInt(id, 10)}, nil
	}
	id, err := strconv.ParseInt(data[KeyAccount], 10, 64)
	if err != nil || id <= 0 {
		return AnonymousIn(tenantID), nil
	}
	acc, err := s.Accounts.Get(ctx, tenantID, id)
	if errors.Is(err, derr.ErrNotFound) {
		return AnonymousIn(tenantID), nil
	}
	if err != nil {
		return nil, err
	}
	p := &Principal{Kind: Citizen, TenantID: tenantID, Account: acc, SessionKey: "account:" + strconv.FormatInt(id, 10)}
	if l, err := strconv.Atoi(data[KeyLevel]); err == nil && l >= 0 && l <= int(oidc.LevelHigh) {
		p.Level = oidc.Level(l)
	}
	if p.Parties, err = s.Parties(ctx, acc); err != nil {
		return nil, err
	}
	p.Acting = p.Parties[0]
	if q, ok := p.Party(data[KeyActing]); ok {
		p.Acting = q
	}
	t, err := s.Accounts.CurrentTerms(ctx, tenantID)
	switch {
	case errors.Is(err, derr.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		p.ConsentNeeded = acc.ConsentVersion < t.Version
	}
	return p, nil
}

// Parties lists whom the account's owner may act for, themselves first:
// companies they represent, minors of their household, and mandates given
// to them that are in force now.
func (s *Service) Parties(ctx context.Context, acc *account.Account) (_ []Party, err error) {
	defer derr.Wrap(&err, "access.Parties(%d, %d)", acc.TenantID, acc.ID)
	if !acc.Linked() {
		return []Party{{Kind: PartyAccount, ID: acc.ID, Name: acc.Name(), Via: ViaSelf}}, nil
	}
	q := s.DB.Read()
	t, person := acc.TenantID, acc.PersonID
	var self Party
	var given, family string
	if err := q.QueryRow(ctx, `SELECT given_name, family_name FROM persons WHERE tenant_id = $1 AND id = $2`, t, person).
		Scan(&given, &family); err != nil {
		return nil, err
	}
	self = Party{Kind: PartyPerson, ID: person, Name: given + " " + family, Via: ViaSelf}
	if self.Households, err = adultHouseholds(ctx, q, t, person); err != nil {
		return nil, err
	}
	out := []Party{self}
	seen := map[string]bool{self.Key(): true}
	add := func(p Party) {
		if !seen[p.Key()] {
			seen[p.Key()] = true
			out = append(out, p)
		}
	}

	rows, err := q.Query(ctx, `SELECT c.id, c.name FROM company_representatives r
		JOIN companies c ON c.tenant_id = r.tenant_id AND c.id = r.company_id
		WHERE r.tenant_id = $1 AND r.person_id = $2 ORDER BY c.name, c.id`, t, person)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		p := Party{Kind: PartyCompany, Via: ViaRepresentative}
		if err := rows.Scan(&p.ID, &p.Name); err != nil {
			rows.Close()
			return nil, err
		}
		add(p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// Minors: children of a household where this person is an adult, born
	// less than 18 years ago.
	adultFrom := s.now().AddDate(-18, 0, 0)
	rows, err = q.Query(ctx, `SELECT p.id, p.given_name, p.family_name, p.birth_date FROM household_members me
		JOIN household_members m ON m.tenant_id = me.tenant_id AND m.household_id = me.household_id AND m.role = 'child'
		JOIN persons p ON p.tenant_id = m.tenant_id AND p.id = m.person_id
		WHERE me.tenant_id = $1 AND me.person_id = $2 AND me.role = 'adult' ORDER BY p.birth_date, p.id`, t, person)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var p Party
		var g, f string
		var born time.Time
		if err := rows.Scan(&p.ID, &g, &f, &born); err != nil {
			rows.Close()
			return nil, err
		}
		if born.After(adultFrom) {
			p.Kind, p.Name, p.Via = PartyPerson, g+" "+f, ViaParent
			add(p)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	ms, err := s.mandates(ctx, q, t, `m.agent_person_id = $2`, person)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, m := range ms {
		if !m.ActiveAt(now) {
			continue
		}
		p := m.Grantor
		p.Via, p.Agendas, p.Until, p.MandateID = ViaMandate, m.Agendas, m.ValidUntil, m.ID
		// A person's mandate covers what their households owe, as their own
		// list shows it.
		if p.Kind == PartyPerson {
			if p.Households, err = adultHouseholds(ctx, q, t, p.ID); err != nil {
				return nil, err
			}
		}
		add(p)
	}
	return out, nil
}

// adultHouseholds lists the households person is an adult of.
func adultHouseholds(ctx context.Context, q db.Querier, tenantID, person int64) ([]int64, error) {
	rows, err := q.Query(ctx, `SELECT household_id FROM household_members WHERE tenant_id = $1 AND person_id = $2 AND role = 'adult'
		ORDER BY household_id`, tenantID, person)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var h int64
		if err := rows.Scan(&h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// Switch makes the citizen act for the party with key; ErrForbidden when
// it is not one of theirs.
func (s *Service) Switch(p *Principal, key string) (Party, error) {
	if p == nil || p.Kind != Citizen {
		return Party{}, derr.ErrForbidden
	}
	q, ok := p.Party(key)
	if !ok {
		return Party{}, derr.ErrForbidden
	}
	p.Acting = q
	return q, nil
}

type ctxKey struct{}

// With returns ctx carrying p.
func With(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the principal in ctx; nil outside a request of a town.
func From(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}
