package app

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/demo"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/tenant"
)

// formsRig is a town with the demo city's forms and a signed-in citizen
// who lives in a household with somebody else.
type formsRig struct {
	t         *testing.T
	h         http.Handler
	p         *portal
	town      *tenant.Tenant
	person    int64 // the citizen
	other     int64 // a person of another household
	account   int64
	b         *browser
	cookie    string
	household []int64 // the people of the citizen's household
}

func newFormsRig(t *testing.T) *formsRig {
	t.Helper()
	ctx := context.Background()
	r := &formsRig{t: t}
	r.h, r.p = testPortal(t, func(d *db.DB) {
		r.town = fixture.Town(t, d, "lhota", 40)
		if err := demo.PublishForms(ctx, d, &form.Store{DB: d}, r.town); err != nil {
			t.Fatal(err)
		}
		// An adult of a household of two or more, who acts for nobody else.
		if err := d.Read().QueryRow(ctx, `SELECT min(m.person_id) FROM household_members m
			WHERE m.tenant_id = $1 AND m.role = 'adult'
			AND m.person_id NOT IN (SELECT person_id FROM company_representatives WHERE tenant_id = $1)
			AND m.person_id NOT IN (SELECT person_id FROM accounts WHERE tenant_id = $1 AND person_id IS NOT NULL)
			AND (SELECT count(*) FROM household_members o WHERE o.tenant_id = m.tenant_id AND o.household_id = m.household_id) >= 2`,
			r.town.ID).Scan(&r.person); err != nil {
			t.Fatal(err)
		}
		rows, err := d.Read().Query(ctx, `SELECT o.person_id FROM household_members m JOIN household_members o
			ON o.tenant_id = m.tenant_id AND o.household_id = m.household_id WHERE m.tenant_id = $1 AND m.person_id = $2`, r.town.ID, r.person)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			r.household = append(r.household, id)
		}
		rows.Close()
		if err := d.Read().QueryRow(ctx, `SELECT min(id) FROM persons WHERE tenant_id = $1 AND id NOT IN
			(SELECT o.person_id FROM household_members m JOIN household_members o ON o.tenant_id = m.tenant_id AND o.household_id = m.household_id
			WHERE m.tenant_id = $1 AND m.person_id = $2) AND id <> $2`, r.town.ID, r.person).Scan(&r.other); err != nil {
			t.Fatal(err)
		}
	})
	r.account = fixture.Citizen(t, r.p.db, r.town, r.person).ID
	r.cookie = r.session(2)
	r.b = newBrowser(t, r.h, "lhota.test")
	u, _ := url.Parse("http://lhota.test/")
	r.b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "radnice", Value: r.cookie}})
	return r
}

// session signs the citizen in at a level of assurance.
func (r *formsRig) session(level int) string {
	r.t.Helper()
	tok, _, err := r.p.sessions.Store.Create(context.Background(), r.town.ID, map[string]string{
		access.KeyAccount: strconv.FormatInt(r.account, 10), access.KeyLevel: strconv.Itoa(level)})
	if err != nil {
		r.t.Fatal(err)
	}
	return tok
}

