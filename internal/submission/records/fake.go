package records

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/radnice/radnice/internal/czid"
)

// Fake is a records-management server for tests and demo mode. It speaks
// the protocol of the package comment over HTTP, so the portal reaches it
// through Client exactly as it reaches a real one. Mount it anywhere: it
// answers POST …/cases and GET …/changes under any prefix, and shows a page
// marked DEMO with its cases at any other GET.
//
// Each office (town) is known by its bearer token. Reference numbers are
// "<prefix>/<number>/<year>/<department's initials>", counted per office,
// department and year. Registering the same idempotency key again answers
// the same registration. Switches make it fail the way real systems do:
// down (503), slow (it registers, then answers after the client has given
// up), dropping its answer after registering, refusing (422). Hooks file
// cases on paper and move cases along; both appear in the change feed.
type Fake struct {
	// Now gives the time of changes; nil: the clock.
	Now func() time.Time

	mu      sync.Mutex
	epoch   string // changes every start: an old cursor reads from the beginning
	offices map[string]*fakeOffice
	seq     int   // case ids
	rev     int64 // revisions of cases: from the clock at start, so they grow across restarts

	down     bool
	slow     time.Duration
	slowNext int
	dropNext int
	refuse   int
	requests int
}

// Office is one town at the fake.
type Office struct {
	Name        string
	Prefix      string // of reference numbers, e.g. "MJZ"
	FirstNumber int    // the first number each department gives; 0: 1
}

type fakeOffice struct {
	Office
	cases   []*FakeCase
	byID    map[string]*FakeCase
	byKey   map[string]*FakeCase
	numbers map[string]int // "<department initials>/<year>" → last number given
	changes []Change
}

// FakeCase is a case the fake holds.
type FakeCase struct {
	ID, Reference, Key    string
	Title, Department     string
	State                 string
	BirthNumber, ICO      string // of a paper case's owner
	FilerName             string // of a registered case
	Attachments           int
	FiledAt, LastChangeAt time.Time
	Version               int64 // the case's revision, greater at each change
}

// Paper is a case filed on paper at the filing office, for FilePaper.
type Paper struct {
	ID, Reference     string // "" to let the fake give them
	Title, Department string
	BirthNumber, ICO  string // one of them: whose case it is
	State             string // "" means registered
	FiledAt           time.Time
}

// NewFake returns a fake with no offices; add them with AddOffice.
func NewFake() *Fake {
	return &Fake{epoch: rand.Text()[:8], offices: map[string]*fakeOffice{}, rev: time.Now().UnixMicro()}
}

func (f *Fake) now() time.Time {
	if f.Now != nil {
		return f.Now().UTC()
	}
	return time.Now().UTC()
}

// AddOffice lets the holder of token file cases as o.
func (f *Fake) AddOffice(token string, o Office) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o.FirstNumber <= 0 {
		o.FirstNumber = 1
	}
	f.offices[token] = &fakeOffice{Office: o, byID: map[string]*FakeCase{}, byKey: map[string]*FakeCase{}, numbers: map[string]int{}}
}

