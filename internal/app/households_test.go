package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/tenant"
)

// A household's rent is seen and paid by every adult of the household, not
// only the one it is billed to, with its instalments and a QR code for the
// part due next; anybody else does not find it.
func TestHouseholdObligationsForEveryAdult(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var town *tenant.Tenant
	var partner, outsider, rent, rentVS int64
	h, p := testPortal(t, func(d *db.DB) {
		town = fixture.Town(t, d, "lhota", 80)
		// A rent of a household of two adults, and the adult it is not billed to.
		if err := d.Read().QueryRow(ctx, `SELECT o.id, o.vs, m.person_id FROM obligations o
			JOIN household_members m ON m.tenant_id = o.tenant_id AND m.household_id = o.household_id
				AND m.role = 'adult' AND m.person_id <> o.person_id
			WHERE o.tenant_id = $1 ORDER BY o.id LIMIT 1`, town.ID).Scan(&rent, &rentVS, &partner); err != nil {
			t.Fatalf("no rent of a household of two adults: %v", err)
		}
		if err := d.Read().QueryRow(ctx, `SELECT min(m.person_id) FROM household_members m WHERE m.tenant_id = $1 AND m.role = 'adult'
			AND m.household_id <> (SELECT household_id FROM obligations WHERE tenant_id = $1 AND id = $2)`, town.ID, rent).Scan(&outsider); err != nil {
			t.Fatal(err)
		}
	})
	signIn := func(person int64) *browser {
		acc := fixture.Citizen(t, p.db, town, person)
		b := newBrowser(t, h, "lhota.test")
		tok, _, _ := p.sessions.Store.Create(ctx, town.ID, map[string]string{access.KeyAccount: strconv.FormatInt(acc.ID, 10), access.KeyLevel: "2"})
		u, _ := url.Parse("http://lhota.test/")
		b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "radnice", Value: tok}})
		return b
	}
	line, err := p.web.Obligations.Line(ctx, town.ID, rent)
	if err != nil || len(line.Instalments) != 4 {
		t.Fatalf("rent: %+v %v", line, err)
	}
	first := line.Instalments[0].Amount
	money := func(h int64) string { // "21 600,00" as the pages write it
		s := strconv.FormatInt(h/100, 10)
		var out []string
		for len(s) > 3 {
			out, s = append([]string{s[len(s)-3:]}, out...), s[:len(s)-3]
		}
		return strings.Join(append([]string{s}, out...), "\u00a0") + fmt.Sprintf(",%02d", h%100)
	}

	b := signIn(partner)
	code, body, _ := b.do("GET", "/zavazky", nil, nil)
	wantBody(t, "partner's list", code, body, 200, "Nájemné za obecní byt", "Za domácnost: ", "splátka "+money(first))
	path := "/zavazky/" + strconv.FormatInt(rent, 10)
	code, body, _ = b.do("GET", path, nil, nil)
	wantBody(t, "partner's rent", code, body, 200, "Splátkový kalendář", "AM:"+strconv.FormatInt(first/100, 10)+".00",
		"X-VS:"+strconv.FormatInt(rentVS, 10))
	form := url.Values{"party": {"person:" + strconv.FormatInt(partner, 10)}, "id": {strconv.FormatInt(rent, 10)}, "method": {"transfer"}}
	code, _, hdr := b.do("POST", "/zavazky/zaplatit", form, map[string]string{"Origin": "http://lhota.test"})
	if code != 303 || !strings.HasPrefix(hdr.Get("Location"), "/platba/") {
		t.Fatalf("the partner pays the rent: %d %q", code, hdr.Get("Location"))
	}
	if code, _, _ := b.do("GET", hdr.Get("Location"), nil, nil); code != 200 {
		t.Fatalf("the partner's basket: %d", code)
	}

	o := signIn(outsider)
	if code, body, _ := o.do("GET", "/zavazky", nil, nil); code != 200 || strings.Contains(body, strconv.FormatInt(rentVS, 10)) {
		t.Errorf("an outsider's list: %d, shows the rent: %v", code, strings.Contains(body, strconv.FormatInt(rentVS, 10)))
	}
	if code, _, _ := o.do("GET", path, nil, nil); code != 404 {
		t.Errorf("an outsider opens the rent: %d", code)
	}
	form.Set("party", "person:"+strconv.FormatInt(outsider, 10))
	if code, _, _ := o.do("POST", "/zavazky/zaplatit", form, map[string]string{"Origin": "http://lhota.test"}); code != 404 {
		t.Errorf("an outsider puts the rent in a basket: %d", code)
	}
}
