package access_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/account"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/person"
	"github.com/radnice/radnice/internal/tenant"
)

type rig struct {
	d    *db.DB
	tn   *tenant.Tenant
	svc  *access.Service
	clk  *fixture.Clock
	ctx  context.Context
	rep  *access.Principal // represents the fixture's company, which gave a mandate
	free []int64           // people with birth numbers, no company, no mandate
}

func newRig(t *testing.T) *rig {
	t.Helper()
	d := dbtest.Open(t)
	tn := fixture.Town(t, d, "lhota", 60)
	clk := fixture.NewClock(time.Now().UTC())
	r := &rig{d: d, tn: tn, clk: clk, ctx: context.Background(),
		svc: &access.Service{DB: d, Accounts: &account.Store{DB: d}, Staff: &auth.StaffStore{DB: d}, Now: clk.Now}}
	var rep int64
	d.Read().QueryRow(r.ctx, `SELECT min(person_id) FROM company_representatives WHERE tenant_id = $1`, tn.ID).Scan(&rep)
	r.rep = r.principal(t, rep)
	rows, err := d.Read().Query(r.ctx, `SELECT id FROM persons WHERE tenant_id = $1 AND birth_number IS NOT NULL AND id <> $2
		AND id NOT IN (SELECT agent_person_id FROM mandates WHERE tenant_id = $1)
		AND id NOT IN (SELECT person_id FROM household_members WHERE tenant_id = $1 AND role = 'adult' AND household_id IN
			(SELECT household_id FROM household_members WHERE tenant_id = $1 AND role = 'child'))
		ORDER BY id DESC LIMIT 3`, tn.ID, rep)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		r.free = append(r.free, id)
	}
	if len(r.free) < 3 {
		t.Fatalf("only %d free people", len(r.free))
	}
	return r
}

