package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/httpx"
)

// LoadPrincipal puts the request's principal (anonymous, a citizen or an
// official, from the session) in the context. When the database cannot say
// who the session belongs to, the request is answered 503: guessing
// "anonymous" would hide a signed-in person's own pages behind a login.
func (h *Handlers) LoadPrincipal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := httpx.Tenant(r.Context())
		if t == nil {
			next.ServeHTTP(w, r)
			return
		}
		p := access.AnonymousIn(t.ID)
		if sess := httpx.Session(r.Context()); sess != nil && h.Access != nil {
			var err error
			if p, err = h.Access.Resolve(r.Context(), t.ID, sess.Data); err != nil {
				h.Log.ErrorContext(r.Context(), "resolve principal", "request_id", httpx.RequestID(r.Context()), "err", err)
				h.ErrorPage(w, r, http.StatusServiceUnavailable)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(access.With(r.Context(), p)))
	})
}

// Principal is the request's principal (never nil inside a town's request).
func Principal(ctx context.Context) *access.Principal {
	if p := access.From(ctx); p != nil {
		return p
	}
	var id int64
	if t := httpx.Tenant(ctx); t != nil {
		id = t.ID
	}
	return access.AnonymousIn(id)
}

// AccessHeader names the guard's refusal on a response it refused.
const AccessHeader = "Radnice-Access"

// Guard enforces a route's rule before its handler runs: the one place
// where routes are allowed or refused.
func (h *Handlers) Guard(rule access.Rule, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := Principal(r.Context())
		decision := rule.Check(p)
		if decision != access.Allow {
			// Says which layer refused, for the logs and the access-matrix test.
			w.Header().Set(AccessHeader, decision.String())
		}
		switch decision {
		case access.Allow:
			next(w, r)
		case access.NeedLogin:
			redirectWithNext(w, r, "/prihlaseni", nil)
		case access.NeedStaffLogin:
			redirectWithNext(w, r, "/urad/prihlaseni", nil)
		case access.NeedConsent:
			redirectWithNext(w, r, "/souhlas", nil)
		case access.NeedLevel:
			redirectWithNext(w, r, "/prihlaseni", url.Values{"uroven": {strconv.Itoa(int(rule.Level()))}})
		default:
			h.Log.InfoContext(r.Context(), "access denied", "request_id", httpx.RequestID(r.Context()),
				"principal", p.Kind.String(), "rule", rule.String())
			h.ErrorPage(w, r, http.StatusForbidden)
		}
	}
}

// redirectWithNext sends the person to path, to come back here afterwards
// (only for GET: a form posted without a session is not replayed).
func redirectWithNext(w http.ResponseWriter, r *http.Request, path string, q url.Values) {
	if q == nil {
		q = url.Values{}
	}
	if r.Method == http.MethodGet {
		q.Set("next", r.URL.RequestURI())
	}
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}
