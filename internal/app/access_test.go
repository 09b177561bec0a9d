package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/account"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/tenant"
	"github.com/radnice/radnice/internal/web"
)

// matrix says, for every route of every face, who may use it. It is written
// out by hand, independently of the rules in the route tables, so that a
// route whose rule is loosened by mistake fails here. A route missing from
// it fails the test.
//
//	"public"        anybody
//	"citizen"       a signed-in citizen (terms accepted)
//	"citizen-terms" a signed-in citizen, terms accepted or not
//	"staff"         any official of the town
//	"staff:r1,r2"   an official holding one of the roles
var matrix = map[string]string{
	"GET /{$}":                               "public",
	"GET /kontakty":                          "public",
	"GET /prohlaseni-o-pristupnosti":         "public",
	"GET /jazyk/{lang}":                      "public",
	"GET /barvy.css":                         "public",
	"GET /erb.svg":                           "public",
	"/":                                      "public",
	"GET /prihlaseni":                        "public",
	"GET /prihlaseni/navrat":                 "public",
	"GET /prihlaseni/{provider}":             "public",
	"GET /odhlaseni":                         "public",
	"POST /odhlaseni":                        "public",
	"GET /souhlas":                           "citizen-terms",
	"POST /souhlas":                          "citizen-terms",
	"GET /muj-ucet":                          "citizen",
	"POST /muj-ucet/propojeni":               "citizen",
	"POST /jednat-za":                        "citizen",
	"GET /muj-ucet/zmocneni":                 "citizen",
	"POST /muj-ucet/zmocneni":                "citizen",
	"POST /muj-ucet/zmocneni/{id}/odvolat":   "citizen",
	"GET /muj-ucet/relace":                   "citizen",
	"POST /muj-ucet/relace/odhlasit-vse":     "citizen",
	"POST /muj-ucet/relace/{handle}/ukoncit": "citizen",

	"GET /zavazky":                      "citizen",
	"GET /zavazky/{id}":                 "citizen",
	"POST /zavazky/zaplatit":            "citizen",
	"GET /platba/{id}":                  "citizen",
	"GET /platba/{id}/potvrzeni.pdf":    "citizen",
	"GET /platba/{gateway}/navrat":      "public",
	"POST /platba/{gateway}/navrat":     "public",
	"POST /platba/{gateway}/notifikace": "public",

	"GET /potrebuji-vyridit":                   "public",
	"GET /potrebuji-vyridit/{category}":        "public",
	"GET /potrebuji-vyridit/{category}/{slug}": "public",
	"GET /a-z":                             "public",
	"GET /formulare":                       "public",
	"POST /formulare/{slug}":               "citizen",
	"GET /formulare/koncept/{id}":          "citizen",
	"POST /formulare/koncept/{id}":         "citizen",
	"GET /formulare/koncept/{id}/kontrola": "citizen",
	"POST /formulare/koncept/{id}/podat":   "citizen",
	"POST /formulare/koncept/{id}/smazat":  "citizen",

	"GET /podani":                     "citizen",
	"GET /podani/{id}":                "citizen",
	"GET /podani/{id}/potvrzeni.pdf":  "citizen",
	"GET /podani/{id}/soubory/{file}": "citizen",
	"POST /podani/{id}/odpoved":       "citizen",

	"GET /urad/{$}":               "staff",
	"GET /urad/prihlaseni":        "public",
	"POST /urad/prihlaseni":       "public",
	"POST /urad/odhlaseni":        "public",
	"GET /urad/pozvanka":          "public",
	"POST /urad/pozvanka":         "public",
	"POST /urad/pozvanka/overeni": "public",

	"GET /urad/obnova-hesla":                       "public",
	"POST /urad/obnova-hesla":                      "public",
	"GET /urad/sprava/urednici":                    "staff:administrator",
	"POST /urad/sprava/urednici":                   "staff:administrator",
	"GET /urad/sprava/urednici/{id}":               "staff:administrator",
	"POST /urad/sprava/urednici/{id}/role":         "staff:administrator",
	"POST /urad/sprava/urednici/{id}/zablokovat":   "staff:administrator",
	"POST /urad/sprava/urednici/{id}/obnova-hesla": "staff:administrator",
	"GET /urad/audit":                              "staff:auditor",
	"GET /urad/propojeni":                          "staff:counter_clerk,administrator",
	"POST /urad/propojeni/{id}":                    "staff:counter_clerk,administrator",
	"POST /urad/propojeni/{id}/zrusit":             "staff:counter_clerk,administrator",
	"GET /urad/relace":                             "staff",
	"POST /urad/relace/odhlasit-vse":               "staff",
	"POST /urad/relace/{handle}/ukoncit":           "staff",

	"GET /urad/platby":                 "staff:fee_clerk",
	"POST /urad/platby/prirazeni/{id}": "staff:fee_clerk",
	"POST /urad/platby/hotovost":       "staff:fee_clerk",
	"GET /urad/platby/doklad/{id}":     "staff:fee_clerk",
	"POST /urad/platby/vratky":         "staff:fee_clerk",
	"POST /urad/platby/vratky/{id}":    "staff:fee_clerk",
	"POST /urad/platby/vypis":          "staff:fee_clerk",
	"GET /urad/platby/demo-vypis":      "staff:fee_clerk",
	"POST /urad/platby/hledat":         "staff:fee_clerk",
	"GET /urad/platby/osoby/{id}":      "staff:fee_clerk",
	"GET /urad/platby/firmy/{id}":      "staff:fee_clerk",
	"POST /urad/platby/prevod":         "staff:fee_clerk",

	"GET /urad/podani":                     "staff:case_worker",
	"GET /urad/podani/{id}":                "staff:case_worker",
	"POST /urad/podani/{id}":               "staff:case_worker",
	"GET /urad/podani/{id}/soubory/{file}": "staff:case_worker",
}

