// Package backoffice is the officials' face of the portal under /urad. Like
// the citizens' face it parses, calls one domain service and renders; who may
// do what is decided in the domain (auth), not here.
package backoffice

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/account"
	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/backoffice/view"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/obligation"
	"github.com/radnice/radnice/internal/payment"
	"github.com/radnice/radnice/internal/person"
	"github.com/radnice/radnice/internal/ratelimit"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/tenant"
	"github.com/radnice/radnice/internal/web"
	webview "github.com/radnice/radnice/internal/web/view"
)

// Handlers serve /urad.
type Handlers struct {
	Pages      *web.Handlers // layout, rendering and error pages shared with the citizens' face
	Staff      *auth.StaffStore
	Audit      *audit.Store
	Sessions   *httpx.Sessions
	Accounts   *account.Store // citizens' accounts, linked at the counter
	People     *person.Store  // the town's people, to confirm a link
	Log        *slog.Logger
	ByAddress  *ratelimit.Limiter // login attempts per client address
	ByAccount  *ratelimit.Limiter // login attempts per e-mail, whatever the address
	TrustProxy bool
	// DemoHint, in demo mode only, names a demo town's official and the
	// current code, shown on the login page.
	DemoHint func(t *tenant.Tenant, now time.Time) (email, password, code string, ok bool)

	// The fee clerks' payment desk.
	Payments    *payment.Service
	Obligations *obligation.Store // found by variable symbol

	// Case work.
	Forms       *form.Store
	Submissions *submission.Store
	// DemoStatement, in demo mode only, is a bank statement of the demo
	// town's account for the fee clerks to upload; nil elsewhere.
	DemoStatement func(ctx context.Context, tenantID int64) ([]byte, error)
}

// Session keys.
const (
	keyStaff       = access.KeyStaff  // a signed-in official
	keyEnrolStaff  = "enrol_staff_id" // an invited official setting up the second factor
	keyEnrolSecret = "enrol_secret"
	keyEnrolURL    = "enrol_url"
)

// Routes lists every route of the backoffice.
func (h *Handlers) Routes() []web.Route {
	return []web.Route{
		{Pattern: "GET /urad/{$}", Access: access.Staff(), Handler: h.dashboard},
		{Pattern: "GET /urad/prihlaseni", Access: access.Public(), Handler: h.loginForm},
		{Pattern: "POST /urad/prihlaseni", Access: access.Public(), Handler: h.login},
		{Pattern: "POST /urad/odhlaseni", Access: access.Public(), Handler: h.logout},
		{Pattern: "GET /urad/pozvanka", Access: access.Public(), Handler: h.inviteForm},
		{Pattern: "POST /urad/pozvanka", Access: access.Public(), Handler: h.acceptInvite},
		{Pattern: "POST /urad/pozvanka/overeni", Access: access.Public(), Handler: h.confirmTOTP},
		{Pattern: "GET /urad/obnova-hesla", Access: access.Public(), Handler: h.resetForm},
		{Pattern: "POST /urad/obnova-hesla", Access: access.Public(), Handler: h.resetPassword},
		{Pattern: "GET /urad/sprava/urednici", Access: forAdmins, Handler: h.staffList},
		{Pattern: "POST /urad/sprava/urednici", Access: forAdmins, Handler: h.staffInvite},
		{Pattern: "GET /urad/sprava/urednici/{id}", Access: forAdmins, Handler: h.staffDetail},
		{Pattern: "POST /urad/sprava/urednici/{id}/role", Access: forAdmins, Handler: h.staffGrants},
		{Pattern: "POST /urad/sprava/urednici/{id}/zablokovat", Access: forAdmins, Handler: h.staffDisable},
		{Pattern: "POST /urad/sprava/urednici/{id}/obnova-hesla", Access: forAdmins, Handler: h.staffReset},
		{Pattern: "GET /urad/audit", Access: forAuditors, Handler: h.auditSearch},
		{Pattern: "GET /urad/propojeni", Access: forLinking, Handler: h.linkList},
		{Pattern: "POST /urad/propojeni/{id}", Access: forLinking, Handler: h.linkAccount},
		{Pattern: "POST /urad/propojeni/{id}/zrusit", Access: forLinking, Handler: h.unlinkAccount},
		{Pattern: "GET /urad/relace", Access: forStaff, Handler: h.sessionList},
		{Pattern: "POST /urad/relace/odhlasit-vse", Access: forStaff, Handler: h.sessionsEndOthers},
		{Pattern: "POST /urad/relace/{handle}/ukoncit", Access: forStaff, Handler: h.sessionEnd},
		{Pattern: "GET /urad/platby", Access: forFees, Handler: h.paymentDesk},
		{Pattern: "POST /urad/platby/prirazeni/{id}", Access: forFees, Handler: h.assignTx},
		{Pattern: "POST /urad/platby/hotovost", Access: forFees, Handler: h.cashPayment},
		{Pattern: "GET /urad/platby/doklad/{id}", Access: forFees, Handler: h.receipt},
		{Pattern: "POST /urad/platby/vratky", Access: forFees, Handler: h.refundRequest},
		{Pattern: "POST /urad/platby/vratky/{id}", Access: forFees, Handler: h.refundDecide},
		{Pattern: routeStatement, Access: forFees, Handler: h.statementUpload},
		{Pattern: "GET /urad/platby/demo-vypis", Access: forFees, Handler: h.demoStatement},
		{Pattern: routeFindPayer, Access: forFees, Handler: h.findPayer},
		{Pattern: "GET " + personsBase + "{id}", Access: forFees, Handler: h.payerPerson},
		{Pattern: "GET " + companiesBase + "{id}", Access: forFees, Handler: h.payerCompany},
		{Pattern: routeTransfer, Access: forFees, Handler: h.transfer},
		{Pattern: "GET " + casesBase, Access: forCases, Handler: h.caseList},
		{Pattern: "GET " + casesBase + "/{id}", Access: forCases, Handler: h.caseShow},
		{Pattern: "POST " + casesBase + "/{id}", Access: forCases, Handler: h.caseAct},
		{Pattern: "GET " + casesBase + "/{id}/soubory/{file}", Access: forCases, Handler: h.caseFile},
	}
}