// SetDown makes every call answer 503 until it is switched back.
func (f *Fake) SetDown(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

// SetSlow makes the next n registration requests (new or asked again)
// wait d after registering before they answer (longer than the client
// waits, so the client gives up on a case that exists).
func (f *Fake) SetSlow(d time.Duration, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slow, f.slowNext = d, n
}

// DropAnswers makes the next n registration requests (new or asked again)
// register and then close the connection without an answer.
func (f *Fake) DropAnswers(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropNext = n
}

// Refuse makes the next n registrations be refused (422), registering
// nothing.
func (f *Fake) Refuse(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refuse = n
}

// Requests is how many registrations were asked for, answered or not.
func (f *Fake) Requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// Cases returns a copy of the cases of the office of token.
func (f *Fake) Cases(token string) []FakeCase {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.offices[token]
	if o == nil {
		return nil
	}
	out := make([]FakeCase, len(o.cases))
	for i, c := range o.cases {
		out[i] = *c
	}
	return out
}

// FilePaper files a case on paper at the office of token, as the filing
// office would, and returns its id and reference number. A case with an
// id the office holds already is not filed again.
func (f *Fake) FilePaper(token string, p Paper) (Registration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.offices[token]
	if o == nil {
		return Registration{}, errors.New("records fake: no office with that token")
	}
	if (p.BirthNumber == "") == (p.ICO == "") || p.Title == "" || p.Department == "" {
		return Registration{}, errors.New("records fake: a paper case needs a title, a department and one owner")
	}
	if p.State == "" {
		p.State = "registered"
	}
	if !knownState(p.State) {
		return Registration{}, fmt.Errorf("records fake: unknown state %q", p.State)
	}
	if c := o.byID[p.ID]; p.ID != "" && c != nil {
		return Registration{CaseID: c.ID, Reference: c.Reference}, nil
	}
	now := f.now()
	if p.FiledAt.IsZero() {
		p.FiledAt = now
	}
	if p.ID == "" {
		p.ID = f.nextID()
	}
	if p.Reference == "" {
		p.Reference = o.reference(p.Department, p.FiledAt)
	}
	c := &FakeCase{ID: p.ID, Reference: p.Reference, Title: p.Title, Department: p.Department, State: p.State,
		BirthNumber: p.BirthNumber, ICO: p.ICO, FiledAt: p.FiledAt.UTC(), LastChangeAt: now, Version: f.nextRevision()}
	o.add(c)
	o.changes = append(o.changes, Change{Kind: ChangeFiled, CaseID: c.ID, At: now, State: c.State, Version: c.Version, Reference: c.Reference,
		Title: c.Title, Department: c.Department, BirthNumber: c.BirthNumber, ICO: c.ICO, FiledAt: c.FiledAt})
	return Registration{CaseID: c.ID, Reference: c.Reference}, nil
}

// Move moves a case of the office of token to state, with a note for the
// filer; the change appears in the feed.
func (f *Fake) Move(token, caseID, state, note string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.offices[token]
	if o == nil {
		return errors.New("records fake: no office with that token")
	}
	return f.move(o, caseID, state, note)
}

func (f *Fake) move(o *fakeOffice, caseID, state, note string) error {
	c := o.byID[caseID]
	if c == nil {
		return fmt.Errorf("records fake: no case %q", caseID)
	}
	if !knownState(state) {
		return fmt.Errorf("records fake: unknown state %q", state)
	}
	now := f.now()
	c.State, c.LastChangeAt = state, now
	c.Version = f.nextRevision()
	o.changes = append(o.changes, Change{Kind: ChangeState, CaseID: c.ID, At: now, State: state, Version: c.Version, Key: c.Key,
		Reference: c.Reference, Note: note})
	return nil
}

var fakeStates = []string{"registered", "in_progress", "info_requested", "approved", "rejected", "closed"}

func knownState(s string) bool { return slices.Contains(fakeStates, s) }

// nextRevision is a case's next revision; the lock is held.
func (f *Fake) nextRevision() int64 {
	f.rev++
	return f.rev
}

func (f *Fake) nextID() string {
	f.seq++
	return "SPIS-" + f.epoch + "-" + strconv.Itoa(f.seq)
}

func (o *fakeOffice) add(c *FakeCase) {
	o.cases = append(o.cases, c)
	o.byID[c.ID] = c
	if c.Key != "" {
		o.byKey[c.Key] = c
	}
}

// reference gives the next číslo jednací of the department.
func (o *fakeOffice) reference(department string, at time.Time) string {
	dep := Initials(department)
	year := at.In(prague).Year()
	k := dep + "/" + strconv.Itoa(year)
	n, ok := o.numbers[k]
	if !ok {
		n = o.FirstNumber - 1
	}
	n++
	o.numbers[k] = n
	return fmt.Sprintf("%s/%d/%d/%s", o.Prefix, n, year, dep)
}

var prague = func() *time.Location {
	l, err := time.LoadLocation("Europe/Prague")
	if err != nil {
		return time.UTC
	}
	return l
}()

// Initials of a department's name, as the fake ends its reference numbers
// with them: "Odbor ekonomiky" → "OE", "Odbor životního prostředí" →
// "OŽP"; short words ("a", "pro") are left out.
func Initials(department string) string {
	var b strings.Builder
	for w := range strings.FieldsSeq(department) {
		r, _ := utf8.DecodeRuneInString(w)
		if utf8.RuneCountInString(w) > 3 && unicode.IsLetter(r) {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	if b.Len() == 0 {
		return "X"
	}
	return b.String()
}

// ServeHTTP answers the protocol, the DEMO page and its buttons.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(p, "/cases"):
		f.register(w, r)
	case r.Method == http.MethodGet && strings.HasSuffix(p, "/changes"):
		f.changesPage(w, r)
	case r.Method == http.MethodPost && strings.HasSuffix(p, "/state"):
		fakePageProtection.Handler(http.HandlerFunc(f.pageMove)).ServeHTTP(w, r)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		f.page(w, r)
	default:
		fakeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use POST /cases or GET /changes")
	}
}

func fakeError(w http.ResponseWriter, status int, code, msg string) {
	var eb errorBody
	eb.Error.Code, eb.Error.Message = code, msg
	fakeJSON(w, status, eb)
}

func fakeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// office finds the caller's office by its token; the lock is held.
func (f *Fake) office(r *http.Request) *fakeOffice {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		return nil
	}
	return f.offices[token]
}

