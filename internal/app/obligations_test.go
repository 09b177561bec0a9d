package app

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/payment"
	"github.com/radnice/radnice/internal/tenant"
)

// A citizen sees what they owe on /zavazky, pays two items by transfer as
// one basket with its own symbol, and once the statement with that
// transfer is imported both are paid.
func TestObligationsPaidByTransfer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var town *tenant.Tenant
	var person int64
	h, p := testPortal(t, func(d *db.DB) {
		town = fixture.Town(t, d, "lhota", 40)
		if err := d.Read().QueryRow(ctx, `SELECT person_id FROM obligations WHERE tenant_id = $1 AND person_id IS NOT NULL
			AND person_id NOT IN (SELECT person_id FROM payments WHERE person_id IS NOT NULL)
			GROUP BY person_id HAVING count(*) >= 2 ORDER BY person_id LIMIT 1`, town.ID).Scan(&person); err != nil {
			t.Fatal(err)
		}
	})
	acc := fixture.Citizen(t, p.db, town, person)
	b := newBrowser(t, h, "lhota.test")
	tok, _, _ := p.sessions.Store.Create(ctx, town.ID, map[string]string{access.KeyAccount: strconv.FormatInt(acc.ID, 10), access.KeyLevel: "2"})
	u, _ := url.Parse("http://lhota.test/")
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "radnice", Value: tok}})

	status, body, _ := b.do("GET", "/zavazky", nil, nil)
	if status != 200 || !strings.Contains(body, "Zaplatit převodem") {
		t.Fatalf("/zavazky: %d\n%.1500s", status, body)
	}
	ids := regexp.MustCompile(`name="id" value="(\d+)"`).FindAllStringSubmatch(body, -1)
	if len(ids) < 2 {
		t.Fatalf("open obligations on the page: %d", len(ids))
	}
	party := "person:" + strconv.FormatInt(person, 10)
	// Card payments need a gateway; without one the person is told so.
	if status, body, _ := b.do("POST", "/zavazky/zaplatit", url.Values{"party": {party}, "id": {ids[0][1]}, "method": {"card"}},
		map[string]string{"Origin": "http://lhota.test"}); status != 400 || !strings.Contains(body, "převodem") {
		t.Fatalf("card without a gateway: %d", status)
	}
	// Another's obligation cannot be put in one's basket.
	var foreign int64
	p.db.Read().QueryRow(ctx, `SELECT min(id) FROM obligations WHERE tenant_id = $1 AND person_id <> $2`, town.ID, person).Scan(&foreign)
	if status, _, _ := b.do("POST", "/zavazky/zaplatit", url.Values{"party": {party}, "id": {strconv.FormatInt(foreign, 10)}, "method": {"transfer"}},
		map[string]string{"Origin": "http://lhota.test"}); status != 404 {
		t.Fatalf("another's obligation: %d", status)
	}
	if status, _, _ := b.do("GET", "/zavazky/"+strconv.FormatInt(foreign, 10), nil, nil); status != 404 {
		t.Fatalf("another's obligation page: %d", status)
	}
	form := url.Values{"party": {party}, "id": {ids[0][1], ids[1][1]}, "method": {"transfer"}}
	status, _, hdr := b.do("POST", "/zavazky/zaplatit", form, map[string]string{"Origin": "http://lhota.test"})
	if status != 303 || !strings.HasPrefix(hdr.Get("Location"), "/platba/") {
		t.Fatalf("basket: %d %s", status, hdr.Get("Location"))
	}
	payID, _ := strconv.ParseInt(strings.TrimPrefix(hdr.Get("Location"), "/platba/"), 10, 64)
	status, body, _ = b.do("GET", hdr.Get("Location"), nil, nil)
	pay, err := p.web.Payments.Get(ctx, town.ID, payID)
	if err != nil || status != 200 || !strings.Contains(body, strconv.FormatInt(pay.VS, 10)) ||
		!strings.Contains(body, "SPD*1.0*ACC:"+town.IBAN) || !strings.Contains(body, "X-VS:"+strconv.FormatInt(pay.VS, 10)) || !strings.Contains(body, "<svg") {
		t.Fatalf("basket page: %d %v\n%.1500s", status, err, body)
	}
	res, err := p.web.Payments.Import(ctx, town.ID, town.IBAN, []payment.StatementTx{{Ref: "T-1", Booked: time.Now().UTC(),
		Amount: pay.Amount, VS: pay.VS}})
	if err != nil || res.Matched != 1 {
		t.Fatalf("import: %+v %v", res, err)
	}
	for _, id := range []string{ids[0][1], ids[1][1]} {
		if status, body, _ := b.do("GET", "/zavazky/"+id, nil, nil); status != 200 || !strings.Contains(body, "zaplaceno") {
			t.Fatalf("obligation %s after the transfer: %d", id, status)
		}
	}
	if _, body, _ := b.do("GET", "/platba/"+strconv.FormatInt(payID, 10), nil, nil); !strings.Contains(body, "dorazila") {
		t.Fatalf("basket page after the transfer does not say it arrived")
	}
	status, pdfBody, hdr := b.do("GET", "/platba/"+strconv.FormatInt(payID, 10)+"/potvrzeni.pdf", nil, nil)
	if status != 200 || hdr.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdfBody, "%PDF-") {
		t.Fatalf("receipt: %d %s", status, hdr.Get("Content-Type"))
	}
	// Nobody else gets it.
	other := newBrowser(t, h, "lhota.test")
	if status, _, hdr := other.do("GET", "/platba/"+strconv.FormatInt(payID, 10)+"/potvrzeni.pdf", nil, nil); status != 303 ||
		!strings.HasPrefix(hdr.Get("Location"), "/prihlaseni") {
		t.Fatalf("anonymous receipt: %d", status)
	}
}