func (r *rig) principal(t *testing.T, personID int64) *access.Principal {
	t.Helper()
	acc := fixture.Citizen(t, r.d, r.tn, personID)
	p, err := r.svc.Resolve(r.ctx, r.tn.ID, map[string]string{access.KeyAccount: strconv.FormatInt(acc.ID, 10), access.KeyLevel: "2"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (r *rig) person(t *testing.T, id int64) *person.Person {
	t.Helper()
	p, err := (&person.Store{DB: r.d}).Get(r.ctx, r.tn.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPartiesAndActing(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	if r.rep.Parties[0].Via != access.ViaSelf || r.rep.Parties[1].Kind != access.PartyCompany || r.rep.Parties[1].Via != access.ViaRepresentative {
		t.Fatalf("representative's parties: %+v", r.rep.Parties)
	}
	company := r.rep.Parties[1]
	// The agent of the company's mandate acts for it in obligations only.
	var agent int64
	r.d.Read().QueryRow(r.ctx, `SELECT agent_person_id FROM mandates WHERE tenant_id = $1`, r.tn.ID).Scan(&agent)
	ag := r.principal(t, agent)
	q, ok := ag.Party(company.Key())
	if !ok || q.Via != access.ViaMandate || !q.Allows(access.AgendaObligations) || q.Allows(access.AgendaSubmissions) {
		t.Fatalf("agent's party: %+v %v", q, ok)
	}
	if _, err := r.svc.Switch(ag, company.Key()); err != nil {
		t.Fatal(err)
	}
	if _, err := ag.ActFor(access.AgendaSubmissions); !errors.Is(err, derr.ErrForbidden) {
		t.Fatalf("agent acting in submissions: %v", err)
	}
	if got, err := ag.ActFor(access.AgendaObligations); err != nil || got.Key() != company.Key() {
		t.Fatalf("agent acting in obligations: %+v %v", got, err)
	}
	if q, ok := ag.Owner(access.AgendaObligations, 0, company.ID, 0); !ok || q.Key() != company.Key() {
		t.Fatalf("the agent does not own the company's obligations: %+v %v", q, ok)
	}
	if _, ok := ag.Owner(access.AgendaSubmissions, 0, company.ID, 0); ok {
		t.Fatal("the agent owns the company's submissions, outside the mandate")
	}
	// Nobody switches to a party that is not theirs.
	stranger := r.principal(t, r.free[0])
	if _, ok := stranger.Owner(access.AgendaObligations, 0, company.ID, 0); ok {
		t.Fatal("a stranger owns the company's obligations")
	}
	if _, err := r.svc.Switch(stranger, company.Key()); !errors.Is(err, derr.ErrForbidden) {
		t.Fatalf("stranger switching to the company: %v", err)
	}
	if _, err := r.svc.Switch(stranger, "person:"+strconv.FormatInt(agent, 10)); !errors.Is(err, derr.ErrForbidden) {
		t.Fatalf("stranger switching to a person: %v", err)
	}
	// An unlinked account acts for nobody's records.
	acc, _, _ := (&account.Store{DB: r.d}).SignIn(r.ctx, r.tn.ID, "nia", fixture.Identity(t, r.d, r.tn, r.free[1], false), account.Meta{})
	un, _ := r.svc.Resolve(r.ctx, r.tn.ID, map[string]string{access.KeyAccount: strconv.FormatInt(acc.ID, 10)})
	if len(un.Parties) != 1 || un.Parties[0].Kind != access.PartyAccount {
		t.Fatalf("unlinked parties: %+v", un.Parties)
	}
	if _, err := un.ActFor(access.AgendaObligations); !errors.Is(err, derr.ErrForbidden) {
		t.Fatalf("unlinked acting: %v", err)
	}
	// Officials are not citizens; a disabled official is nobody.
	st, _ := fixture.Official(t, r.d, r.tn, "clerk@lhota.test", auth.Grant{Role: auth.FeeClerk})
	off, _ := r.svc.Resolve(r.ctx, r.tn.ID, map[string]string{access.KeyStaff: strconv.FormatInt(st.ID, 10)})
	if off.Kind != access.Official || !off.HasRole(auth.FeeClerk) || off.HasRole(auth.Auditor) {
		t.Fatalf("official: %+v", off)
	}
	if _, err := off.ActFor(access.AgendaObligations); !errors.Is(err, derr.ErrForbidden) {
		t.Fatalf("official acting as citizen: %v", err)
	}
	if err := (&auth.StaffStore{DB: r.d}).Disable(r.ctx, fixture.SystemActor, r.tn.ID, st.ID); err != nil {
		t.Fatal(err)
	}
	if off, _ := r.svc.Resolve(r.ctx, r.tn.ID, map[string]string{access.KeyStaff: strconv.FormatInt(st.ID, 10)}); off.Kind != access.Anonymous {
		t.Fatalf("disabled official: %v", off.Kind)
	}
	// Another town does not know the account.
	other := fixture.Town(t, r.d, "beta", 0)
	if p, _ := r.svc.Resolve(r.ctx, other.ID, map[string]string{access.KeyAccount: strconv.FormatInt(r.rep.Account.ID, 10)}); p.Kind != access.Anonymous {
		t.Fatalf("account in another town: %v", p.Kind)
	}
}

func TestMandates(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	grantor := r.principal(t, r.free[0])
	agentPerson := r.person(t, r.free[1])
	until := r.clk.Now().AddDate(0, 1, 0)
	ok := access.MandateRequest{Grantor: grantor.Self().Key(), AgentBirthNumber: agentPerson.BirthNumber,
		AgentFamilyName: agentPerson.FamilyName, Agendas: []access.Agenda{access.AgendaSubmissions}, ValidUntil: until}

	bad := map[string]func(m *access.MandateRequest){
		"grantor":            func(m *access.MandateRequest) { m.Grantor = r.rep.Parties[1].Key() }, // not theirs
		"agent_birth_number": func(m *access.MandateRequest) { m.AgentBirthNumber = "12345" },
		"agent_family_name":  func(m *access.MandateRequest) { m.AgentFamilyName = "" },
		"agendas":            func(m *access.MandateRequest) { m.Agendas = nil },
		"valid_until":        func(m *access.MandateRequest) { m.ValidUntil = r.clk.Now().Add(-time.Hour) },
	}
	for field, change := range bad {
		m := ok
		change(&m)
		_, err := r.svc.GrantMandate(r.ctx, grantor, m, access.Meta{})
		var inv *derr.InvalidError
		if !errors.As(err, &inv) || inv.Fields[0].Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	wrongName := ok
	wrongName.AgentFamilyName = "Nikdo"
	if _, err := r.svc.GrantMandate(r.ctx, grantor, wrongName, access.Meta{}); !errors.Is(err, derr.ErrInvalid) {
		t.Errorf("wrong family name: %v", err)
	}
	self := ok
	self.AgentBirthNumber, self.AgentFamilyName = r.person(t, r.free[0]).BirthNumber, r.person(t, r.free[0]).FamilyName
	if _, err := r.svc.GrantMandate(r.ctx, grantor, self, access.Meta{}); !errors.Is(err, derr.ErrInvalid) {
		t.Errorf("mandate to oneself: %v", err)
	}
	var n int
	r.d.Read().QueryRow(r.ctx, `SELECT count(*) FROM mandates WHERE tenant_id = $1`, r.tn.ID).Scan(&n)
	if n != 1 { // the fixture's
		t.Fatalf("refused mandates were stored: %d", n)
	}

	m, err := r.svc.GrantMandate(r.ctx, grantor, ok, access.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	agent := r.principal(t, r.free[1])
	if q, found := agent.Party(grantor.Self().Key()); !found || !q.Allows(access.AgendaSubmissions) || q.Allows(access.AgendaObligations) {
		t.Fatalf("agent's view of the mandate: %+v %v", q, found)
	}
	given, _, _ := r.svc.Mandates(r.ctx, grantor)
	_, received, _ := r.svc.Mandates(r.ctx, agent)
	if len(given) != 1 || len(received) != 1 || given[0].ID != m.ID {
		t.Fatalf("lists: %d given, %d received", len(given), len(received))
	}
	// A mandate holder cannot pass it on.
	if _, err := r.svc.GrantMandate(r.ctx, agent, access.MandateRequest{Grantor: grantor.Self().Key(),
		AgentBirthNumber: r.person(t, r.free[2]).BirthNumber, AgentFamilyName: r.person(t, r.free[2]).FamilyName,
		Agendas: []access.Agenda{access.AgendaSubmissions}, ValidUntil: until}, access.Meta{}); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("sub-delegation: %v", err)
	}
	// It ends by itself...
	r.clk.Add(32 * 24 * time.Hour)
	if p := r.principal(t, r.free[1]); len(p.Parties) != 1 {
		t.Fatalf("expired mandate still acts: %+v", p.Parties)
	}
	r.clk.Add(-32 * 24 * time.Hour)
	// ... or when revoked; a stranger cannot even see it.
	stranger := r.principal(t, r.free[2])
	if err := r.svc.RevokeMandate(r.ctx, stranger, m.ID, access.Meta{}); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("stranger revoking: %v", err)
	}
	if err := r.svc.RevokeMandate(r.ctx, agent, m.ID, access.Meta{}); err != nil {
		t.Fatalf("agent revoking: %v", err)
	}
	if p := r.principal(t, r.free[1]); len(p.Parties) != 1 {
		t.Fatalf("revoked mandate still acts: %+v", p.Parties)
	}
	es, _ := fixture.AuditActions(t, r.d, r.tn, access.ActionMandateRevoke)
	if len(es) != 1 {
		t.Fatalf("revocations audited: %d", len(es))
	}
}
