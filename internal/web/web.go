// Package web is the citizens' face of the portal: it parses a request, calls
// one domain service, and renders a page. It holds no business rules and
// makes no access decisions of its own beyond asking the domain.
package web

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/a-h/templ"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/account"
	"github.com/radnice/radnice/internal/catalog"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/obligation"
	"github.com/radnice/radnice/internal/payment"
	"github.com/radnice/radnice/internal/person"
	"github.com/radnice/radnice/internal/ratelimit"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/tenant"
	"github.com/radnice/radnice/internal/web/view"
)

// Handlers serve the citizens' pages.
type Handlers struct {
	Log     *slog.Logger
	Demo    bool
	Tenants *tenant.Registry // to brand error pages answered before the town is known
	Access  *access.Service  // who is asking; nil serves everybody as anonymous

	Accounts    *account.Store
	Logins      *account.Logins
	Sessions    *httpx.Sessions
	Persons     *person.Store
	Obligations *obligation.Store
	Payments    *payment.Service // card payments go through each town's active gateway
	QR          QRFunc
	Forms       *form.Store        // the town's forms and their versions
	Submissions *submission.Store  // drafts, submissions and cases
	Catalog     *catalog.Store     // the town's life situations
	LoginLimit  *ratelimit.Limiter // login starts per client address
	TrustProxy  bool

	mux        *http.ServeMux
	readyOnce  sync.Once
	readyPaths map[string]bool
}

// Page builds what the layout needs for this request (other faces use it
// too, with their own navigation).
func (h *Handlers) Page(r *http.Request, title string) *view.Page {
	p := &view.Page{
		Lang:         httpx.Lang(r.Context()),
		Tenant:       httpx.Tenant(r.Context()),
		Path:         r.URL.RequestURI(),
		Demo:         h.Demo,
		AssetVersion: AssetVersion,
		RequestID:    httpx.RequestID(r.Context()),
	}
	if p.Tenant != nil && p.Tenant.Demo {
		p.Demo = true
	}
	p.Title = title
	if pr := access.From(r.Context()); pr != nil {
		p.User = userBar(pr, p.Lang)
	}
	for _, n := range nav {
		p.Nav = append(p.Nav, view.NavItem{Key: n.key, Href: n.href, Current: r.URL.Path == n.href})
	}
	return p
}

var nav = []struct{ key, href string }{
	{"nav.home", "/"},
	{"nav.catalog", "/potrebuji-vyridit"},
	{"nav.forms", "/formulare"},
	{"nav.cases", "/podani"},
	{"nav.contacts", "/kontakty"},
}

// Render writes a whole page or, when rendering fails, a clean error page:
// never half a page.
func (h *Handlers) Render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		h.Log.ErrorContext(r.Context(), "render", "request_id", httpx.RequestID(r.Context()), "err", err)
		if status != http.StatusInternalServerError {
			h.ErrorPage(w, r, http.StatusInternalServerError)
			return
		}
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	if hd.Get("Cache-Control") == "" {
		if httpx.Session(r.Context()) != nil {
			hd.Set("Cache-Control", "no-store")
		} else {
			hd.Set("Cache-Control", "no-cache")
		}
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// StatusOf maps the error vocabulary to HTTP.
func StatusOf(err error) int {
	switch {
	case errors.Is(err, derr.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, derr.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, derr.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, derr.ErrConflict):
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// ErrorPage answers with the localised page for status.
func (h *Handlers) ErrorPage(w http.ResponseWriter, r *http.Request, status int) {
	if httpx.Tenant(r.Context()) == nil && h.Tenants != nil {
		if t, err := h.Tenants.ByHost(r.Context(), r.Host); err == nil {
			r = r.WithContext(httpx.WithTenant(r.Context(), t))
		}
	}
	p := h.Page(r, h.T(r, "error.title."+statusKey(status)))
	if p.Tenant == nil {
		p.Nav = nil
	}
	h.Render(w, r, status, view.ErrorPage(p, view.ErrorData{Status: status}))
}

// T translates key into the request's language.
func (h *Handlers) T(r *http.Request, key string) string {
	p := view.Page{Lang: httpx.Lang(r.Context())}
	return p.T(key)
}

func statusKey(status int) string {
	switch status {
	case 400, 403, 404, 405, 413, 429, 500, 503:
		return strconv.Itoa(status)
	}
	return "other"
}

// ErrorHandler answers with the localised page for status; the shell uses it
// for panics, refused cross-origin requests and a database that is away.
func (h *Handlers) ErrorHandler(status int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ErrorPage(w, r, status)
	})
}

// UnknownHost answers a request for a host that serves no town: a plain 404
// page in both languages, no error logged beyond the access line.
func (h *Handlers) UnknownHost() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := h.Page(r, "")
		p.Nav = nil
		h.Render(w, r, http.StatusNotFound, view.UnknownHostPage(p))
	})
}

func (h *Handlers) notFound(w http.ResponseWriter, r *http.Request) {
	h.ErrorPage(w, r, http.StatusNotFound)
}

// localPath accepts only a path on this site, so a link cannot bounce a
// person to another site (open redirect).
func localPath(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\t") {
		return "/"
	}
	return next
}
