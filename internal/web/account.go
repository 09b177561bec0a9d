package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/web/view"
)

// userBar is what the header shows of the principal.
func userBar(p *access.Principal, lang i18n.Lang) *view.User {
	switch p.Kind {
	case access.Official:
		return &view.User{Name: p.Name(), Official: true}
	case access.Citizen:
		u := &view.User{Name: p.Name()}
		if p.Acting.Via != access.ViaSelf {
			u.Acting = p.Acting.Name
		}
		if len(p.Parties) > 1 {
			for _, q := range p.Parties {
				u.Parties = append(u.Parties, view.PartyOption{Key: q.Key(), Selected: q.Key() == p.Acting.Key(),
					Label: q.Name + " (" + i18n.T(lang, "party.via."+string(q.Via)) + ")"})
			}
		}
		return u
	}
	return nil
}

// notices are one-time messages passed in the redirect after a POST.
var notices = map[string]string{
	"propojeni":  "account.link.sent",
	"prepnuto":   "account.switched",
	"udeleno":    "mandates.granted",
	"odvolano":   "mandates.revoked.done",
	"ukonceno":   "sessions.ended",
	"vse":        "sessions.ended.all",
	"propojeno":  "account.link.already",
	"podminky":   "consent.stale",
	"souhlas-ne": "consent.needed",
}

func notice(r *http.Request) string { return notices[r.URL.Query().Get("ok")] }

func partyFact(p access.Party, current access.Party) view.PartyFact {
	f := view.PartyFact{Key: p.Key(), Name: p.Name, ViaKey: "party.via." + string(p.Via), Until: p.Until,
		Current: p.Key() == current.Key()}
	for _, a := range p.Agendas {
		f.Agendas = append(f.Agendas, "agenda."+string(a))
	}
	return f
}

