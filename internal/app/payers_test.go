package app

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/czid"
	"github.com/radnice/radnice/internal/payment"
)

// A fee clerk finds a payer by birth number, IČO or variable symbol, sees
// everything they owe with their household's rent in instalments, and moves
// an overpayment to another of their obligations. Every look is audited;
// bad input is refused with a message and changes nothing; a statement of
// another account books nothing.
func TestPayerPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := newDesk(t, 60, nil, nil)
	d := o.p.db
	jana := o.official("jana@lhota.test", "Jana Pokladní", auth.Grant{Role: auth.FeeClerk})
	b := o.browser()
	o.signIn(b, jana, nil)

	// The billed adult of a household that rents a town flat.
	var person, rent, rentVS int64
	var bn, given, family, household string
	if err := d.Read().QueryRow(ctx, `SELECT p.id, p.birth_number, p.given_name, p.family_name, o.id, o.vs, h.name
		FROM obligations o JOIN persons p ON p.tenant_id = o.tenant_id AND p.id = o.person_id
		JOIN households h ON h.tenant_id = o.tenant_id AND h.id = o.household_id
		WHERE o.tenant_id = $1 AND o.household_id IS NOT NULL AND p.birth_number IS NOT NULL ORDER BY o.id LIMIT 1`, o.town.ID).
		Scan(&person, &bn, &given, &family, &rent, &rentVS, &household); err != nil {
		t.Fatalf("no household rent in the fixture: %v", err)
	}
	parsed, err := czid.ParseBirthNumber(bn)
	if err != nil {
		t.Fatal(err)
	}
	reads := func() int { return len(o.entries(audit.Query{Action: audit.ActionPersonRead})) }
	count := func(q string) int {
		t.Helper()
		var n int
		if err := d.Read().QueryRow(ctx, q, o.town.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	code, body, _ := b.do("GET", "/urad/platby", nil, nil)
	wantBody(t, "desk", code, body, 200, "Najít plátce", `action="/urad/platby/hledat"`)

	// Birth number with the slash, as on the identity card.
	code, _, hdr := b.do("POST", "/urad/platby/hledat", url.Values{"q": {parsed.String()}}, nil)
	if want := "/urad/platby/osoby/" + strconv.FormatInt(person, 10); code != 303 || hdr.Get("Location") != want {
		t.Fatalf("find by birth number: %d %q, want %s", code, hdr.Get("Location"), want)
	}
	before := reads()
	code, body, _ = b.do("GET", "/urad/platby/osoby/"+strconv.FormatInt(person, 10), nil, nil)
	wantBody(t, "payer", code, body, 200, given+" "+family, "Za domácnost: "+household, "Nájemné za obecní byt",
		strconv.FormatInt(rentVS, 10), "další splátka", "Přijmout hotovost", "/urad/platby?vs="+strconv.FormatInt(rentVS, 10))
	if strings.Contains(body, bn) {
		t.Error("the payer's page shows the birth number in full")
	}
	es := o.entries(audit.Query{Action: audit.ActionPersonRead})
	if len(es) != before+1 || es[0].SubjectKind != audit.SubjectPerson || es[0].SubjectID != person || es[0].ActorID != jana.st.ID {
		t.Fatalf("the look is not audited: %+v", es)
	}
	// The cash link fills in the symbol.
	code, body, _ = b.do("GET", "/urad/platby?vs="+strconv.FormatInt(rentVS, 10), nil, nil)
	wantBody(t, "desk with a symbol", code, body, 200, `value="`+strconv.FormatInt(rentVS, 10)+`"`)

	// The rent's symbol finds the billed adult; the company's IČO finds it.
	code, _, hdr = b.do("POST", "/urad/platby/hledat", url.Values{"q": {strconv.FormatInt(rentVS, 10)}}, nil)
	if code != 303 || hdr.Get("Location") != "/urad/platby/osoby/"+strconv.FormatInt(person, 10) {
		t.Fatalf("find by symbol: %d %q", code, hdr.Get("Location"))
	}
	var company int64
	var ico, companyName string
	if err := d.Read().QueryRow(ctx, `SELECT id, ico, name FROM companies WHERE tenant_id = $1 ORDER BY id LIMIT 1`, o.town.ID).
		Scan(&company, &ico, &companyName); err != nil {
		t.Fatal(err)
	}
	code, _, hdr = b.do("POST", "/urad/platby/hledat", url.Values{"q": {ico}}, nil)
	if code != 303 || hdr.Get("Location") != "/urad/platby/firmy/"+strconv.FormatInt(company, 10) {
		t.Fatalf("find by IČO: %d %q", code, hdr.Get("Location"))
	}
	code, body, _ = b.do("GET", "/urad/platby/firmy/"+strconv.FormatInt(company, 10), nil, nil)
	wantBody(t, "company", code, body, 200, companyName, ico)

	// Nonsense, nothing and nobody: a message, no page, no audit.
	before = reads()
	for _, c := range []struct{ q, want string }{
		{"abc", "Zadejte rodné číslo, IČO"},
		{"", "Zadejte rodné číslo, IČO"},
		{strings.Repeat("9", 25), "Zadejte rodné číslo, IČO"},
		{"8888888888", "Obec nikoho s tímto údajem nevede."},
	} {
		code, body, _ := b.do("POST", "/urad/platby/hledat", url.Values{"q": {c.q}}, nil)
		if code != 400 && code != 404 || !strings.Contains(body, c.want) {
			t.Errorf("find %q: %d, want the message %q", c.q, code, c.want)
		}
	}
	if code, _, _ := b.do("GET", "/urad/platby/osoby/999999", nil, nil); code != 404 {
		t.Errorf("a person the town does not have: %d", code)
	}
	if n := reads(); n != before {
		t.Errorf("failed looks were audited as reads: %d", n-before)
	}

	// An overpayment of 300 CZK on one of the person's own fees is moved,
	// in part, to another of their own fees that still owes at least
	// 200 CZK. The rent, overpaid too, is the household's: its money stays
	// in the household.
	var src, waste int64
	owing := `SELECT coalesce(%s(o.id), 0) FROM obligations o WHERE o.tenant_id = $1 AND o.person_id = $2 AND o.household_id IS NULL
		AND o.id <> $3 AND (SELECT sum(l.amount) FROM ledger_entries l WHERE l.tenant_id = o.tenant_id AND l.obligation_id = o.id) >= $4`
	if err := d.Read().QueryRow(ctx, fmt.Sprintf(owing, "max"), o.town.ID, person, 0, 20000).Scan(&waste); err != nil || waste == 0 {
		t.Fatalf("the person has no own fee owing 200 CZK: %v", err)
	}
	if err := d.Read().QueryRow(ctx, fmt.Sprintf(owing, "min"), o.town.ID, person, waste, 1).Scan(&src); err != nil || src == 0 {
		t.Fatalf("the person has no other own fee owing something: %v", err)
	}
	balance := func(id int64) int64 {
		t.Helper()
		b, err := o.p.web.Obligations.Balance(ctx, o.town.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	clerk := audit.Actor{Kind: audit.ActorStaff, ID: jana.st.ID, Name: "Jana"}
	for _, id := range []int64{rent, src} {
		if _, err := o.p.web.Payments.Cash(ctx, clerk, o.town.ID, id, balance(id)+30000); err != nil {
			t.Fatal(err)
		}
	}
	wasteOwed := balance(waste)
	page := "/urad/platby/osoby/" + strconv.FormatInt(person, 10)
	code, body, _ = b.do("GET", page, nil, nil)
	wantBody(t, "overpaid payer", code, body, 200, "Převést přeplatek", "Přeplaceno", `name="from"`)
	ledger := `SELECT count(*) FROM ledger_entries WHERE tenant_id = $1`
	rows := count(ledger)
	sid := func(id int64) string { return strconv.FormatInt(id, 10) }
	for _, c := range []struct {
		name string
		form url.Values
		want string
	}{
		{"more than overpaid", url.Values{"from": {sid(src)}, "to": {sid(waste)}, "amount": {"300,01"}, "reason": {"x"}}, "Tolik na závazku přeplaceno není"},
		{"no amount", url.Values{"from": {sid(src)}, "to": {sid(waste)}, "amount": {""}, "reason": {"x"}}, "částku"},
		{"no reason", url.Values{"from": {sid(src)}, "to": {sid(waste)}, "amount": {"100"}, "reason": {" "}}, "důvod"},
		{"no target", url.Values{"from": {sid(src)}, "to": {"x"}, "amount": {"100"}, "reason": {"x"}}, "Vyberte závazek"},
		{"to itself", url.Values{"from": {sid(src)}, "to": {sid(src)}, "amount": {"100"}, "reason": {"x"}}, "Vyberte jiný závazek"},
		{"the household's money", url.Values{"from": {sid(rent)}, "to": {sid(waste)}, "amount": {"100"}, "reason": {"x"}}, "téže domácnosti"},
	} {
		code, body, _ := b.do("POST", "/urad/platby/prevod", c.form, nil)
		if code != 400 || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d, want the message %q\n%.600s", c.name, code, c.want, body)
		}
	}
	if code, _, _ := b.do("POST", "/urad/platby/prevod", url.Values{"from": {"999999"}, "to": {sid(waste)}, "amount": {"1"}, "reason": {"x"}}, nil); code != 404 {
		t.Errorf("moving from an obligation the town does not have: %d", code)
	}
	if n := count(ledger); n != rows {
		t.Fatalf("refused moves wrote %d ledger rows", n-rows)
	}
	code, body, hdr = b.do("POST", "/urad/platby/prevod", url.Values{"from": {sid(src)}, "to": {sid(waste)}, "amount": {"200"},
		"reason": {"platil nájem dvakrát"}}, nil)
	if code != 303 || hdr.Get("Location") != page+"?hotovo=prevod" {
		t.Fatalf("move: %d %q\n%s", code, hdr.Get("Location"), body)
	}
	if got := balance(src); got != -10000 {
		t.Errorf("the overpaid fee after the move: %d", got)
	}
	if got := balance(rent); got != -30000 {
		t.Errorf("the rent moved: %d", got)
	}
	if got := balance(waste); got != wasteOwed-20000 {
		t.Errorf("waste fee after the move: %d, want %d", got, wasteOwed-20000)
	}
	code, body, _ = b.do("GET", page+"?hotovo=prevod", nil, nil)
	wantBody(t, "after the move", code, body, 200, "Přeplatek byl převeden.")
	// The newest move is Jana's (the fixture made one before).
	if es := o.entries(audit.Query{Action: payment.ActionTransfer}); len(es) == 0 || es[0].ActorID != jana.st.ID || es[0].Reason != "platil nájem dvakrát" {
		t.Errorf("move audit: %+v", es)
	}

	// A statement of another account: refused, nothing booked.
	other := strings.Replace(string(camt053([]camtEntry{{"OTHER-1", 10000, rentVS, "X"}})), "CZ6508000000192000145399", "CZ5508000000001234567899", 1)
	bank := `SELECT count(*) FROM bank_transactions WHERE tenant_id = $1`
	txs := count(bank)
	code, body = b.upload("/urad/platby/vypis", "statement", "jiny.xml", []byte(other))
	wantBody(t, "another account's statement", code, body, 400, "Výpis je z jiného účtu")
	if n := count(bank); n != txs {
		t.Errorf("another account's statement booked %d transactions", n-txs)
	}
}
