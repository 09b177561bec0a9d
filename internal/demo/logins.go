package demo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"time"

	"github.com/radnice/radnice/internal/account"
	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth/oidc"
	"github.com/radnice/radnice/internal/czid"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/demo/idp"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/person"
	"github.com/radnice/radnice/internal/tenant"
)

// IdPPath is where the demo identity provider is mounted on every host.
const IdPPath = "/demo-idp"

// idpSecret is the demo clients' secret; the demo IdP exists only in demo
// mode, on the portal's own address.
const idpSecret = "demo-client-secret"

// IssuerFor is the demo identity provider's issuer for a server listening
// on addr: http://localhost:<port>/demo-idp.
func IssuerFor(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		port = "8080"
	}
	return "http://localhost:" + port + IdPPath
}

// The two ways to log in that every demo town offers, both through the
// demo provider: NIA gives a pseudonym only (an official links the
// account), BankID also a verified birth number (linked at once).
var demoProviders = []struct {
	slug, name string
	profile    oidc.Profile
	verified   bool
}{
	{"bankid", "Bankovní identita (DEMO)", oidc.BankID, true},
	{"eidentita", "eIdentita – NIA (DEMO)", oidc.NIA, false},
}

func clientID(town, slug string) string { return town + "-" + slug }

// EnsureLogins points every demo town's login at the demo identity provider
// at issuer, publishes the first version of its terms, and makes sure a
// company has a representative to log in as. Running it again only
// updates the provider address.
func EnsureLogins(ctx context.Context, d *db.DB, issuer string) error {
	accounts := &account.Store{DB: d}
	for _, town := range Towns() {
		t, err := (&tenant.Store{DB: d}).BySlug(ctx, town.Tenant.Slug)
		if err != nil {
			return err
		}
		for i, p := range demoProviders {
			if err := accounts.SaveProvider(ctx, &account.Provider{TenantID: t.ID, Slug: p.slug, Name: p.name, Profile: p.profile,
				Issuer: issuer, ClientID: clientID(t.Slug, p.slug), ClientSecret: idpSecret, Scopes: []string{"openid", "profile", "email"},
				Level: oidc.LevelSubstantial, Position: i, Enabled: true}); err != nil {
				return fmt.Errorf("demo provider of %s: %w", t.Name, err)
			}
		}
		if _, err := accounts.CurrentTerms(ctx, t.ID); errors.Is(err, derr.ErrNotFound) {
			if err := accounts.PublishTerms(ctx, audit.System, demoTerms(t)); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		if _, err := d.Write().Exec(ctx, `INSERT INTO company_representatives (tenant_id, company_id, person_id, role)
			SELECT c.tenant_id, c.id, (SELECT min(p.id) FROM persons p WHERE p.tenant_id = c.tenant_id
				AND p.birth_number IS NOT NULL AND p.birth_date < $2), 'jednatel'
			FROM companies c WHERE c.tenant_id = $1
				AND NOT EXISTS (SELECT 1 FROM company_representatives r WHERE r.tenant_id = c.tenant_id)
			ORDER BY c.id LIMIT 1`, t.ID, time.Now().AddDate(-30, 0, 0)); err != nil {
			return fmt.Errorf("demo representative of %s: %w", t.Name, err)
		}
	}
	return nil
}

func demoTerms(t *tenant.Tenant) *account.Terms {
	return &account.Terms{TenantID: t.ID,
		TermsCS: "Toto je ukázková instalace portálu Radnice (DEMO). Obec " + t.Name + " je smyšlená, stejně jako všichni lidé a údaje v ní.\n\n" +
			"Portál slouží k nahlížení do údajů, které o vás obec vede, k placení poplatků a k podávání žádostí. Za správnost údajů odpovídá obec; " +
			"chybu nám prosím nahlaste.\n\nÚčet nesmíte používat za jiného člověka bez jeho zmocnění.",
		TermsEN: "This is a demo installation of the Radnice portal. The town of " + t.Name + " is invented, as are all people and data in it.\n\n" +
			"The portal lets you see what the town holds about you, pay fees and file applications. The town is responsible for the data; " +
			"please report any mistake.\n\nYou must not use the account for somebody else without their mandate.",
		PrivacyCS: "Správcem osobních údajů je " + t.OfficialName + ". Zpracováváme je k plnění úkolů obce podle zákona, " +
			"jak stanoví obecné nařízení o ochraně osobních údajů (GDPR).\n\n" +
			"Každé nahlédnutí úředníka do vašich údajů se zaznamenává; záznamy nelze pozměnit. Máte právo na přístup k údajům, jejich opravu a stížnost u ÚOOÚ.",
		PrivacyEN: "The controller of personal data is " + t.OfficialName + ". We process them to carry out the town's tasks by law, " +
			"as the General Data Protection Regulation (GDPR) provides.\n\n" +
			"Every look of an official at your data is recorded in a log that cannot be altered. You have the right of access, rectification and complaint to the Office for Personal Data Protection.",
	}
}

// IdP builds the demo identity provider answering at issuer, with each
// demo town's two clients and its personas.
func IdP(d *db.DB, issuer string) (*idp.Server, error) {
	iu, err := url.Parse(issuer)
	if err != nil {
		return nil, err
	}
	var clients []idp.Client
	for _, town := range Towns() {
		hosts := town.Tenant.Hosts
		slug := town.Tenant.Slug
		allowed := func(uri string) bool {
			u, err := url.Parse(uri)
			return err == nil && u.Scheme == "http" && u.Path == "/prihlaseni/navrat" && u.RawQuery == "" &&
				u.Port() == iu.Port() && slices.Contains(hosts, u.Hostname())
		}
		personas := func(ctx context.Context) ([]idp.Persona, error) { return Personas(ctx, d, slug) }
		for _, p := range demoProviders {
			clients = append(clients, idp.Client{ID: clientID(slug, p.slug), Secret: idpSecret, Name: town.Tenant.Name + " – " + p.name,
				Personas: personas, RedirectAllowed: allowed, VerifiedClaims: p.verified})
		}
	}
	return idp.New(issuer, clients...)
}

// Personas are the people one can log in as in a demo town: a citizen, a
// company's director, a parent of minors, and somebody the town does not
// know.
func Personas(ctx context.Context, d *db.DB, slug string) (_ []idp.Persona, err error) {
	defer derr.Wrap(&err, "demo.Personas(%s)", slug)
	t, err := (&tenant.Store{DB: d}).BySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	q := d.Read()
	adult := time.Now().AddDate(-18, 0, 0)
	var rep, parent, citizen int64
	_ = q.QueryRow(ctx, `SELECT min(person_id) FROM company_representatives WHERE tenant_id = $1`, t.ID).Scan(&rep)
	_ = q.QueryRow(ctx, `SELECT min(me.person_id) FROM household_members me
		JOIN household_members m ON m.tenant_id = me.tenant_id AND m.household_id = me.household_id AND m.role = 'child'
		JOIN persons c ON c.tenant_id = m.tenant_id AND c.id = m.person_id
		JOIN persons p ON p.tenant_id = me.tenant_id AND p.id = me.person_id
		WHERE me.tenant_id = $1 AND me.role = 'adult' AND c.birth_date > $2 AND p.birth_number IS NOT NULL
		AND me.person_id <> coalesce($3, 0)`, t.ID, adult, rep).Scan(&parent)
	_ = q.QueryRow(ctx, `SELECT min(id) FROM persons WHERE tenant_id = $1 AND birth_number IS NOT NULL AND birth_date < $2
		AND id <> $3 AND id <> $4`, t.ID, adult, rep, parent).Scan(&citizen)

	people := &person.Store{DB: d}
	var out []idp.Persona
	add := func(id int64, key, label, labelEN, note, noteEN string) error {
		if id == 0 {
			return nil
		}
		p, err := people.Get(ctx, t.ID, id)
		if err != nil {
			return err
		}
		out = append(out, idp.Persona{Key: slug + "-" + key, Label: label, LabelEN: labelEN, Note: note, NoteEN: noteEN,
			GivenName: p.GivenName, FamilyName: p.FamilyName, BirthDate: p.BirthDate.Format("2006-01-02"),
			BirthNumber: p.BirthNumber, Email: p.Email})
		return nil
	}
	for _, a := range []struct {
		id                                int64
		key, label, labelEN, note, noteEN string
	}{
		{citizen, "citizen", "Občan", "Citizen", "Obyvatel obce s poplatky za odpad.", "A resident with waste fees."},
		{rep, "rep", "Jednatel firmy", "Company director", "Může jednat za firmu: v záhlaví si ji vybere.",
			"Can act for a company: chooses it in the header."},
		{parent, "parent", "Rodič", "Parent", "Může jednat za své nezletilé děti.", "Can act for their minor children."},
	} {
		if err := add(a.id, a.key, a.label, a.labelEN, a.note, a.noteEN); err != nil {
			return nil, err
		}
	}
	// Somebody the town does not know: a valid birth number no person has.
	born := time.Date(1985, 5, 5, 0, 0, 0, 0, time.UTC)
	for serial := 999; serial > 900; serial-- {
		bn, err := czid.NewBirthNumber(born, czid.Male, serial)
		if err != nil {
			continue
		}
		var n int
		if err := q.QueryRow(ctx, `SELECT count(*) FROM persons WHERE tenant_id = $1 AND birth_number = $2`, t.ID, string(bn)).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			out = append(out, idp.Persona{Key: slug + "-stranger", Label: "Člověk bez záznamů", LabelEN: "Person with no records",
				Note: "Obec o něm nic nevede: uvidí prázdný účet.", NoteEN: "The town holds nothing about him: he sees an empty account.",
				GivenName: "Karel", FamilyName: "Nezapsaný", BirthDate: born.Format("2006-01-02"), BirthNumber: string(bn),
				Email: "karel.nezapsany@example.org"})
			break
		}
	}
	return out, nil
}
