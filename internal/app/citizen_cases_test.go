package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/pdf"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/submission/clamav"
	"github.com/radnice/radnice/internal/tenant"
)

// citizenCaseForm is a form whose filed answers the case pages label: a choice,
// a field asked only for one choice, an address, a date, a file and a
// declaration.
var citizenCaseForm = form.Definition{
	Title: form.Text{CS: "Přihlášení psa", EN: "Registering a dog"}, Department: "Odbor ekonomiky", Level: "low",
	Steps: []form.Step{
		{ID: "pes", Title: form.Text{CS: "Pes", EN: "The dog"}, Fields: []form.Field{
			{ID: "jmeno", Type: form.TypeText, Label: form.Text{CS: "Jméno psa", EN: "The dog's name"}, Required: true},
			{ID: "plemeno", Type: form.TypeChoice, Label: form.Text{CS: "Plemeno", EN: "Breed"}, Options: []form.Option{
				{Value: "kriz", Label: form.Text{CS: "Kříženec", EN: "Mixed breed"}}, {Value: "jine", Label: form.Text{CS: "Jiné", EN: "Other"}}}},
			{ID: "jine", Type: form.TypeText, Label: form.Text{CS: "Které plemeno", EN: "Which breed"},
				When: &form.Condition{Field: "plemeno", Equals: []string{"jine"}}},
			{ID: "narozen", Type: form.TypeDate, Label: form.Text{CS: "Datum narození psa", EN: "Born"}},
		}},
		{ID: "chovatel", Title: form.Text{CS: "Chovatel", EN: "The keeper"}, Fields: []form.Field{
			{ID: "adresa", Type: form.TypeAddress, Label: form.Text{CS: "Adresa chovu", EN: "Where the dog lives"}},
			{ID: "doklad", Type: form.TypeFile, Label: form.Text{CS: "Očkovací průkaz", EN: "Vaccination card"}},
		}},
	},
	Declarations: []form.Declaration{{ID: "pravda", Text: form.Text{CS: "Údaje jsou pravdivé.", EN: "The answers are true."}}},
}

type citizenCaseRig struct {
	t          *testing.T
	ctx        context.Context
	p          *portal
	h          http.Handler
	town       *tenant.Tenant
	person     int64 // the citizen
	other      int64 // somebody else
	portal     *submission.Submission
	paper      int64
	foreign    *submission.Submission // the other person's case
	candidates []int64
	filed      []byte // the file filed with the portal case
	clamd      *clamav.Fake
}

