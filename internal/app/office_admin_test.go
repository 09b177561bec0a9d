package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/account"
	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/czid"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/person"
	"github.com/radnice/radnice/internal/tenant"
)

// office is one town's back office under test: the portal, a settable
// clock for the second factor, and officials ready to sign in.
type office struct {
	t    *testing.T
	p    *portal
	town *tenant.Tenant
	clk  *fixture.Clock
	srv  *httptest.Server
}

type officialLogin struct {
	st       *auth.Staff
	email    string
	password string
	secret   string
}

func newOffice(t *testing.T, citizens int, setup func(d *db.DB)) *office {
	t.Helper()
	var town *tenant.Tenant
	h, p := testPortal(t, func(d *db.DB) {
		town = fixture.Town(t, d, "lhota", citizens)
		if setup != nil {
			setup(d)
		}
	})
	clk := fixture.NewClock(time.Now().UTC())
	p.office.Staff.Now = clk.Now
	return &office{t: t, p: p, town: town, clk: clk, srv: newBrowser(t, h, "lhota.test").srv}
}

// browser is a new browser (own cookies) on the office's server.
func (o *office) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: o.t, srv: o.srv, host: "lhota.test", client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// official creates a ready official (password and second factor set).
func (o *office) official(email, name string, grants ...auth.Grant) *officialLogin {
	o.t.Helper()
	key, err := auth.NewTOTPKey("Radnice", email)
	if err != nil {
		o.t.Fatal(err)
	}
	l := &officialLogin{email: email, password: "dlouhé heslo z vět", secret: key.Secret()}
	l.st, err = o.p.office.Staff.Provision(context.Background(), audit.System, o.town.ID, email, name, l.password, l.secret, grants)
	if err != nil {
		o.t.Fatal(err)
	}
	return l
}

// signIn signs l in with b (a later TOTP step for every login).
func (o *office) signIn(b *browser, l *officialLogin, header map[string]string) {
	o.t.Helper()
	o.clk.Add(30 * time.Second)
	code, _, hdr := b.do("POST", "/urad/prihlaseni", url.Values{"email": {l.email}, "password": {l.password},
		"code": {auth.TOTPCode(l.secret, o.clk.Now())}}, header)
	if code != 303 || hdr.Get("Location") != "/urad/" {
		o.t.Fatalf("sign-in of %s: %d %s", l.email, code, hdr.Get("Location"))
	}
}

func (o *office) entries(q audit.Query) []audit.Entry {
	o.t.Helper()
	q.Limit = audit.MaxLimit
	es, err := o.p.office.Audit.Search(context.Background(), o.town.ID, q)
	if err != nil {
		o.t.Fatal(err)
	}
	return es
}

func wantBody(t *testing.T, what string, code int, body string, wantCode int, texts ...string) {
	t.Helper()
	if code != wantCode {
		t.Fatalf("%s: status %d, want %d\n%.1500s", what, code, wantCode, body)
	}
	for _, s := range texts {
		if !strings.Contains(body, s) {
			t.Fatalf("%s: no %q in\n%.3000s", what, s, body)
		}
	}
}

