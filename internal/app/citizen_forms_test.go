package app

import (
	"context"
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

// Bad input on the citizens' forms gets a localised message (or a plain
// refusal for a forged field), and changes nothing.
func TestCitizenFormsRefuseBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var town *tenant.Tenant
	h, p := testPortal(t, func(d *db.DB) { town = fixture.Town(t, d, "lhota", 40) })
	var acc, rep int64
	p.db.Read().QueryRow(ctx, `SELECT id, person_id FROM accounts WHERE tenant_id = $1 ORDER BY id LIMIT 1`, town.ID).Scan(&acc, &rep)
	b := newBrowser(t, h, "lhota.test")
	tok, _, _ := p.sessions.Store.Create(ctx, town.ID, map[string]string{access.KeyAccount: strconv.FormatInt(acc, 10), access.KeyLevel: "2"})
	u, _ := url.Parse("http://lhota.test/")
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "radnice", Value: tok}})
	same := map[string]string{"Origin": "http://lhota.test"}
	count := func(table string) int {
		var n int
		p.db.Read().QueryRow(ctx, `SELECT count(*) FROM `+table+` WHERE tenant_id = $1`, town.ID).Scan(&n)
		return n
	}
	mandates, payments := count("mandates"), count("payments")
	self := "person:" + strconv.FormatInt(rep, 10)

	for _, c := range []struct {
		name string
		form url.Values
		want string
	}{
		{"bad birth number", url.Values{"grantor": {self}, "agent_birth_number": {"12"}, "agent_family_name": {"Novák"},
			"agenda": {"obligations"}, "valid_until": {"2030-01-01"}}, "platné rodné číslo"},
		{"no agenda", url.Values{"grantor": {self}, "agent_birth_number": {"8505059990"}, "agent_family_name": {"Novák"},
			"valid_until": {"2030-01-01"}}, "alespoň jednu oblast"},
		{"date in the past", url.Values{"grantor": {self}, "agent_birth_number": {"8505059990"}, "agent_family_name": {"Novák"},
			"agenda": {"obligations"}, "valid_until": {"2001-01-01"}}, "v budoucnu"},
		{"not a date", url.Values{"grantor": {self}, "agent_birth_number": {"8505059990"}, "agent_family_name": {"Novák"},
			"agenda": {"obligations"}, "valid_until": {"zítra"}}, "den. měsíc. rok"},
		{"somebody else's party", url.Values{"grantor": {"company:999999"}, "agent_birth_number": {"8505059990"},
			"agent_family_name": {"Novák"}, "agenda": {"obligations"}, "valid_until": {"2030-01-01"}}, "jen za sebe"},
	} {
		status, body, _ := b.do("POST", "/muj-ucet/zmocneni", c.form, same)
		if status != 400 || !strings.Contains(body, c.want) {
			t.Errorf("mandate, %s: %d, want 400 with %q", c.name, status, c.want)
		}
	}
	if status, _, _ := b.do("POST", "/jednat-za", url.Values{"party": {"company:999999"}}, same); status != 403 {
		t.Errorf("acting for a stranger: %d", status)
	}
	if status, body, _ := b.do("POST", "/zavazky/zaplatit", url.Values{"party": {self}, "id": {"abc"}, "method": {"transfer"}}, same); status != 400 ||
		!strings.Contains(body, "Vyberte, co chcete zaplatit") {
		t.Errorf("a basket of nonsense: %d", status)
	}
	if status, body, _ := b.do("POST", "/zavazky/zaplatit", url.Values{"party": {self}, "method": {"transfer"}}, same); status != 400 ||
		!strings.Contains(body, "Vyberte, co chcete zaplatit") {
		t.Errorf("an empty basket: %d", status)
	}
	if status, _, _ := b.do("GET", "/zavazky/abc", nil, nil); status != 404 {
		t.Errorf("an obligation named abc: %d", status)
	}
	if status, _, _ := b.do("POST", "/muj-ucet/relace/zzz/ukoncit", url.Values{}, same); status != 404 {
		t.Errorf("ending a session that is not one: %d", status)
	}
	if m, pay := count("mandates"), count("payments"); m != mandates || pay != payments {
		t.Errorf("refused forms changed data: mandates %d→%d, payments %d→%d", mandates, m, payments, pay)
	}
}