// samplePaths fill the wildcards of routes for the matrix.
func samplePaths(mandate, obligation, pay int64) map[string]string {
	return map[string]string{
		"GET /zavazky/{id}":                      "/zavazky/" + strconv.FormatInt(obligation, 10),
		"GET /platba/{id}":                       "/platba/" + strconv.FormatInt(pay, 10),
		"GET /platba/{id}/potvrzeni.pdf":         "/platba/" + strconv.FormatInt(pay, 10) + "/potvrzeni.pdf",
		"GET /platba/{gateway}/navrat":           "/platba/gpwebpay/navrat?ORDERNUMBER=1",
		"POST /platba/{gateway}/navrat":          "/platba/gpwebpay/navrat",
		"POST /platba/{gateway}/notifikace":      "/platba/comgate/notifikace",
		"GET /jazyk/{lang}":                      "/jazyk/en?next=/",
		"GET /prihlaseni/{provider}":             "/prihlaseni/bankid",
		"/":                                      "/neexistuje",
		"POST /muj-ucet/zmocneni/{id}/odvolat":   "/muj-ucet/zmocneni/" + strconv.FormatInt(mandate, 10) + "/odvolat",
		"POST /muj-ucet/relace/{handle}/ukoncit": "/muj-ucet/relace/0123456789abcdef/ukoncit",
		// Officials and accounts that do not exist: the guard decides, the
		// handler then finds nothing to change.
		"GET /urad/sprava/urednici/{id}":               "/urad/sprava/urednici/999999",
		"POST /urad/sprava/urednici/{id}/role":         "/urad/sprava/urednici/999999/role",
		"POST /urad/sprava/urednici/{id}/zablokovat":   "/urad/sprava/urednici/999999/zablokovat",
		"POST /urad/sprava/urednici/{id}/obnova-hesla": "/urad/sprava/urednici/999999/obnova-hesla",
		"POST /urad/propojeni/{id}":                    "/urad/propojeni/999999",
		"POST /urad/propojeni/{id}/zrusit":             "/urad/propojeni/999999/zrusit",
		"POST /urad/relace/{handle}/ukoncit":           "/urad/relace/0123456789abcdef/ukoncit",
		// A bank transaction, a payment and a refund that do not exist.
		"POST /urad/platby/prirazeni/{id}": "/urad/platby/prirazeni/999999",
		"GET /urad/platby/doklad/{id}":     "/urad/platby/doklad/999999",
		"POST /urad/platby/vratky/{id}":    "/urad/platby/vratky/999999",
		"GET /urad/platby/osoby/{id}":      "/urad/platby/osoby/999999",
		"GET /urad/platby/firmy/{id}":      "/urad/platby/firmy/999999",
		// A case and a file that do not exist.
		"GET /urad/podani/{id}":                "/urad/podani/999999",
		"POST /urad/podani/{id}":               "/urad/podani/999999",
		"GET /urad/podani/{id}/soubory/{file}": "/urad/podani/999999/soubory/999999",
		// A citizen's case and file that do not exist: the guard decides,
		// the handler then finds nothing (whose case it is: TestCitizenCasePages).
		"GET /podani/{id}":                "/podani/999999",
		"GET /podani/{id}/potvrzeni.pdf":  "/podani/999999/potvrzeni.pdf",
		"GET /podani/{id}/soubory/{file}": "/podani/999999/soubory/999999",
		"POST /podani/{id}/odpoved":       "/podani/999999/odpoved",
		// A form of the fixture (a citizen starts a draft of it), and a
		// draft that does not exist (whose draft it is: TestFileOnceOverHTTP).
		"POST /formulare/{slug}": "/formulare/obecne-podani",
		// The fixture town's category and published situation.
		"GET /potrebuji-vyridit/{category}":        "/potrebuji-vyridit/" + fixture.CatalogCategory,
		"GET /potrebuji-vyridit/{category}/{slug}": "/potrebuji-vyridit/" + fixture.CatalogCategory + "/" + fixture.CatalogSlug,
		"GET /formulare/koncept/{id}":              "/formulare/koncept/999999",
		"POST /formulare/koncept/{id}":             "/formulare/koncept/999999",
		"GET /formulare/koncept/{id}/kontrola":     "/formulare/koncept/999999/kontrola",
		"POST /formulare/koncept/{id}/podat":       "/formulare/koncept/999999/podat",
		"POST /formulare/koncept/{id}/smazat":      "/formulare/koncept/999999/smazat",
	}
}