// An administrator invites an official, who sets up the account from the
// link; changes roles; cannot lock themselves out; blocks the official.
// Others get 403, and another town's official is not found.
func TestStaffAdministration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var foreign *auth.Staff
	o := newOffice(t, 0, func(d *db.DB) {
		jinde := fixture.Town(t, d, "jinde", 0)
		foreign, _ = fixture.Official(t, d, jinde, "cizi@jinde.test", auth.Grant{Role: auth.Editor})
	})
	admin := o.official("spravce@lhota.test", "Správce Lhoty", auth.Grant{Role: auth.Administrator})
	clerk := o.official("prepazka@lhota.test", "Přepážka Lhoty", auth.Grant{Role: auth.CounterClerk})
	ba, bc := o.browser(), o.browser()
	o.signIn(ba, admin, nil)
	o.signIn(bc, clerk, nil)

	code, body, _ := ba.do("GET", "/urad/sprava/urednici", nil, nil)
	wantBody(t, "list", code, body, 200, "spravce@lhota.test", "prepazka@lhota.test", `href="/urad/sprava/urednici"`)
	code, body, _ = ba.do("GET", "/urad/", nil, nil)
	wantBody(t, "admin's dashboard", code, body, 200, `href="/urad/sprava/urednici"`, `href="/urad/relace"`)
	if strings.Contains(body, `href="/urad/audit"`) {
		t.Error("an administrator who is no auditor is offered the audit log")
	}

	// Not an administrator: refused, and not offered.
	for _, r := range []struct{ method, path string }{{"GET", "/urad/sprava/urednici"}, {"POST", "/urad/sprava/urednici"},
		{"GET", "/urad/sprava/urednici/" + strconv.FormatInt(admin.st.ID, 10)},
		{"POST", "/urad/sprava/urednici/" + strconv.FormatInt(admin.st.ID, 10) + "/zablokovat"}} {
		if code, _, _ := bc.do(r.method, r.path, url.Values{}, nil); code != 403 {
			t.Errorf("clerk %s %s: %d", r.method, r.path, code)
		}
	}
	if _, body, _ := bc.do("GET", "/urad/", nil, nil); strings.Contains(body, "/urad/sprava/urednici") || !strings.Contains(body, `href="/urad/propojeni"`) {
		t.Errorf("clerk's navigation:\n%.2000s", body)
	}

	// Bad input: every problem at once, next to its field, nothing written.
	before, _ := o.p.office.Staff.List(ctx, o.town.ID)
	code, body, _ = ba.do("POST", "/urad/sprava/urednici", url.Values{"email": {"není e-mail"}, "name": {""},
		"role": {"case_worker"}}, nil)
	wantBody(t, "bad invitation", code, body, 400, "Zadejte platnou e-mailovou adresu.", "Vyplňte jméno", "U role Vyřizování podání uveďte odbor.",
		`href="#email"`, `id="email-error"`, `aria-invalid="true"`)
	code, body, _ = ba.do("POST", "/urad/sprava/urednici", url.Values{"email": {"x@lhota.test"}, "name": {"X"},
		"role": {"editor"}, "department": {"Matrika"}}, nil)
	wantBody(t, "department without case work", code, body, 400, "Odbor se vyplňuje jen u role Vyřizování podání")
	code, body, _ = ba.do("POST", "/urad/sprava/urednici", url.Values{"email": {"prepazka@lhota.test"}, "name": {"Dvojník"}}, nil)
	wantBody(t, "taken e-mail", code, body, 400, "Úředník s tímto e-mailem už v obci je.")
	if after, _ := o.p.office.Staff.List(ctx, o.town.ID); len(after) != len(before) {
		t.Fatalf("refused invitations wrote officials: %d -> %d", len(before), len(after))
	}

	// The invitation, shown once, works for the new official.
	code, body, _ = ba.do("POST", "/urad/sprava/urednici", url.Values{"email": {"Nova@Lhota.test"}, "name": {"Nová Úřednice"},
		"role": {"counter_clerk", "case_worker"}, "department": {"Matrika, Odpady"}}, nil)
	wantBody(t, "invitation", code, body, 200, "Pozvánka je připravena", "http://lhota.test/urad/pozvanka?t=")
	m := regexp.MustCompile(`/urad/pozvanka\?t=([A-Za-z0-9_%-]+)`).FindStringSubmatch(body)
	token, _ := url.QueryUnescape(m[1])
	bn := o.browser()
	if code, body, _ := bn.do("GET", "/urad/pozvanka?t="+url.QueryEscape(token), nil, nil); code != 200 {
		t.Fatalf("invitation form: %d %.300s", code, body)
	}
	code, body, _ = bn.do("POST", "/urad/pozvanka", url.Values{"t": {token}, "password": {"moje nové dlouhé heslo"}}, nil)
	sm := regexp.MustCompile(`<code class="secret">([A-Z2-7]+)</code>`).FindStringSubmatch(body)
	if code != 200 || sm == nil {
		t.Fatalf("password from the invitation: %d\n%.500s", code, body)
	}
	if code, _, _ := bn.do("POST", "/urad/pozvanka/overeni", url.Values{"code": {auth.TOTPCode(sm[1], o.clk.Now())}}, nil); code != 303 {
		t.Fatalf("second factor: %d", code)
	}
	nova := &officialLogin{email: "nova@lhota.test", password: "moje nové dlouhé heslo", secret: sm[1]}
	o.signIn(bn, nova, nil)
	code, body, _ = bn.do("GET", "/urad/", nil, nil)
	wantBody(t, "new official's dashboard", code, body, 200, "Nová Úřednice", "Přepážka", "Vyřizování podání – Matrika", "Vyřizování podání – Odpady")

	list, _ := o.p.office.Staff.List(ctx, o.town.ID)
	var novaID int64
	for _, s := range list {
		if s.Email == "nova@lhota.test" {
			novaID = s.ID
		}
	}
	novaPath := "/urad/sprava/urednici/" + strconv.FormatInt(novaID, 10)
	code, body, _ = ba.do("GET", novaPath, nil, nil)
	wantBody(t, "detail", code, body, 200, "nova@lhota.test", `value="Matrika, Odpady"`, `action="`+novaPath+`/role"`)

	// Roles change; the change is recorded by whom.
	code, _, hdr := ba.do("POST", novaPath+"/role", url.Values{"role": {"auditor"}}, nil)
	if code != 303 || hdr.Get("Location") != novaPath+"?hotovo=role" {
		t.Fatalf("set grants: %d %s", code, hdr.Get("Location"))
	}
	if st, _ := o.p.office.Staff.Get(ctx, o.town.ID, novaID); len(st.Grants) != 1 || st.Grants[0].Role != auth.Auditor {
		t.Fatalf("grants: %+v", st.Grants)
	}
	if code, body, _ := bn.do("GET", "/urad/", nil, nil); code != 200 || !strings.Contains(body, `href="/urad/audit"`) {
		t.Fatalf("the new role is not in force at once: %d", code)
	}
	code, body, _ = ba.do("POST", novaPath+"/role", url.Values{"role": {"case_worker", "nonsense"}}, nil)
	wantBody(t, "bad grants", code, body, 400, "U role Vyřizování podání uveďte odbor.")

	// An administrator cannot lock themselves out.
	adminPath := "/urad/sprava/urednici/" + strconv.FormatInt(admin.st.ID, 10)
	code, body, _ = ba.do("POST", adminPath+"/role", url.Values{"role": {"editor"}}, nil)
	wantBody(t, "own administrator role", code, body, 400, "Roli Správa si nemůžete odebrat sami.")
	code, body, _ = ba.do("POST", adminPath+"/zablokovat", url.Values{}, nil)
	wantBody(t, "block oneself", code, body, 400, "Svůj vlastní účet zablokovat nemůžete.")
	if st, _ := o.p.office.Staff.Get(ctx, o.town.ID, admin.st.ID); st.Disabled || !st.Has(auth.Administrator, "") {
		t.Fatalf("the administrator changed themselves: %+v", st)
	}

	// Another town's official is not found, whatever the action.
	fp := "/urad/sprava/urednici/" + strconv.FormatInt(foreign.ID, 10)
	for _, r := range []struct{ method, path string }{{"GET", fp}, {"POST", fp + "/role"}, {"POST", fp + "/zablokovat"},
		{"POST", fp + "/obnova-hesla"}, {"GET", "/urad/sprava/urednici/abc"}} {
		if code, _, _ := ba.do(r.method, r.path, url.Values{"role": {"administrator"}}, nil); code != 404 {
			t.Errorf("%s %s: %d, want 404", r.method, r.path, code)
		}
	}
	if st, err := o.p.office.Staff.Get(ctx, foreign.TenantID, foreign.ID); err != nil || st.Disabled || st.Has(auth.Administrator, "") {
		t.Fatalf("another town's official changed: %+v %v", st, err)
	}

	// Blocking ends the official's sessions at once.
	code, _, hdr = ba.do("POST", novaPath+"/zablokovat", url.Values{}, nil)
	if code != 303 || hdr.Get("Location") != novaPath+"?hotovo=zablokovan" {
		t.Fatalf("block: %d %s", code, hdr.Get("Location"))
	}
	if code, _, hdr := bn.do("GET", "/urad/", nil, nil); code != 303 || !strings.HasPrefix(hdr.Get("Location"), "/urad/prihlaseni") {
		t.Fatalf("blocked official still in: %d", code)
	}
	code, body, _ = ba.do("GET", novaPath+"?hotovo=zablokovan", nil, nil)
	wantBody(t, "blocked", code, body, 200, "Účet je zablokován", "zablokován")

	// Every change of rights, by the administrator, in the log.
	var actions []string
	for _, e := range o.entries(audit.Query{SubjectKind: audit.SubjectStaff, SubjectID: novaID}) {
		if e.Action == audit.ActionRightsGrant || e.Action == audit.ActionRightsRevoke {
			if e.ActorKind != audit.ActorStaff || e.ActorID != admin.st.ID {
				t.Errorf("%s by %s %d", e.Action, e.ActorKind, e.ActorID)
			}
			actions = append(actions, e.Action)
		}
	}
	if got := strings.Join(actions, " "); got != "rights.revoke rights.grant rights.grant" {
		t.Fatalf("rights trail: %q", got)
	}
}