// Register adds the routes to mux, each behind the access guard.
func (h *Handlers) Register(mux *http.ServeMux) {
	h.Pages.RegisterRoutes(mux, h.Routes())
}

func (h *Handlers) page(r *http.Request, titleKey string) *webview.Page {
	p := h.Pages.Page(r, h.Pages.T(r, titleKey))
	p.Nav = h.nav(r)
	return p
}

// official is the signed-in official, or nil.
func (h *Handlers) official(r *http.Request) *auth.Staff {
	if p := web.Principal(r.Context()); p.Kind == access.Official {
		return p.Staff
	}
	return nil
}

func (h *Handlers) dashboard(w http.ResponseWriter, r *http.Request) {
	st := h.official(r)
	d := view.DashboardData{Name: st.Name, Email: st.Email}
	for _, g := range st.Grants {
		if g.Role == auth.CaseWorker {
			d.Grants = append(d.Grants, i18n.T(httpx.Lang(r.Context()), "role.case_worker", g.Department))
			continue
		}
		d.Grants = append(d.Grants, h.Pages.T(r, "role."+string(g.Role)))
	}
	h.Pages.Render(w, r, http.StatusOK, view.DashboardPage(h.page(r, "bo.dashboard.title"), d))
}

func (h *Handlers) loginForm(w http.ResponseWriter, r *http.Request) {
	if h.official(r) != nil {
		http.Redirect(w, r, "/urad/", http.StatusSeeOther)
		return
	}
	h.Pages.Render(w, r, http.StatusOK, view.LoginPage(h.page(r, "bo.login.title"), h.loginData(r, "")))
}

func (h *Handlers) loginData(r *http.Request, email string) view.LoginData {
	d := view.LoginData{Email: email}
	if r.Method == http.MethodGet && r.URL.Query().Get("heslo") == "zmeneno" {
		d.NoticeKey = "bo.reset.done"
	}
	if h.DemoHint != nil {
		if e, pw, code, ok := h.DemoHint(httpx.Tenant(r.Context()), time.Now()); ok {
			d.Demo = &view.DemoHint{Email: e, Password: pw, Code: code}
		}
	}
	return d
}

