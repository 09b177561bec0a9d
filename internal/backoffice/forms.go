package backoffice

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/account"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/backoffice/view"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/web"
	webview "github.com/radnice/radnice/internal/web/view"
)

// Who may use the officials' tools. Routes and the navigation share these
// rules, so a link shows exactly where its page lets the official in.
var (
	forAdmins   = access.Staff(auth.Administrator)
	forAuditors = access.Staff(auth.Auditor)
	forLinking  = access.Staff(auth.CounterClerk, auth.Administrator)
	forFees     = access.Staff(auth.FeeClerk)
	forStaff    = access.Staff()
)

// navItems is the backoffice's navigation; an item shows when its rule
// lets the request's principal in (the overview always: it leads to the
// login).
var navItems = []struct {
	key, href string
	rule      access.Rule
}{
	{"nav.bo.dashboard", "/urad/", access.Public()},
	{"nav.bo.links", "/urad/propojeni", forLinking},
	{"nav.bo.payments", "/urad/platby", forFees},
	{"nav.bo.cases", "/urad/podani", forCases},
	{"nav.bo.staff", "/urad/sprava/urednici", forAdmins},
	{"nav.bo.audit", "/urad/audit", forAuditors},
	{"nav.bo.sessions", "/urad/relace", forStaff},
}

func (h *Handlers) nav(r *http.Request) []webview.NavItem {
	p := web.Principal(r.Context())
	var out []webview.NavItem
	for _, n := range navItems {
		if n.rule.Check(p) != access.Allow {
			continue
		}
		cur := r.URL.Path == n.href || (n.href != "/urad/" && len(r.URL.Path) > len(n.href) && r.URL.Path[:len(n.href)+1] == n.href+"/")
		out = append(out, webview.NavItem{Key: n.key, Href: n.href, Current: cur})
	}
	return out
}

// msgKey is the message for a domain's problem key: the backoffice's own
// wording ("bo.err."+key) when it has one, else the shared catalogue's, else
// a generic one.
func msgKey(key string) string {
	switch {
	case i18n.Has("bo.err." + key):
		return "bo.err." + key
	case i18n.Has(key):
		return key
	}
	return "bo.form.invalid"
}

// fieldErrors turns a domain's invalid-input error into the form's errors:
// ids maps the domain's field names to input ids ("" for a problem of the
// whole form). ok is false when err is not invalid input.
func fieldErrors(err error, ids map[string]string) (_ view.Errors, ok bool) {
	var inv *derr.InvalidError
	if !errors.As(err, &inv) {
		return nil, false
	}
	var out view.Errors
	for _, f := range inv.Fields {
		id, known := ids[f.Field]
		if !known {
			id = ""
		}
		if id != "" && out.Key(id) != "" {
			continue // one message per field
		}
		out = append(out, view.FieldError{Field: id, Key: msgKey(f.Key)})
	}
	return out, true
}

// dateTime is t in Prague, as "23. 11. 2026 14:05".
func dateTime(lang i18n.Lang, t time.Time) string {
	return i18n.Date(lang, t) + "\u00a0" + t.In(i18n.Prague).Format("15:04")
}

// pathID reads a positive id from the path; false for anything else.
func pathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// meta is what the audit log keeps of the request.
func (h *Handlers) meta(r *http.Request) account.Meta {
	return account.Meta{RequestID: httpx.RequestID(r.Context()), IP: httpx.ClientIP(r, h.TrustProxy)}
}

// absURL is path on this town's host, for a link to hand over.
func (h *Handlers) absURL(r *http.Request, path string) string {
	scheme := "http"
	if httpx.IsSecure(r, h.TrustProxy) {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// notices are the one-time messages a redirect may ask for (?hotovo=...):
// only these keys, so a link cannot make a page say anything else.
var notices = map[string]string{
	"role":       "bo.staff.notice.grants",
	"zablokovan": "bo.staff.notice.disabled",
	"zruseno":    "bo.links.notice.unlinked",
	"vse":        "bo.sessions.notice.others",
	"jedna":      "bo.sessions.notice.one",
}

func noticeOf(r *http.Request) string { return notices[r.URL.Query().Get("hotovo")] }