// A reset link issued by an administrator sets a new password once; the
// old password stops working, the second factor stays, and the official's
// sessions end.
func TestPasswordResetLink(t *testing.T) {
	t.Parallel()
	o := newOffice(t, 0, nil)
	admin := o.official("spravce@lhota.test", "Správce", auth.Grant{Role: auth.Administrator})
	jana := o.official("jana@lhota.test", "Jana", auth.Grant{Role: auth.FeeClerk})
	invited, _ := fixture.Official(t, o.p.db, o.town, "pozvany@lhota.test", auth.Grant{Role: auth.Editor})
	ba, bj, anon := o.browser(), o.browser(), o.browser()
	o.signIn(ba, admin, nil)
	o.signIn(bj, jana, nil)

	janaPath := "/urad/sprava/urednici/" + strconv.FormatInt(jana.st.ID, 10)
	code, body, _ := ba.do("POST", janaPath+"/obnova-hesla", url.Values{}, nil)
	wantBody(t, "issue", code, body, 200, "Odkaz pro obnovu hesla je připraven", "http://lhota.test/urad/obnova-hesla?t=", "jen jednou")
	m := regexp.MustCompile(`/urad/obnova-hesla\?t=([A-Za-z0-9_%-]+)`).FindStringSubmatch(body)
	token, _ := url.QueryUnescape(m[1])
	code, body, _ = ba.do("POST", "/urad/sprava/urednici/"+strconv.FormatInt(invited.ID, 10)+"/obnova-hesla", url.Values{}, nil)
	wantBody(t, "reset of an official who never set up", code, body, 400, "nedokončil nastavení")

	code, body, _ = anon.do("GET", "/urad/obnova-hesla?t="+url.QueryEscape(token), nil, nil)
	wantBody(t, "form", code, body, 200, `name="t" value="`+token+`"`, `for="password2"`)
	code, body, _ = anon.do("GET", "/urad/obnova-hesla", nil, nil)
	wantBody(t, "no token", code, body, 400, "Tento odkaz už neplatí")
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"t": {token}, "password": {"nové dlouhé heslo"}, "password2": {"nové dlouhé hesla"}}, "Hesla se neshodují."},
		{url.Values{"t": {token}, "password": {"krátké"}, "password2": {"krátké"}}, "alespoň 12 znaků"},
		{url.Values{"t": {token}, "password": {"jana@lhota.test"}, "password2": {"jana@lhota.test"}}, "nesmí být vaše e-mailová adresa"},
		{url.Values{"t": {"podvrh"}, "password": {"nové dlouhé heslo"}, "password2": {"nové dlouhé heslo"}}, "Tento odkaz už neplatí"},
	} {
		code, body, _ := anon.do("POST", "/urad/obnova-hesla", c.form, nil)
		wantBody(t, "bad reset "+c.want, code, body, 400, c.want)
	}
	// None of that spent the link.
	code, _, hdr := anon.do("POST", "/urad/obnova-hesla", url.Values{"t": {token}, "password": {"nové dlouhé heslo"},
		"password2": {"nové dlouhé heslo"}}, nil)
	if code != 303 || hdr.Get("Location") != "/urad/prihlaseni?heslo=zmeneno" {
		t.Fatalf("reset: %d %s", code, hdr.Get("Location"))
	}
	code, body, _ = anon.do("GET", "/urad/prihlaseni?heslo=zmeneno", nil, nil)
	wantBody(t, "after reset", code, body, 200, "Heslo je změněno.")
	code, body, _ = anon.do("POST", "/urad/obnova-hesla", url.Values{"t": {token}, "password": {"jiné dlouhé heslo"},
		"password2": {"jiné dlouhé heslo"}}, nil)
	wantBody(t, "second use", code, body, 400, "Tento odkaz už neplatí")

	// Her old session is gone; the old password fails; the new one works
	// with the same second factor.
	if code, _, _ := bj.do("GET", "/urad/", nil, nil); code != 303 {
		t.Fatalf("session from before the reset: %d", code)
	}
	o.clk.Add(30 * time.Second)
	if code, _, _ := bj.do("POST", "/urad/prihlaseni", url.Values{"email": {jana.email}, "password": {jana.password},
		"code": {auth.TOTPCode(jana.secret, o.clk.Now())}}, nil); code != 403 {
		t.Fatalf("old password: %d", code)
	}
	jana.password = "nové dlouhé heslo"
	o.signIn(bj, jana, nil)

	issued := o.entries(audit.Query{Action: auth.ActionResetIssue})
	done := o.entries(audit.Query{Action: auth.ActionPasswordReset})
	if len(issued) != 1 || issued[0].ActorID != admin.st.ID || issued[0].SubjectID != jana.st.ID ||
		len(done) != 1 || done[0].ActorID != jana.st.ID {
		t.Fatalf("audit: issued %+v, done %+v", issued, done)
	}
}