// login checks e-mail, password and code. Whatever went wrong, the page
// says only "wrong credentials" (or locked, or too many attempts), so it
// tells nobody which e-mails have accounts.
func (h *Handlers) login(w http.ResponseWriter, r *http.Request) {
	t := httpx.Tenant(r.Context())
	if err := r.ParseForm(); err != nil {
		h.Pages.Render(w, r, http.StatusBadRequest, view.LoginPage(h.page(r, "bo.login.title"), view.LoginData{ErrorKey: "bo.form.invalid"}))
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	if len(email) > 254 {
		email = email[:254]
	}
	data := h.loginData(r, email)
	ip := httpx.ClientIP(r, h.TrustProxy)
	if !h.ByAddress.Allow("ip:"+ip) || !h.ByAccount.Allow(strconv.FormatInt(t.ID, 10)+":"+email) {
		h.recordFailure(r, email, "throttled")
		data.ErrorKey = "bo.login.throttled"
		w.Header().Set("Retry-After", "300")
		h.Pages.Render(w, r, http.StatusTooManyRequests, view.LoginPage(h.page(r, "bo.login.title"), data))
		return
	}
	st, err := h.Staff.Authenticate(r.Context(), t.ID, email, r.PostForm.Get("password"), r.PostForm.Get("code"))
	switch {
	case errors.Is(err, auth.ErrBadCredentials):
		h.recordFailure(r, email, "credentials")
		data.ErrorKey = "bo.login.failed"
		h.Pages.Render(w, r, http.StatusForbidden, view.LoginPage(h.page(r, "bo.login.title"), data))
		return
	case errors.Is(err, auth.ErrLocked):
		h.recordFailure(r, email, "locked")
		data.ErrorKey = "bo.login.locked"
		h.Pages.Render(w, r, http.StatusForbidden, view.LoginPage(h.page(r, "bo.login.title"), data))
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	if _, err := h.Sessions.Login(w, r, "staff:"+strconv.FormatInt(st.ID, 10), map[string]string{keyStaff: strconv.FormatInt(st.ID, 10)}); err != nil {
		h.fail(w, r, err)
		return
	}
	h.record(r, audit.Actor{Kind: audit.ActorStaff, ID: st.ID, Name: st.Name}, audit.ActionLogin, st.ID, nil)
	http.Redirect(w, r, "/urad/", http.StatusSeeOther)
}

func (h *Handlers) logout(w http.ResponseWriter, r *http.Request) {
	st := h.official(r)
	if sess := httpx.Session(r.Context()); sess != nil {
		if err := h.Sessions.End(w, r, sess); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if st != nil {
		h.record(r, audit.Actor{Kind: audit.ActorStaff, ID: st.ID, Name: st.Name}, audit.ActionLogout, st.ID, nil)
	}
	http.Redirect(w, r, "/urad/prihlaseni", http.StatusSeeOther)
}

func (h *Handlers) inviteForm(w http.ResponseWriter, r *http.Request) {
	h.Pages.Render(w, r, http.StatusOK, view.InvitePage(h.page(r, "bo.invite.title"), view.InviteData{Token: r.URL.Query().Get("t")}))
}

// acceptInvite sets the password, then starts the second-factor set-up in a
// session that is not yet a login.
func (h *Handlers) acceptInvite(w http.ResponseWriter, r *http.Request) {
	t := httpx.Tenant(r.Context())
	if err := r.ParseForm(); err != nil {
		h.Pages.Render(w, r, http.StatusBadRequest, view.InvitePage(h.page(r, "bo.invite.title"), view.InviteData{ErrorKey: "bo.form.invalid"}))
		return
	}
	token := r.PostForm.Get("t")
	if !h.ByAddress.Allow("ip:" + httpx.ClientIP(r, h.TrustProxy)) {
		w.Header().Set("Retry-After", "300")
		h.Pages.Render(w, r, http.StatusTooManyRequests, view.InvitePage(h.page(r, "bo.invite.title"), view.InviteData{Token: token, ErrorKey: "bo.login.throttled"}))
		return
	}
	st, err := h.Staff.AcceptInvite(r.Context(), t.ID, token, r.PostForm.Get("password"))
	var inv *derr.InvalidError
	if errors.As(err, &inv) {
		key := inv.Fields[0].Key
		if inv.Fields[0].Field == "token" {
			key = "bo.invite.invalid"
		}
		h.Pages.Render(w, r, http.StatusBadRequest, view.InvitePage(h.page(r, "bo.invite.title"), view.InviteData{Token: token, ErrorKey: key}))
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	url, secret, err := h.Staff.BeginTOTP(r.Context(), t.ID, st.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.Sessions.Login(w, r, "", map[string]string{keyEnrolStaff: strconv.FormatInt(st.ID, 10),
		keyEnrolSecret: secret, keyEnrolURL: url}); err != nil {
		h.fail(w, r, err)
		return
	}
	h.Pages.Render(w, r, http.StatusOK, view.EnrolPage(h.page(r, "bo.enrol.title"), view.EnrolData{Secret: secret, URL: url}))
}

// confirmTOTP switches the second factor on; the official then signs in.
func (h *Handlers) confirmTOTP(w http.ResponseWriter, r *http.Request) {
	t := httpx.Tenant(r.Context())
	sess := httpx.Session(r.Context())
	if sess == nil || sess.Data[keyEnrolStaff] == "" {
		http.Redirect(w, r, "/urad/prihlaseni", http.StatusSeeOther)
		return
	}
	id, _ := strconv.ParseInt(sess.Data[keyEnrolStaff], 10, 64)
	d := view.EnrolData{Secret: sess.Data[keyEnrolSecret], URL: sess.Data[keyEnrolURL]}
	if err := r.ParseForm(); err != nil {
		d.ErrorKey = "bo.form.invalid"
		h.Pages.Render(w, r, http.StatusBadRequest, view.EnrolPage(h.page(r, "bo.enrol.title"), d))
		return
	}
	err := h.Staff.ConfirmTOTP(r.Context(), t.ID, id, r.PostForm.Get("code"))
	if errors.Is(err, derr.ErrInvalid) {
		d.ErrorKey = "bo.enrol.wrong"
		h.Pages.Render(w, r, http.StatusBadRequest, view.EnrolPage(h.page(r, "bo.enrol.title"), d))
		return
	}
	if err != nil && !errors.Is(err, derr.ErrConflict) { // conflict: confirmed already (a second click)
		h.fail(w, r, err)
		return
	}
	if err := h.Sessions.End(w, r, sess); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/urad/prihlaseni", http.StatusSeeOther)
}

func (h *Handlers) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := web.StatusOf(err)
	h.Log.ErrorContext(r.Context(), "backoffice", "request_id", httpx.RequestID(r.Context()), "err", err)
	h.Pages.ErrorPage(w, r, status)
}

// record writes an audit entry; a failure to audit is logged loudly but does
// not undo a login that has happened.
func (h *Handlers) record(r *http.Request, by audit.Actor, action string, staffID int64, details []byte) {
	t := httpx.Tenant(r.Context())
	e := &audit.Entry{TenantID: t.ID, ActorKind: by.Kind, ActorID: by.ID, ActorName: by.Name, Action: action,
		SubjectKind: audit.SubjectStaff, SubjectID: staffID, Details: details,
		RequestID: httpx.RequestID(r.Context()), IP: httpx.ClientIP(r, h.TrustProxy)}
	if err := h.Audit.RecordNow(r.Context(), e); err != nil {
		h.Log.ErrorContext(r.Context(), "audit entry lost", "request_id", httpx.RequestID(r.Context()), "action", action, "err", err)
	}
}

func (h *Handlers) recordFailure(r *http.Request, email, why string) {
	details, _ := json.Marshal(map[string]string{"email": email, "why": why})
	name := []rune(email)
	if len(name) > 200 {
		name = name[:200]
	}
	h.record(r, audit.Actor{Kind: audit.ActorStaff, Name: string(name)}, audit.ActionLoginFailed, 0, details)
}
