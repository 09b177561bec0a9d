package backoffice

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/backoffice/view"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/web"
)

// The official's own sessions: where they are signed in, and a way to end
// any other session, or all the others at once (a forgotten browser at the
// counter, a lost laptop).

// ActionSessionEnd is an official ending their own other sessions.
const ActionSessionEnd = "session.end"

func (h *Handlers) sessionList(w http.ResponseWriter, r *http.Request) {
	t := httpx.Tenant(r.Context())
	p := web.Principal(r.Context())
	list, err := h.Sessions.Store.List(r.Context(), t.ID, p.SessionKey)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cur := httpx.Session(r.Context())
	lang := httpx.Lang(r.Context())
	d := view.SessionsData{Notice: noticeOf(r)}
	for _, s := range list {
		row := view.SessionRow{Action: "/urad/relace/" + s.Handle() + "/ukoncit", Started: dateTime(lang, s.CreatedAt),
			LastSeen: dateTime(lang, s.LastSeenAt), Browser: browser(lang, s.UserAgent), IP: s.IP,
			Current: cur != nil && s.Handle() == cur.Handle()}
		if !row.Current {
			d.Others++
		}
		d.Rows = append(d.Rows, row)
	}
	h.Pages.Render(w, r, http.StatusOK, view.SessionsPage(h.page(r, "bo.sessions.title"), d))
}

// sessionsEndOthers is "log out everywhere else".
func (h *Handlers) sessionsEndOthers(w http.ResponseWriter, r *http.Request) {
	t := httpx.Tenant(r.Context())
	p := web.Principal(r.Context())
	n, err := h.Sessions.Store.EndOthers(r.Context(), t.ID, p.SessionKey, httpx.Session(r.Context()))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.recordSessionEnd(r, map[string]any{"scope": "others", "ended": n})
	http.Redirect(w, r, "/urad/relace?hotovo=vse", http.StatusSeeOther)
}

// sessionEnd ends one session of the official; ending this one is a
// logout.
func (h *Handlers) sessionEnd(w http.ResponseWriter, r *http.Request) {
	t := httpx.Tenant(r.Context())
	p := web.Principal(r.Context())
	handle := r.PathValue("handle")
	if cur := httpx.Session(r.Context()); cur != nil && handle == cur.Handle() {
		if err := h.Sessions.End(w, r, cur); err != nil {
			h.fail(w, r, err)
			return
		}
		h.record(r, p.Actor(), audit.ActionLogout, p.Staff.ID, nil)
		http.Redirect(w, r, "/urad/prihlaseni", http.StatusSeeOther)
		return
	}
	err := h.Sessions.Store.EndByHandle(r.Context(), t.ID, p.SessionKey, handle)
	if errors.Is(err, derr.ErrNotFound) {
		h.Pages.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.recordSessionEnd(r, map[string]any{"scope": "one", "ended": 1})
	http.Redirect(w, r, "/urad/relace?hotovo=jedna", http.StatusSeeOther)
}

func (h *Handlers) recordSessionEnd(r *http.Request, details map[string]any) {
	p := web.Principal(r.Context())
	b, _ := json.Marshal(details)
	h.record(r, p.Actor(), ActionSessionEnd, p.Staff.ID, b)
}

// browser names a browser and its system from a User-Agent, roughly: enough
// to tell one's own sessions apart.
func browser(lang i18n.Lang, ua string) string {
	if strings.TrimSpace(ua) == "" {
		return i18n.T(lang, "bo.sessions.unknown")
	}
	first := func(pairs ...string) string {
		for i := 0; i < len(pairs); i += 2 {
			if strings.Contains(ua, pairs[i]) {
				return pairs[i+1]
			}
		}
		return ""
	}
	name := first("Edg/", "Edge", "OPR/", "Opera", "Firefox/", "Firefox", "Chrome/", "Chrome", "Safari/", "Safari")
	system := first("Windows", "Windows", "Android", "Android", "iPhone", "iOS", "iPad", "iPadOS", "Mac OS X", "macOS", "Linux", "Linux")
	switch {
	case name != "" && system != "":
		return name + ", " + system
	case name != "":
		return name
	}
	if r := []rune(ua); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return ua
}