// An auditor searches the log: the chain's state on top, the entries that
// match, and the search itself recorded. Bad filters change nothing.
func TestAuditSearchPage(t *testing.T) {
	t.Parallel()
	o := newOffice(t, 0, nil)
	auditor := o.official("audit@lhota.test", "Auditorka", auth.Grant{Role: auth.Auditor})
	clerk := o.official("prepazka@lhota.test", "Přepážník Pavel", auth.Grant{Role: auth.CounterClerk})
	bau, bc := o.browser(), o.browser()
	o.signIn(bc, clerk, nil)
	o.signIn(bau, auditor, nil)

	if code, _, _ := bc.do("GET", "/urad/audit", nil, nil); code != 403 {
		t.Fatalf("clerk on the audit page: %d", code)
	}
	clerkID := strconv.FormatInt(clerk.st.ID, 10)
	code, body, _ := bau.do("GET", "/urad/audit?action=login&actor_kind=staff&actor_id="+clerkID, nil, nil)
	wantBody(t, "search", code, body, 200, "Řetězec záznamů je neporušený.", "Přepážník Pavel", "<code>login</code>", "úředník "+clerkID)
	if strings.Contains(body, "Auditorka</td>") || strings.Count(body, "<code>login</code>") != 1 {
		t.Fatalf("the search found more than the clerk's login:\n%.3000s", body)
	}
	searches := o.entries(audit.Query{Action: "audit.search"})
	if len(searches) != 1 || searches[0].ActorID != auditor.st.ID || searches[0].IP == "" {
		t.Fatalf("search entries: %+v", searches)
	}
	var details struct {
		Filters map[string]string `json:"filters"`
		Found   int               `json:"found"`
	}
	if err := json.Unmarshal(searches[0].Details, &details); err != nil || details.Filters["action"] != "login" ||
		details.Filters["actor_id"] != clerkID || details.Found != 1 {
		t.Fatalf("search details: %s %v", searches[0].Details, err)
	}

	// Days are Prague days, the end included.
	today := time.Now().In(i18n.Prague).Format("2006-01-02")
	tomorrow := time.Now().In(i18n.Prague).AddDate(0, 0, 1).Format("2006-01-02")
	code, body, _ = bau.do("GET", "/urad/audit?action=login&from="+today+"&to="+today, nil, nil)
	wantBody(t, "today", code, body, 200, "Přepážník Pavel")
	code, body, _ = bau.do("GET", "/urad/audit?action=login&from="+tomorrow, nil, nil)
	wantBody(t, "tomorrow", code, body, 200, "Filtrům neodpovídá žádný záznam.")

	for q, want := range map[string]string{
		"actor_kind=staff&actor_id=abc":    "Číslo musí být kladné celé číslo.",
		"subject_id=5":                     "K číslu vyberte i druh.",
		"actor_kind=robot":                 "Vyberte druh ze seznamu.",
		"from=2026-13-01":                  "Zadejte datum ve tvaru RRRR-MM-DD.",
		"from=2026-05-02&to=2026-05-01":    "Konec musí být stejný den jako začátek",
		"action=Login%20Failed":            "Kód akce smí obsahovat jen malá písmena",
		"before=-3":                        "Odkaz na starší záznamy není platný.",
		"subject_kind=person&subject_id=0": "Číslo musí být kladné celé číslo.",
	} {
		code, body, _ := bau.do("GET", "/urad/audit?"+q, nil, nil)
		wantBody(t, q, code, body, 400, want, "Řetězec záznamů je neporušený.")
	}
	if n := len(o.entries(audit.Query{Action: "audit.search"})); n != 3 {
		t.Fatalf("%d searches recorded, want 3 (refused filters are no search)", n)
	}

	// English, and paging by seq.
	code, body, _ = bau.do("GET", "/urad/audit?before=3", nil, map[string]string{"Cookie": "lang=en"})
	wantBody(t, "english, older", code, body, 200, "The chain of entries is intact.", "Entries found")
}

