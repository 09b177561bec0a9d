package backoffice

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/backoffice/view"
	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/web"
)

// Staff administration: an administrator lists the town's officials,
// invites new ones, changes roles, blocks an account and issues a
// password-reset link. Every change of rights is recorded by auth in the
// transaction that makes it. Nothing sends e-mail yet, so the one-time links
// are shown to the administrator to hand over.

const staffBase = "/urad/sprava/urednici"

// grantFields maps auth's field names to the form's inputs.
var grantFields = map[string]string{"email": "email", "name": "name", "role": "role", "department": "department"}

func (h *Handlers) staffList(w http.ResponseWriter, r *http.Request) {
	h.renderStaffList(w, r, http.StatusOK, view.StaffListData{Form: view.InviteForm{Roles: roleOptions(nil)}})
}

func (h *Handlers) renderStaffList(w http.ResponseWriter, r *http.Request, status int, d view.StaffListData) {
	t := httpx.Tenant(r.Context())
	list, err := h.Staff.List(r.Context(), t.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := httpx.Lang(r.Context())
	for _, st := range list {
		d.Staff = append(d.Staff, view.StaffRow{Href: staffBase + "/" + strconv.FormatInt(st.ID, 10), Name: st.Name, Email: st.Email,
			Roles: grantNames(lang, st.Grants), HasPassword: st.HasPassword, TOTP: st.TOTPConfirmed, Disabled: st.Disabled})
	}
	h.Pages.Render(w, r, status, view.StaffListPage(h.page(r, "bo.staff.title"), d))
}

// staffInvite creates an official and shows the invitation link once.
func (h *Handlers) staffInvite(w http.ResponseWriter, r *http.Request) {
	t := httpx.Tenant(r.Context())
	if err := r.ParseForm(); err != nil {
		h.renderStaffList(w, r, http.StatusBadRequest, view.StaffListData{Form: view.InviteForm{Roles: roleOptions(nil)},
			Errors: view.Errors{{Key: "bo.form.invalid"}}})
		return
	}
	f := view.InviteForm{Email: strings.TrimSpace(r.PostForm.Get("email")), Name: strings.TrimSpace(r.PostForm.Get("name")),
		Department: strings.TrimSpace(r.PostForm.Get("department"))}
	grants, errs := grantsFrom(r.PostForm["role"], f.Department)
	f.Roles = roleOptions(grants)
	if len(errs) > 0 {
		h.renderStaffList(w, r, http.StatusBadRequest, view.StaffListData{Form: f, Errors: errs})
		return
	}
	token, st, err := h.Staff.Invite(r.Context(), web.Principal(r.Context()).Actor(), t.ID, f.Email, f.Name, grants)
	if fe, ok := fieldErrors(err, grantFields); ok {
		h.renderStaffList(w, r, http.StatusBadRequest, view.StaffListData{Form: f, Errors: fe})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := httpx.Lang(r.Context())
	h.renderStaffList(w, r, http.StatusOK, view.StaffListData{Form: view.InviteForm{Roles: roleOptions(nil)},
		Invited: &view.IssuedLink{URL: h.absURL(r, "/urad/pozvanka?t="+url.QueryEscape(token)), For: st.Name,
			Until: dateTime(lang, time.Now().Add(auth.InviteValidity))}})
}

// staffByPath is the official named by the path, of this town only: an id
// of another town's official is not found.
func (h *Handlers) staffByPath(w http.ResponseWriter, r *http.Request) (*auth.Staff, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		h.Pages.ErrorPage(w, r, http.StatusNotFound)
		return nil, false
	}
	st, err := h.Staff.Get(r.Context(), httpx.Tenant(r.Context()).ID, id)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	return st, true
}

func (h *Handlers) staffDetail(w http.ResponseWriter, r *http.Request) {
	st, ok := h.staffByPath(w, r)
	if !ok {
		return
	}
	h.renderStaffDetail(w, r, http.StatusOK, st, view.StaffDetailData{Form: roleOptions(st.Grants),
		Department: departments(st.Grants), Notice: noticeOf(r)})
}

func (h *Handlers) renderStaffDetail(w http.ResponseWriter, r *http.Request, status int, st *auth.Staff, d view.StaffDetailData) {
	lang := httpx.Lang(r.Context())
	d.Base = staffBase + "/" + strconv.FormatInt(st.ID, 10)
	d.Name, d.Email, d.Created = st.Name, st.Email, dateTime(lang, st.CreatedAt)
	d.Roles = grantNames(lang, st.Grants)
	d.HasPassword, d.TOTP, d.Disabled = st.HasPassword, st.TOTPConfirmed, st.Disabled
	d.Self = st.ID == h.official(r).ID
	h.Pages.Render(w, r, status, view.StaffDetailPage(h.page(r, "bo.staff.detail.title"), d))
}

// staffGrants replaces an official's roles. An administrator cannot take
// the administrator role from themselves (a town must not lock itself out).
func (h *Handlers) staffGrants(w http.ResponseWriter, r *http.Request) {
	st, ok := h.staffByPath(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		h.renderStaffDetail(w, r, http.StatusBadRequest, st, view.StaffDetailData{Form: roleOptions(st.Grants),
			Department: departments(st.Grants), Errors: view.Errors{{Key: "bo.form.invalid"}}})
		return
	}
	dep := strings.TrimSpace(r.PostForm.Get("department"))
	grants, errs := grantsFrom(r.PostForm["role"], dep)
	if st.ID == h.official(r).ID && !slices.ContainsFunc(grants, func(g auth.Grant) bool { return g.Role == auth.Administrator }) {
		errs = append(errs, view.FieldError{Field: "role", Key: "bo.staff.grants.self_admin"})
	}
	if len(errs) > 0 {
		h.renderStaffDetail(w, r, http.StatusBadRequest, st, view.StaffDetailData{Form: roleOptions(grants), Department: dep, Errors: errs})
		return
	}
	err := h.Staff.SetGrants(r.Context(), web.Principal(r.Context()).Actor(), st.TenantID, st.ID, grants)
	if fe, ok := fieldErrors(err, grantFields); ok {
		h.renderStaffDetail(w, r, http.StatusBadRequest, st, view.StaffDetailData{Form: roleOptions(grants), Department: dep, Errors: fe})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, staffBase+"/"+strconv.FormatInt(st.ID, 10)+"?hotovo=role", http.StatusSeeOther)
}

// staffDisable blocks an official and ends their sessions. An
// administrator cannot block themselves.
func (h *Handlers) staffDisable(w http.ResponseWriter, r *http.Request) {
	st, ok := h.staffByPath(w, r)
	if !ok {
		return
	}
	if st.ID == h.official(r).ID {
		h.renderStaffDetail(w, r, http.StatusBadRequest, st, view.StaffDetailData{Form: roleOptions(st.Grants),
			Department: departments(st.Grants), Errors: view.Errors{{Key: "bo.staff.disable.self"}}})
		return
	}
	if !st.Disabled {
		if err := h.Staff.Disable(r.Context(), web.Principal(r.Context()).Actor(), st.TenantID, st.ID); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	// A disabled official's sessions already count for nobody; end them so
	// they do not linger in any list.
	if _, err := h.Sessions.Store.EndOthers(r.Context(), st.TenantID, staffKey(st.ID), nil); err != nil {
		h.Log.ErrorContext(r.Context(), "end a blocked official's sessions", "request_id", httpx.RequestID(r.Context()), "err", err)
	}
	http.Redirect(w, r, staffBase+"/"+strconv.FormatInt(st.ID, 10)+"?hotovo=zablokovan", http.StatusSeeOther)
}

// staffReset issues a password-reset link and shows it once.
func (h *Handlers) staffReset(w http.ResponseWriter, r *http.Request) {
	st, ok := h.staffByPath(w, r)
	if !ok {
		return
	}
	d := view.StaffDetailData{Form: roleOptions(st.Grants), Department: departments(st.Grants)}
	token, err := h.Staff.IssueReset(r.Context(), web.Principal(r.Context()).Actor(), st.TenantID, st.ID)
	if fe, ok := fieldErrors(err, nil); ok {
		d.Errors = fe
		h.renderStaffDetail(w, r, http.StatusBadRequest, st, d)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Reset = &view.IssuedLink{URL: h.absURL(r, "/urad/obnova-hesla?t="+url.QueryEscape(token)), For: st.Name,
		Until: dateTime(httpx.Lang(r.Context()), time.Now().Add(auth.ResetValidity))}
	h.renderStaffDetail(w, r, http.StatusOK, st, d)
}

func staffKey(id int64) string { return "staff:" + strconv.FormatInt(id, 10) }

// grantsFrom reads the checked roles and the case worker's departments
// (comma-separated: one grant each). Unknown roles pass through for auth
// to refuse; a department without the case-worker role is a mistake.
func grantsFrom(roles []string, department string) ([]auth.Grant, view.Errors) {
	var deps []string
	for _, d := range strings.Split(department, ",") {
		if d = strings.TrimSpace(d); d != "" && !slices.Contains(deps, d) {
			deps = append(deps, d)
		}
	}
	var out []auth.Grant
	var errs view.Errors
	seen := map[string]bool{}
	for _, role := range roles {
		if seen[role] {
			continue
		}
		seen[role] = true
		if auth.Role(role) != auth.CaseWorker {
			out = append(out, auth.Grant{Role: auth.Role(role)})
			continue
		}
		if len(deps) == 0 {
			out = append(out, auth.Grant{Role: auth.CaseWorker}) // auth asks for the department
		}
		for _, d := range deps {
			out = append(out, auth.Grant{Role: auth.CaseWorker, Department: d})
		}
	}
	if len(deps) > 0 && !seen[string(auth.CaseWorker)] {
		errs = append(errs, view.FieldError{Field: "department", Key: "bo.staff.department.unused"})
	}
	return out, errs
}

// roleOptions are the role checkboxes, those in grants checked.
func roleOptions(grants []auth.Grant) []view.Option {
	out := make([]view.Option, 0, len(auth.Roles))
	for _, role := range auth.Roles {
		key := "role." + string(role)
		if role == auth.CaseWorker {
			key = "bo.staff.role.case_worker"
		}
		out = append(out, view.Option{Value: string(role), Key: key,
			Checked: slices.ContainsFunc(grants, func(g auth.Grant) bool { return g.Role == role })})
	}
	return out
}

// departments are the case worker's departments, as the form takes them.
func departments(grants []auth.Grant) string {
	var deps []string
	for _, g := range grants {
		if g.Role == auth.CaseWorker && g.Department != "" {
			deps = append(deps, g.Department)
		}
	}
	return strings.Join(deps, ", ")
}

// grantNames are the grants as people read them.
func grantNames(lang i18n.Lang, grants []auth.Grant) []string {
	out := make([]string, 0, len(grants))
	for _, g := range grants {
		if g.Role == auth.CaseWorker {
			out = append(out, i18n.T(lang, "role.case_worker", g.Department))
			continue
		}
		key := "role." + string(g.Role)
		if !i18n.Has(key) {
			out = append(out, string(g.Role))
			continue
		}
		out = append(out, i18n.T(lang, key))
	}
	return out
}
