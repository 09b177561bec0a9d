package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/account"
	"github.com/radnice/radnice/internal/auth/oidc"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/web/view"
)

// Forms: a town's forms at /formulare, drafts kept on the server (so they
// can be finished on another device), one page per step, a review, and
// filing, which makes exactly one submission however often it is posted.
// The form package checks answers; this face parses, calls and renders.

// formNotices are the one-time messages after a change.
var formNotices = map[string]string{
	"ulozeno":   "forms.notice.saved",
	"smazano":   "forms.notice.deleted",
	"doplnit":   "form.more",
	"prilozeno": "form.files.added",
	"odebrano":  "form.files.removed",
}

func formNotice(r *http.Request) string { return formNotices[r.URL.Query().Get("ok")] }

// formLang is the request's language as form texts name it.
func formLang(r *http.Request) string { return string(httpx.Lang(r.Context())) }

// levelKey describes the login a form needs.
func levelKey(level string) string { return "forms.level." + level }

// formsList is /formulare: the town's forms for anybody; a signed-in
// citizen also sees their drafts and starts new ones.
func (h *Handlers) formsList(w http.ResponseWriter, r *http.Request) {
	h.renderForms(w, r, http.StatusOK, "")
}

func (h *Handlers) renderForms(w http.ResponseWriter, r *http.Request, status int, errKey string) {
	p := Principal(r.Context())
	forms, err := h.Forms.List(r.Context(), p.TenantID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := view.FormsData{Notice: formNotice(r), ErrorKey: errKey, SignedIn: p.Kind == access.Citizen}
	for _, f := range forms {
		c := view.FormCard{Slug: f.Slug, Title: f.Definition.Title.In(formLang(r)), Intro: f.Definition.Intro.In(formLang(r)),
			Department: f.Department, LevelKey: levelKey(f.Definition.Level)}
		if f.Definition.Price != nil {
			c.HasPrice, c.Price, c.PriceMax = true, f.Definition.Price.Base, f.Definition.Price.Base
			for _, rule := range f.Definition.Price.Rules {
				c.Price, c.PriceMax = min(c.Price, rule.Amount), max(c.PriceMax, rule.Amount)
			}
		}
		if len(f.Definition.Steps) > 0 {
			d.Forms = append(d.Forms, c)
		}
	}
	if d.SignedIn {
		parties := p.PartiesIn(access.AgendaSubmissions)
		d.CanFile = len(parties) > 0
		if len(parties) > 1 {
			for _, q := range parties {
				d.Parties = append(d.Parties, view.PartyOption{Key: q.Key(), Selected: q.Key() == p.Acting.Key(),
					Label: q.Name + " (" + i18n.T(httpx.Lang(r.Context()), "party.via."+string(q.Via)) + ")"})
			}
		}
		if !d.CanFile && d.ErrorKey == "" {
			d.ErrorKey = "forms.party.none"
		}
		drafts, err := h.Submissions.DraftsOf(r.Context(), p.TenantID, p.Account.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, dr := range drafts {
			def, err := h.Forms.Version(r.Context(), p.TenantID, dr.FormID, dr.FormVersion)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			row := view.DraftRow{ID: dr.ID, Token: dr.Token, Title: def.Title.In(formLang(r)), Party: dr.Party, Updated: dr.UpdatedAt,
				Step: min(dr.Step, len(def.Steps)-1) + 1, Steps: len(def.Steps), ToReview: dr.Step >= len(def.Steps)}
			if q, ok := p.Party(dr.Party); ok {
				row.Party = q.Name
			}
			d.Drafts = append(d.Drafts, row)
		}
	}
	h.Render(w, r, status, view.FormsPage(h.Page(r, h.T(r, "forms.title")), d))
}

// filingParty is the party a citizen files for: the one chosen (key), or
// the one they act for now; it must allow the submissions agenda.
func filingParty(p *access.Principal, key string) (access.Party, string) {
	if key != "" {
		q, ok := p.Party(key)
		if !ok || !q.Allows(access.AgendaSubmissions) {
			return access.Party{}, "forms.party.denied"
		}
		return q, ""
	}
	q, err := p.ActFor(access.AgendaSubmissions)
	if err != nil {
		if p.Acting.Kind == access.PartyAccount {
			return access.Party{}, "forms.party.none"
		}
		return access.Party{}, "forms.party.denied"
	}
	return q, ""
}

// startDraft starts a draft of the form's current version for the party,
// prefilled from the party's record, and opens its first step.
func (h *Handlers) startDraft(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	if err := r.ParseForm(); err != nil {
		h.ErrorPage(w, r, http.StatusBadRequest)
		return
	}
	f, err := h.Forms.BySlug(r.Context(), p.TenantID, r.PathValue("slug"))
	if errors.Is(err, derr.ErrNotFound) || (err == nil && (!f.Enabled || len(f.Definition.Steps) == 0)) {
		h.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q, problem := filingParty(p, r.PostForm.Get("party"))
	if problem != "" {
		h.Log.InfoContext(r.Context(), "draft refused", "request_id", httpx.RequestID(r.Context()), "reason", problem)
		h.renderForms(w, r, http.StatusForbidden, problem)
		return
	}
	profile, err := h.profile(r, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.Submissions.CreateDraft(r.Context(), p.TenantID, p.Account.ID, q.Key(), f.ID, f.Version, f.Definition.Prefill(profile))
	if errors.Is(err, derr.ErrInvalid) { // too many drafts: finish or delete one first
		h.Log.InfoContext(r.Context(), "draft refused", "request_id", httpx.RequestID(r.Context()), "reason", "forms.drafts.max")
		h.renderForms(w, r, http.StatusBadRequest, "forms.drafts.max")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, view.DraftHref(d.ID), http.StatusSeeOther)
}

// profile is what the town's records say of the party, to prefill.
func (h *Handlers) profile(r *http.Request, q access.Party) (form.Profile, error) {
	switch q.Kind {
	case access.PartyPerson:
		per, err := h.Persons.Get(r.Context(), Principal(r.Context()).TenantID, q.ID)
		if err != nil {
			return form.Profile{}, err
		}
		return form.Profile{PersonID: strconv.FormatInt(per.ID, 10), Name: per.FullName(), Email: per.Email, Phone: per.Phone,
			Street: per.Street, Number: per.HouseNumber, City: per.City, Zip: per.PostalCode}, nil
	case access.PartyCompany:
		c, err := h.Persons.GetCompany(r.Context(), Principal(r.Context()).TenantID, q.ID)
		if err != nil {
			return form.Profile{}, err
		}
		return form.Profile{Name: c.Name, Email: c.Email, Street: c.Street, Number: c.HouseNumber, City: c.City, Zip: c.PostalCode}, nil
	}
	return form.Profile{}, nil
}

// draftCtx is a draft with what its pages need: its form's version (never
// the current one), the party it is filed for, and the facts its answers
// are checked against.
type draftCtx struct {
	p     *access.Principal
	d     *submission.Draft
	def   *form.Definition
	party access.Party
	files []submission.File
	facts form.Facts
}

// loadDraft reads the draft of the path's id for the signed-in account,
// or answers the request itself (see draftOf) and returns false.
func (h *Handlers) loadDraft(w http.ResponseWriter, r *http.Request) (*draftCtx, bool) {
	c, err := h.draftOf(r)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	return c, true
}

// draftOf reads the draft of the path's id for the signed-in account. A
// draft of another account does not exist (ErrNotFound); one for a party
// the citizen may no longer act for is ErrForbidden.
func (h *Handlers) draftOf(r *http.Request) (*draftCtx, error) {
	p := Principal(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, derr.ErrNotFound
	}
	d, err := h.Submissions.Draft(r.Context(), p.TenantID, p.Account.ID, id)
	if err != nil {
		return nil, err
	}
	c := &draftCtx{p: p, d: d}
	if c.def, err = h.Forms.Version(r.Context(), p.TenantID, d.FormID, d.FormVersion); err != nil {
		return nil, err
	}
	q, ok := p.Party(d.Party)
	if !ok || !q.Allows(access.AgendaSubmissions) {
		return nil, fmt.Errorf("%w: draft %d is for %s, whom the account no longer acts for", derr.ErrForbidden, d.ID, d.Party)
	}
	c.party = q
	if err := h.loadFacts(r, c); err != nil {
		return nil, err
	}
	return c, nil
}

// reach is the step the draft continues with (see reached).
func (c *draftCtx) reach(answers form.Answers) int { return reached(c.def, answers, c.d.Step) }

// loadFacts reads the draft's files and the people of the party's
// households (a household field may name only them).
func (h *Handlers) loadFacts(r *http.Request, c *draftCtx) error {
	var err error
	if c.files, err = h.Submissions.DraftFiles(r.Context(), c.p.TenantID, c.d.ID); err != nil {
		return err
	}
	c.facts = form.Facts{Today: today(), Files: map[string][]string{}}
	for _, f := range c.files {
		c.facts.Files[f.Field] = append(c.facts.Files[f.Field], strconv.FormatInt(f.ID, 10))
	}
	if c.party.Kind != access.PartyPerson {
		return nil
	}
	seen := map[int64]bool{}
	add := func(id int64, name string) {
		if !seen[id] {
			seen[id] = true
			c.facts.Household = append(c.facts.Household, form.Member{ID: strconv.FormatInt(id, 10), Name: name})
		}
	}
	self, err := h.Persons.Get(r.Context(), c.p.TenantID, c.party.ID)
	if err != nil {
		return err
	}
	add(self.ID, self.FullName())
	households, err := h.Persons.Households(r.Context(), c.p.TenantID, c.party.ID)
	if err != nil {
		return err
	}
	for _, hh := range households {
		members, err := h.Persons.HouseholdMembers(r.Context(), c.p.TenantID, hh.ID)
		if err != nil {
			return err
		}
		for _, m := range members {
			add(m.ID, m.FullName())
		}
	}
	return nil
}

// asked tells whether step i asks anything, given the answers (a step
// whose every field is conditional and not asked is skipped).
func asked(def *form.Definition, a form.Answers, i int) bool {
	vis := def.Visible(a)
	for _, f := range def.Steps[i].Fields {
		if vis[f.ID] {
			return true
		}
	}
	return false
}

// reached is the step a draft continues with: its first step not
// completed, past steps that ask nothing given the answers.
func reached(def *form.Definition, a form.Answers, step int) int {
	if step < len(def.Steps) && !asked(def, a, step) {
		return nextStep(def, a, step)
	}
	return min(step, len(def.Steps))
}

// nextStep is the first step after i that asks something, or len(steps).
func nextStep(def *form.Definition, a form.Answers, i int) int {
	for j := i + 1; j < len(def.Steps); j++ {
		if asked(def, a, j) {
			return j
		}
	}
	return len(def.Steps)
}

// prevStep is the last step before i that asks something, or i.
func prevStep(def *form.Definition, a form.Answers, i int) int {
	for j := i - 1; j >= 0; j-- {
		if asked(def, a, j) {
			return j
		}
	}
	return i
}

func stepHref(id int64, i int) string { return view.DraftHref(id) + "?krok=" + strconv.Itoa(i) }

// draftStep shows the step asked for (?krok=), or the one to continue
// with; a step not reached yet is not shown.
func (h *Handlers) draftStep(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadDraft(w, r)
	if !ok {
		return
	}
	answers := c.def.Normalize(c.d.Answers, c.facts)
	i := c.reach(answers)
	if s := r.URL.Query().Get("krok"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			h.ErrorPage(w, r, http.StatusNotFound)
			return
		}
		i = min(n, i)
	}
	if i < len(c.def.Steps) && !asked(c.def, answers, i) {
		i = nextStep(c.def, answers, i)
	}
	if i >= len(c.def.Steps) {
		http.Redirect(w, r, view.DraftHref(c.d.ID)+"/kontrola", http.StatusSeeOther)
		return
	}
	h.renderStep(w, r, http.StatusOK, c, i, answers, nil, formNotice(r))
}

// renderStep shows step i with answers and, when errs holds problems,
// each next to its field and all in a summary at the top.
func (h *Handlers) renderStep(w http.ResponseWriter, r *http.Request, status int, c *draftCtx, i int, answers form.Answers,
	errs []derr.FieldError, noticeKey string) {
	l := formLang(r)
	pl := httpx.Lang(r.Context())
	d := view.DraftStepData{DraftID: c.d.ID, Token: c.d.Token, FormTitle: c.def.Title.In(l), Party: c.party.Name, Step: i,
		StepTitle: c.def.Steps[i].Title.In(l), Multipart: c.def.HasFiles(i), Notice: noticeKey,
		First: prevStep(c.def, answers, i) == i, Last: nextStep(c.def, answers, i) == len(c.def.Steps),
		Steps: h.stepLinks(r, c, i)}
	errText := map[string]string{}
	for _, fe := range errs {
		if _, done := errText[fe.Field]; !done {
			errText[fe.Field] = h.fieldMessage(pl, c.def, fe, c.facts.Today)
		}
	}
	vis := c.def.Visible(answers)
	for j := range c.def.Steps[i].Fields {
		f := &c.def.Steps[i].Fields[j]
		if !vis[f.ID] {
			continue
		}
		v := view.FormField{ID: f.ID, Type: f.Type, Label: f.Label.In(l), Hint: f.Hint.In(l), Required: f.Required,
			Value: displayInput(pl, f, f.ID, answers.Get(f.ID)), Multiple: f.Multiple, MaxLen: f.MaxLen(f.ID), Error: errText[f.ID]}
		switch f.Type {
		case form.TypeChoice:
			for _, o := range f.Options {
				v.Options = append(v.Options, view.FormOption{Value: o.Value, Label: o.Label.In(l), Checked: slices.Contains(answers[f.ID], o.Value)})
			}
		case form.TypeHousehold:
			for _, m := range c.facts.Household {
				v.Options = append(v.Options, view.FormOption{Value: m.ID, Label: m.Name, Checked: answers.Get(f.ID) == m.ID})
			}
		case form.TypeAddress, form.TypeLocation:
			v.Parts = h.parts(r, f, answers, errText)
			if f.Type == form.TypeLocation && v.Hint == "" {
				v.Hint = h.T(r, "form.location.hint")
			}
		case form.TypeFile:
			v.MaxFiles = f.MaxFiles
			if v.MaxFiles == 0 {
				v.MaxFiles = form.DefaultMaxFiles
			}
			for _, file := range c.files {
				if file.Field == f.ID {
					v.Files = append(v.Files, view.FormFile{ID: file.ID, Name: file.Name, Size: file.Size})
				}
			}
		}
		d.Fields = append(d.Fields, v)
		for _, k := range f.Keys() {
			if t, ok := errText[k]; ok {
				d.Errors = append(d.Errors, view.FormError{Href: "#" + errorAnchor(v, k), Text: v.Label + ": " + t})
			}
		}
	}
	title := d.StepTitle + " – " + d.FormTitle
	h.Render(w, r, status, view.DraftStepPage(h.Page(r, title), d))
}

// errorAnchor is the input an error summary's link leads to.
func errorAnchor(v view.FormField, key string) string {
	if key != v.ID {
		return view.InputID(key)
	}
	return v.Anchor()
}

// stepLinks is the progress list: steps reached are links, the one shown
// is current, the review is last.
func (h *Handlers) stepLinks(r *http.Request, c *draftCtx, current int) []view.StepLink {
	var out []view.StepLink
	reach := c.reach(c.def.Normalize(c.d.Answers, c.facts))
	for j, s := range c.def.Steps {
		sl := view.StepLink{Title: s.Title.In(formLang(r)), Current: j == current}
		if j <= reach {
			sl.Href = stepHref(c.d.ID, j)
		}
		out = append(out, sl)
	}
	review := view.StepLink{Title: h.T(r, "form.step.review"), Current: current == len(c.def.Steps)}
	if reach >= len(c.def.Steps) {
		review.Href = view.DraftHref(c.d.ID) + "/kontrola"
	}
	return append(out, review)
}

// parts are the inputs of an address or a location.
func (h *Handlers) parts(r *http.Request, f *form.Field, a form.Answers, errText map[string]string) []view.FormPart {
	mk := func(part, auto, mode string) view.FormPart {
		k := f.ID + "." + part
		return view.FormPart{Name: k, InputID: view.InputID(k), Label: h.T(r, "form."+f.Type+"."+part+".label"),
			Value: displayInput(httpx.Lang(r.Context()), f, k, a.Get(k)), Error: errText[k], Autocomplete: auto, InputMode: mode, MaxLen: f.MaxLen(k)}
	}
	if f.Type == form.TypeAddress {
		return []view.FormPart{mk("street", "address-line1", ""), mk("number", "", ""), mk("city", "address-level2", ""),
			mk("zip", "postal-code", "numeric")}
	}
	text := mk("text", "", "")
	text.Textarea = true
	return []view.FormPart{text, mk("lat", "off", "decimal"), mk("lon", "off", "decimal")}
}

// displayInput is an answer as its input shows it: a number (kept with a
// decimal point) with the decimal comma a Czech page expects.
func displayInput(l i18n.Lang, f *form.Field, key, v string) string {
	numeric := f.Type == form.TypeNumber || (f.Type == form.TypeLocation && !strings.HasSuffix(key, ".text"))
	if numeric && l == i18n.CS {
		if n, ok := form.ParseNumber(v); ok {
			return number(l, &n)
		}
	}
	return v
}

// fieldMessage is the translated message of a field's problem, with the
// limit it names.
func (h *Handlers) fieldMessage(l i18n.Lang, def *form.Definition, fe derr.FieldError, today time.Time) string {
	id, _, _ := strings.Cut(fe.Field, ".")
	f, _ := def.Field(id)
	if f == nil {
		return i18n.T(l, fe.Key)
	}
	switch fe.Key {
	case "form.toolong":
		return i18n.T(l, fe.Key, f.MaxLen(fe.Field))
	case "form.number.min":
		return i18n.T(l, fe.Key, number(l, f.Min))
	case "form.number.max":
		return i18n.T(l, fe.Key, number(l, f.Max))
	case "form.date.min", "form.date.max":
		days := f.Min
		if fe.Key == "form.date.max" {
			days = f.Max
		}
		if days == nil {
			return i18n.T(l, "form.date")
		}
		return i18n.T(l, fe.Key, i18n.Date(l, time.Date(today.Year(), today.Month(), today.Day(), 12, 0, 0, 0, i18n.Prague).AddDate(0, 0, int(*days))))
	case "form.file.max":
		n := f.MaxFiles
		if n == 0 {
			n = form.DefaultMaxFiles
		}
		return i18n.T(l, fe.Key, n)
	}
	return i18n.T(l, fe.Key)
}

// number formats a limit the way the page's language writes numbers.
func number(l i18n.Lang, f *float64) string {
	if f == nil {
		return ""
	}
	s := strconv.FormatFloat(*f, 'f', -1, 64)
	if l == i18n.CS {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// saveStep takes a step's answers (and files) and does what the button
// pressed asks: Next checks the step fully and moves on, Back and Save
// keep what is well formed, Attach adds the chosen files, Remove takes
// one away. Nothing that fails a check is saved: the step is shown again
// with the problems (400).
func (h *Handlers) saveStep(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadDraft(w, r)
	if !ok {
		return
	}
	err := parseStepForm(r)
	// Parts over the memory limit were spooled to temporary files. The
	// server removes them only for the request it made, and this one is a
	// copy (the middleware's contexts), so they are removed here, whatever
	// happens next.
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.ErrorPage(w, r, http.StatusRequestEntityTooLarge)
			return
		}
		h.ErrorPage(w, r, http.StatusBadRequest)
		return
	}
	if r.PostFormValue("token") != c.d.Token {
		// A page of another draft that had this id before (SQLite reuses
		// the id of a deleted last row), or a forged one.
		h.Log.InfoContext(r.Context(), "step refused: stale page", "request_id", httpx.RequestID(r.Context()), "draft", c.d.ID)
		h.ErrorPage(w, r, http.StatusConflict)
		return
	}
	i, err := strconv.Atoi(r.PostFormValue("krok"))
	if err != nil || i < 0 || i >= len(c.def.Steps) || i > c.reach(c.def.Normalize(c.d.Answers, c.facts)) {
		h.ErrorPage(w, r, http.StatusBadRequest)
		return
	}
	action, upload, _ := strings.Cut(r.PostFormValue("akce"), ":")
	if action == "odebrat" {
		h.removeFile(w, r, c, i)
		return
	}
	if action == "" {
		action = "dalsi" // Enter in a field presses the first button: Next
	}
	if !slices.Contains([]string{"dalsi", "zpet", "ulozit", "nahrat"}, action) {
		h.ErrorPage(w, r, http.StatusBadRequest)
		return
	}

	// The fields the page showed: their answers replace the draft's (an
	// unticked box or an emptied input clears one); the rest is kept.
	// Fields asked before this post are checked whether the page says it
	// showed them or not; only those a choice of this post made asked wait
	// for the page to show them.
	shown := map[string]bool{}
	for _, id := range r.PostForm["_shown"] {
		if f, step := c.def.Field(id); f != nil && step == i {
			shown[id] = true
		}
	}
	checked := map[string]bool{}
	before := c.def.Visible(c.def.Normalize(c.d.Answers, c.facts))
	for _, f := range c.def.Steps[i].Fields {
		checked[f.ID] = shown[f.ID] || before[f.ID]
	}
	answers := form.Answers{}
	for k, v := range c.d.Answers {
		answers[k] = v
	}
	for j := range c.def.Steps[i].Fields {
		f := &c.def.Steps[i].Fields[j]
		if !shown[f.ID] || f.Type == form.TypeFile {
			continue
		}
		for _, k := range f.Keys() {
			if vs := r.PostForm[k]; len(vs) > 0 {
				answers[k] = vs
			} else {
				delete(answers, k)
			}
		}
	}

	// Files first: a refused file is said next to its field and nothing
	// else of the step is saved.
	var fileErrs []derr.FieldError
	attached := false
	if r.MultipartForm != nil {
		for j := range c.def.Steps[i].Fields {
			f := &c.def.Steps[i].Fields[j]
			if f.Type != form.TypeFile || !shown[f.ID] {
				continue
			}
			for _, fh := range r.MultipartForm.File[f.ID] {
				if fh.Size == 0 && fh.Filename == "" {
					continue // the browser sends an empty part when nothing was chosen
				}
				err := h.attach(r, c, f, fh.Filename, fh.Open)
				var inv *derr.InvalidError
				switch {
				case errors.As(err, &inv):
					h.Log.InfoContext(r.Context(), "attachment refused", "request_id", httpx.RequestID(r.Context()),
						"draft", c.d.ID, "field", f.ID, "key", inv.Fields[0].Key)
					fileErrs = append(fileErrs, derr.FieldError{Field: f.ID, Key: inv.Fields[0].Key})
				case err != nil:
					h.fail(w, r, err)
					return
				default:
					attached = true
				}
			}
		}
	}
	if action == "nahrat" && !attached && len(fileErrs) == 0 {
		if f, step := c.def.Field(upload); f != nil && step == i && f.Type == form.TypeFile {
			fileErrs = append(fileErrs, derr.FieldError{Field: f.ID, Key: "form.file.missing"})
		}
	}

	mode := form.Complete
	if action != "dalsi" {
		mode = form.Partial
	}
	normalized, err := c.def.CheckStep(answers, i, c.facts, mode, checked)
	var inv *derr.InvalidError
	if err != nil && !errors.As(err, &inv) {
		h.fail(w, r, err)
		return
	}
	if len(fileErrs) > 0 || inv != nil {
		problems := fileErrs
		if inv != nil {
			problems = append(problems, inv.Fields...)
		}
		keys := make([]string, 0, len(problems))
		for _, fe := range problems {
			keys = append(keys, fe.Field+"="+fe.Key)
		}
		h.Log.InfoContext(r.Context(), "step refused", "request_id", httpx.RequestID(r.Context()), "draft", c.d.ID,
			"step", i, "problems", strings.Join(keys, ","))
		// Show what was typed, so it can be corrected, not the saved answers.
		h.renderStep(w, r, http.StatusBadRequest, c, i, c.def.Normalize(answers, c.facts), problems, "")
		return
	}

	// A choice on this page may have made more of its fields asked: they
	// are asked now, on the same page, prefilled where the form says so.
	vis := c.def.Visible(normalized)
	more := false
	var prefill form.Answers
	for _, f := range c.def.Steps[i].Fields {
		if !vis[f.ID] || checked[f.ID] {
			continue
		}
		more = true
		if f.Prefill != "" {
			if prefill == nil {
				profile, err := h.profile(r, c.party)
				if err != nil {
					h.fail(w, r, err)
					return
				}
				prefill = c.def.Prefill(profile)
			}
			for _, k := range f.Keys() {
				if _, has := normalized[k]; !has && len(prefill[k]) > 0 {
					normalized[k] = prefill[k]
				}
			}
		}
	}
	step := c.reach(c.def.Normalize(c.d.Answers, c.facts))
	next := i
	switch {
	case action == "dalsi" && !more:
		next = nextStep(c.def, normalized, i)
		step = max(step, next)
	case action == "zpet":
		next = prevStep(c.def, normalized, i)
	}
	if err := h.Submissions.SaveDraft(r.Context(), c.p.TenantID, c.p.Account.ID, c.d.ID, normalized, step); err != nil {
		h.fail(w, r, err)
		return
	}
	switch {
	case action == "ulozit":
		http.Redirect(w, r, "/formulare?ok=ulozeno", http.StatusSeeOther)
	case more:
		http.Redirect(w, r, stepHref(c.d.ID, i)+"&ok=doplnit", http.StatusSeeOther)
	case action == "nahrat":
		http.Redirect(w, r, stepHref(c.d.ID, i)+"&ok=prilozeno#"+view.InputID(upload)+"-set", http.StatusSeeOther)
	case next >= len(c.def.Steps):
		http.Redirect(w, r, view.DraftHref(c.d.ID)+"/kontrola", http.StatusSeeOther)
	case action == "dalsi" && c.d.Step >= len(c.def.Steps):
		// A step changed from the review: back to the review, which
		// says if another step now needs more.
		http.Redirect(w, r, view.DraftHref(c.d.ID)+"/kontrola", http.StatusSeeOther)
	default:
		http.Redirect(w, r, stepHref(c.d.ID, next), http.StatusSeeOther)
	}
}

// parseStepForm reads a step's body: multipart when it carries files.
func parseStepForm(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(8 << 20)
	}
	return r.ParseForm()
}

// attach adds one uploaded file to the draft, within the field's limit.
func (h *Handlers) attach(r *http.Request, c *draftCtx, f *form.Field, name string, open func() (multipart.File, error)) error {
	max := f.MaxFiles
	if max == 0 {
		max = form.DefaultMaxFiles
	}
	if len(c.facts.Files[f.ID]) >= max {
		return derr.Invalid(f.ID, "form.file.max", "the field's files are full")
	}
	part, err := open()
	if err != nil {
		return err
	}
	defer part.Close()
	data, err := io.ReadAll(io.LimitReader(part, submission.MaxFileSize+1))
	if err != nil {
		return err
	}
	file, err := h.Submissions.AttachDraft(r.Context(), c.p.TenantID, c.d.ID, submission.Upload{Field: f.ID, Name: name, Data: data})
	if err != nil {
		return err
	}
	c.files = append(c.files, *file)
	c.facts.Files[f.ID] = append(c.facts.Files[f.ID], strconv.FormatInt(file.ID, 10))
	return nil
}

// removeFile takes a file off the draft (its own small form on the step).
func (h *Handlers) removeFile(w http.ResponseWriter, r *http.Request, c *draftCtx, i int) {
	id, err := strconv.ParseInt(r.PostFormValue("soubor"), 10, 64)
	if err != nil {
		h.ErrorPage(w, r, http.StatusBadRequest)
		return
	}
	if err := h.Submissions.RemoveDraftFile(r.Context(), c.p.TenantID, c.d.ID, id); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, stepHref(c.d.ID, i)+"&ok=odebrano", http.StatusSeeOther)
}

// deleteDraft throws a draft away.
func (h *Handlers) deleteDraft(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.ErrorPage(w, r, http.StatusBadRequest)
		return
	}
	d, err := h.Submissions.Draft(r.Context(), p.TenantID, p.Account.ID, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if r.PostForm.Get("token") != d.Token {
		// A page of another draft that had this id before.
		h.ErrorPage(w, r, http.StatusConflict)
		return
	}
	if err := h.Submissions.DeleteDraft(r.Context(), p.TenantID, p.Account.ID, id); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/formulare?ok=smazano", http.StatusSeeOther)
}

// formLevel is the rule of the level of assurance a form needs.
func formLevel(def *form.Definition) access.Rule {
	l, ok := account.ParseLevel(def.Level)
	if !ok {
		l = oidc.LevelHigh // definitions are validated; were one not, ask the most
	}
	return access.SignedInAt(l)
}

// draftReview is the review of every answer before filing.
func (h *Handlers) draftReview(w http.ResponseWriter, r *http.Request) {
	c, ok := h.loadDraft(w, r)
	if !ok {
		return
	}
	if i := c.reach(c.def.Normalize(c.d.Answers, c.facts)); i < len(c.def.Steps) {
		http.Redirect(w, r, stepHref(c.d.ID, i), http.StatusSeeOther)
		return
	}
	h.renderReview(w, r, http.StatusOK, c, nil, "")
}

// renderReview shows the review. The answers are checked again (the
// household or the files may have changed since); problems are listed
// with links to their steps and filing is not offered until they are
// corrected. extra are problems of the filing itself (declarations).
func (h *Handlers) renderReview(w http.ResponseWriter, r *http.Request, status int, c *draftCtx, confirmed []string, problem string) {
	l := formLang(r)
	pl := httpx.Lang(r.Context())
	answers, err := c.def.Check(c.d.Answers, c.facts)
	d := view.ReviewData{DraftID: c.d.ID, FormTitle: c.def.Title.In(l), Party: c.party.Name, Department: c.def.Department,
		Token: c.d.Token, Steps: h.stepLinks(r, c, len(c.def.Steps))}
	var inv *derr.InvalidError
	if errors.As(err, &inv) {
		d.Invalid = true
		d.Errors = append(d.Errors, view.FormError{Href: stepHref(c.d.ID, max(c.def.FirstInvalid(err), 0)), Text: h.T(r, "form.invalid.again")})
		for _, fe := range inv.Fields {
			f, step := c.def.Field(strings.SplitN(fe.Field, ".", 2)[0])
			if f == nil {
				continue
			}
			d.Errors = append(d.Errors, view.FormError{Href: stepHref(c.d.ID, step) + "#" + view.InputID(fe.Field),
				Text: f.Label.In(l) + ": " + h.fieldMessage(pl, c.def, fe, c.facts.Today)})
		}
		answers = c.def.Normalize(c.d.Answers, c.facts)
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	if problem != "" {
		d.Errors = append(d.Errors, view.FormError{Href: "#prohlaseni", Text: h.T(r, problem)})
	}
	if rule := formLevel(c.def); rule.Check(c.p) == access.NeedLevel {
		d.LevelLow = true
		d.Relogin = "/prihlaseni?" + url.Values{"uroven": {strconv.Itoa(int(rule.Level()))},
			"next": {view.DraftHref(c.d.ID) + "/kontrola"}}.Encode()
	}
	vis := c.def.Visible(answers)
	for i, s := range c.def.Steps {
		sec := view.ReviewSection{Title: s.Title.In(l), Edit: stepHref(c.d.ID, i)}
		for j := range s.Fields {
			f := &s.Fields[j]
			if !vis[f.ID] {
				continue
			}
			row := view.ReviewRow{Label: f.Label.In(l), Lines: displayAnswer(pl, f, answers, c.facts)}
			if f.Type == form.TypeFile {
				for _, file := range c.files {
					if file.Field == f.ID {
						row.Files = append(row.Files, view.FormFile{ID: file.ID, Name: file.Name, Size: file.Size})
					}
				}
			}
			sec.Rows = append(sec.Rows, row)
		}
		if len(sec.Rows) > 0 {
			d.Sections = append(d.Sections, sec)
		}
	}
	for _, dc := range c.def.Declarations {
		d.Declarations = append(d.Declarations, view.ReviewDeclaration{ID: dc.ID, Text: dc.Text.In(l), Checked: slices.Contains(confirmed, dc.ID)})
	}
	if c.def.Price != nil {
		d.HasPrice, d.Price = true, c.def.Price.Compute(answers)
	}
	h.Render(w, r, status, view.DraftReviewPage(h.Page(r, h.T(r, "form.review.title")+" – "+d.FormTitle), d))
}

// displayAnswer is an answer as the review shows it, one line each.
func displayAnswer(l i18n.Lang, f *form.Field, a form.Answers, facts form.Facts) []string {
	v := a.Get(f.ID)
	switch f.Type {
	case form.TypeFile:
		return nil
	case form.TypeChoice:
		var labels []string
		for _, o := range f.Options {
			if slices.Contains(a[f.ID], o.Value) {
				labels = append(labels, o.Label.In(string(l)))
			}
		}
		return labels
	case form.TypeHousehold:
		for _, m := range facts.Household {
			if m.ID == v {
				return []string{m.Name}
			}
		}
	case form.TypeDate:
		if t, ok := form.ParseDate(v); ok {
			return []string{i18n.Date(l, t.Add(12*time.Hour))}
		}
	case form.TypeNumber:
		if n, ok := form.ParseNumber(v); ok {
			return []string{number(l, &n)}
		}
	case form.TypeAddress:
		line := strings.TrimSpace(a.Get(f.ID+".street") + " " + a.Get(f.ID+".number"))
		place := strings.TrimSpace(a.Get(f.ID+".zip") + " " + a.Get(f.ID+".city"))
		var out []string
		for _, s := range []string{line, place} {
			if s != "" {
				out = append(out, s)
			}
		}
		return out
	case form.TypeLocation:
		var out []string
		if t := a.Get(f.ID + ".text"); t != "" {
			out = append(out, strings.Split(t, "\n")...)
		}
		if lat, lon := a.Get(f.ID+".lat"), a.Get(f.ID+".lon"); lat != "" && lon != "" {
			la, _ := form.ParseNumber(lat)
			lo, _ := form.ParseNumber(lon)
			out = append(out, number(l, &la)+"; "+number(l, &lo))
		}
		return out
	case form.TypeTextarea:
		if v != "" {
			return strings.Split(v, "\n")
		}
	}
	if v == "" {
		return nil
	}
	return []string{v}
}

// fileDraft files the draft, once: a double click, a second tab or a
// retry finds the submission the first made and goes to it. A login below
// the form's level of assurance is told to log in again; nothing is filed.
func (h *Handlers) fileDraft(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	if err := r.ParseForm(); err != nil {
		h.ErrorPage(w, r, http.StatusBadRequest)
		return
	}
	// Filed already (by a click a moment ago, another tab, a retry): the
	// draft is gone, or going, and its token finds the submission.
	filed := func(token string) bool {
		sub, err := h.Submissions.Filed(r.Context(), p.TenantID, p.Account.ID, token)
		if err != nil {
			return false
		}
		http.Redirect(w, r, "/podani/"+strconv.FormatInt(sub.ID, 10), http.StatusSeeOther)
		return true
	}
	c, err := h.draftOf(r)
	if err != nil {
		if !errors.Is(err, derr.ErrNotFound) || !filed(r.PostForm.Get("token")) {
			h.fail(w, r, err)
		}
		return
	}
	if token := r.PostForm.Get("token"); token != c.d.Token {
		// The page was of another draft that had this id before (SQLite
		// reuses the id of a deleted last row): never file this one
		// instead.
		if !filed(token) {
			h.Log.InfoContext(r.Context(), "filing refused: stale page", "request_id", httpx.RequestID(r.Context()), "draft", c.d.ID)
			h.ErrorPage(w, r, http.StatusConflict)
		}
		return
	}
	if i := c.reach(c.def.Normalize(c.d.Answers, c.facts)); i < len(c.def.Steps) {
		http.Redirect(w, r, stepHref(c.d.ID, i), http.StatusSeeOther)
		return
	}
	confirmed := r.PostForm["prohlaseni"]
	if filed(c.d.Token) {
		return
	}
	if formLevel(c.def).Check(p) == access.NeedLevel {
		h.Log.InfoContext(r.Context(), "filing refused: level of assurance", "request_id", httpx.RequestID(r.Context()),
			"draft", c.d.ID, "level", p.Level.String(), "need", c.def.Level)
		h.renderReview(w, r, http.StatusForbidden, c, confirmed, "")
		return
	}
	answers, err := c.def.Check(c.d.Answers, c.facts)
	if errors.Is(err, derr.ErrInvalid) && filed(c.d.Token) {
		return // its files moved to the submission just now
	}
	if errors.Is(err, derr.ErrInvalid) {
		h.Log.InfoContext(r.Context(), "filing refused: answers", "request_id", httpx.RequestID(r.Context()), "draft", c.d.ID, "err", err)
		h.renderReview(w, r, http.StatusBadRequest, c, confirmed, "")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var ids []string
	for _, dc := range c.def.Declarations {
		if !slices.Contains(confirmed, dc.ID) {
			h.Log.InfoContext(r.Context(), "filing refused: declarations", "request_id", httpx.RequestID(r.Context()), "draft", c.d.ID)
			h.renderReview(w, r, http.StatusBadRequest, c, confirmed, "form.declaration")
			return
		}
		ids = append(ids, dc.ID)
	}
	if len(ids) > 0 {
		answers[form.DeclarationsKey] = ids
	}
	for i := range c.def.Steps {
		for _, f := range c.def.Steps[i].Fields {
			if f.Type != form.TypeHousehold || answers.Get(f.ID) == "" {
				continue
			}
			if name := displayAnswer(httpx.Lang(r.Context()), &f, answers, c.facts); len(name) > 0 {
				answers[form.NameKey(f.ID)] = name
			}
		}
	}
	f := submission.Filing{TenantID: p.TenantID, Token: c.d.Token, DraftID: c.d.ID, AccountID: p.Account.ID,
		FormID: c.d.FormID, FormVersion: c.d.FormVersion, Title: c.def.Title.CS, Department: c.def.Department,
		Answers: answers, Price: c.def.Price.Compute(answers)}
	// Only the files the checked answers name go with the submission.
	for i := range c.def.Steps {
		for _, fl := range c.def.Steps[i].Fields {
			if fl.Type != form.TypeFile {
				continue
			}
			for _, v := range answers[fl.ID] {
				if id, err := strconv.ParseInt(v, 10, 64); err == nil {
					f.Files = append(f.Files, id)
				}
			}
		}
	}
	if c.party.Kind == access.PartyCompany {
		f.CompanyID = c.party.ID
	} else {
		f.PersonID = c.party.ID
	}
	sub, created, err := h.Submissions.File(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if created {
		h.Log.InfoContext(r.Context(), "submission filed", "request_id", httpx.RequestID(r.Context()), "submission", sub.ID,
			"form", c.d.FormID, "version", c.d.FormVersion)
	}
	http.Redirect(w, r, "/podani/"+strconv.FormatInt(sub.ID, 10), http.StatusSeeOther)
}