// A counter clerk links an account whose owner asked for it, by the birth
// number from the identity card; bad input changes nothing; the link can be
// undone with a reason; both are recorded.
func TestLinkAccountsAtCounter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := newOffice(t, 30, nil)
	d := o.p.db
	var personID int64
	if err := d.Read().QueryRow(ctx, `SELECT max(id) FROM persons WHERE tenant_id = $1 AND birth_number IS NOT NULL
		AND id NOT IN (SELECT person_id FROM accounts WHERE tenant_id = $1 AND person_id IS NOT NULL)`, o.town.ID).Scan(&personID); err != nil {
		t.Fatal(err)
	}
	pers, err := (&person.Store{DB: d}).Get(ctx, o.town.ID, personID)
	if err != nil {
		t.Fatal(err)
	}
	accounts := o.p.web.Accounts
	acc, _, err := accounts.SignIn(ctx, o.town.ID, "bankid", fixture.Identity(t, d, o.town, personID, false), account.Meta{})
	if err != nil || acc.Linked() {
		t.Fatalf("unlinked account: %+v %v", acc, err)
	}
	if err := accounts.RequestLink(ctx, o.town.ID, acc.ID, account.Meta{}); err != nil {
		t.Fatal(err)
	}
	clerk := o.official("prepazka@lhota.test", "Přepážka", auth.Grant{Role: auth.CounterClerk})
	fees := o.official("poplatky@lhota.test", "Poplatky", auth.Grant{Role: auth.FeeClerk})
	bc, bf := o.browser(), o.browser()
	o.signIn(bc, clerk, nil)
	o.signIn(bf, fees, nil)

	if code, _, _ := bf.do("GET", "/urad/propojeni", nil, nil); code != 403 {
		t.Fatalf("fee clerk on the link page: %d", code)
	}
	code, body, _ := bc.do("GET", "/urad/propojeni", nil, nil)
	path := "/urad/propojeni/" + strconv.FormatInt(acc.ID, 10)
	wantBody(t, "pending", code, body, 200, pers.FullName(), i18n.Date(i18n.CS, pers.BirthDate), `action="`+path+`"`)

	// A valid birth number nobody in the town has.
	var stranger czid.BirthNumber
	for serial := 0; ; serial++ {
		stranger, _ = czid.NewBirthNumber(time.Date(1961, 3, 4, 0, 0, 0, 0, time.UTC), czid.Male, serial)
		var n int
		d.Read().QueryRow(ctx, `SELECT count(*) FROM persons WHERE tenant_id = $1 AND birth_number = $2`, o.town.ID, string(stranger)).Scan(&n)
		if n == 0 {
			break
		}
	}
	id := strconv.FormatInt(acc.ID, 10)
	for _, c := range []struct {
		form        url.Values
		want, field string
	}{
		{url.Values{"birth_number": {"1234567890"}, "reason": {"OP"}}, "Rodné číslo není platné.", "bn"},
		{url.Values{"birth_number": {string(stranger)}, "reason": {"OP"}}, "Obec nevede osobu s tímto rodným číslem.", "bn"},
		{url.Values{"birth_number": {pers.BirthNumber}, "reason": {" "}}, "Uveďte, jaký doklad jste ověřili.", "reason"},
		{url.Values{"birth_number": {pers.BirthNumber}, "reason": {"OP " + pers.BirthNumber}}, "Do důvodu nepište rodné číslo.", "reason"},
	} {
		code, body, _ := bc.do("POST", path, c.form, nil)
		wantBody(t, "bad link "+c.want, code, body, 400, c.want, `href="#`+c.field+`-`+id+`"`, `id="`+c.field+`-`+id+`-error"`)
		if strings.Contains(body, pers.BirthNumber) || strings.Contains(body, string(stranger)) {
			t.Fatalf("the page shows a birth number back")
		}
	}
	byStaff := audit.Query{Action: audit.ActionIdentityLink, ActorKind: audit.ActorStaff}
	if a, _ := accounts.Get(ctx, o.town.ID, acc.ID); a.Linked() || len(o.entries(byStaff)) != 0 {
		t.Fatalf("refused links changed something: %+v", a)
	}

	code, body, _ = bc.do("POST", path, url.Values{"birth_number": {pers.BirthNumber[:6] + "/" + pers.BirthNumber[6:]},
		"reason": {"občanský průkaz, ověřeno na přepážce"}}, nil)
	wantBody(t, "link", code, body, 200, "Účet je propojen", pers.FullName(), `action="`+path+`/zrusit"`)
	if strings.Contains(body, pers.BirthNumber) {
		t.Fatal("the page shows the birth number back")
	}
	if a, _ := accounts.Get(ctx, o.town.ID, acc.ID); a.PersonID != personID {
		t.Fatalf("account linked to %d, want %d", a.PersonID, personID)
	}
	links := o.entries(byStaff)
	if len(links) != 1 || links[0].Reason != "občanský průkaz, ověřeno na přepážce" || links[0].ActorID != clerk.st.ID ||
		links[0].SubjectID != personID || links[0].RequestID == "" {
		t.Fatalf("link entry: %+v", links)
	}
	code, body, _ = bc.do("POST", path, url.Values{"birth_number": {pers.BirthNumber}, "reason": {"znovu"}}, nil)
	wantBody(t, "link twice", code, body, 409, "Tento účet už je propojen.")

	// Undo, with a reason.
	code, body, _ = bc.do("POST", path+"/zrusit", url.Values{"reason": {""}}, nil)
	wantBody(t, "unlink without reason", code, body, 400, "Uveďte, jaký doklad jste ověřili.", `href="#unlink-reason"`)
	code, _, hdr := bc.do("POST", path+"/zrusit", url.Values{"reason": {"překlep v rodném čísle"}}, nil)
	if code != 303 || hdr.Get("Location") != "/urad/propojeni?hotovo=zruseno" {
		t.Fatalf("unlink: %d %s", code, hdr.Get("Location"))
	}
	if a, _ := accounts.Get(ctx, o.town.ID, acc.ID); a.Linked() {
		t.Fatal("still linked")
	}
	if u := o.entries(audit.Query{Action: account.ActionUnlink}); len(u) != 1 || u[0].Reason != "překlep v rodném čísle" {
		t.Fatalf("unlink entry: %+v", u)
	}
	code, body, _ = bc.do("POST", path+"/zrusit", url.Values{"reason": {"znovu"}}, nil)
	wantBody(t, "unlink twice", code, body, 409, "Tento účet propojen není.")
	if code, _, _ := bc.do("POST", "/urad/propojeni/999999", url.Values{"birth_number": {pers.BirthNumber}, "reason": {"OP"}}, nil); code != 404 {
		t.Fatalf("unknown account: %d", code)
	}
}

