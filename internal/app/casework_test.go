package app

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/casework"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/submission"
)

// A case worker works a dog registration through the back office: sees it
// in the department's queue (a colleague of another department does not,
// and gets 404 for it), bad input and stale pages are refused with a
// message and change nothing, and the approval assesses the dog fee once,
// which the citizen then sees on /zavazky with its symbol, with the
// decision to download on /podani/{id}. Every look and change is audited.
func TestCaseWorkDesk(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := newDesk(t, 40, nil, nil)
	d := o.p.db
	const econ = "Odbor ekonomiky"
	formID, version := fixture.DogForm(t, d, o.town, econ)
	var person int64
	var bn string
	if err := d.Read().QueryRow(ctx, `SELECT id, birth_number FROM persons WHERE tenant_id = $1 AND birth_number IS NOT NULL
		ORDER BY id DESC LIMIT 1`, o.town.ID).Scan(&person, &bn); err != nil {
		t.Fatal(err)
	}
	sub := fixture.DogCase(t, d, o.town, formID, version, person, 0, "Alík", false)
	caseURL := "/urad/podani/" + strconv.FormatInt(sub.ID, 10)

	eva := o.official("eva@lhota.test", "Eva Ekonomická", auth.Grant{Role: auth.CaseWorker, Department: econ})
	petr := o.official("petr@lhota.test", "Petr Dopravní", auth.Grant{Role: auth.CaseWorker, Department: "Odbor dopravy"})
	jana := o.official("jana@lhota.test", "Jana Pokladní", auth.Grant{Role: auth.FeeClerk})
	be, bp, bj := o.browser(), o.browser(), o.browser()
	o.signIn(be, eva, nil)
	o.signIn(bp, petr, nil)
	o.signIn(bj, jana, nil)

	code, body, _ := be.do("GET", "/urad/", nil, nil)
	wantBody(t, "dashboard", code, body, 200, `href="/urad/podani"`)
	if _, body, _ := bj.do("GET", "/urad/", nil, nil); strings.Contains(body, `href="/urad/podani"`) {
		t.Error("a fee clerk is offered the case workers' queue")
	}
	if code, _, _ := bj.do("GET", "/urad/podani", nil, nil); code != 403 {
		t.Errorf("a fee clerk's queue: %d", code)
	}
	code, body, _ = be.do("GET", "/urad/podani", nil, nil)
	wantBody(t, "queue", code, body, 200, "Podání k vyřízení", econ, `href="`+caseURL+`"`, "Přihlášení psa k poplatku", sub.Reference)
	code, body, _ = bp.do("GET", "/urad/podani?stav=vse", nil, nil)
	wantBody(t, "another department's queue", code, body, 200, "Odbor dopravy")
	if strings.Contains(body, caseURL) {
		t.Error("another department's case worker sees the case in the queue")
	}
	for _, q := range []string{"?stav=smazana", "?strana=0", "?strana=x"} {
		code, body, _ := be.do("GET", "/urad/podani"+q, nil, nil)
		wantBody(t, "queue "+q, code, body, 400, "neexistuje", `href="`+caseURL+`"`)
	}

	reads := func() int { return len(o.entries(audit.Query{Action: casework.ActionRead})) }
	events := func() int {
		var n int
		d.Read().QueryRow(ctx, `SELECT count(*) FROM submission_events WHERE tenant_id = $1 AND submission_id = $2`, o.town.ID, sub.ID).Scan(&n)
		return n
	}
	state := func() *submission.Submission {
		s, err := o.p.office.Submissions.Get(ctx, o.town.ID, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	// Another department: not found, whatever is asked; nothing audited.
	before := reads()
	for _, c := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", caseURL, nil},
		{"POST", caseURL, url.Values{"akce": {"take"}, "stav": {"registered"}}},
		{"GET", caseURL + "/soubory/1", nil},
	} {
		if code, _, _ := bp.do(c.method, c.path, c.form, nil); code != 404 {
			t.Errorf("another department %s %s: %d", c.method, c.path, code)
		}
	}
	if n := reads(); n != before {
		t.Errorf("another department's look was audited")
	}

	code, body, _ = be.do("GET", caseURL, nil, nil)
	wantBody(t, "case", code, body, 200, "Přihlášení psa k poplatku", "Jméno psa", "Alík", "jezevčík", "Máte už jiného psa?", "Ne",
		"Údaje jsou pravdivé.", "Převzít k vyřízení", "Vyžádat doplnění", "Schválit", "Zamítnout", "Interní poznámka",
		`name="stav" value="registered"`, "Schválením se podateli předepíše poplatek 1\u00a0500,00\u00a0Kč")
	if strings.Contains(body, bn) || strings.Contains(body, "Uzavřít podání") {
		t.Error("the case shows the birth number, or an action its state does not allow")
	}
	if es := o.entries(audit.Query{Action: casework.ActionRead}); len(es) != before+1 || es[0].SubjectKind != audit.SubjectPerson ||
		es[0].SubjectID != person || es[0].ActorID != eva.st.ID {
		t.Fatalf("the look is not audited: %+v", es)
	}

	// Bad input and stale pages: a message, nothing changed.
	n := events()
	for _, c := range []struct {
		name string
		form url.Values
		code int
		want string
	}{
		{"request without text", url.Values{"akce": {"request_info"}, "stav": {"registered"}, "text": {" "}}, 400, "Napište, co má podatel doplnit."},
		{"rejection without reasons", url.Values{"akce": {"reject"}, "stav": {"registered"}}, 400, "Napište důvody zamítnutí."},
		{"note without text", url.Values{"akce": {"note"}, "stav": {"registered"}}, 400, "Napište text poznámky."},
		{"not allowed now", url.Values{"akce": {"close"}, "stav": {"registered"}}, 409, "Tento úkon stav podání neumožňuje."},
		{"stale page", url.Values{"akce": {"take"}, "stav": {"in_progress"}}, 409, "Podání mezitím změnil někdo jiný."},
		{"unknown action", url.Values{"akce": {"delete"}, "stav": {"registered"}}, 400, "Takový úkon neexistuje."},
		{"no state", url.Values{"akce": {"approve"}, "stav": {"hotovo"}}, 400, "Formulář neuvedl stav podání."},
		{"too long", url.Values{"akce": {"reject"}, "stav": {"registered"}, "text": {strings.Repeat("x", casework.MaxText+1)}}, 400, "Text je příliš dlouhý"},
	} {
		code, body, _ := be.do("POST", caseURL, c.form, nil)
		wantBody(t, c.name, code, body, c.code, c.want)
	}
	if s := state(); s.State != submission.StateRegistered || s.AssignedTo != 0 || events() != n {
		t.Fatalf("refused changes changed the case: %s, %d events (was %d)", s.State, events(), n)
	}
	// What was typed is kept next to its message.
	code, body, _ = be.do("POST", caseURL, url.Values{"akce": {"reject"}, "stav": {"registered"}, "text": {strings.Repeat("ž", casework.MaxText+1)}}, nil)
	wantBody(t, "typed text kept", code, body, 400, `aria-invalid="true"`, "žžžž")

	post := func(form url.Values, notice string) {
		t.Helper()
		code, _, hdr := be.do("POST", caseURL, form, nil)
		if code != 303 || hdr.Get("Location") != caseURL+"?hotovo="+form.Get("akce") {
			t.Fatalf("%s: %d %s", form.Get("akce"), code, hdr.Get("Location"))
		}
		code, body, _ := be.do("GET", hdr.Get("Location"), nil, nil)
		wantBody(t, form.Get("akce")+" done", code, body, 200, notice)
	}
	post(url.Values{"akce": {"take"}, "stav": {"registered"}}, "Podání jste převzali k vyřízení.")
	post(url.Values{"akce": {"note"}, "stav": {"in_progress"}, "text": {"Ověřit očkování u veterináře Bělíka."}}, "Ověřit očkování u veterináře Bělíka.")
	var obligations int
	d.Read().QueryRow(ctx, `SELECT count(*) FROM obligations WHERE tenant_id = $1`, o.town.ID).Scan(&obligations)
	post(url.Values{"akce": {"approve"}, "stav": {"in_progress"}}, "Podání bylo schváleno a rozhodnutí vydáno.")
	s := state()
	if s.State != submission.StateApproved || s.AssignedTo != eva.st.ID || s.ObligationID == 0 {
		t.Fatalf("approved: %+v", s)
	}
	fee, err := o.p.web.Obligations.Line(ctx, o.town.ID, s.ObligationID)
	if err != nil || fee.PersonID != person || fee.Amount != 150000 || fee.Description != "Alík (jezevčík)" {
		t.Fatalf("the fee: %+v, %v", fee, err)
	}
	vs := strconv.FormatInt(fee.VS, 10)
	code, body, _ = be.do("GET", caseURL, nil, nil)
	wantBody(t, "approved case", code, body, 200, "Schváleno", "VS "+vs, "rozhodnuti-"+strconv.FormatInt(sub.ID, 10)+".pdf", "Uzavřít podání")
	docs := regexp.MustCompile(`href="`+regexp.QuoteMeta(caseURL)+`/soubory/(\d+)"`).FindAllStringSubmatch(body, -1)
	if len(docs) == 0 {
		t.Fatal("no decision to download on the case")
	}
	docID := docs[len(docs)-1][1]
	code, body, hdr := be.do("GET", caseURL+"/soubory/"+docID, nil, nil)
	if code != 200 || hdr.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") ||
		!strings.Contains(hdr.Get("Content-Disposition"), "attachment") {
		t.Fatalf("the official downloads the decision: %d %s", code, hdr.Get("Content-Type"))
	}
	if len(o.entries(audit.Query{Action: casework.ActionFileRead})) != 1 {
		t.Error("the download is not audited")
	}

	// Approving again (a second tab, a stale page) assesses nothing.
	for _, f := range []url.Values{{"akce": {"approve"}, "stav": {"in_progress"}}, {"akce": {"approve"}, "stav": {"approved"}}} {
		code, body, _ := be.do("POST", caseURL, f, nil)
		wantBody(t, "second approval", code, body, 409)
	}
	var after int
	d.Read().QueryRow(ctx, `SELECT count(*) FROM obligations WHERE tenant_id = $1`, o.town.ID).Scan(&after)
	if after != obligations+1 {
		t.Fatalf("%d fees assessed", after-obligations)
	}
	for _, a := range []string{casework.ActionTake, casework.ActionNote, casework.ActionApprove} {
		if es := o.entries(audit.Query{Action: a}); len(es) != 1 || es[0].SubjectID != person || es[0].ActorID != eva.st.ID {
			t.Errorf("%s: %d audit entries", a, len(es))
		}
	}

	// The citizen: the fee on /zavazky, the decision on /podani/{id}, and
	// no internal note anywhere.
	acc := fixture.Citizen(t, d, o.town, person)
	bc := o.browser()
	tok, _, _ := o.p.sessions.Store.Create(ctx, o.town.ID, map[string]string{access.KeyAccount: strconv.FormatInt(acc.ID, 10), access.KeyLevel: "2"})
	bc.client.Jar.SetCookies(&url.URL{Scheme: "http", Host: "lhota.test", Path: "/"}, []*http.Cookie{{Name: "radnice", Value: tok}})
	code, body, _ = bc.do("GET", "/zavazky", nil, nil)
	feeURL := "/zavazky/" + strconv.FormatInt(fee.ID, 10)
	wantBody(t, "citizen's obligations", code, body, 200, `href="`+feeURL+`"`, "Poplatek ze psů")
	code, body, _ = bc.do("GET", feeURL, nil, nil)
	wantBody(t, "citizen's fee", code, body, 200, vs, "1\u00a0500,00\u00a0Kč")
	citizenCase := "/podani/" + strconv.FormatInt(sub.ID, 10)
	code, body, _ = bc.do("GET", citizenCase, nil, nil)
	wantBody(t, "citizen's case", code, body, 200, sub.Reference, citizenCase+"/soubory/"+docID)
	if strings.Contains(body, "Bělíka") {
		t.Error("the citizen sees the officials' internal note")
	}
	code, body, hdr = bc.do("GET", citizenCase+"/soubory/"+docID, nil, nil)
	if code != 200 || hdr.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
		t.Fatalf("the citizen downloads the decision: %d %s", code, hdr.Get("Content-Type"))
	}
}