func newCitizenCaseRig(t *testing.T) *citizenCaseRig {
	t.Helper()
	ctx := context.Background()
	r := &citizenCaseRig{t: t, ctx: ctx}
	r.h, r.p = testPortal(t, func(d *db.DB) {
		r.town = fixture.Town(t, d, "lhota", 40)
		rows, err := d.Read().Query(ctx, `SELECT id FROM persons WHERE tenant_id = $1 AND birth_number IS NOT NULL
			AND id NOT IN (SELECT person_id FROM accounts WHERE tenant_id = $1 AND person_id IS NOT NULL) ORDER BY id LIMIT 20`, r.town.ID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			r.candidates = append(r.candidates, id)
		}
		rows.Close()
	})
	var err error
	if r.clamd, err = clamav.StartFake("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.clamd.Close() })
	r.p.web.Submissions.Scanner = &clamav.Client{Addr: r.clamd.Addr(), Timeout: 5 * time.Second}
	// The cases are set up without handing them to records management
	// (whose worker these tests do not run).
	subs := &submission.Store{DB: r.p.db, Scanner: r.p.web.Submissions.Scanner}

	version, err := r.p.web.Forms.Publish(ctx, r.town.ID, "pes-test", citizenCaseForm)
	if err != nil {
		t.Fatal(err)
	}
	f, err := r.p.web.Forms.BySlug(ctx, r.town.ID, "pes-test")
	if err != nil {
		t.Fatal(err)
	}
	// The citizen, and somebody they may not act for.
	r.person = r.candidates[0]
	acc := fixture.Citizen(t, r.p.db, r.town, r.person)
	for _, id := range r.candidates[1:] {
		if _, mine := fixture.Principal(t, r.p.db, acc).Owner(access.AgendaSubmissions, id, 0, 0); !mine {
			r.other = id
			break
		}
	}
	draft, err := subs.CreateDraft(ctx, r.town.ID, acc.ID, fmt.Sprintf("person:%d", r.person), f.ID, version, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.filed = []byte("%PDF-1.4\n% očkovací průkaz\n%%EOF\n")
	file, err := subs.AttachDraft(ctx, r.town.ID, draft.ID, submission.Upload{Field: "doklad", Name: "průkaz.pdf", Data: r.filed})
	if err != nil {
		t.Fatal(err)
	}
	answers := form.Answers{"jmeno": {"Alík"}, "plemeno": {"kriz"}, "jine": {"Vlčák (neptáno)"}, "narozen": {"2024-03-01"},
		"adresa.street": {"Lipová"}, "adresa.number": {"12"}, "adresa.city": {"Lhota"}, "adresa.zip": {"123 45"},
		"doklad": {strconv.FormatInt(file.ID, 10)}, form.DeclarationsKey: {"pravda"}}
	r.portal, _, err = subs.File(ctx, submission.Filing{TenantID: r.town.ID, Token: draft.Token, DraftID: draft.ID, AccountID: acc.ID,
		PersonID: r.person, FormID: f.ID, FormVersion: version, Title: "Přihlášení psa Alík", Department: "Odbor ekonomiky", Answers: answers,
		Files: []int64{file.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if err := subs.Register(ctx, r.town.ID, r.portal.ID, "MU-LH/77/2026", "REC-77"); err != nil {
		t.Fatal(err)
	}
	err = r.p.db.InTx(ctx, func(tx *db.Tx) error {
		r.paper, _, err = subs.UpsertPaper(ctx, tx, r.town.ID, submission.Paper{RecordsID: "REC-PAPER-1", Reference: "MU-LH/5/2026",
			Title: "Žádost o kácení lípy", Department: "Odbor životního prostředí", PersonID: r.person, FiledAt: time.Now().Add(-48 * time.Hour)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	oacc := fixture.Citizen(t, r.p.db, r.town, r.other)
	r.foreign, _, err = subs.File(ctx, submission.Filing{TenantID: r.town.ID, Token: "foreign", AccountID: oacc.ID, PersonID: r.other,
		FormID: f.ID, FormVersion: version, Title: "Cizí podání Punťa", Department: "Odbor ekonomiky", Answers: form.Answers{"jmeno": {"Punťa"}}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// citizen is a browser signed in as the rig's citizen.
func (r *citizenCaseRig) citizen() *browser {
	b := newBrowser(r.t, r.h, "lhota.test")
	var acc int64
	r.p.db.Read().QueryRow(r.ctx, `SELECT id FROM accounts WHERE tenant_id = $1 AND person_id = $2`, r.town.ID, r.person).Scan(&acc)
	tok, _, err := r.p.sessions.Store.Create(r.ctx, r.town.ID, map[string]string{access.KeyAccount: strconv.FormatInt(acc, 10), access.KeyLevel: "2"})
	if err != nil {
		r.t.Fatal(err)
	}
	u, _ := url.Parse("http://lhota.test/")
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "radnice", Value: tok}})
	return b
}

type answerFile struct {
	name string
	data []byte
}

// answer posts the answer form as a browser does: multipart, the text and
// the file input (sent empty when no file is chosen).
func (b *browser) answer(path, text string, files ...answerFile) (int, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("text", text)
	if len(files) == 0 {
		mw.CreateFormFile("files", "")
	}
	for _, f := range files {
		w, _ := mw.CreateFormFile("files", f.name)
		w.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.srv.URL+path, &body)
	req.Host = b.host
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", "http://"+b.host)
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusSeeOther {
		return resp.StatusCode, resp.Header.Get("Location")
	}
	return resp.StatusCode, string(out)
}

func (r *citizenCaseRig) count(q string, args ...any) int {
	var n int
	if err := r.p.db.Read().QueryRow(r.ctx, q, args...).Scan(&n); err != nil {
		r.t.Fatal(err)
	}
	return n
}

// The citizen's cases: the list (portal and paper), a case with its
// answers labelled from its form version, its timeline and files; nobody
// else's case, file or receipt.
func TestCitizenCasePages(t *testing.T) {
	t.Parallel()
	r := newCitizenCaseRig(t)
	b := r.citizen()
	status, body, _ := b.do("GET", "/podani", nil, nil)
	wantBody(t, "/podani", status, body, 200, "Moje podání", "Přihlášení psa Alík", "MU-LH/77/2026", "Zaevidováno",
		"Žádost o kácení lípy", "MU-LH/5/2026", "na podatelně", fmt.Sprintf(`href="/podani/%d"`, r.portal.ID))
	if strings.Contains(body, "Punťa") {
		t.Fatal("/podani shows another person's case")
	}
	// The newest first: the portal case was filed after the paper one.
	if strings.Index(body, "Přihlášení psa Alík") > strings.Index(body, "Žádost o kácení lípy") {
		t.Error("the list is not newest first")
	}

	casePath := fmt.Sprintf("/podani/%d", r.portal.ID)
	status, body, _ = b.do("GET", casePath, nil, nil)
	wantBody(t, "the case", status, body, 200, "Přihlášení psa Alík", "MU-LH/77/2026", "Podání přijato",
		"Zaevidováno ve spisové službě, č. j. MU-LH/77/2026", "Jméno psa", "Alík", "Plemeno", "Kříženec", "1.\u00a03.\u00a02024",
		"Lipová 12", "123 45 Lhota", "Očkovací průkaz", "průkaz.pdf", "Údaje jsou pravdivé.", "potvrzeno",
		"Formulář Přihlášení psa, verze 1", casePath+"/potvrzeni.pdf")
	// Not asked (the breed was not "other"), so not shown.
	if strings.Contains(body, "Vlčák") || strings.Contains(body, "Které plemeno") {
		t.Error("the case shows an answer to a question that was not asked")
	}
	if strings.Contains(body, casePath+"/odpoved") {
		t.Error("an answer form on a case that waits for nothing")
	}
	// In English, from the same version.
	status, body, _ = b.do("GET", casePath, nil, map[string]string{"Cookie": "lang=en"})
	wantBody(t, "the case in English", status, body, 200, "The dog&#39;s name", "Mixed breed", "Registered in records management")

	paperPath := fmt.Sprintf("/podani/%d", r.paper)
	status, body, _ = b.do("GET", paperPath, nil, nil)
	wantBody(t, "the paper case", status, body, 200, "Žádost o kácení lípy", "v listinné podobě")
	if status, _, _ := b.do("GET", paperPath+"/potvrzeni.pdf", nil, nil); status != 404 {
		t.Errorf("a receipt of a paper case: %d", status)
	}

	// The file filed with it, as an attachment to save.
	files, _ := r.p.web.Submissions.Files(r.ctx, r.town.ID, r.portal.ID)
	filePath := fmt.Sprintf("%s/soubory/%d", casePath, files[0].ID)
	status, data, hdr := b.do("GET", filePath, nil, nil)
	if status != 200 || data != string(r.filed) || hdr.Get("Content-Type") != "application/pdf" || hdr.Get("X-Content-Type-Options") != "nosniff" ||
		hdr.Get("Content-Disposition") != `attachment; filename="prukaz.pdf"; filename*=UTF-8''pr%C5%AFkaz.pdf` ||
		!strings.Contains(hdr.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("download: %d %v", status, hdr)
	}

	// Another's case, its file and receipt do not exist for the citizen;
	// nor does the citizen's file under another case, or a case that is not.
	ffiles, _ := r.p.web.Submissions.Files(r.ctx, r.town.ID, r.foreign.ID)
	foreign := fmt.Sprintf("/podani/%d", r.foreign.ID)
	for _, path := range []string{foreign, foreign + "/potvrzeni.pdf", fmt.Sprintf("%s/soubory/%d", foreign, files[0].ID),
		fmt.Sprintf("%s/soubory/%d", paperPath, files[0].ID), "/podani/999999", "/podani/abc", casePath + "/soubory/999999"} {
		if status, _, _ := b.do("GET", path, nil, nil); status != 404 {
			t.Errorf("%s: %d, want 404", path, status)
		}
	}
	if len(ffiles) != 0 {
		t.Fatalf("the foreign case has files: %d", len(ffiles))
	}
	if status, _, _ := b.do("POST", foreign+"/odpoved", url.Values{"text": {"cizí"}}, map[string]string{"Origin": "http://lhota.test"}); status != 404 {
		t.Errorf("answering another's case: %d", status)
	}
	// Anonymous: sent to log in.
	if status, _, hdr := newBrowser(t, r.h, "lhota.test").do("GET", casePath, nil, nil); status != 303 || !strings.HasPrefix(hdr.Get("Location"), "/prihlaseni") {
		t.Errorf("anonymous: %d %s", status, hdr.Get("Location"))
	}
}

// The receipt is a PDF of exactly what was filed: read back from the PDF,
// it holds the answers with their labels, the reference number and the
// filed file's name and fingerprint; not what was not asked, nor files
// that came later.
func TestCitizenCaseReceipt(t *testing.T) {
	t.Parallel()
	r := newCitizenCaseRig(t)
	b := r.citizen()
	status, body, hdr := b.do("GET", fmt.Sprintf("/podani/%d/potvrzeni.pdf", r.portal.ID), nil, nil)
	if status != 200 || hdr.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
		t.Fatalf("receipt: %d %s", status, hdr.Get("Content-Type"))
	}
	text, err := pdf.Text([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(r.filed)
	for _, want := range []string{fmt.Sprintf("Potvrzení o podání č. %d", r.portal.ID), "Obec lhota", "Přihlášení psa", "MU-LH/77/2026",
		r.portal.SubmittedAt.In(time.FixedZone("", 0)).Format("2006") /* the year, whatever the zone */, "Pes", "Jméno psa", "Alík",
		"Plemeno", "Kříženec", "Adresa chovu", "Lipová 12", "123 45 Lhota", "Očkovací průkaz", "průkaz.pdf", hex.EncodeToString(sum[:]),
		"Údaje jsou pravdivé.", "Prohlášení"} {
		if !strings.Contains(text, want) {
			t.Errorf("the receipt does not say %q:\n%s", want, text)
		}
	}
	for _, not := range []string{"Vlčák", "Které plemeno", "Punťa"} {
		if strings.Contains(text, not) {
			t.Errorf("the receipt says %q", not)
		}
	}
}

func answerPNG(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 3, 3))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The office asks for more; a malicious or infected upload is refused
// with its reason and changes nothing; the answer with a file goes in
// with the case's move back to the office.
func TestCitizenCaseAnswer(t *testing.T) {
	t.Parallel()
	r := newCitizenCaseRig(t)
	b := r.citizen()
	subs := r.p.web.Submissions
	casePath := fmt.Sprintf("/podani/%d", r.portal.ID)
	if status, _ := b.answer(casePath+"/odpoved", "Předčasná odpověď"); status != 409 {
		t.Errorf("answering a case that waits for nothing: %d", status)
	}
	if err := subs.Move(r.ctx, r.town.ID, r.portal.ID, submission.Change{To: submission.StateInfoRequested,
		Text: "Doložte prosím platné očkování proti vzteklině.", By: submission.Actor{Kind: submission.ActorStaff, ID: 1}}); err != nil {
		t.Fatal(err)
	}
	status, body, _ := b.do("GET", casePath, nil, nil)
	wantBody(t, "waiting for an answer", status, body, 200, "Čeká na vaše doplnění", "Úřad žádá o doplnění",
		"Doložte prosím platné očkování proti vzteklině.", `action="`+casePath+`/odpoved"`, `enctype="multipart/form-data"`, `type="file"`)

	snapshot := func() string {
		return fmt.Sprint(r.count(`SELECT count(*) FROM submission_files WHERE tenant_id = $1`, r.town.ID),
			r.count(`SELECT count(*) FROM submission_events WHERE tenant_id = $1`, r.town.ID),
			r.count(`SELECT count(*) FROM notification_events WHERE tenant_id = $1`, r.town.ID))
	}
	before := snapshot()
	svg := []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/muj-ucet")</script></svg>`)
	for _, c := range []struct {
		name   string
		files  []answerFile
		status int
		want   string
	}{
		{"svg with a script named .png", []answerFile{{"foto.png", svg}}, 400, "Tento druh souboru nepřijímáme"},
		{"a good file and an archive", []answerFile{{"a.png", answerPNG(t)}, {"b.pdf", []byte("PK\x03\x04rest of a zip")}}, 400, "Archivy (ZIP"},
		{"eicar in a .txt", []answerFile{{"dopis.txt", clamav.EICAR()}}, 400, "nalezen virus"},
		{"oversized", []answerFile{{"velky.txt", bytes.Repeat([]byte("a"), submission.MaxFileSize+1)}}, 400, "nejvýše 10 MB"},
		{"six files", []answerFile{{"1.txt", []byte("1")}, {"2.txt", []byte("2")}, {"3.txt", []byte("3")}, {"4.txt", []byte("4")},
			{"5.txt", []byte("5")}, {"6.txt", []byte("6")}}, 400, "nejvýše 5 souborů"},
	} {
		status, body := b.answer(casePath+"/odpoved", "Posílám průkaz", c.files...)
		wantBody(t, c.name, status, body, c.status, c.want, "Posílám průkaz" /* the text is kept */)
	}
	if status, body := b.answer(casePath+"/odpoved", "  "); status != 400 || !strings.Contains(body, "Napište odpověď") {
		t.Errorf("an empty answer: %d", status)
	}
	// The scanner away: refused for now, with a reason to try later.
	r.clamd.Stall(true)
	subs.Scanner.(*clamav.Client).Timeout = 300 * time.Millisecond
	status, body = b.answer(casePath+"/odpoved", "Posílám průkaz", answerFile{"a.pdf", []byte("%PDF-1.4\n%%EOF")})
	wantBody(t, "scanner away", status, body, 503, "zkuste to prosím za několik minut")
	r.clamd.Stall(false)
	subs.Scanner.(*clamav.Client).Timeout = 5 * time.Second
	if got, _ := subs.Get(r.ctx, r.town.ID, r.portal.ID); got.State != submission.StateInfoRequested || snapshot() != before {
		t.Fatalf("refused answers changed the case: %s; %s → %s", got.State, before, snapshot())
	}

	doc := []byte("%PDF-1.4\n% vzteklina 2026\n%%EOF\n")
	status, loc := b.answer(casePath+"/odpoved", "Posílám průkaz s očkováním.", answerFile{"očkování.pdf", doc})
	if status != 303 || loc != casePath+"?hotovo=doplneno" {
		t.Fatalf("answer: %d %s", status, loc)
	}
	status, body, _ = b.do("GET", loc, nil, nil)
	wantBody(t, "after the answer", status, body, 200, "doplnění jsme předali úřadu", "Vyřizuje se", "Podání jste doplnili",
		"Posílám průkaz s očkováním.", "očkování.pdf")
	if strings.Contains(body, casePath+"/odpoved") {
		t.Error("the answer form is still offered")
	}
	files, _ := subs.Files(r.ctx, r.town.ID, r.portal.ID)
	last := files[len(files)-1]
	if last.Name != "očkování.pdf" || last.EventID == 0 {
		t.Fatalf("the answer's file: %+v", last)
	}
	if status, data, _ := b.do("GET", fmt.Sprintf("%s/soubory/%d", casePath, last.ID), nil, nil); status != 200 || data != string(doc) {
		t.Errorf("the answer's file: %d", status)
	}
	// The receipt stays what was filed: the later answer is not in it.
	_, receipt, _ := b.do("GET", casePath+"/potvrzeni.pdf", nil, nil)
	if text, _ := pdf.Text([]byte(receipt)); strings.Contains(text, "očkování.pdf") || !strings.Contains(text, "průkaz.pdf") {
		t.Errorf("the receipt after the answer:\n%s", text)
	}
	// A second answer from a stale page.
	if status, body := b.answer(casePath+"/odpoved", "Ještě jednou"); status != 409 || !strings.Contains(body, "už na doplnění nečeká") {
		t.Errorf("a second answer: %d", status)
	}
}

// An official's note is not public: its files cannot be fetched by the
// filer, even by guessing their number.
func TestCitizenCaseNoteFilesHidden(t *testing.T) {
	t.Parallel()
	r := newCitizenCaseRig(t)
	subs := r.p.web.Submissions
	var file *submission.File
	_, err := subs.AddEvent(r.ctx, r.town.ID, r.portal.ID, submission.EventNote, "interní poznámka", submission.Actor{Kind: submission.ActorStaff, ID: 1}, false,
		func(ctx context.Context, tx *db.Tx, eventID int64) (err error) {
			file, err = subs.AttachEvent(ctx, tx, r.town.ID, r.portal.ID, eventID, submission.Upload{Field: "note", Name: "interni.txt", Data: []byte("jen pro úřad")})
			return err
		})
	if err != nil {
		t.Fatal(err)
	}
	b := r.citizen()
	casePath := fmt.Sprintf("/podani/%d", r.portal.ID)
	if status, _, _ := b.do("GET", fmt.Sprintf("%s/soubory/%d", casePath, file.ID), nil, nil); status != 404 {
		t.Errorf("a note's file: %d", status)
	}
	if _, body, _ := b.do("GET", casePath, nil, nil); strings.Contains(body, "interní poznámka") || strings.Contains(body, "interni.txt") {
		t.Error("the case page shows an official's note")
	}
}
