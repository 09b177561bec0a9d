package backoffice

import (
	"cmp"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/backoffice/view"
	"github.com/radnice/radnice/internal/casework"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/person"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/submission/attach"
)

// Case work: a case worker's queue of their departments' submissions
// (portal and paper), one case with its filer, answers, files and
// timeline, and the changes the state machine allows now. The casework
// service checks the department (a case of another department is not
// found), audits every look and every change, and on approval assesses
// the fee and attaches the decision document, in one transaction.

const casesBase = "/urad/podani"

// forCases lets any case worker in; the service then shows only cases of
// their own departments.
var forCases = access.Staff(auth.CaseWorker)

// stateSlugs name the queue's state filters in addresses.
var stateSlugs = map[string]submission.State{
	"podano": submission.StateSubmitted, "zaevidovano": submission.StateRegistered, "vyrizuje-se": submission.StateInProgress,
	"ceka-na-doplneni": submission.StateInfoRequested, "schvaleno": submission.StateApproved, "zamitnuto": submission.StateRejected,
	"uzavreno": submission.StateClosed,
}

const (
	filterOpen = "otevrena"
	filterAll  = "vse"
	maxPage    = 10_000
)

func slugOf(s submission.State) string {
	for k, v := range stateSlugs {
		if v == s {
			return k
		}
	}
	return ""
}

// casework is the case work service over the handlers' own stores (a few
// pointers, so it needs no wiring of its own).
func (h *Handlers) casework() *casework.Service {
	return &casework.Service{Submissions: h.Submissions, Forms: h.Forms, Obligations: h.Obligations,
		People: h.People, Audit: h.Audit}
}

func (h *Handlers) caseMeta(r *http.Request) casework.Meta {
	return casework.Meta{RequestID: httpx.RequestID(r.Context()), IP: httpx.ClientIP(r, h.TrustProxy)}
}

// stateStatus is the CSS modifier of a state.
func stateStatus(s submission.State) string {
	switch s {
	case submission.StateApproved, submission.StateClosed:
		return "ok"
	case submission.StateRejected:
		return "overdue"
	}
	return "wait"
}

// caseList is the official's queue: ?stav= picks the states (open ones by
// default), ?strana= the page.
func (h *Handlers) caseList(w http.ResponseWriter, r *http.Request) {
	ctx, t, st := r.Context(), httpx.Tenant(r.Context()), h.official(r)
	q := r.URL.Query()
	var d view.CasesData
	filter := cmp.Or(q.Get("stav"), filterOpen)
	var states []submission.State
	switch s, known := stateSlugs[filter]; {
	case filter == filterOpen:
	case filter == filterAll:
		states = submission.States
	case known:
		states = []submission.State{s}
	default:
		d.Errors = append(d.Errors, view.FieldError{Key: "bo.cases.filter.invalid"})
		filter = filterOpen
	}
	page := 1
	if v := q.Get("strana"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPage {
			d.Errors = append(d.Errors, view.FieldError{Key: "bo.cases.page.invalid"})
		} else {
			page = n
		}
	}
	queue, err := h.casework().Queue(ctx, t.ID, st, casework.Filter{States: states, Page: page})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := httpx.Lang(ctx)
	d.Departments, d.Page = queue.Departments, page
	link := func(f string, page int) string {
		v := url.Values{"stav": {f}}
		if page > 1 {
			v.Set("strana", strconv.Itoa(page))
		}
		return casesBase + "?" + v.Encode()
	}
	// A count above casework.CountUpTo is shown as "999+", and so is a sum
	// that includes one.
	count := func(states []submission.State) (n int, more bool) {
		for _, s := range states {
			c := queue.Counts[s]
			if c > casework.CountUpTo {
				c, more = casework.CountUpTo, true
			}
			n += c
		}
		return n, more
	}
	n, more := count(submission.OpenStates)
	d.States = append(d.States, view.StateLink{Href: link(filterOpen, 1), Key: "bo.cases.filter.open", Count: n, More: more,
		Current: filter == filterOpen})
	for _, s := range submission.States {
		slug := slugOf(s)
		n, more := count([]submission.State{s})
		d.States = append(d.States, view.StateLink{Href: link(slug, 1), Key: "bo.case.state." + string(s), Count: n, More: more,
			Current: filter == slug})
	}
	n, more = count(submission.States)
	d.States = append(d.States, view.StateLink{Href: link(filterAll, 1), Key: "bo.cases.filter.all", Count: n, More: more,
		Current: filter == filterAll})
	for _, c := range queue.Rows {
		d.Rows = append(d.Rows, view.CaseRow{Href: casesBase + "/" + strconv.FormatInt(c.ID, 10), Reference: c.Reference, Title: c.Title,
			Filer: c.Filer, Department: c.Department, StateKey: "bo.case.state." + string(c.State), Status: stateStatus(c.State),
			Submitted: dateTime(lang, c.SubmittedAt), Paper: c.Channel == submission.ChannelPaper,
			Mine: c.AssignedTo == st.ID, Assigned: c.AssignedTo != 0})
	}
	if page > 1 {
		d.Prev = link(filter, page-1)
	}
	if queue.More {
		d.Next = link(filter, page+1)
	}
	status := http.StatusOK
	if len(d.Errors) > 0 {
		status = http.StatusBadRequest
		h.Log.InfoContext(ctx, "cases: bad filter", "request_id", httpx.RequestID(ctx))
	}
	h.Pages.Render(w, r, status, view.CasesPage(h.page(r, "bo.cases.title"), d))
}

