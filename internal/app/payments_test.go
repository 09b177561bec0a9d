package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/czid"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/payment"
	"github.com/radnice/radnice/internal/tenant"
)

// newDesk is newOffice with a chance to configure the portal before its
// server starts (so no request races the change).
func newDesk(t *testing.T, citizens int, setup func(d *db.DB), configure func(p *portal)) *office {
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
	if configure != nil {
		configure(p)
	}
	return &office{t: t, p: p, town: town, clk: clk, srv: newBrowser(t, h, "lhota.test").srv}
}

// upload posts a file as a multipart form, as a browser's file input does.
func (b *browser) upload(path, field, filename string, data []byte) (int, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile(field, filename)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", b.srv.URL+path, &body)
	req.Host = b.host
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// camtEntry is one booked movement of a generated camt.053 statement.
type camtEntry struct {
	ref    string
	amount int64 // haléře; negative: money out
	vs     int64
	name   string
}

// camt053 writes a camt.053.001.02 statement of the fixture towns' account.
func camt053(entries []camtEntry) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>1</MsgId><CreDtTm>2026-11-20T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><ElctrncSeqNb>42</ElctrncSeqNb><Acct><Id><IBAN>CZ6508000000192000145399</IBAN></Id><Ccy>CZK</Ccy></Acct>
`)
	for _, e := range entries {
		ind, amount := "CRDT", e.amount
		if amount < 0 {
			ind, amount = "DBIT", -amount
		}
		fmt.Fprintf(&b, `<Ntry><Amt Ccy="CZK">%d.%02d</Amt><CdtDbtInd>%s</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-11-20</Dt></BookgDt>
<AcctSvcrRef>%s</AcctSvcrRef><NtryDtls><TxDtls><Refs><EndToEndId>/VS%d/SS/KS0308</EndToEndId></Refs>
<RltdPties><Dbtr><Nm>%s</Nm></Dbtr></RltdPties><RmtInf><Ustrd>poplatek</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
`, amount/100, amount%100, ind, e.ref, e.vs, e.name)
	}
	b.WriteString(`</Stmt></BkToCstmrStmt></Document>`)
	return []byte(b.String())
}

// A fee clerk uploads a statement and sees what it booked; assigns the
// transfer nobody's symbol matched; takes cash and prints its receipt; asks
// for an overpayment to be refunded, which only a second fee clerk can
// approve. Bad input changes nothing and says why next to the field; a
// counter clerk gets none of it; another town's receipt is not found.
func TestPaymentDesk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var jinde *tenant.Tenant
	var logs syncBuffer
	o := newDesk(t, 40, func(d *db.DB) {
		jinde = fixture.Town(t, d, "jinde", 10)
	}, func(p *portal) {
		p.office.Log = slog.New(slog.NewTextHandler(&logs, nil))
	})
	d := o.p.db
	jana := o.official("jana@lhota.test", "Jana Pokladní", auth.Grant{Role: auth.FeeClerk})
	petr := o.official("petr@lhota.test", "Petr Vedoucí", auth.Grant{Role: auth.FeeClerk})
	pult := o.official("pult@lhota.test", "Přepážka", auth.Grant{Role: auth.CounterClerk})
	bj, bp, bc := o.browser(), o.browser(), o.browser()
	o.signIn(bj, jana, nil)
	o.signIn(bp, petr, nil)
	o.signIn(bc, pult, nil)

	// Open obligations of the town, by what is owed on them.
	type ob struct{ id, vs, owed int64 }
	var open []ob
	rows, err := d.Read().Query(ctx, `SELECT o.id, o.vs, sum(l.amount) FROM obligations o
		JOIN ledger_entries l ON l.tenant_id = o.tenant_id AND l.obligation_id = o.id
		WHERE o.tenant_id = $1 GROUP BY o.id, o.vs HAVING sum(l.amount) > 50000 ORDER BY o.id LIMIT 4`, o.town.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var x ob
		rows.Scan(&x.id, &x.vs, &x.owed)
		open = append(open, x)
	}
	rows.Close()
	if len(open) < 4 {
		t.Fatalf("the fixture town owes too little: %d obligations over 500 Kč", len(open))
	}
	balance := func(id int64) int64 {
		t.Helper()
		b, err := o.p.web.Obligations.Balance(ctx, o.town.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := d.Read().QueryRow(ctx, q, o.town.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const (
		countLedger   = `SELECT count(*) FROM ledger_entries WHERE tenant_id = $1`
		countPayments = `SELECT count(*) FROM payments WHERE tenant_id = $1`
		countBank     = `SELECT count(*) FROM bank_transactions WHERE tenant_id = $1`
		countRefunds  = `SELECT count(*) FROM refunds WHERE tenant_id = $1`
	)
	unchanged := func(what string, f func()) {
		t.Helper()
		before := [4]int{count(countLedger), count(countPayments), count(countBank), count(countRefunds)}
		f()
		if after := [4]int{count(countLedger), count(countPayments), count(countBank), count(countRefunds)}; after != before {
			t.Fatalf("%s changed the books: %v -> %v", what, before, after)
		}
	}

	// The desk, in the navigation of fee clerks only.
	code, body, _ := bj.do("GET", "/urad/", nil, nil)
	wantBody(t, "fee clerk's dashboard", code, body, 200, `href="/urad/platby"`)
	if _, body, _ := bc.do("GET", "/urad/", nil, nil); strings.Contains(body, `href="/urad/platby"`) {
		t.Error("a counter clerk is offered the payment desk")
	}
	code, body, _ = bj.do("GET", "/urad/platby", nil, nil)
	wantBody(t, "desk", code, body, 200, "Nespárované platby z banky", "Neznámý plátce lhota", "VS 77", "123,00\u00a0Kč",
		"Hotovost na pokladně", "Vrácení přeplatků", `enctype="multipart/form-data"`, `accept=".xml,.gpc,.txt"`)
	if strings.Contains(body, "/urad/platby/demo-vypis") {
		t.Error("the demo statement is offered outside the demo")
	}
	if code, _, _ := bj.do("GET", "/urad/platby/demo-vypis", nil, nil); code != 404 {
		t.Errorf("demo statement outside the demo: %d", code)
	}

	// A statement: a part payment of one obligation, a transfer nobody's
	// symbol matches, money out.
	statement := camt053([]camtEntry{
		{"DESK-1", 10000, open[0].vs, "Jan Plátce"},
		{"DESK-2", 4200, 55, "Karel Záhadný"},
		{"DESK-3", -70000, 0, "Dodavatel s.r.o."},
	})
	code, body = bj.upload("/urad/platby/vypis", "statement", "vypis.xml", statement)
	wantBody(t, "upload", code, body, 200, "Výpis je načtený", "Výpis camt.053.001.02 č. 42 z účtu CZ6508000000192000145399, počet pohybů: 3.",
		"Zaúčtováno k předpisům a košíkům: 1", "Čeká na přiřazení: 1", "Nezpracováno (odchozí platby a storna): 1",
		"Načteno už dříve: 0", "Karel Záhadný")
	if got := balance(open[0].id); got != open[0].owed-10000 {
		t.Fatalf("after the statement: balance %d, want %d", got, open[0].owed-10000)
	}
	es := o.entries(audit.Query{Action: payment.ActionImport})
	if len(es) != 1 || es[0].ActorID != jana.st.ID || !strings.Contains(string(es[0].Details), `"matched":1`) {
		t.Fatalf("import audit: %+v", es)
	}
	unchanged("the same statement again", func() {
		code, body = bj.upload("/urad/platby/vypis", "statement", "vypis.xml", statement)
		wantBody(t, "second upload", code, body, 200, "Načteno už dříve: 3", "Zaúčtováno k předpisům a košíkům: 0")
	})
	if got := balance(open[0].id); got != open[0].owed-10000 {
		t.Fatalf("a statement uploaded twice paid twice: %d", got)
	}
	unchanged("a broken statement", func() {
		broken := bytes.Replace(camt053([]camtEntry{{"DESK-9", 100000, open[1].vs, "X"}}), []byte("</Ntry>"), nil, 1)
		code, body = bj.upload("/urad/platby/vypis", "statement", "vypis.xml", broken)
		wantBody(t, "broken statement", code, body, 400, "Soubor není výpis ve formátu camt.053 ani ABO/GPC", `id="statement-file-error"`,
			`href="#statement-file"`)
		code, body = bj.upload("/urad/platby/vypis", "statement", "", nil)
		wantBody(t, "no file", code, body, 400, "Vyberte soubor s výpisem.")
		code, body = bj.upload("/urad/platby/vypis", "statement", "vypis.xml",
			bytes.ReplaceAll(camt053([]camtEntry{{"DESK-8", 100000, open[1].vs, "X"}}), []byte("CZK"), []byte("EUR")))
		wantBody(t, "statement in euros", code, body, 400, "Výpis není v českých korunách.")
		code, body = bj.upload("/urad/platby/vypis", "statement", "velky.xml", bytes.Repeat([]byte("<"), 33<<20))
		wantBody(t, "too large", code, body, 413, "Soubor je větší než 32 MiB.")
	})
	// Larger than the portal's usual 1 MiB: this route takes it.
	var many []camtEntry
	for i := range 3500 {
		many = append(many, camtEntry{fmt.Sprintf("OUT-%d", i), -100 - int64(i), 0, "Dodavatel s.r.o."})
	}
	if big := camt053(many); len(big) < 1<<20 {
		t.Fatalf("the large statement has only %d bytes", len(big))
	} else {
		code, body = bj.upload("/urad/platby/vypis", "statement", "velky.xml", big)
		wantBody(t, "a statement over 1 MiB", code, body, 200, "Nezpracováno (odchozí platby a storna): 3500")
	}

	// The fixture's stray transfer (symbol 77) belongs to open[1].
	var stray int64
	if err := d.Read().QueryRow(ctx, `SELECT id FROM bank_transactions WHERE tenant_id = $1 AND vs = 77 AND state = 'unmatched'`,
		o.town.ID).Scan(&stray); err != nil {
		t.Fatal(err)
	}
	assign := fmt.Sprintf("/urad/platby/prirazeni/%d", stray)
	sid := strconv.FormatInt(stray, 10)
	unchanged("bad assignments", func() {
		code, body, _ = bj.do("POST", assign, url.Values{"vs": {"123"}, "reason": {"dohledáno"}}, nil)
		wantBody(t, "unknown symbol", code, body, 400, "Obec nemá předpis s tímto variabilním symbolem.", `id="assign-vs-`+sid+`-error"`)
		code, body, _ = bj.do("POST", assign, url.Values{"vs": {strconv.FormatInt(open[1].vs, 10)}, "reason": {" "}}, nil)
		wantBody(t, "no reason", code, body, 400, "Uveďte důvod.", `href="#assign-reason-`+sid+`"`,
			`value="`+strconv.FormatInt(open[1].vs, 10)+`"`)
		code, body, _ = bj.do("POST", assign, url.Values{"vs": {"12a"}, "reason": {"x"}}, nil)
		wantBody(t, "not a symbol", code, body, 400, "Variabilní symbol je číslo o nejvýše 10 číslicích.")
		bn, _ := czid.NewBirthNumber(time.Date(1978, 1, 1, 0, 0, 0, 0, time.UTC), czid.Male, 123)
		code, body, _ = bj.do("POST", assign, url.Values{"vs": {strconv.FormatInt(open[1].vs, 10)}, "reason": {"plátce " + bn.String()}}, nil)
		wantBody(t, "a birth number in the reason", code, body, 400, "Do důvodu nepište rodné číslo.", `id="assign-reason-`+sid+`-error"`)
		if strings.Contains(body, bn.String()) {
			t.Error("the refused birth number is shown back")
		}
	})
	code, _, hdr := bj.do("POST", assign, url.Values{"vs": {strconv.FormatInt(open[1].vs, 10)}, "reason": {"dohledáno podle jména plátce"}}, nil)
	if code != 303 || hdr.Get("Location") != "/urad/platby?hotovo=prirazeno" {
		t.Fatalf("assign: %d %s", code, hdr.Get("Location"))
	}
	if got := balance(open[1].id); got != open[1].owed-12300 {
		t.Fatalf("after the assignment: balance %d, want %d", got, open[1].owed-12300)
	}
	code, body, _ = bj.do("GET", "/urad/platby?hotovo=prirazeno", nil, nil)
	wantBody(t, "after assigning", code, body, 200, "Platba je přiřazena k předpisu.")
	if strings.Contains(body, "Neznámý plátce lhota") {
		t.Error("the assigned transfer is still in the queue")
	}
	unchanged("assigning twice", func() {
		code, body, _ = bj.do("POST", assign, url.Values{"vs": {strconv.FormatInt(open[2].vs, 10)}, "reason": {"znovu"}}, nil)
		wantBody(t, "second assignment", code, body, 409, "Tuto platbu už mezitím někdo přiřadil")
	})
	if es := o.entries(audit.Query{Action: payment.ActionAssign}); len(es) != 1 || es[0].ActorID != jana.st.ID || es[0].Reason != "dohledáno podle jména plátce" {
		t.Fatalf("assignment audit: %+v", es)
	}

	// Cash at the counter; bad amounts are refused.
	vs2 := strconv.FormatInt(open[2].vs, 10)
	unchanged("bad amounts", func() {
		for amount, msg := range map[string]string{
			"abc":       "Částku napište číslem, například 1 234,50.",
			"1,234":     "Částka může mít nejvýše dvě desetinná místa (haléře).",
			"-5":        "Částka nesmí být záporná.",
			"0":         "Částka musí být od 0,01 do 100 000 Kč.",
			"100 000,5": "Částka musí být od 0,01 do 100 000 Kč.",
			"":          "Vyplňte částku.",
		} {
			code, body, _ = bj.do("POST", "/urad/platby/hotovost", url.Values{"vs": {vs2}, "amount": {amount}}, nil)
			wantBody(t, "cash "+amount, code, body, 400, msg, `id="cash-amount-error"`, `href="#cash-amount"`, `aria-invalid="true"`,
				`value="`+vs2+`"`)
		}
		code, body, _ = bj.do("POST", "/urad/platby/hotovost", url.Values{"vs": {"999"}, "amount": {"100"}}, nil)
		wantBody(t, "cash for nothing", code, body, 400, "Obec nemá předpis s tímto variabilním symbolem.", `id="cash-vs-error"`)
	})
	if !strings.Contains(logs.String(), "payment desk: refused") {
		t.Error("refused input is not logged")
	}
	code, _, hdr = bj.do("POST", "/urad/platby/hotovost", url.Values{"vs": {" " + vs2 + " "}, "amount": {"1 234,50"}}, nil)
	m := regexp.MustCompile(`^/urad/platby/doklad/(\d+)$`).FindStringSubmatch(hdr.Get("Location"))
	if code != 303 || m == nil {
		t.Fatalf("cash: %d %q", code, hdr.Get("Location"))
	}
	if got := balance(open[2].id); got != open[2].owed-123450 {
		t.Fatalf("after cash: balance %d, want %d", got, open[2].owed-123450)
	}
	code, body, _ = bj.do("GET", hdr.Get("Location"), nil, nil)
	wantBody(t, "receipt", code, body, 200, "Příjmový pokladní doklad č. "+m[1], "1\u00a0234,50\u00a0Kč", "Obec lhota", "Náměstí 1, lhota",
		"Jana Pokladní", ">"+vs2+"<")
	code, body, _ = bj.do("GET", hdr.Get("Location"), nil, map[string]string{"Cookie": "lang=en"})
	if code != 200 || !strings.Contains(body, "Cash receipt no. "+m[1]) || !strings.Contains(body, "CZK\u00a01,234.50") {
		t.Errorf("receipt in English: %d\n%.2000s", code, body)
	}

	// Receipts only of this town's cash: another town's, or a basket, are
	// not found.
	var jindeCash, basket int64
	d.Read().QueryRow(ctx, `SELECT min(id) FROM payments WHERE tenant_id = $1 AND channel = 'cash'`, jinde.ID).Scan(&jindeCash)
	d.Read().QueryRow(ctx, `SELECT min(id) FROM payments WHERE tenant_id = $1 AND channel = 'transfer'`, o.town.ID).Scan(&basket)
	if jindeCash == 0 || basket == 0 {
		t.Fatal("no cash payment in the other town or no basket here")
	}
	for _, id := range []int64{jindeCash, basket, 999999} {
		if code, body, _ := bj.do("GET", fmt.Sprintf("/urad/platby/doklad/%d", id), nil, nil); code != 404 || strings.Contains(body, "Obec jinde") {
			t.Errorf("receipt %d: %d", id, code)
		}
	}

	// Overpay open[3] by 500 Kč in cash, then ask for it back.
	vs3 := strconv.FormatInt(open[3].vs, 10)
	over := open[3].owed + 50000
	if code, _, _ := bj.do("POST", "/urad/platby/hotovost", url.Values{"vs": {vs3}, "amount": {fmt.Sprintf("%d,%02d", over/100, over%100)}}, nil); code != 303 {
		t.Fatalf("overpaying cash: %d", code)
	}
	unchanged("bad refunds", func() {
		code, body, _ = bj.do("POST", "/urad/platby/vratky", url.Values{"vs": {vs3}, "amount": {"500,01"},
			"account": {"19-2000145399/0800"}, "reason": {"zaplaceno dvakrát"}}, nil)
		wantBody(t, "refund over the overpayment", code, body, 400, "Na předpisu není přeplaceno tolik", `id="refund-amount-error"`)
		code, body, _ = bj.do("POST", "/urad/platby/vratky", url.Values{"vs": {vs3}, "amount": {"500"},
			"account": {"19-2000145398/0800"}, "reason": {""}}, nil)
		wantBody(t, "bad account, no reason", code, body, 400, "Zadejte platné číslo účtu", "Uveďte důvod.", `id="refund-account-error"`,
			`id="refund-reason-error"`)
	})
	code, _, hdr = bj.do("POST", "/urad/platby/vratky", url.Values{"vs": {vs3}, "amount": {"500"},
		"account": {"19-2000145399/0800"}, "reason": {"zaplaceno dvakrát"}}, nil)
	if code != 303 {
		t.Fatalf("refund request: %d", code)
	}
	var refund int64
	d.Read().QueryRow(ctx, `SELECT id FROM refunds WHERE tenant_id = $1 AND obligation_id = $2`, o.town.ID, open[3].id).Scan(&refund)
	code, body, _ = bj.do("GET", hdr.Get("Location"), nil, nil)
	wantBody(t, "refund asked", code, body, 200, "Žádost o vrácení je zapsaná.", "O toto vrácení jste požádali vy.")
	decide := fmt.Sprintf("/urad/platby/vratky/%d", refund)
	if strings.Contains(body, `action="`+decide+`"`) {
		t.Error("the official who asked is offered the decision")
	}
	unchanged("deciding one's own refund", func() {
		code, body, _ = bj.do("POST", decide, url.Values{"decision": {"approve"}}, nil)
		wantBody(t, "own refund", code, body, 400, "O vrácení, o které jste požádali vy, musí rozhodnout jiný úředník.",
			fmt.Sprintf(`href="#refund-%d"`, refund))
		code, body, _ = bp.do("POST", decide, url.Values{"decision": {"maybe"}}, nil)
		wantBody(t, "no decision", code, body, 400, "Zvolte Schválit, nebo Zamítnout.")
	})
	code, body, _ = bp.do("GET", "/urad/platby", nil, nil)
	wantBody(t, "second clerk's desk", code, body, 200, `action="`+decide+`"`, `value="approve"`, "Jana Pokladní", "zaplaceno dvakrát")
	code, _, hdr = bp.do("POST", decide, url.Values{"decision": {"approve"}}, nil)
	if code != 303 || !strings.Contains(hdr.Get("Location"), "hotovo=schvaleno") {
		t.Fatalf("approval: %d %s", code, hdr.Get("Location"))
	}
	if got := balance(open[3].id); got != 0 {
		t.Fatalf("after the refund: balance %d", got)
	}
	var refunded int64
	d.Read().QueryRow(ctx, `SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE tenant_id = $1 AND obligation_id = $2 AND kind = 'refund'`,
		o.town.ID, open[3].id).Scan(&refunded)
	if refunded != 50000 {
		t.Fatalf("refund in the ledger: %d", refunded)
	}
	unchanged("deciding twice", func() {
		code, body, _ = bp.do("POST", decide, url.Values{"decision": {"reject"}}, nil)
		wantBody(t, "second decision", code, body, 409, "O tomto vrácení už bylo rozhodnuto.")
	})
	if es := o.entries(audit.Query{Action: payment.ActionRefundApprove}); len(es) != 1 || es[0].ActorID != petr.st.ID {
		t.Fatalf("approval audit: %+v", es)
	}

	// A counter clerk gets none of it.
	unchanged("a counter clerk", func() {
		for _, r := range []struct{ method, path string }{
			{"GET", "/urad/platby"}, {"POST", assign}, {"POST", "/urad/platby/hotovost"}, {"GET", "/urad/platby/doklad/" + m[1]},
			{"POST", "/urad/platby/vratky"}, {"POST", decide}, {"POST", "/urad/platby/vypis"}, {"GET", "/urad/platby/demo-vypis"},
		} {
			form := url.Values{"vs": {vs2}, "amount": {"100"}, "account": {"19-2000145399/0800"}, "reason": {"x"}, "decision": {"approve"}}
			if r.method == "GET" {
				form = nil
			}
			if code, body, _ := bc.do(r.method, r.path, form, nil); code != 403 || strings.Contains(body, "Jana Pokladní") {
				t.Errorf("counter clerk %s %s: %d", r.method, r.path, code)
			}
		}
	})
}

// In the demo, the desk offers the demo bank's statement to download.
func TestPaymentDeskDemoStatement(t *testing.T) {
	t.Parallel()
	o := newDesk(t, 0, nil, func(p *portal) {
		p.office.DemoStatement = func(ctx context.Context, tenantID int64) ([]byte, error) {
			return camt053([]camtEntry{{fmt.Sprintf("DEMO-%d", tenantID), 50000, 1234, "Neznámý plátce"}}), nil
		}
	})
	clerk := o.official("jana@lhota.test", "Jana Pokladní", auth.Grant{Role: auth.FeeClerk})
	b := o.browser()
	o.signIn(b, clerk, nil)
	code, body, _ := b.do("GET", "/urad/platby", nil, nil)
	wantBody(t, "desk", code, body, 200, `href="/urad/platby/demo-vypis"`, "Stáhnout ukázkový bankovní výpis (DEMO)")
	code, body, hdr := b.do("GET", "/urad/platby/demo-vypis", nil, nil)
	if code != 200 || hdr.Get("Content-Type") != "application/xml" ||
		hdr.Get("Content-Disposition") != `attachment; filename="vypis-demo.xml"` || !strings.Contains(body, fmt.Sprintf("DEMO-%d", o.town.ID)) {
		t.Fatalf("demo statement: %d %v\n%.300s", code, hdr, body)
	}
	code, body = b.upload("/urad/platby/vypis", "statement", "vypis-demo.xml", []byte(body))
	wantBody(t, "demo statement uploaded", code, body, 200, "Čeká na přiřazení: 1", "Neznámý plátce")
}