// An official sees their sessions and ends the others; a session ended so
// is sent to the login.
func TestOfficialSessionsPage(t *testing.T) {
	t.Parallel()
	o := newOffice(t, 0, nil)
	jana := o.official("jana@lhota.test", "Jana", auth.Grant{Role: auth.Editor})
	petr := o.official("petr@lhota.test", "Petr", auth.Grant{Role: auth.Editor})
	firefox := map[string]string{"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}
	chrome := map[string]string{"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"}
	b1, b2, b3, bp := o.browser(), o.browser(), o.browser(), o.browser()
	o.signIn(b1, jana, firefox)
	o.signIn(b2, jana, chrome)
	o.signIn(bp, petr, nil)

	code, body, _ := b1.do("GET", "/urad/relace", nil, firefox)
	wantBody(t, "sessions", code, body, 200, "Firefox, Linux", "Chrome, Windows", "toto přihlášení", "Odhlásit všude jinde")
	if n := strings.Count(body, "toto přihlášení"); n != 1 || strings.Count(body, "/ukoncit") != 1 {
		t.Fatalf("rows: %d current, %d to end\n%.3000s", n, strings.Count(body, "/ukoncit"), body)
	}
	code, _, hdr := b1.do("POST", "/urad/relace/odhlasit-vse", url.Values{}, nil)
	if code != 303 || hdr.Get("Location") != "/urad/relace?hotovo=vse" {
		t.Fatalf("end others: %d %s", code, hdr.Get("Location"))
	}
	if code, _, hdr := b2.do("GET", "/urad/", nil, nil); code != 303 || !strings.HasPrefix(hdr.Get("Location"), "/urad/prihlaseni") {
		t.Fatalf("the other session after log out everywhere: %d %s", code, hdr.Get("Location"))
	}
	if code, _, _ := b1.do("GET", "/urad/", nil, nil); code != 200 {
		t.Fatalf("this session after log out everywhere: %d", code)
	}
	if code, _, _ := bp.do("GET", "/urad/", nil, nil); code != 200 {
		t.Fatalf("another official's session ended too: %d", code)
	}

	// One session at a time; another's handle or nonsense is not found.
	o.signIn(b3, jana, nil)
	code, body, _ = b1.do("GET", "/urad/relace", nil, nil)
	m := regexp.MustCompile(`action="/urad/relace/([0-9a-f]{16})/ukoncit"`).FindStringSubmatch(body)
	if code != 200 || m == nil {
		t.Fatalf("no session to end: %d\n%.2000s", code, body)
	}
	_, pbody, _ := bp.do("GET", "/urad/relace", nil, nil)
	if code, _, _ := bp.do("POST", "/urad/relace/"+m[1]+"/ukoncit", url.Values{}, nil); code != 404 {
		t.Fatalf("ending another official's session: %d", code)
	}
	if code, _, _ := b1.do("POST", "/urad/relace/nesmysl/ukoncit", url.Values{}, nil); code != 404 {
		t.Fatalf("nonsense handle: %d", code)
	}
	if code, _, _ := b1.do("POST", "/urad/relace/"+m[1]+"/ukoncit", url.Values{}, nil); code != 303 {
		t.Fatalf("end one: %d", code)
	}
	if code, _, _ := b3.do("GET", "/urad/", nil, nil); code != 303 {
		t.Fatalf("the ended session still works: %d", code)
	}
	if strings.Contains(pbody, m[1]) {
		t.Fatal("another official's session is listed")
	}
	if n := len(o.entries(audit.Query{Action: "session.end", ActorKind: audit.ActorStaff, ActorID: jana.st.ID})); n != 2 {
		t.Fatalf("%d session.end entries, want 2", n)
	}
}