// caseNotices are the one-time messages after a change of a case.
var caseNotices = map[string]string{
	string(casework.Take): "bo.case.notice.take", string(casework.RequestInfo): "bo.case.notice.request_info",
	string(casework.Note): "bo.case.notice.note", string(casework.Approve): "bo.case.notice.approve",
	string(casework.Reject): "bo.case.notice.reject", string(casework.Close): "bo.case.notice.close",
}

// caseShow is one case.
func (h *Handlers) caseShow(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		h.Pages.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	h.renderCase(w, r, http.StatusOK, id, caseNotices[r.URL.Query().Get("hotovo")], nil, casework.Request{})
}

// caseAct makes one change of a case and comes back to it; bad input, a
// stale page or a change the state does not allow show the case again
// with a message, having changed nothing.
func (h *Handlers) caseAct(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		h.Pages.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		h.Log.InfoContext(ctx, "cases: form unreadable", "request_id", httpx.RequestID(ctx), "err", err)
		h.renderCase(w, r, http.StatusBadRequest, id, "", view.Errors{{Key: "bo.form.invalid"}}, casework.Request{})
		return
	}
	req := casework.Request{Action: casework.Action(r.PostForm.Get("akce")), From: submission.State(r.PostForm.Get("stav")),
		Text: r.PostForm.Get("text")}
	err := h.casework().Act(ctx, httpx.Tenant(ctx), h.official(r), h.caseMeta(r), id, req)
	status, errs := http.StatusOK, view.Errors(nil)
	field := "text-" + string(req.Action)
	switch fe, invalid := fieldErrors(err, map[string]string{"text": field}); {
	case err == nil:
		http.Redirect(w, r, casesBase+"/"+strconv.FormatInt(id, 10)+"?hotovo="+url.QueryEscape(string(req.Action)), http.StatusSeeOther)
		return
	case invalid:
		status, errs = http.StatusBadRequest, fe
	case errors.Is(err, derr.ErrConflict):
		status, errs = http.StatusConflict, view.Errors{{Key: "bo.case.conflict"}}
	case errors.Is(err, submission.ErrTransition):
		status, errs = http.StatusConflict, view.Errors{{Key: "bo.case.transition"}}
	case errors.Is(err, derr.ErrNotFound):
		h.Pages.ErrorPage(w, r, http.StatusNotFound)
		return
	default:
		h.fail(w, r, err)
		return
	}
	keys := make([]string, len(errs))
	for i, e := range errs {
		keys[i] = e.Key
	}
	action := string(req.Action) // only a known action's name reaches the log
	if !slices.Contains(casework.Actions, req.Action) {
		action = "unknown"
	}
	h.Log.InfoContext(ctx, "cases: refused", "request_id", httpx.RequestID(ctx), "case", id, "action", action,
		"status", status, "problems", keys)
	h.renderCase(w, r, status, id, "", errs, req)
}