// account is /muj-ucet: who the person is to the town, whom they act for,
// and what the acting party owes.
func (h *Handlers) account(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	acc := p.Account
	d := view.AccountData{Name: acc.Name(), Linked: acc.Linked(), LinkRequested: acc.LinkRequested,
		Acting: partyFact(p.Acting, p.Acting), Notice: notice(r)}
	for _, q := range p.Parties {
		d.Parties = append(d.Parties, partyFact(q, p.Acting))
	}
	ids, err := h.Accounts.Identities(r.Context(), p.TenantID, acc.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	providers, err := h.Accounts.Providers(r.Context(), p.TenantID, false)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, id := range ids {
		name := id.Provider
		for _, pr := range providers {
			if pr.Slug == id.Provider {
				name = pr.Name
			}
		}
		d.Logins = append(d.Logins, view.LoginFact{Provider: name, Since: id.CreatedAt, Last: id.LastLoginAt})
	}
	if acc.Linked() {
		// The person's own record: their own data, no audit of a read.
		per, err := h.Persons.Get(r.Context(), p.TenantID, acc.PersonID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Person = &view.PersonFacts{Name: per.FullName(), BirthDate: per.BirthDate,
			Address: strings.TrimSpace(strings.Trim(per.Street+" "+per.HouseNumber+", "+per.PostalCode+" "+per.City, ", "))}
		if party, err := p.ActFor(access.AgendaObligations); err == nil {
			var personID, companyID int64
			if party.Kind == access.PartyPerson {
				personID = party.ID
			} else {
				companyID = party.ID
			}
			lines, err := h.Obligations.Overview(r.Context(), p.TenantID, personID, companyID)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			d.ObligationsOK = true
			for _, l := range lines {
				kind := l.KindCS
				if httpx.Lang(r.Context()) == i18n.EN && l.KindEN != "" {
					kind = l.KindEN
				}
				d.Obligations = append(d.Obligations, view.ObligationRow{Kind: kind, Period: l.Period, Amount: l.Amount,
					Balance: l.Balance, Due: l.DueDate, VS: l.VS})
			}
		}
	}
	h.Render(w, r, http.StatusOK, view.AccountPage(h.Page(r, h.T(r, "account.title")), d))
}

// requestLink asks an official to link the account to the town's records.
func (h *Handlers) requestLink(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	err := h.Accounts.RequestLink(r.Context(), p.TenantID, p.Account.ID, h.meta(r))
	switch {
	case errors.Is(err, derr.ErrConflict):
		http.Redirect(w, r, "/muj-ucet?ok=propojeno", http.StatusSeeOther)
	case err != nil:
		h.fail(w, r, err)
	default:
		http.Redirect(w, r, "/muj-ucet?ok=propojeni", http.StatusSeeOther)
	}
}

// switchActing makes the citizen act for another of their parties.
func (h *Handlers) switchActing(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	if err := r.ParseForm(); err != nil {
		h.ErrorPage(w, r, http.StatusBadRequest)
		return
	}
	q, err := h.Access.Switch(p, r.PostForm.Get("party"))
	if err != nil {
		h.Log.InfoContext(r.Context(), "acting as refused", "request_id", httpx.RequestID(r.Context()), "party", r.PostForm.Get("party"))
		h.ErrorPage(w, r, http.StatusForbidden)
		return
	}
	sess := httpx.Session(r.Context())
	sess.Data[access.KeyActing] = q.Key()
	if err := h.Sessions.Save(r, sess); err != nil {
		h.fail(w, r, err)
		return
	}
	next := localPath(r.PostForm.Get("next"))
	if next == "/" || strings.HasPrefix(next, "/muj-ucet") {
		next = "/muj-ucet?ok=prepnuto"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// consentPage shows the town's current terms to accept.
func (h *Handlers) consentPage(w http.ResponseWriter, r *http.Request) {
	h.renderConsent(w, r, http.StatusOK, notice(r))
}

func (h *Handlers) renderConsent(w http.ResponseWriter, r *http.Request, status int, errKey string) {
	p := Principal(r.Context())
	next := localPath(r.URL.Query().Get("next"))
	if r.Method == http.MethodPost {
		next = localPath(r.PostForm.Get("next"))
	}
	if !p.ConsentNeeded {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	t, err := h.Accounts.CurrentTerms(r.Context(), p.TenantID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	terms, privacy := t.Texts(httpx.Lang(r.Context()))
	d := view.ConsentData{Version: t.Version, Terms: view.Paragraphs(terms), Privacy: view.Paragraphs(privacy),
		Next: next, ErrorKey: errKey, Again: p.Account.ConsentVersion > 0}
	h.Render(w, r, status, view.ConsentPage(h.Page(r, h.T(r, "consent.title")), d))
}

// consentAccept records the consent to the version the person read.
func (h *Handlers) consentAccept(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	if err := r.ParseForm(); err != nil {
		h.ErrorPage(w, r, http.StatusBadRequest)
		return
	}
	if r.PostForm.Get("agree") != "yes" {
		h.renderConsent(w, r, http.StatusBadRequest, "consent.needed")
		return
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	err := h.Accounts.Accept(r.Context(), p.TenantID, p.Account.ID, version, h.meta(r))
	if errors.Is(err, derr.ErrInvalid) {
		h.renderConsent(w, r, http.StatusConflict, "consent.stale")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	next := localPath(r.PostForm.Get("next"))
	if next == "/" {
		next = "/muj-ucet"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// mandates is /muj-ucet/zmocneni.
func (h *Handlers) mandates(w http.ResponseWriter, r *http.Request) {
	h.renderMandates(w, r, http.StatusOK, view.MandateForm{}, nil, nil)
}

func (h *Handlers) renderMandates(w http.ResponseWriter, r *http.Request, status int, form view.MandateForm, errs map[string]string, chosen []access.Agenda) {
	p := Principal(r.Context())
	given, received, err := h.Access.Mandates(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := time.Now()
	row := func(m *access.Mandate) view.MandateRow {
		v := view.MandateRow{ID: m.ID, Grantor: m.Grantor.Name, Agent: m.Agent.Name, From: m.ValidFrom, Until: m.ValidUntil,
			Revoked: m.RevokedAt, Active: m.ActiveAt(now) || (m.RevokedAt.IsZero() && now.Before(m.ValidFrom))}
		for _, a := range m.Agendas {
			v.Agendas = append(v.Agendas, "agenda."+string(a))
		}
		return v
	}
	d := view.MandatesData{Form: form, Errors: errs, Notice: notice(r), Linked: p.Account.Linked()}
	for _, m := range given {
		d.Given = append(d.Given, row(m))
	}
	for _, m := range received {
		d.Received = append(d.Received, row(m))
	}
	for _, q := range p.Parties {
		if q.Kind != access.PartyAccount && (q.Via == access.ViaSelf || q.Via == access.ViaRepresentative) {
			d.Grantors = append(d.Grantors, partyFact(q, p.Acting))
		}
	}
	for _, a := range access.Agendas {
		checked := false
		for _, c := range chosen {
			checked = checked || c == a
		}
		d.Agendas = append(d.Agendas, view.AgendaOption{Value: string(a), Key: "agenda." + string(a), Checked: checked})
	}
	h.Render(w, r, status, view.MandatesPage(h.Page(r, h.T(r, "mandates.title")), d))
}

// grantMandate gives a mandate for the person or a company they represent.
func (h *Handlers) grantMandate(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	if err := r.ParseForm(); err != nil {
		h.ErrorPage(w, r, http.StatusBadRequest)
		return
	}
	f := view.MandateForm{Grantor: r.PostForm.Get("grantor"), BirthNumber: strings.TrimSpace(r.PostForm.Get("agent_birth_number")),
		FamilyName: strings.TrimSpace(r.PostForm.Get("agent_family_name")), Until: strings.TrimSpace(r.PostForm.Get("valid_until"))}
	var agendas []access.Agenda
	for _, s := range r.PostForm["agenda"] {
		if a, ok := access.ParseAgenda(s); ok {
			agendas = append(agendas, a)
		}
	}
	errs := map[string]string{}
	until, err := time.ParseInLocation("2006-01-02", f.Until, i18n.Prague)
	if err != nil {
		errs["valid_until"] = "mandate.until.format"
	} else {
		until = until.AddDate(0, 0, 1) // valid through the whole day chosen
	}
	if len(errs) == 0 {
		_, err = h.Access.GrantMandate(r.Context(), p, access.MandateRequest{Grantor: f.Grantor, AgentBirthNumber: f.BirthNumber,
			AgentFamilyName: f.FamilyName, Agendas: agendas, ValidUntil: until}, h.meta(r))
		var inv *derr.InvalidError
		switch {
		case errors.As(err, &inv):
			for _, fe := range inv.Fields {
				errs[fe.Field] = fe.Key
			}
		case err != nil:
			h.fail(w, r, err)
			return
		default:
			http.Redirect(w, r, "/muj-ucet/zmocneni?ok=udeleno", http.StatusSeeOther)
			return
		}
	}
	h.Log.InfoContext(r.Context(), "mandate refused", "request_id", httpx.RequestID(r.Context()), "fields", strings.Join(keys(errs), ","))
	h.renderMandates(w, r, http.StatusBadRequest, f, errs, agendas)
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// revokeMandate ends a mandate the person gave or received.
func (h *Handlers) revokeMandate(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	if err := h.Access.RevokeMandate(r.Context(), p, id, h.meta(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/muj-ucet/zmocneni?ok=odvolano", http.StatusSeeOther)
}

// sessions is /muj-ucet/relace.
func (h *Handlers) sessions(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	list, err := h.Sessions.Store.List(r.Context(), p.TenantID, p.SessionKey)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cur := httpx.Session(r.Context())
	d := view.SessionsData{Notice: notice(r)}
	for _, s := range list {
		d.Sessions = append(d.Sessions, view.SessionRow{Handle: s.Handle(), Browser: browserName(s.UserAgent), IP: s.IP,
			Started: s.CreatedAt, LastSeen: s.LastSeenAt, Current: cur != nil && s.Handle() == cur.Handle()})
	}
	h.Render(w, r, http.StatusOK, view.SessionsPage(h.Page(r, h.T(r, "sessions.title")), d))
}

func (h *Handlers) endOtherSessions(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	if _, err := h.Sessions.Store.EndOthers(r.Context(), p.TenantID, p.SessionKey, httpx.Session(r.Context())); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/muj-ucet/relace?ok=vse", http.StatusSeeOther)
}

func (h *Handlers) endSession(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	if err := h.Sessions.Store.EndByHandle(r.Context(), p.TenantID, p.SessionKey, r.PathValue("handle")); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/muj-ucet/relace?ok=ukonceno", http.StatusSeeOther)
}

// browserName is a short, readable name of a User-Agent.
func browserName(ua string) string {
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
	} {
		if strings.Contains(ua, b.token) {
			os := ""
			switch {
			case strings.Contains(ua, "Android"):
				os = "Android"
			case strings.Contains(ua, "iPhone"), strings.Contains(ua, "iPad"):
				os = "iOS"
			case strings.Contains(ua, "Windows"):
				os = "Windows"
			case strings.Contains(ua, "Mac OS"):
				os = "macOS"
			case strings.Contains(ua, "Linux"):
				os = "Linux"
			}
			if os != "" {
				return b.name + ", " + os
			}
			return b.name
		}
	}
	if len(ua) > 40 {
		return ua[:40] + "…"
	}
	if ua == "" {
		return "?"
	}
	return ua
}