func (f *Fake) register(w http.ResponseWriter, r *http.Request) {
	var cs Case
	body, err := readAll(w, r, 64<<20)
	f.mu.Lock()
	f.requests++
	if f.down {
		f.mu.Unlock()
		fakeError(w, http.StatusServiceUnavailable, "unavailable", "the records system is down for maintenance")
		return
	}
	o := f.office(r)
	if o == nil {
		f.mu.Unlock()
		fakeError(w, http.StatusUnauthorized, "unauthorized", "unknown token")
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		f.mu.Unlock()
		fakeError(w, http.StatusBadRequest, "idempotency_key_missing", "the Idempotency-Key header is required")
		return
	}
	// The same key answers the same registration, however the first answer
	// fared.
	status := http.StatusOK
	c := o.byKey[key]
	if c == nil {
		if f.refuse > 0 {
			f.refuse--
			f.mu.Unlock()
			fakeError(w, http.StatusUnprocessableEntity, "refused", "the office refuses the case")
			return
		}
		if err != nil || json.Unmarshal(body, &cs) != nil {
			f.mu.Unlock()
			fakeError(w, http.StatusBadRequest, "bad_json", "the body is not a case")
			return
		}
		if problem := checkCase(key, &cs); problem != "" {
			f.mu.Unlock()
			fakeError(w, http.StatusUnprocessableEntity, "invalid_case", problem)
			return
		}
		now := f.now()
		c = &FakeCase{ID: f.nextID(), Reference: o.reference(cs.Department, now), Key: key, Title: cs.Title, Department: cs.Department,
			State: "registered", FilerName: cs.Filer.Name, Attachments: len(cs.Attachments), FiledAt: cs.SubmittedAt.UTC(), LastChangeAt: now,
			Version: f.nextRevision()}
		o.add(c)
		o.changes = append(o.changes, Change{Kind: ChangeFiled, CaseID: c.ID, At: now, State: c.State, Version: c.Version, Key: key,
			Reference: c.Reference,
			Title:     c.Title, Department: c.Department, FiledAt: c.FiledAt})
		status = http.StatusCreated
	}
	reg := Registration{CaseID: c.ID, Reference: c.Reference}
	var slow time.Duration
	if f.slowNext > 0 {
		f.slowNext--
		slow = f.slow
	}
	drop := f.dropNext > 0
	if drop {
		f.dropNext--
	}
	f.mu.Unlock()

	if slow > 0 {
		select {
		case <-time.After(slow):
		case <-r.Context().Done():
			return // the client gave up: the case exists, the answer is lost
		}
	}
	if drop {
		// Registered, but the connection closes with no answer.
		panic(http.ErrAbortHandler)
	}
	fakeJSON(w, status, reg)
}

// checkCase says what is wrong with a registration, "" when nothing.
func checkCase(key string, cs *Case) string {
	switch {
	case cs.Key != key:
		return "the key in the body differs from the Idempotency-Key header"
	case strings.TrimSpace(cs.Title) == "" || strings.TrimSpace(cs.Department) == "":
		return "a case needs a title and a department"
	case cs.Filer.Kind != FilerPerson && cs.Filer.Kind != FilerCompany:
		return "the filer must be a person or a company"
	case cs.SubmittedAt.IsZero():
		return "the case has no time of submission"
	}
	for i, a := range cs.Attachments {
		sum := sha256.Sum256(a.Data)
		if a.Name == "" || a.Size != int64(len(a.Data)) || !strings.EqualFold(a.SHA256, hex.EncodeToString(sum[:])) {
			return fmt.Sprintf("attachment %d: its name, size or SHA-256 does not match its content", i+1)
		}
	}
	return ""
}

func readAll(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	return b.Bytes(), err
}