// Twenty officials approving the same case at once through the back
// office: one approval, one fee, nineteen calm conflicts.
func TestCaseApproveConcurrentHTTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := newDesk(t, 20, nil, nil)
	d := o.p.db
	formID, version := fixture.DogForm(t, d, o.town, "Odbor ekonomiky")
	var person int64
	if err := d.Read().QueryRow(ctx, `SELECT max(id) FROM persons WHERE tenant_id = $1`, o.town.ID).Scan(&person); err != nil {
		t.Fatal(err)
	}
	sub := fixture.DogCase(t, d, o.town, formID, version, person, 0, "Max", false)
	eva := o.official("eva@lhota.test", "Eva Ekonomická", auth.Grant{Role: auth.CaseWorker, Department: "Odbor ekonomiky"})
	b := o.browser()
	o.signIn(b, eva, nil)
	var obligations int
	d.Read().QueryRow(ctx, `SELECT count(*) FROM obligations WHERE tenant_id = $1`, o.town.ID).Scan(&obligations)

	path := o.srv.URL + "/urad/podani/" + strconv.FormatInt(sub.ID, 10)
	form := url.Values{"akce": {"approve"}, "stav": {"registered"}}.Encode()
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for range 20 {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", path, strings.NewReader(form))
			req.Host = "lhota.test"
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := b.client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if codes[303] != 1 || codes[409] != 19 {
		t.Fatalf("answers: %v", codes)
	}
	var after, fees int
	d.Read().QueryRow(ctx, `SELECT count(*) FROM obligations WHERE tenant_id = $1`, o.town.ID).Scan(&after)
	d.Read().QueryRow(ctx, `SELECT count(*) FROM submissions WHERE tenant_id = $1 AND obligation_id IS NOT NULL`, o.town.ID).Scan(&fees)
	if after != obligations+1 || fees != 1 {
		t.Fatalf("%d obligations and %d cases with a fee after 20 approvals", after-obligations, fees)
	}
}