// caseFile downloads a file of a case.
func (h *Handlers) caseFile(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	fileID, okFile := pathID(r, "file")
	if !ok || !okFile {
		h.Pages.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	ctx := r.Context()
	f, data, err := h.casework().OpenFile(ctx, httpx.Tenant(ctx).ID, h.official(r), h.caseMeta(r), id, fileID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Only the types uploads are checked to be are served as such;
	// anything else (a file stored before a check changed) is bytes.
	typ := f.ContentType
	if !slices.Contains([]string{attach.PDF, attach.JPEG, attach.PNG, attach.Text}, typ) {
		typ = "application/octet-stream"
	}
	hd := w.Header()
	hd.Set("Content-Type", typ)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.Write(data)
}

// renderCase shows a case (and records the look), with the problems of a
// change that was refused and what was typed into its form.
func (h *Handlers) renderCase(w http.ResponseWriter, r *http.Request, status int, id int64, notice string, errs view.Errors, typed casework.Request) {
	ctx, t, st := r.Context(), httpx.Tenant(r.Context()), h.official(r)
	c, err := h.casework().Open(ctx, t.ID, st, h.caseMeta(r), id)
	if err != nil {
		h.fail(w, r, err) // not found: no such case of the official's departments
		return
	}
	staff, err := h.Staff.List(ctx, t.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, s := range staff {
		names[s.ID] = s.Name
	}
	lang := httpx.Lang(ctx)
	T := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	base := casesBase + "/" + strconv.FormatInt(c.ID, 10)
	d := view.CaseData{ID: c.ID, Action: base, Title: c.Title, State: string(c.State), StateKey: "bo.case.state." + string(c.State),
		Status: stateStatus(c.State), Notice: notice, Errors: errs}

	reference := c.Reference
	if reference == "" {
		reference = T("bo.case.reference.none")
	}
	channel := T("bo.case.channel.portal")
	if c.Channel == submission.ChannelPaper {
		channel = T("bo.case.channel.paper")
	}
	assignee := T("bo.case.assignee.none")
	if c.AssignedTo != 0 {
		assignee = cmp.Or(names[c.AssignedTo], "–")
	}
	d.Facts = []view.Fact{{Key: "bo.case.reference", Value: reference}, {Key: "bo.case.department", Value: c.Department},
		{Key: "bo.case.channel", Value: channel}, {Key: "bo.case.submitted", Value: dateTime(lang, c.SubmittedAt)},
		{Key: "bo.case.updated", Value: dateTime(lang, c.UpdatedAt)}, {Key: "bo.case.assignee", Value: assignee}}
	if c.Price > 0 {
		d.Facts = append(d.Facts, view.Fact{Key: "bo.case.price", Value: i18n.Money(lang, c.Price)})
	}
	if c.Fee != nil {
		kind := c.Fee.KindCS
		if lang == i18n.EN && c.Fee.KindEN != "" {
			kind = c.Fee.KindEN
		}
		d.Facts = append(d.Facts, view.Fact{Key: "bo.case.fee", Value: T("bo.case.fee.value", kind, c.Fee.Period,
			i18n.Money(lang, c.Fee.Amount), strconv.FormatInt(c.Fee.VS, 10), i18n.Date(lang, c.Fee.DueDate))})
	}

	if p := c.Person; p != nil {
		d.FilerFacts = append(d.FilerFacts, view.Fact{Key: "bo.case.filer.name", Value: p.FullName()},
			view.Fact{Key: "bo.case.filer.born", Value: i18n.Date(lang, p.BirthDate)},
			view.Fact{Key: "bo.case.filer.address", Value: casework.Address(p.Address)})
		if p.Email != "" {
			d.FilerFacts = append(d.FilerFacts, view.Fact{Key: "bo.case.filer.email", Value: p.Email})
		}
		if p.Phone != "" {
			d.FilerFacts = append(d.FilerFacts, view.Fact{Key: "bo.case.filer.phone", Value: p.Phone})
		}
	} else if co := c.Company; co != nil {
		d.FilerFacts = append(d.FilerFacts, view.Fact{Key: "bo.case.filer.company", Value: co.Name},
			view.Fact{Key: "bo.case.filer.ico", Value: co.ICO}, view.Fact{Key: "bo.case.filer.address", Value: casework.Address(co.Address)})
		if co.Email != "" {
			d.FilerFacts = append(d.FilerFacts, view.Fact{Key: "bo.case.filer.email", Value: co.Email})
		}
	}

	fileOf := func(f submission.File) view.CaseFile {
		return view.CaseFile{Href: base + "/soubory/" + strconv.FormatInt(f.ID, 10), Name: f.Name, Size: i18n.FileSize(lang, f.Size),
			Type: fileType(f.ContentType)}
	}
	byField, byEvent := map[string][]view.CaseFile{}, map[int64][]view.CaseFile{}
	for _, f := range c.Files {
		d.Files = append(d.Files, fileOf(f))
		if f.EventID != 0 {
			byEvent[f.EventID] = append(byEvent[f.EventID], fileOf(f))
		} else {
			byField[f.Field] = append(byField[f.Field], fileOf(f))
		}
	}
	d.Answers, d.Declared = h.answers(r, c, byField)

	for _, e := range c.Events {
		ev := view.CaseEvent{At: dateTime(lang, e.At), KindKey: eventKey(e.Kind), Internal: !e.Public, Files: byEvent[e.ID]}
		if slices.Contains(submission.States, submission.State(e.Kind)) {
			ev.Status = stateStatus(submission.State(e.Kind))
		}
		switch e.ActorKind {
		case submission.ActorStaff:
			ev.Actor = cmp.Or(names[e.ActorID], T("bo.case.actor.staff"))
		case submission.ActorCitizen:
			ev.ActorKey = "bo.case.actor.citizen"
		case submission.ActorRecords:
			ev.ActorKey = "bo.case.actor.records"
		default:
			ev.ActorKey = "bo.case.actor.system"
		}
		if e.Text != "" {
			ev.Lines = strings.Split(e.Text, "\n")
		}
		d.Events = append(d.Events, ev)
	}

	for _, a := range c.Actions {
		ca := caseActionViews[a]
		if a == typed.Action {
			ca.Text = typed.Text
		}
		d.Actions = append(d.Actions, ca)
		if a == casework.Approve && c.Form != nil && c.Form.Obligation != "" && c.Price > 0 && c.ObligationID == 0 {
			d.FeeNoticeOn, d.FeeNotice = true, i18n.Money(lang, c.Price)
		}
	}
	h.Pages.Render(w, r, status, view.CasePage(h.page(r, "bo.case.title"), d))
}

// caseActionViews are the forms of the actions.
var caseActionViews = map[casework.Action]view.CaseAction{
	casework.Take: {Action: string(casework.Take), TitleKey: "bo.case.act.take", SubmitKey: "bo.case.act.take.submit"},
	casework.RequestInfo: {Action: string(casework.RequestInfo), TitleKey: "bo.case.act.request_info",
		SubmitKey: "bo.case.act.request_info.submit", TextKey: "bo.case.act.request_info.text", HintKey: "bo.case.act.request_info.hint",
		TextRequired: true},
	casework.Approve: {Action: string(casework.Approve), TitleKey: "bo.case.act.approve", SubmitKey: "bo.case.act.approve.submit",
		TextKey: "bo.case.act.approve.text", HintKey: "bo.case.act.approve.hint"},
	casework.Reject: {Action: string(casework.Reject), TitleKey: "bo.case.act.reject", SubmitKey: "bo.case.act.reject.submit",
		TextKey: "bo.case.act.reject.text", HintKey: "bo.case.act.reject.hint", TextRequired: true, Danger: true},
	casework.Close: {Action: string(casework.Close), TitleKey: "bo.case.act.close", SubmitKey: "bo.case.act.close.submit"},
	casework.Note: {Action: string(casework.Note), TitleKey: "bo.case.act.note", SubmitKey: "bo.case.act.note.submit",
		TextKey: "bo.case.act.note.text", HintKey: "bo.case.act.note.hint", TextRequired: true},
}

// eventKey is the message naming an event of a timeline.
func eventKey(kind string) string {
	if k := "bo.case.event." + kind; i18n.Has(k) {
		return k
	}
	return "bo.case.event.other"
}

// answers are a case's answers with their labels, step by step, from the
// form version it was filed on, and the declarations the filer confirmed.
// A paper case has no form: its answers (if records management sent any)
// are shown by their keys.
func (h *Handlers) answers(r *http.Request, c *casework.Case, files map[string][]view.CaseFile) ([]view.AnswerGroup, []string) {
	lang := string(httpx.Lang(r.Context()))
	if c.Form == nil {
		var g view.AnswerGroup
		keys := make([]string, 0, len(c.Answers))
		for k := range c.Answers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			g.Answers = append(g.Answers, view.Answer{Label: k, Lines: c.Answers[k]})
		}
		if len(g.Answers) == 0 {
			return nil, nil
		}
		return []view.AnswerGroup{g}, nil
	}
	def, a := c.Form, c.Answers
	visible := def.Visible(a)
	var out []view.AnswerGroup
	for _, step := range def.Steps {
		g := view.AnswerGroup{Title: step.Title.In(lang)}
		for _, f := range step.Fields {
			if !visible[f.ID] {
				continue
			}
			ans := view.Answer{Label: f.Label.In(lang)}
			switch f.Type {
			case form.TypeFile:
				ans.Files = files[f.ID]
			case form.TypeChoice:
				for _, v := range a[f.ID] {
					label := v
					for _, o := range f.Options {
						if o.Value == v {
							label = o.Label.In(lang)
						}
					}
					ans.Lines = append(ans.Lines, label)
				}
			case form.TypeAddress:
				addr := casework.Address(personAddress(a, f.ID))
				if addr != "" {
					ans.Lines = []string{addr}
				}
			case form.TypeLocation:
				if lat, lon := a.Get(f.ID+".lat"), a.Get(f.ID+".lon"); lat != "" && lon != "" {
					ans.Lines = append(ans.Lines, lat+", "+lon)
				}
				if txt := a.Get(f.ID + ".text"); txt != "" {
					ans.Lines = append(ans.Lines, strings.Split(txt, "\n")...)
				}
			case form.TypeHousehold:
				for _, v := range a[f.ID] {
					ans.Lines = append(ans.Lines, h.memberName(r, c.TenantID, v))
				}
			default:
				for _, v := range a[f.ID] {
					if v != "" {
						ans.Lines = append(ans.Lines, strings.Split(v, "\n")...)
					}
				}
			}
			g.Answers = append(g.Answers, ans)
		}
		if len(g.Answers) > 0 {
			out = append(out, g)
		}
	}
	var declared []string
	for _, id := range a[form.DeclarationsKey] {
		for _, dc := range def.Declarations {
			if dc.ID == id {
				declared = append(declared, dc.Text.In(lang))
			}
		}
	}
	return out, declared
}

// memberName names the person a household field answered (one of the
// filer's household, by id); the id itself when the town has no such
// person any more.
func (h *Handlers) memberName(r *http.Request, tenantID int64, v string) string {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return v
	}
	p, err := h.People.Get(r.Context(), tenantID, id)
	if err != nil {
		return v
	}
	return p.FullName() + ", " + i18n.Date(httpx.Lang(r.Context()), p.BirthDate)
}

// personAddress reads an address field's parts.
func personAddress(a form.Answers, id string) person.Address {
	return person.Address{Street: a.Get(id + ".street"), HouseNumber: a.Get(id + ".number"), City: a.Get(id + ".city"),
		PostalCode: a.Get(id + ".zip")}
}

// fileType names a content type shortly.
func fileType(ct string) string {
	switch {
	case ct == "application/pdf":
		return "PDF"
	case ct == "image/jpeg":
		return "JPEG"
	case ct == "image/png":
		return "PNG"
	case strings.HasPrefix(ct, "text/plain"):
		return "TXT"
	}
	return ct
}