type principalCase struct {
	name string
	data map[string]string // session data; nil: anonymous
	// town is where the session lives (another town's official has a
	// session only there).
	town  *tenant.Tenant
	kind  access.Kind
	roles []auth.Role
	terms bool // a citizen who has accepted the terms
}

// expect is what the matrix says principal c gets on a route of class.
func expect(class string, c principalCase) string {
	switch {
	case class == "public":
		return "allow"
	case strings.HasPrefix(class, "citizen"):
		switch c.kind {
		case access.Anonymous:
			return "login"
		case access.Official:
			return "deny"
		}
		if class == "citizen" && !c.terms {
			return "terms"
		}
		return "allow"
	case strings.HasPrefix(class, "staff"):
		switch c.kind {
		case access.Anonymous:
			return "staff-login"
		case access.Citizen:
			return "deny"
		}
		_, roles, ok := strings.Cut(class, ":")
		if !ok {
			return "allow"
		}
		for _, r := range strings.Split(roles, ",") {
			for _, have := range c.roles {
				if string(have) == r {
					return "allow"
				}
			}
		}
		return "deny"
	}
	panic("unknown class " + class)
}

// outcome is the guard's decision on a response: what it refused with, or
// "allow" when it let the handler answer (whatever the handler then said).
func outcome(w *httptest.ResponseRecorder) string {
	if v := w.Header().Get(web.AccessHeader); v != "" {
		return v
	}
	return "allow"
}

