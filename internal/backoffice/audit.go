package backoffice

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/account"
	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/backoffice/view"
	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/web"
)

// Audit search for auditors: the state of the town's hash chain, then the
// entries that match the filters, newest first, a page at a time. Every
// search is itself an entry of the log (audit.search, the filters in its
// details): who watches the watchers.

// ActionAuditSearch is an auditor's search of the audit log.
const ActionAuditSearch = "audit.search"

// auditPage is how many entries one page shows.
const auditPage = 50

var (
	actorKinds   = []string{audit.ActorStaff, audit.ActorCitizen, audit.ActorSystem, audit.ActorAPI}
	subjectKinds = []string{audit.SubjectPerson, audit.SubjectCompany, audit.SubjectHousehold, audit.SubjectStaff, account.SubjectAccount}
)

func (h *Handlers) auditSearch(w http.ResponseWriter, r *http.Request) {
	t := httpx.Tenant(r.Context())
	q := r.URL.Query()
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	f := view.AuditFilter{Action: get("action"), ActorKind: get("actor_kind"), ActorID: get("actor_id"),
		SubjectKind: get("subject_kind"), SubjectID: get("subject_id"), From: get("from"), To: get("to")}
	d := view.AuditData{Filter: f, ActorKinds: kindOptions("bo.audit.actor.", actorKinds, f.ActorKind),
		SubjectKinds: kindOptions("bo.audit.subject.", subjectKinds, f.SubjectKind)}

	query, errs := parseAuditFilter(f, get("before"))
	v, err := h.Audit.Verify(r.Context(), t.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Chain = chainStatus(v)
	if len(errs) > 0 {
		d.Errors = errs
		h.Pages.Render(w, r, http.StatusBadRequest, view.AuditPage(h.page(r, "bo.audit.title"), d))
		return
	}
	entries, err := h.Audit.Search(r.Context(), t.ID, query)
	if fe, ok := fieldErrors(err, map[string]string{"action": "action", "actor_kind": "actor_kind", "subject_kind": "subject_kind",
		"to": "to", "before": ""}); ok {
		d.Errors = fe
		h.Pages.Render(w, r, http.StatusBadRequest, view.AuditPage(h.page(r, "bo.audit.title"), d))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The search is recorded before anything is shown: an auditor's look
	// that cannot be recorded is not shown at all.
	filters := map[string]string{}
	for k, val := range map[string]string{"action": f.Action, "actor_kind": f.ActorKind, "actor_id": f.ActorID,
		"subject_kind": f.SubjectKind, "subject_id": f.SubjectID, "from": f.From, "to": f.To, "before": get("before")} {
		if val != "" {
			filters[k] = val
		}
	}
	details, err := json.Marshal(map[string]any{"filters": filters, "found": len(entries)})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	by := web.Principal(r.Context()).Actor()
	if err := h.Audit.RecordNow(r.Context(), &audit.Entry{TenantID: t.ID, ActorKind: by.Kind, ActorID: by.ID, ActorName: by.Name,
		Action: ActionAuditSearch, Details: details, RequestID: httpx.RequestID(r.Context()), IP: httpx.ClientIP(r, h.TrustProxy)}); err != nil {
		h.fail(w, r, err)
		return
	}

	lang := httpx.Lang(r.Context())
	d.Searched = true
	for _, e := range entries {
		row := view.AuditRow{Seq: e.Seq, At: i18n.Date(lang, e.At) + "\u00a0" + e.At.In(i18n.Prague).Format("15:04:05"),
			Actor: e.ActorName, ActorKind: kindLabel(lang, "bo.audit.actor.", e.ActorKind, e.ActorID),
			Action: e.Action, Reason: e.Reason, RequestID: e.RequestID}
		if e.SubjectKind != "" {
			row.Subject = kindLabel(lang, "bo.audit.subject.", e.SubjectKind, e.SubjectID)
		}
		d.Rows = append(d.Rows, row)
	}
	if len(entries) == auditPage {
		older := url.Values{}
		for k, val := range filters {
			older.Set(k, val)
		}
		older.Set("before", strconv.FormatInt(entries[len(entries)-1].Seq, 10))
		d.Older = "/urad/audit?" + older.Encode()
	}
	h.Pages.Render(w, r, http.StatusOK, view.AuditPage(h.page(r, "bo.audit.title"), d))
}

// parseAuditFilter reads the filters; dates are days in Prague, the end
// day included.
func parseAuditFilter(f view.AuditFilter, before string) (audit.Query, view.Errors) {
	q := audit.Query{Action: f.Action, ActorKind: f.ActorKind, SubjectKind: f.SubjectKind, Limit: auditPage}
	var errs view.Errors
	add := func(field, key string) { errs = append(errs, view.FieldError{Field: field, Key: key}) }
	if len(f.Action) > 64 {
		add("action", "bo.err.audit.action.invalid")
	}
	if f.ActorKind != "" && !slices.Contains(actorKinds, f.ActorKind) {
		add("actor_kind", "bo.audit.err.kind")
	}
	id := func(field, s, kind string) int64 {
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		switch {
		case err != nil || n <= 0:
			add(field, "bo.audit.err.id")
		case kind == "":
			add(field, "bo.audit.err.id_kind")
		}
		return n
	}
	q.ActorID = id("actor_id", f.ActorID, f.ActorKind)
	if f.SubjectKind != "" && !slices.Contains(subjectKinds, f.SubjectKind) {
		add("subject_kind", "bo.audit.err.kind")
	}
	q.SubjectID = id("subject_id", f.SubjectID, f.SubjectKind)
	day := func(field, s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", s, i18n.Prague)
		if err != nil || t.Year() < 2000 || t.Year() > 9998 {
			add(field, "bo.audit.err.date")
			return time.Time{}
		}
		return t
	}
	q.From = day("from", f.From)
	if to := day("to", f.To); !to.IsZero() {
		q.To = to.AddDate(0, 0, 1)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		add("to", "bo.audit.err.range")
	}
	if before != "" {
		n, err := strconv.ParseInt(before, 10, 64)
		if err != nil || n <= 0 {
			add("", "bo.audit.err.before")
		}
		q.BeforeSeq = n
	}
	return q, errs
}

func chainStatus(v audit.VerifyResult) *view.ChainStatus {
	c := &view.ChainStatus{OK: v.OK, Entries: v.Entries, HeadSeq: v.HeadSeq, BrokenSeq: v.BrokenSeq}
	if !v.OK {
		c.ProblemKey = "bo.audit.problem." + string(v.Problem)
		if !i18n.Has(c.ProblemKey) {
			c.ProblemKey = "bo.audit.problem.other"
		}
	}
	return c
}

func kindOptions(prefix string, kinds []string, chosen string) []view.Option {
	out := []view.Option{{Value: "", Key: "bo.audit.kind.any", Checked: chosen == ""}}
	for _, k := range kinds {
		out = append(out, view.Option{Value: k, Key: prefix + k, Checked: k == chosen})
	}
	return out
}

// kindLabel names a kind of actor or subject, with its id when it has one;
// a kind this page does not know yet shows as it is stored.
func kindLabel(lang i18n.Lang, prefix, kind string, id int64) string {
	s := kind
	if i18n.Has(prefix + kind) {
		s = i18n.T(lang, prefix+kind)
	}
	if id != 0 {
		s += " " + strconv.FormatInt(id, 10)
	}
	return s
}