// post sends a step's form, as multipart when files are given.
func (r *formsRig) post(path string, form url.Values, files map[string][]byte) (int, string, http.Header) {
	r.t.Helper()
	if _, ok := form["token"]; !ok {
		form = cloneValues(form)
		form.Set("token", r.draft(path).Token)
	}
	if files == nil {
		return r.b.do("POST", path, form, nil)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for name, data := range files {
		field, filename, _ := strings.Cut(name, "|")
		fw, _ := mw.CreateFormFile(field, filename)
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", r.b.srv.URL+path, &body)
	req.Host = r.b.host
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := r.b.client.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out), resp.Header
}

func (r *formsRig) count(q string, args ...any) int {
	r.t.Helper()
	var n int
	if err := r.p.db.Read().QueryRow(context.Background(), q, append([]any{r.town.ID}, args...)...).Scan(&n); err != nil {
		r.t.Fatal(err)
	}
	return n
}

// start starts a draft of the form and returns its page's path.
func (r *formsRig) start(slug string) string {
	r.t.Helper()
	status, _, hdr := r.b.do("POST", "/formulare/"+slug, url.Values{}, nil)
	loc := hdr.Get("Location")
	if status != 303 || !regexp.MustCompile(`^/formulare/koncept/\d+$`).MatchString(loc) {
		r.t.Fatalf("start %s: %d %q", slug, status, loc)
	}
	return loc
}

func (r *formsRig) draft(path string) *submission.Draft {
	r.t.Helper()
	id, _ := strconv.ParseInt(strings.TrimPrefix(path, "/formulare/koncept/"), 10, 64)
	d, err := r.p.web.Submissions.Draft(context.Background(), r.town.ID, r.account, id)
	if err != nil {
		r.t.Fatal(err)
	}
	return d
}

// A tiny PDF, as a scanner would make it.
var samplePDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// A citizen registers a dog: starts the form prefilled, is told next to
// each field what is wrong (and nothing wrong is saved), answers a
// question that a choice made appear, attaches a proof (and cannot attach
// a program), reviews the answers with the price, cannot file without the
// declarations or at too low a level of assurance, files, and filing
// again finds the same submission.
func TestFileDogForm(t *testing.T) {
	t.Parallel()
	r := newFormsRig(t)
	ctx := context.Background()
	self := strconv.FormatInt(r.person, 10)

	anon := newBrowser(t, r.h, "lhota.test")
	status, body, _ := anon.do("GET", "/formulare", nil, nil)
	if status != 200 || !strings.Contains(body, "Přihlášení psa k poplatku") || !strings.Contains(body, "Přihlásit se a vyplnit") ||
		!strings.Contains(body, "Odbor ekonomiky") {
		t.Fatalf("/formulare anonymous: %d\n%.2000s", status, body)
	}
	if status, _, hdr := anon.do("POST", "/formulare/prihlaseni-psa", url.Values{}, nil); status != 303 || !strings.HasPrefix(hdr.Get("Location"), "/prihlaseni") {
		t.Fatalf("anonymous start: %d", status)
	}
	if status, _, _ := r.b.do("POST", "/formulare/neni-takovy", url.Values{}, nil); status != 404 {
		t.Fatalf("a form that does not exist: %d", status)
	}
	if status, body, _ := r.b.do("POST", "/formulare/prihlaseni-psa", url.Values{"party": {"company:999999"}}, nil); status != 403 ||
		!strings.Contains(body, "nemůžete") {
		t.Fatalf("a draft for a stranger: %d", status)
	}

	path := r.start("prihlaseni-psa")
	status, body, _ = r.b.do("GET", path, nil, nil)
	if status != 200 || !strings.Contains(body, "Krok 1 ze 2") || !strings.Contains(body, `name="drzitel" value="`+self+`" checked`) {
		t.Fatalf("first step: %d\n%.3000s", status, body)
	}
	shown := []string{"drzitel", "email", "telefon", "snizeni"}
	step0 := url.Values{"krok": {"0"}, "_shown": shown, "akce": {"dalsi"}}

	// Bad input: a person of another household, no choice, a bad e-mail.
	bad := cloneValues(step0)
	bad.Set("drzitel", strconv.FormatInt(r.other, 10))
	bad.Set("email", "pes@")
	before := r.draft(path)
	status, body, _ = r.post(path, bad, nil)
	if status != 400 || !strings.Contains(body, "Vyberte osobu ze své domácnosti.") || !strings.Contains(body, "Vyberte prosím jednu z možností.") ||
		!strings.Contains(body, "jmeno@example.cz") || !strings.Contains(body, `class="error-summary"`) || !strings.Contains(body, `href="#f-drzitel-0"`) {
		t.Fatalf("bad first step: %d\n%.4000s", status, body)
	}
	stale := cloneValues(good0(step0, self))
	stale.Set("token", strings.Repeat("0", 32))
	if status, _, _ := r.post(path, stale, nil); status != 409 {
		t.Fatalf("a page of another draft: %d", status)
	}
	if after := r.draft(path); after.Step != 0 || after.Answers.Get("drzitel") != before.Answers.Get("drzitel") || after.Answers.Get("email") != before.Answers.Get("email") {
		t.Fatalf("a refused step changed the draft: %+v", after.Answers)
	}

	// The pension makes the proof asked, on the same page.
	good := cloneValues(step0)
	good.Set("drzitel", self)
	good.Set("email", "drzitel@example.cz")
	good.Set("snizeni", "duchod")
	status, _, hdr := r.post(path, good, nil)
	if status != 303 || hdr.Get("Location") != path+"?krok=0&ok=doplnit" {
		t.Fatalf("a choice that asks more: %d %s", status, hdr.Get("Location"))
	}
	status, body, _ = r.b.do("GET", hdr.Get("Location"), nil, nil)
	if status != 200 || !strings.Contains(body, "Rozhodnutí o přiznání důchodu") || !strings.Contains(body, `enctype="multipart/form-data"`) ||
		!strings.Contains(body, "Podle vaší odpovědi doplňte") {
		t.Fatalf("the proof is not asked: %d\n%.3000s", status, body)
	}
	shown = append(shown, "duchod_doklad")
	good["_shown"] = shown

	// A program behind a harmless name is refused, and nothing is stored.
	up := cloneValues(good)
	up.Set("akce", "nahrat:duchod_doklad")
	status, body, _ = r.post(path, up, map[string][]byte{"duchod_doklad|rozhodnuti.pdf": []byte("MZ\x90\x00 this is a program")})
	if status != 400 || !strings.Contains(body, `class="field-error"`) {
		t.Fatalf("a program as a PDF: %d\n%.3000s", status, body)
	}
	if n := r.count(`SELECT count(*) FROM submission_files WHERE tenant_id = $1 AND draft_id = $2`, r.draft(path).ID); n != 0 {
		t.Fatalf("a refused file was stored: %d", n)
	}
	status, _, hdr = r.post(path, up, map[string][]byte{"duchod_doklad|rozhodnuti.pdf": samplePDF})
	if status != 303 || !strings.Contains(hdr.Get("Location"), "ok=prilozeno") {
		t.Fatalf("attach: %d %s", status, hdr.Get("Location"))
	}
	status, body, _ = r.b.do("GET", hdr.Get("Location"), nil, nil)
	if status != 200 || !strings.Contains(body, "rozhodnuti.pdf") || !strings.Contains(body, "Odebrat rozhodnuti.pdf") {
		t.Fatalf("the attached file is not listed: %d", status)
	}
	status, _, hdr = r.post(path, good, map[string][]byte{})
	if status != 303 || hdr.Get("Location") != path+"?krok=1" {
		t.Fatalf("first step: %d %s", status, hdr.Get("Location"))
	}

	// Bad input on the dog: nothing of it is saved.
	step1 := url.Values{"krok": {"1"}, "_shown": {"jmeno", "plemeno", "pohlavi", "narozen", "cip", "drzen_od"}, "akce": {"dalsi"},
		"jmeno": {""}, "plemeno": {"jezevčík"}, "pohlavi": {"pes"}, "narozen": {"31. 2. 2022"}, "cip": {"123 456"},
		"drzen_od": {time.Now().AddDate(0, 0, 5).Format(time.DateOnly)}}
	status, body, _ = r.post(path, step1, nil)
	for _, want := range []string{"Vyplňte prosím tento údaj.", "Zadejte platné datum", "Údaj nemá správný tvar", "nesmí být v budoucnosti",
		`value="jezevčík"`} {
		if !strings.Contains(body, want) {
			t.Errorf("bad dog: no %q", want)
		}
	}
	if status != 400 {
		t.Fatalf("bad dog: %d", status)
	}
	if d := r.draft(path); d.Step != 1 || d.Answers.Get("plemeno") != "" || d.Answers.Get("cip") != "" {
		t.Fatalf("a refused step was saved: step %d, %v", d.Step, d.Answers)
	}
	step1.Set("jmeno", "Alík")
	step1.Set("narozen", "1. 2. 2022")
	step1.Set("cip", "203098100123456")
	step1.Set("drzen_od", time.Now().AddDate(0, 0, -3).Format(time.DateOnly))
	status, _, hdr = r.post(path, step1, nil)
	if status != 303 || hdr.Get("Location") != path+"/kontrola" {
		t.Fatalf("second step: %d %s", status, hdr.Get("Location"))
	}

	status, body, _ = r.b.do("GET", path+"/kontrola", nil, nil)
	for _, want := range []string{"Alík", "jezevčík", "1.\u00a02.\u00a02022", "rozhodnuti.pdf", "200,00\u00a0Kč", "bude vyměřen po schválení",
		`href="` + path + `?krok=1"`, `name="token"`, "Prohlašuji, že uvedené údaje jsou pravdivé"} {
		if !strings.Contains(body, want) {
			t.Errorf("review: no %q", want)
		}
	}
	if status != 200 {
		t.Fatalf("review: %d", status)
	}
	token := regexp.MustCompile(`name="token" value="([0-9a-f]{32})"`).FindStringSubmatch(body)
	if token == nil {
		t.Fatal("no token on the review page")
	}
	filing := url.Values{"token": {token[1]}}
	if status, body, _ := r.b.do("POST", path+"/podat", filing, nil); status != 400 || !strings.Contains(body, "Potvrďte prosím všechna prohlášení") {
		t.Fatalf("without the declarations: %d", status)
	}
	filing["prohlaseni"] = []string{"pravdivost", "zmeny"}
	// A login at a low level of assurance is asked to log in again.
	low := newBrowser(t, r.h, "lhota.test")
	low.client.Jar.SetCookies(&url.URL{Scheme: "http", Host: "lhota.test", Path: "/"}, []*http.Cookie{{Name: "radnice", Value: r.session(1)}})
	status, body, _ = low.do("POST", path+"/podat", filing, nil)
	if status != 403 || !strings.Contains(body, "vyšší úrovní záruky") || !strings.Contains(body, "/prihlaseni?next=") {
		t.Fatalf("a low level of assurance: %d\n%.2000s", status, body)
	}
	if n := r.count(`SELECT count(*) FROM submissions WHERE tenant_id = $1 AND account_id = $2`, r.account); n != 0 {
		t.Fatalf("refused filings made %d submissions", n)
	}

	status, _, hdr = r.b.do("POST", path+"/podat", filing, nil)
	loc := hdr.Get("Location")
	if status != 303 || !regexp.MustCompile(`^/podani/\d+$`).MatchString(loc) {
		t.Fatalf("file: %d %s", status, loc)
	}
	if status, body, _ := r.b.do("GET", loc, nil, nil); status != 200 || !strings.Contains(body, "Přihlášení psa k poplatku") {
		t.Errorf("the submission's page: %d", status)
	}
	// A retry (the draft is gone) goes to the same submission.
	if status, _, hdr := r.b.do("POST", path+"/podat", filing, nil); status != 303 || hdr.Get("Location") != loc {
		t.Fatalf("filing again: %d %s, want %s", status, hdr.Get("Location"), loc)
	}
	id, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/podani/"), 10, 64)
	sub, err := r.p.web.Submissions.Get(ctx, r.town.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := r.p.web.Forms.BySlug(ctx, r.town.ID, "prihlaseni-psa")
	if sub.Title != "Přihlášení psa k poplatku" || sub.Department != "Odbor ekonomiky" || sub.Price != 20000 || sub.PersonID != r.person ||
		sub.CompanyID != 0 || sub.FormID != f.ID || sub.FormVersion != f.Version || sub.AccountID != r.account ||
		sub.Answers.Get("jmeno") != "Alík" || sub.Answers.Get("drzitel") != self || sub.Answers.Get("drzitel.name") == "" || sub.Answers.Get("narozen") != "2022-02-01" ||
		strings.Join(sub.Answers[form.DeclarationsKey], ",") != "pravdivost,zmeny" || len(sub.Answers["duchod_doklad"]) != 1 {
		t.Fatalf("the submission: %+v", sub)
	}
	if n := r.count(`SELECT count(*) FROM submission_files WHERE tenant_id = $1 AND submission_id = $2 AND draft_id IS NULL`, id); n != 1 {
		t.Fatalf("the attachment did not move to the submission: %d", n)
	}
	if n := r.count(`SELECT count(*) FROM submissions WHERE tenant_id = $1 AND account_id = $2`, r.account); n != 1 {
		t.Fatalf("%d submissions", n)
	}
	if status, _, _ := r.b.do("GET", path, nil, nil); status != 404 {
		t.Fatalf("the filed draft: %d", status)
	}
}

// good0 is a valid first step of the dog form.
func good0(step0 url.Values, self string) url.Values {
	v := cloneValues(step0)
	v.Set("drzitel", self)
	v.Set("snizeni", "ne")
	return v
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// Fifty posts of one draft's filing at once (a double click, two tabs,
// retries) make one submission, and every answer leads to it. Another
// account does not find the draft.
func TestFileOnceOverHTTP(t *testing.T) {
	t.Parallel()
	r := newFormsRig(t)
	path := r.start("zmena-kontaktnich-udaju")
	status, _, hdr := r.post(path, url.Values{"krok": {"0"}, "_shown": {"email", "telefon", "dorucovani"}, "akce": {"dalsi"},
		"email": {"novy@example.cz"}, "telefon": {"+420 777 123 456"}, "dorucovani": {"pobyt"}}, nil)
	if status != 303 || hdr.Get("Location") != path+"/kontrola" {
		t.Fatalf("the step: %d %s", status, hdr.Get("Location"))
	}
	d := r.draft(path)

	// The town changes the form meanwhile: the draft keeps its version.
	ctx := context.Background()
	cur, _ := r.p.web.Forms.BySlug(ctx, r.town.ID, "zmena-kontaktnich-udaju")
	changed := *cur.Definition
	changed.Title.CS = "Změna kontaktů"
	if v, err := r.p.web.Forms.Publish(ctx, r.town.ID, "zmena-kontaktnich-udaju", changed); err != nil || v != cur.Version+1 {
		t.Fatalf("a new version: %d %v", v, err)
	}
	if status, body, _ := r.b.do("GET", path+"/kontrola", nil, nil); status != 200 || !strings.Contains(body, "Změna kontaktních údajů") ||
		strings.Contains(body, "Změna kontaktů") {
		t.Fatalf("the review after a new version: %d", status)
	}

	// Another citizen of the town: the draft does not exist for them.
	var stranger int64
	r.p.db.Read().QueryRow(context.Background(), `SELECT max(id) FROM persons WHERE tenant_id = $1 AND id <> $2`, r.town.ID, r.person).Scan(&stranger)
	acc := fixture.Citizen(t, r.p.db, r.town, stranger)
	tok, _, _ := r.p.sessions.Store.Create(context.Background(), r.town.ID, map[string]string{access.KeyAccount: strconv.FormatInt(acc.ID, 10), access.KeyLevel: "2"})
	for _, c := range []struct{ method, path string }{{"GET", path}, {"GET", path + "/kontrola"}, {"POST", path}, {"POST", path + "/podat"},
		{"POST", path + "/smazat"}} {
		w := request(t, r.h, c.method, "lhota.test", c.path, map[string]string{"Cookie": "radnice=" + tok})
		if w.Code != 404 {
			t.Errorf("%s %s as another citizen: %d", c.method, c.path, w.Code)
		}
	}

	form := url.Values{"token": {d.Token}, "prohlaseni": {"pravdivost"}}.Encode()
	var wg sync.WaitGroup
	var mu sync.Mutex
	where := map[string]int{}
	for range 50 {
		wg.Go(func() {
			req := httptest.NewRequest("POST", path+"/podat", strings.NewReader(form))
			req.Host = "lhota.test"
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Cookie", "radnice="+r.cookie)
			w := httptest.NewRecorder()
			r.h.ServeHTTP(w, req)
			mu.Lock()
			defer mu.Unlock()
			where[strconv.Itoa(w.Code)+" "+w.Header().Get("Location")]++
		})
	}
	wg.Wait()
	if len(where) != 1 {
		t.Fatalf("fifty filings answered differently: %v", where)
	}
	for k := range where {
		if !strings.HasPrefix(k, "303 /podani/") {
			t.Fatalf("fifty filings: %v", where)
		}
	}
	if n := r.count(`SELECT count(*) FROM submissions WHERE tenant_id = $1 AND token = $2`, d.Token); n != 1 {
		t.Fatalf("%d submissions", n)
	}
	if n := r.count(`SELECT count(*) FROM submission_events e JOIN submissions s ON s.tenant_id = e.tenant_id AND s.id = e.submission_id
		WHERE e.tenant_id = $1 AND s.token = $2`, d.Token); n != 1 {
		t.Fatalf("%d events", n)
	}
	if n := r.count(`SELECT count(*) FROM submission_drafts WHERE tenant_id = $1 AND id = $2`, d.ID); n != 0 {
		t.Fatal("the draft is still there")
	}
	sub, err := r.p.web.Submissions.Filed(ctx, r.town.ID, r.account, d.Token)
	if err != nil || sub.FormVersion != cur.Version || sub.Title != "Změna kontaktních údajů" || sub.Department != "Podatelna" || sub.Price != 0 {
		t.Fatalf("filed on the old version: %+v %v", sub, err)
	}
}

// A draft is saved for later and resumed on another device; Back keeps
// what is well formed; a body over the upload limit is refused; a draft
// can be deleted.
func TestDraftSaveResumeDelete(t *testing.T) {
	t.Parallel()
	r := newFormsRig(t)
	path := r.start("hlaseni-zavady")
	status, _, hdr := r.post(path, url.Values{"krok": {"0"}, "_shown": {"kategorie", "popis"}, "akce": {"dalsi"},
		"kategorie": {"osvetleni"}, "popis": {"Lampa u školy nesvítí třetí den."}}, nil)
	if status != 303 || hdr.Get("Location") != path+"?krok=1" {
		t.Fatalf("first step: %d %s", status, hdr.Get("Location"))
	}
	step1 := url.Values{"krok": {"1"}, "_shown": {"misto", "foto"}, "akce": {"ulozit"}, "misto.text": {"U školy"}, "misto.lat": {"50,72"}}
	status, body, _ := r.post(path, step1, map[string][]byte{})
	if status != 400 || !strings.Contains(body, "Zadejte obě souřadnice, nebo žádnou.") || !strings.Contains(body, `value="50,72"`) {
		t.Fatalf("one coordinate: %d", status)
	}
	step1.Set("misto.lon", "15,05")
	status, _, hdr = r.post(path, step1, map[string][]byte{})
	if status != 303 || hdr.Get("Location") != "/formulare?ok=ulozeno" {
		t.Fatalf("save for later: %d %s", status, hdr.Get("Location"))
	}
	status, body, _ = r.b.do("GET", hdr.Get("Location"), nil, nil)
	if status != 200 || !strings.Contains(body, "Nahlášení závady ve veřejném prostoru") || !strings.Contains(body, "Krok 2 ze 3") ||
		!strings.Contains(body, "Rozepsaný formulář je uložen") || !strings.Contains(body, `href="`+path+`"`) {
		t.Fatalf("the list of drafts: %d\n%.3000s", status, body)
	}
	// Another device: a new session of the same account resumes it.
	other := newBrowser(t, r.h, "lhota.test")
	other.client.Jar.SetCookies(&url.URL{Scheme: "http", Host: "lhota.test", Path: "/"}, []*http.Cookie{{Name: "radnice", Value: r.session(2)}})
	status, body, _ = other.do("GET", path, nil, nil)
	if status != 200 || !strings.Contains(body, "U školy") || !strings.Contains(body, `value="50,72"`) || !strings.Contains(body, "Krok 2 ze 3") {
		t.Fatalf("resumed elsewhere: %d\n%.3000s", status, body)
	}
	// A step not reached yet shows the one to continue with.
	if status, body, _ := other.do("GET", path+"?krok=2", nil, nil); status != 200 || !strings.Contains(body, "Krok 2 ze 3") {
		t.Fatalf("a step not reached: %d", status)
	}
	if status, _, hdr := r.b.do("GET", path+"/kontrola", nil, nil); status != 303 || hdr.Get("Location") != path+"?krok=1" {
		t.Fatalf("review before the end: %d %s", status, hdr.Get("Location"))
	}
	// More than the upload limit is refused before it is read.
	big := make([]byte, submission.MaxTotal+2<<20)
	copy(big, samplePDF)
	status, _, _ = r.post(path, url.Values{"krok": {"1"}, "_shown": {"misto", "foto"}, "akce": {"nahrat:foto"}}, map[string][]byte{"foto|velky.pdf": big})
	if status != 413 {
		t.Fatalf("an oversized upload: %d", status)
	}
	if n := r.count(`SELECT count(*) FROM submission_files WHERE tenant_id = $1 AND draft_id = $2`, r.draft(path).ID); n != 0 {
		t.Fatalf("%d files stored", n)
	}
	step1.Set("akce", "zpet")
	step1.Set("misto.text", "U základní školy")
	if status, _, hdr := r.post(path, step1, map[string][]byte{}); status != 303 || hdr.Get("Location") != path+"?krok=0" {
		t.Fatalf("back: %d %s", status, hdr.Get("Location"))
	}
	if d := r.draft(path); d.Answers.Get("misto.text") != "U základní školy" || d.Answers.Get("misto.lat") != "50.72" || d.Step != 1 {
		t.Fatalf("back did not keep the answers: %+v", d)
	}
	if status, _, _ := r.b.do("POST", path+"/smazat", url.Values{"token": {"x"}}, nil); status != 409 {
		t.Fatalf("delete from a page of another draft: %d", status)
	}
	if status, _, hdr := r.b.do("POST", path+"/smazat", url.Values{"token": {r.draft(path).Token}}, nil); status != 303 || hdr.Get("Location") != "/formulare?ok=smazano" {
		t.Fatalf("delete: %d %s", status, hdr.Get("Location"))
	}
	if status, _, _ := r.b.do("GET", path, nil, nil); status != 404 {
		t.Fatalf("a deleted draft: %d", status)
	}
}

// An account keeps at most twenty drafts: the twenty-first is refused with
// a message, and deleting one makes room again.
func TestDraftsAreCapped(t *testing.T) {
	t.Parallel()
	r := newFormsRig(t)
	var first string
	for i := range submission.MaxDrafts {
		if path := r.start("obecne-podani"); i == 0 {
			first = path
		}
	}
	status, body, _ := r.b.do("POST", "/formulare/obecne-podani", url.Values{}, nil)
	if status != 400 || !strings.Contains(body, "Rozpracovaných formulářů máte už 20") {
		t.Fatalf("the 21st draft: %d\n%.1500s", status, body)
	}
	if n := r.count(`SELECT count(*) FROM submission_drafts WHERE tenant_id = $1 AND account_id = $2`, r.account); n != submission.MaxDrafts {
		t.Fatalf("%d drafts", n)
	}
	if status, _, _ := r.b.do("POST", first+"/smazat", url.Values{"token": {r.draft(first).Token}}, nil); status != 303 {
		t.Fatalf("delete a draft: %d", status)
	}
	r.start("obecne-podani")
}