// TestAccessMatrix walks every registered route with every kind of
// principal and checks the answer against the matrix; then checks that no
// citizen's page shows another citizen's data.
func TestAccessMatrix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var town, other *tenant.Tenant
	h, p := testPortal(t, func(d *db.DB) {
		town = fixture.Town(t, d, "alfa", 80)
		other = fixture.Town(t, d, "beta", 10)
	})
	d := p.db

	// Citizens: the fixture's company representative, two other people,
	// a parent of a minor, and an account not linked to any record.
	var rep, mandate int64
	if err := d.Read().QueryRow(ctx, `SELECT min(person_id) FROM company_representatives WHERE tenant_id = $1`, town.ID).Scan(&rep); err != nil {
		t.Fatal(err)
	}
	if err := d.Read().QueryRow(ctx, `SELECT min(id) FROM mandates WHERE tenant_id = $1`, town.ID).Scan(&mandate); err != nil {
		t.Fatal(err)
	}
	var parent int64
	err := d.Read().QueryRow(ctx, `SELECT min(me.person_id) FROM household_members me
		JOIN household_members m ON m.tenant_id = me.tenant_id AND m.household_id = me.household_id AND m.role = 'child'
		JOIN persons c ON c.tenant_id = m.tenant_id AND c.id = m.person_id
		WHERE me.tenant_id = $1 AND me.role = 'adult' AND c.birth_date > $2 AND me.person_id <> $3
		AND me.person_id NOT IN (SELECT agent_person_id FROM mandates WHERE tenant_id = $1)`,
		town.ID, time.Now().AddDate(-17, 0, 0), rep).Scan(&parent)
	if err != nil || parent == 0 {
		t.Fatalf("no parent of a minor in the fixture town: %v", err)
	}
	var plain []int64
	rows, err := d.Read().Query(ctx, `SELECT id FROM persons WHERE tenant_id = $1 AND birth_number IS NOT NULL
		AND id NOT IN (SELECT person_id FROM company_representatives WHERE tenant_id = $1)
		AND id NOT IN (SELECT agent_person_id FROM mandates WHERE tenant_id = $1) AND id <> $2 ORDER BY id DESC LIMIT 2`, town.ID, parent)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		plain = append(plain, id)
	}
	rows.Close()
	if len(plain) < 2 {
		t.Fatalf("fixture town has %d plain citizens", len(plain))
	}
	citizen := func(person int64) map[string]string {
		acc := fixture.Citizen(t, d, town, person)
		return map[string]string{access.KeyAccount: strconv.FormatInt(acc.ID, 10), access.KeyLevel: "2"}
	}
	repAcc := fixture.Principal(t, d, fixture.Citizen(t, d, town, rep))
	if len(repAcc.Parties) < 2 {
		t.Fatalf("the representative acts for nobody: %+v", repAcc.Parties)
	}
	parentP := fixture.Principal(t, d, fixture.Citizen(t, d, town, parent))
	hasChild := false
	for _, q := range parentP.Parties {
		hasChild = hasChild || q.Via == access.ViaParent
	}
	if !hasChild {
		t.Fatalf("the parent acts for no child: %+v", parentP.Parties)
	}
	unlinked, _, err := p.web.Accounts.SignIn(ctx, town.ID, "bankid", fixture.Identity(t, d, town, plain[1], false), accountMeta())
	if err != nil {
		t.Fatal(err)
	}

	cases := []principalCase{
		{name: "anonymous", town: town},
		{name: "citizen A", town: town, kind: access.Citizen, terms: true, data: citizen(plain[0])},
		{name: "citizen B (unlinked, terms pending)", town: town, kind: access.Citizen,
			data: map[string]string{access.KeyAccount: strconv.FormatInt(unlinked.ID, 10), access.KeyLevel: "2"}},
		{name: "company representative", town: town, kind: access.Citizen, terms: true,
			data: map[string]string{access.KeyAccount: strconv.FormatInt(repAcc.Account.ID, 10), access.KeyLevel: "2",
				access.KeyActing: repAcc.Parties[1].Key()}},
		{name: "parent", town: town, kind: access.Citizen, terms: true,
			data: map[string]string{access.KeyAccount: strconv.FormatInt(parentP.Account.ID, 10), access.KeyLevel: "2"}},
	}
	for _, role := range auth.Roles {
		g := auth.Grant{Role: role}
		if role == auth.CaseWorker {
			g.Department = "Odbor dopravy"
		}
		st, _ := fixture.Official(t, d, town, string(role)+"@alfa.test", g)
		cases = append(cases, principalCase{name: "official " + string(role), town: town, kind: access.Official,
			roles: []auth.Role{role}, data: map[string]string{access.KeyStaff: strconv.FormatInt(st.ID, 10)}})
	}
	// An administrator of town beta, with beta's session presented at alfa:
	// alfa does not know it, so it is nobody there.
	ost, _ := fixture.Official(t, d, other, "admin@beta.test", auth.Grant{Role: auth.Administrator})
	cases = append(cases, principalCase{name: "administrator of another town", town: other, kind: access.Anonymous,
		data: map[string]string{access.KeyStaff: strconv.FormatInt(ost.ID, 10)}})

	// Every route is in the matrix, and the matrix names no route that is gone.
	routes := append(p.web.Routes(), p.office.Routes()...)
	registered := map[string]bool{}
	for _, r := range routes {
		registered[r.Pattern] = true
		if _, ok := matrix[r.Pattern]; !ok {
			t.Errorf("route %q is not in the access matrix", r.Pattern)
		}
	}
	var stale []string
	for pattern := range matrix {
		if !registered[pattern] {
			stale = append(stale, pattern)
		}
	}
	sort.Strings(stale)
	for _, s := range stale {
		t.Errorf("the access matrix lists %q, which is not registered", s)
	}
	if t.Failed() {
		return
	}

	// Object level: a mandate exists only for its grantor and agent.
	for _, c := range []principalCase{cases[1], cases[4]} {
		tok, _, _ := p.sessions.Store.Create(ctx, town.ID, c.data)
		w := request(t, h, "POST", "alfa.test", fmt.Sprintf("/muj-ucet/zmocneni/%d/odvolat", mandate),
			map[string]string{"Sec-Fetch-Site": "same-origin", "Cookie": "radnice=" + tok})
		if w.Code != http.StatusNotFound {
			t.Errorf("%s revoking another's mandate: %d", c.name, w.Code)
		}
	}
	var revoked int
	d.Read().QueryRow(ctx, `SELECT count(*) FROM mandates WHERE id = $1 AND revoked_at IS NOT NULL`, mandate).Scan(&revoked)
	if revoked != 0 {
		t.Fatalf("a stranger revoked the mandate")
	}

	// No page shows a citizen another's obligations: the variable symbols
	// of the representative and of the company never appear to citizen A,
	// the unlinked citizen or the parent, and do appear to the
	// representative (so the check is not vacuous).
	var secret []string
	rows, err = d.Read().Query(ctx, `SELECT vs FROM obligations WHERE tenant_id = $1 AND (person_id = $2
		OR company_id IN (SELECT company_id FROM company_representatives WHERE tenant_id = $1 AND person_id = $2))`, town.ID, rep)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var vs int64
		rows.Scan(&vs)
		secret = append(secret, strconv.FormatInt(vs, 10))
	}
	rows.Close()
	if len(secret) == 0 {
		t.Fatal("the representative and the company owe nothing in the fixture")
	}
	seen := false
	for _, r := range routes {
		if strings.HasPrefix(r.Pattern, "POST ") || strings.Contains(r.Pattern, "{") && r.Pattern != "GET /{$}" {
			continue
		}
		path := strings.TrimSuffix(strings.TrimPrefix(r.Pattern, "GET "), "{$}")
		repSelf := principalCase{name: "representative as themselves", data: map[string]string{
			access.KeyAccount: strconv.FormatInt(repAcc.Account.ID, 10), access.KeyLevel: "2"}}
		for _, c := range append([]principalCase{repSelf}, cases[1:5]...) {
			tok, _, _ := p.sessions.Store.Create(ctx, town.ID, c.data)
			body := request(t, h, "GET", "alfa.test", path, map[string]string{"Cookie": "radnice=" + tok}).Body.String()
			for _, vs := range secret {
				if strings.Contains(body, ">"+vs+"<") {
					if c.name == repSelf.name || c.name == "company representative" {
						seen = true
					} else {
						t.Errorf("%s sees the representative's obligation %s on %s", c.name, vs, path)
					}
				}
			}
		}
	}
	if !seen {
		t.Error("the representative acting for the company never saw its obligations: the leak check is vacuous")
	}

	// Object level: the representative's obligation and basket exist only
	// for the parties that owe them.
	var repObligation, repPayment int64
	d.Read().QueryRow(ctx, `SELECT min(id) FROM obligations WHERE tenant_id = $1 AND person_id = $2`, town.ID, rep).Scan(&repObligation)
	d.Read().QueryRow(ctx, `SELECT min(id) FROM payments WHERE tenant_id = $1 AND person_id = $2`, town.ID, rep).Scan(&repPayment)
	if repObligation == 0 || repPayment == 0 {
		t.Fatal("the fixture's representative has no obligation or basket")
	}
	repSelfData := map[string]string{access.KeyAccount: strconv.FormatInt(repAcc.Account.ID, 10), access.KeyLevel: "2"}
	for _, path := range []string{fmt.Sprintf("/zavazky/%d", repObligation), fmt.Sprintf("/platba/%d", repPayment)} {
		for _, c := range append([]principalCase{{name: "representative as themselves", data: repSelfData}}, cases[1], cases[4]) {
			tok, _, _ := p.sessions.Store.Create(ctx, town.ID, c.data)
			w := request(t, h, "GET", "alfa.test", path, map[string]string{"Cookie": "radnice=" + tok})
			want := http.StatusNotFound
			if c.name == "representative as themselves" {
				want = http.StatusOK
			}
			if w.Code != want {
				t.Errorf("%s as %s: %d, want %d", path, c.name, w.Code, want)
			}
		}
	}

	samples := samplePaths(mandate, repObligation, repPayment)
	for _, r := range routes {
		method, path, ok := strings.Cut(r.Pattern, " ")
		if !ok {
			method, path = "GET", r.Pattern
		}
		path = strings.TrimSuffix(path, "{$}")
		if s, ok := samples[r.Pattern]; ok {
			path = s
		} else if strings.Contains(path, "{") {
			t.Errorf("route %s has no sample path in the access matrix test", r.Pattern)
			continue
		}
		for _, c := range cases {
			// A fresh session per request: some routes end it.
			header := map[string]string{"Sec-Fetch-Site": "same-origin"}
			if c.data != nil {
				tok, _, err := p.sessions.Store.Create(ctx, c.town.ID, c.data)
				if err != nil {
					t.Fatal(err)
				}
				header["Cookie"] = "radnice=" + tok
			}
			w := request(t, h, method, "alfa.test", path, header)
			if w.Code >= 500 && !(path == "/prihlaseni/bankid" && w.Code == http.StatusServiceUnavailable) {
				t.Errorf("%s %s as %s: status %d", method, path, c.name, w.Code)
			}
			want := expect(matrix[r.Pattern], c)
			if got := outcome(w); got != want {
				t.Errorf("%s %s as %s: got %s (%d %s), want %s", method, path, c.name, got, w.Code, w.Header().Get("Location"), want)
			}
		}
	}
}

func request(t *testing.T, h http.Handler, method, host, path string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	var body *strings.Reader
	if method == http.MethodPost {
		body = strings.NewReader(url.Values{}.Encode())
	} else {
		body = strings.NewReader("")
	}
	r := httptest.NewRequest(method, path, body)
	r.Host = host
	if method == http.MethodPost {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func accountMeta() account.Meta { return account.Meta{RequestID: "test"} }
