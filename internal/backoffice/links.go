package backoffice

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/account"
	"github.com/radnice/radnice/internal/backoffice/view"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/web"
)

// Linking citizens' accounts: a citizen whose login did not carry a
// verified birth number asks to be linked to the town's records; at the
// counter an official checks their identity card, types the birth number
// and names the document. account.Store.Link does the rest and records it
// (identity.link with the reason). The birth number is never shown back,
// put in a URL or logged.

const linksBase = "/urad/propojeni"

func (h *Handlers) linkList(w http.ResponseWriter, r *http.Request) {
	h.renderLinks(w, r, http.StatusOK, view.LinksData{Notice: noticeOf(r)})
}

func (h *Handlers) renderLinks(w http.ResponseWriter, r *http.Request, status int, d view.LinksData) {
	t := httpx.Tenant(r.Context())
	pending, err := h.Accounts.Pending(r.Context(), t.ID, 100)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := httpx.Lang(r.Context())
	for _, a := range pending {
		d.Rows = append(d.Rows, view.LinkRow{ID: a.ID, Action: linksBase + "/" + strconv.FormatInt(a.ID, 10), Name: accountName(lang, a),
			BirthDate: givenDate(lang, a.BirthDate), Requested: dateTime(lang, a.LinkRequested)})
	}
	h.Pages.Render(w, r, status, view.LinksPage(h.page(r, "bo.links.title"), d))
}

// accountByPath is the account named by the path, of this town only.
func (h *Handlers) accountByPath(w http.ResponseWriter, r *http.Request) (*account.Account, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		h.Pages.ErrorPage(w, r, http.StatusNotFound)
		return nil, false
	}
	a, err := h.Accounts.Get(r.Context(), httpx.Tenant(r.Context()).ID, id)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	return a, true
}

// linkAccount links an account to the person with the birth number typed
// from the identity card, then shows whom it linked, to compare with the
// card once more, and offers to undo it.
func (h *Handlers) linkAccount(w http.ResponseWriter, r *http.Request) {
	a, ok := h.accountByPath(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		h.renderLinks(w, r, http.StatusBadRequest, view.LinksData{ErrorsFor: a.ID, Errors: view.Errors{{Key: "bo.form.invalid"}}})
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	id := strconv.FormatInt(a.ID, 10)
	personID, err := h.Accounts.Link(r.Context(), web.Principal(r.Context()).Actor(), a.TenantID, a.ID,
		r.PostForm.Get("birth_number"), reason, h.meta(r))
	if fe, ok := fieldErrors(err, map[string]string{"birth_number": "bn-" + id, "reason": "reason-" + id}); ok {
		h.renderLinks(w, r, http.StatusBadRequest, view.LinksData{ErrorsFor: a.ID, Errors: fe, Reason: echo(fe, "reason-"+id, reason)})
		return
	}
	if errors.Is(err, derr.ErrConflict) {
		h.renderLinks(w, r, http.StatusConflict, view.LinksData{ErrorsFor: a.ID, Errors: view.Errors{{Key: "bo.links.already"}}})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a.PersonID = personID
	linked, err := h.linkedInfo(r, a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderLinks(w, r, http.StatusOK, view.LinksData{Linked: linked})
}

// unlinkAccount removes a link, with the reason.
func (h *Handlers) unlinkAccount(w http.ResponseWriter, r *http.Request) {
	a, ok := h.accountByPath(w, r)
	if !ok {
		return
	}
	if !a.Linked() {
		h.renderLinks(w, r, http.StatusConflict, view.LinksData{Errors: view.Errors{{Key: "bo.links.not_linked"}}})
		return
	}
	if err := r.ParseForm(); err != nil {
		h.Pages.ErrorPage(w, r, http.StatusBadRequest)
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	err := h.Accounts.Unlink(r.Context(), web.Principal(r.Context()).Actor(), a.TenantID, a.ID, reason, h.meta(r))
	if fe, ok := fieldErrors(err, map[string]string{"reason": "unlink-reason"}); ok {
		linked, err := h.linkedInfo(r, a)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.renderLinks(w, r, http.StatusBadRequest, view.LinksData{Linked: linked, Errors: fe, Reason: echo(fe, "unlink-reason", reason)})
		return
	}
	if errors.Is(err, derr.ErrConflict) { // unlinked meanwhile
		h.renderLinks(w, r, http.StatusConflict, view.LinksData{Errors: view.Errors{{Key: "bo.links.not_linked"}}})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, linksBase+"?hotovo=zruseno", http.StatusSeeOther)
}

// linkedInfo names the person a linked account belongs to.
func (h *Handlers) linkedInfo(r *http.Request, a *account.Account) (*view.LinkedInfo, error) {
	p, err := h.People.Get(r.Context(), a.TenantID, a.PersonID)
	if err != nil {
		return nil, err
	}
	lang := httpx.Lang(r.Context())
	return &view.LinkedInfo{Action: linksBase + "/" + strconv.FormatInt(a.ID, 10) + "/zrusit", AccountName: accountName(lang, a),
		PersonName: p.FullName(), PersonBorn: i18n.Date(lang, p.BirthDate),
		NameDiffers: !strings.EqualFold(strings.Join(strings.Fields(a.Name()), " "), strings.Join(strings.Fields(p.FullName()), " "))}, nil
}

func accountName(lang i18n.Lang, a *account.Account) string {
	if n := a.Name(); n != "" {
		return n
	}
	return i18n.T(lang, "bo.links.noname")
}

// givenDate shows a birth date as the provider gave it (YYYY-MM-DD).
func givenDate(lang i18n.Lang, s string) string {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		if s == "" {
			return i18n.T(lang, "bo.links.nodate")
		}
		return s
	}
	// Noon: the same day in Prague whatever the offset.
	return i18n.Date(lang, d.Add(12*time.Hour))
}

// echo is the reason to show back in the form: not when it was refused for
// holding a birth number.
func echo(errs view.Errors, field, reason string) string {
	if errs.Key(field) == msgKey("audit.reason.birth_number") {
		return ""
	}
	return reason
}
