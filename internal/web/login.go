package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/account"
	"github.com/radnice/radnice/internal/auth/oidc"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/web/view"
)

// Session keys of a login in progress.
const (
	keyAttempt  = "oidc_attempt"
	keyProvider = "oidc_provider"
	keyNext     = "oidc_next"
)

// callbackPath is where every provider sends the person back.
const callbackPath = "/prihlaseni/navrat"

func (h *Handlers) redirectURL(r *http.Request) string {
	scheme := "http"
	if httpx.IsSecure(r, h.TrustProxy) {
		scheme = "https"
	}
	return scheme + "://" + r.Host + callbackPath
}

func requestedLevel(r *http.Request) oidc.Level {
	n, err := strconv.Atoi(r.URL.Query().Get("uroven"))
	if err != nil || n < int(oidc.LevelNone) || n > int(oidc.LevelHigh) {
		return oidc.LevelNone
	}
	return oidc.Level(n)
}

func (h *Handlers) meta(r *http.Request) account.Meta {
	return account.Meta{RequestID: httpx.RequestID(r.Context()), IP: httpx.ClientIP(r, h.TrustProxy)}
}

// loginPage lists the town's identity providers.
func (h *Handlers) loginPage(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	level := requestedLevel(r)
	next := localPath(r.URL.Query().Get("next"))
	if p.Kind == access.Citizen && p.Level >= level {
		if next == "/" {
			next = "/muj-ucet"
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	h.renderLogin(w, r, http.StatusOK, "")
}

func (h *Handlers) renderLogin(w http.ResponseWriter, r *http.Request, status int, errKey string) {
	t := httpx.Tenant(r.Context())
	d := view.LoginData{ErrorKey: errKey}
	level := requestedLevel(r)
	if level > oidc.LevelNone {
		d.LevelKey = "level." + level.String()
	}
	providers, err := h.Accounts.Providers(r.Context(), t.ID, true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := url.Values{}
	if next := r.URL.Query().Get("next"); next != "" {
		q.Set("next", localPath(next))
	}
	if level > oidc.LevelNone {
		q.Set("uroven", strconv.Itoa(int(level)))
	}
	for _, pr := range providers {
		href := "/prihlaseni/" + pr.Slug
		if len(q) > 0 {
			href += "?" + q.Encode()
		}
		d.Providers = append(d.Providers, view.ProviderLink{Name: pr.Name, Href: href, TextKey: "login.desc." + string(pr.Profile)})
	}
	h.Render(w, r, status, view.LoginPage(h.Page(r, h.T(r, "login.title")), d))
}

// loginStart sends the person to the chosen provider. It is a GET (a link),
// so that the browser's form-action policy does not stand in the way of the
// redirect to the provider.
func (h *Handlers) loginStart(w http.ResponseWriter, r *http.Request) {
	t := httpx.Tenant(r.Context())
	if h.LoginLimit != nil && !h.LoginLimit.Allow("ip:"+httpx.ClientIP(r, h.TrustProxy)) {
		w.Header().Set("Retry-After", "300")
		h.renderLogin(w, r, http.StatusTooManyRequests, "login.throttled")
		return
	}
	slug := r.PathValue("provider")
	a, to, err := h.Logins.Start(r.Context(), t.ID, slug, h.redirectURL(r), requestedLevel(r))
	switch {
	case errors.Is(err, derr.ErrNotFound):
		h.ErrorPage(w, r, http.StatusNotFound)
		return
	case errors.Is(err, account.ErrProviderUnavailable):
		h.Log.WarnContext(r.Context(), "identity provider unavailable", "request_id", httpx.RequestID(r.Context()), "provider", slug, "err", err)
		h.renderLogin(w, r, http.StatusServiceUnavailable, "login.unavailable")
		return
	case errors.Is(err, oidc.ErrLevel):
		h.renderLogin(w, r, http.StatusBadRequest, "login.lowlevel")
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	b, err := json.Marshal(a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	next := localPath(r.URL.Query().Get("next"))
	if sess := httpx.Session(r.Context()); sess != nil {
		sess.Data[keyAttempt], sess.Data[keyProvider], sess.Data[keyNext] = string(b), slug, next
		err = h.Sessions.Save(r, sess)
	} else {
		_, err = h.Sessions.Start(w, r, map[string]string{keyAttempt: string(b), keyProvider: slug, keyNext: next})
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// loginCallback finishes the login the provider sends back. Whatever fails,
// the person gets one calm message and no login; the log gets the reason.
func (h *Handlers) loginCallback(w http.ResponseWriter, r *http.Request) {
	t := httpx.Tenant(r.Context())
	sess := httpx.Session(r.Context())
	if sess == nil || sess.Data[keyAttempt] == "" {
		h.Log.InfoContext(r.Context(), "login callback without an attempt", "request_id", httpx.RequestID(r.Context()))
		h.renderLogin(w, r, http.StatusBadRequest, "login.expired")
		return
	}
	var a oidc.Attempt
	jsonErr := json.Unmarshal([]byte(sess.Data[keyAttempt]), &a)
	slug, next := sess.Data[keyProvider], localPath(sess.Data[keyNext])
	// The attempt is single use: gone before the code is even looked at.
	delete(sess.Data, keyAttempt)
	delete(sess.Data, keyProvider)
	delete(sess.Data, keyNext)
	if err := h.Sessions.Save(r, sess); err != nil {
		h.fail(w, r, err)
		return
	}
	failed := func(status int, key string, err error) {
		h.Log.WarnContext(r.Context(), "citizen login failed", "request_id", httpx.RequestID(r.Context()), "provider", slug, "err", err)
		if sess.Data[access.KeyAccount] == "" && sess.Data[access.KeyStaff] == "" {
			// Nobody was signed in: leave no session behind.
			if err := h.Sessions.End(w, r, sess); err != nil {
				h.Log.ErrorContext(r.Context(), "end session", "err", err)
			}
		}
		if err := h.Accounts.LoginFailed(r.Context(), t.ID, slug, key, h.meta(r)); err != nil {
			h.Log.ErrorContext(r.Context(), "audit entry lost", "err", err)
		}
		h.renderLogin(w, r, status, key)
	}
	if jsonErr != nil {
		failed(http.StatusBadRequest, "login.expired", jsonErr)
		return
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		key := "login.failed"
		if e == "access_denied" {
			key = "login.cancelled"
		}
		failed(http.StatusBadRequest, key, errors.New("provider error: "+e))
		return
	}
	id, err := h.Logins.Finish(r.Context(), t.ID, slug, h.redirectURL(r), &a, q.Get("state"), q.Get("code"))
	switch {
	case errors.Is(err, oidc.ErrLevel):
		failed(http.StatusForbidden, "login.lowlevel", err)
		return
	case errors.Is(err, oidc.ErrExpiredAttempt):
		failed(http.StatusBadRequest, "login.expired", err)
		return
	case errors.Is(err, account.ErrProviderUnavailable):
		failed(http.StatusServiceUnavailable, "login.unavailable", err)
		return
	case err != nil:
		failed(http.StatusBadRequest, "login.failed", err)
		return
	}
	acc, _, err := h.Accounts.SignIn(r.Context(), t.ID, slug, id, h.meta(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := map[string]string{
		access.KeyAccount: strconv.FormatInt(acc.ID, 10),
		access.KeyLevel:   strconv.Itoa(int(id.Level)),
	}
	if _, err := h.Sessions.Login(w, r, "account:"+strconv.FormatInt(acc.ID, 10), data); err != nil {
		h.fail(w, r, err)
		return
	}
	if next == "/" {
		next = "/muj-ucet"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *Handlers) logoutPage(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	h.Render(w, r, http.StatusOK, view.LogoutPage(h.Page(r, h.T(r, "logout.title")), p.Kind != access.Anonymous))
}

// logout ends the session, whoever's it is.
func (h *Handlers) logout(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	if sess := httpx.Session(r.Context()); sess != nil {
		if err := h.Sessions.End(w, r, sess); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if p.Kind != access.Anonymous {
		if err := h.Accounts.Logout(r.Context(), p.TenantID, p.Actor(), h.meta(r)); err != nil {
			h.Log.ErrorContext(r.Context(), "audit entry lost", "err", err)
		}
	}
	http.Redirect(w, r, "/odhlaseni", http.StatusSeeOther)
}

// fail logs an unexpected error and shows the page for its status.
func (h *Handlers) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := StatusOf(err)
	if status >= 500 {
		h.Log.ErrorContext(r.Context(), "request failed", "request_id", httpx.RequestID(r.Context()), "err", err)
	} else {
		h.Log.InfoContext(r.Context(), "request refused", "request_id", httpx.RequestID(r.Context()), "err", err)
	}
	h.ErrorPage(w, r, status)
}
