package backoffice

import (
	"errors"
	"net/http"

	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/backoffice/view"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/httpx"
)

// The password-reset page: an official opens the link an administrator
// handed them and chooses a new password. The link works once; the second
// factor stays as it was, so the link alone signs nobody in. Afterwards
// every session of the official ends.

func (h *Handlers) resetForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store") // the page holds the token
	token := r.URL.Query().Get("t")
	if token == "" {
		h.Pages.Render(w, r, http.StatusBadRequest, view.ResetPage(h.page(r, "bo.reset.title"), view.ResetData{Invalid: true}))
		return
	}
	h.Pages.Render(w, r, http.StatusOK, view.ResetPage(h.page(r, "bo.reset.title"), view.ResetData{Token: token}))
}

func (h *Handlers) resetPassword(w http.ResponseWriter, r *http.Request) {
	t := httpx.Tenant(r.Context())
	w.Header().Set("Cache-Control", "no-store")
	render := func(status int, d view.ResetData) {
		h.Pages.Render(w, r, status, view.ResetPage(h.page(r, "bo.reset.title"), d))
	}
	if err := r.ParseForm(); err != nil {
		render(http.StatusBadRequest, view.ResetData{Invalid: true})
		return
	}
	d := view.ResetData{Token: r.PostForm.Get("t")}
	if !h.ByAddress.Allow("ip:" + httpx.ClientIP(r, h.TrustProxy)) {
		w.Header().Set("Retry-After", "300")
		d.Errors = view.Errors{{Key: "bo.login.throttled"}}
		render(http.StatusTooManyRequests, d)
		return
	}
	if d.Token == "" {
		d.Invalid = true
		render(http.StatusBadRequest, d)
		return
	}
	// Both fields are checked before the link is spent: a refused password
	// leaves it working.
	password := r.PostForm.Get("password")
	if key, _ := auth.PasswordProblem(password, ""); key != "" {
		d.Errors = append(d.Errors, view.FieldError{Field: "password", Key: key})
	}
	if r.PostForm.Get("password2") != password {
		d.Errors = append(d.Errors, view.FieldError{Field: "password2", Key: "bo.reset.mismatch"})
	}
	if len(d.Errors) > 0 {
		render(http.StatusBadRequest, d)
		return
	}
	st, err := h.Staff.ResetPassword(r.Context(), t.ID, d.Token, password)
	var inv *derr.InvalidError
	if errors.As(err, &inv) {
		if inv.Fields[0].Field == "token" {
			d.Invalid = true
		} else {
			d.Errors, _ = fieldErrors(err, map[string]string{"password": "password"})
		}
		render(http.StatusBadRequest, d)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Whoever held a session with the old password holds it no longer.
	if _, err := h.Sessions.Store.EndOthers(r.Context(), t.ID, staffKey(st.ID), nil); err != nil {
		h.Log.ErrorContext(r.Context(), "end sessions after a password reset", "request_id", httpx.RequestID(r.Context()), "err", err)
	}
	http.Redirect(w, r, "/urad/prihlaseni?heslo=zmeneno", http.StatusSeeOther)
}