func (f *Fake) changesPage(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		fakeError(w, http.StatusServiceUnavailable, "unavailable", "the records system is down for maintenance")
		return
	}
	o := f.office(r)
	if o == nil {
		fakeError(w, http.StatusUnauthorized, "unauthorized", "unknown token")
		return
	}
	after := 0
	if c := r.URL.Query().Get("after"); c != "" {
		epoch, n, ok := strings.Cut(c, ".")
		seq, err := strconv.Atoi(n)
		if !ok || err != nil || seq < 0 {
			fakeError(w, http.StatusBadRequest, "bad_cursor", "the cursor is not one this system gave")
			return
		}
		// A cursor of an earlier start: the log began anew.
		if epoch == f.epoch {
			after = min(seq, len(o.changes))
		}
	}
	limit := 100
	if l, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && l > 0 {
		limit = min(l, 1000)
	}
	end := min(after+limit, len(o.changes))
	page := changesPage{Changes: slices.Clone(o.changes[after:end]), Cursor: f.epoch + "." + strconv.Itoa(end), More: end < len(o.changes)}
	if page.Changes == nil {
		page.Changes = []Change{}
	}
	fakeJSON(w, http.StatusOK, page)
}

// fakePageProtection refuses the page's buttons from another site.
var fakePageProtection = http.NewCrossOriginProtection()

// pageMove is the DEMO page's button: POST …/cases/{id}/state with the
// office's name and the state.
func (f *Fake) pageMove(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimSuffix(r.URL.Path, "/state")
	i := strings.LastIndex(rest, "/cases/")
	if i < 0 || r.ParseForm() != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	id, base := rest[i+len("/cases/"):], rest[:i]
	f.mu.Lock()
	var err error = errors.New("no such case")
	for _, o := range f.offices {
		if o.byID[id] != nil {
			err = f.move(o, id, r.PostForm.Get("state"), r.PostForm.Get("note"))
			break
		}
	}
	f.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, base+"/", http.StatusSeeOther)
}

// page shows the cases of every office, marked DEMO, with buttons that
// move them along. Owners of paper cases are shown masked.
func (f *Fake) page(w http.ResponseWriter, r *http.Request) {
	type row struct {
		FakeCase
		Owner string
	}
	type office struct {
		Name  string
		Cases []row
	}
	f.mu.Lock()
	var offices []office
	for _, o := range f.offices {
		of := office{Name: o.Name}
		for _, c := range slices.Backward(o.cases) {
			owner := c.FilerName
			switch {
			case c.BirthNumber != "":
				owner = "RČ " + czid.BirthNumber(c.BirthNumber).Masked()
			case c.ICO != "":
				owner = "IČO " + c.ICO
			}
			of.Cases = append(of.Cases, row{FakeCase: *c, Owner: owner})
		}
		offices = append(offices, of)
	}
	f.mu.Unlock()
	slices.SortFunc(offices, func(a, b office) int { return strings.Compare(a.Name, b.Name) })
	base := strings.TrimSuffix(r.URL.Path, "/")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fakePage.Execute(w, map[string]any{"Base": base, "Offices": offices, "States": fakeStates})
}

var fakePage = template.Must(template.New("fake").Parse(`<!doctype html>
<html lang="cs"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>DEMO spisová služba</title></head><body>
<p><strong>DEMO</strong> – smyšlená spisová služba pro ukázku portálu Radnice. Nic zde není skutečné.</p>
<h1>Spisová služba (DEMO)</h1>
{{range .Offices}}<section><h2>{{.Name}}</h2>
{{if not .Cases}}<p>Žádné spisy.</p>{{else}}<table><thead><tr><th scope="col">Č. j.</th><th scope="col">Věc</th><th scope="col">Odbor</th>
<th scope="col">Kdo</th><th scope="col">Stav</th><th scope="col">Změnit stav</th></tr></thead><tbody>
{{range .Cases}}<tr><td>{{.Reference}}</td><td>{{.Title}}</td><td>{{.Department}}</td><td>{{.Owner}}</td><td>{{.State}}</td>
<td><form method="post" action="{{$.Base}}/cases/{{.ID}}/state"><label>Nový stav <select name="state">{{range $.States}}<option>{{.}}</option>{{end}}</select></label>
<label>Poznámka <input name="note"></label> <button>Uložit</button></form></td></tr>
{{end}}</tbody></table>{{end}}</section>
{{end}}</body></html>
`))
