package web

import (
	"net/http"
	"time"

	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/web/view"
)

// entries are the home page's tiles; one whose page no face has registered
// yet is shown as coming soon rather than as a link to nowhere.
var entries = []view.EntryPoint{
	{TitleKey: "home.entry.situations.title", TextKey: "home.entry.situations.text", Href: "/potrebuji-vyridit"},
	{TitleKey: "home.entry.obligations.title", TextKey: "home.entry.obligations.text", Href: "/zavazky"},
	{TitleKey: "home.entry.submissions.title", TextKey: "home.entry.submissions.text", Href: "/podani"},
	{TitleKey: "home.entry.notices.title", TextKey: "home.entry.notices.text", Href: "/uredni-deska"},
	{TitleKey: "home.entry.messages.title", TextKey: "home.entry.messages.text", Href: "/zpravy"},
	{TitleKey: "home.entry.account.title", TextKey: "home.entry.account.text", Href: "/muj-ucet"},
}

func (h *Handlers) home(w http.ResponseWriter, r *http.Request) {
	h.readyOnce.Do(func() {
		h.readyPaths = map[string]bool{}
		for _, e := range entries {
			req, _ := http.NewRequest(http.MethodGet, e.Href, nil)
			_, pattern := h.mux.Handler(req)
			h.readyPaths[e.Href] = pattern != "/"
		}
	})
	d := view.HomeData{Entries: make([]view.EntryPoint, len(entries))}
	for i, e := range entries {
		e.Ready = h.readyPaths[e.Href]
		d.Entries[i] = e
	}
	p := h.Page(r, "")
	h.Render(w, r, http.StatusOK, view.HomePage(p, d))
}

func (h *Handlers) contacts(w http.ResponseWriter, r *http.Request) {
	p := h.Page(r, h.T(r, "contacts.title"))
	h.Render(w, r, http.StatusOK, view.ContactsPage(p))
}

func (h *Handlers) accessibility(w http.ResponseWriter, r *http.Request) {
	p := h.Page(r, h.T(r, "a11y.title"))
	h.Render(w, r, http.StatusOK, view.AccessibilityPage(p))
}

// switchLang remembers the chosen language for a year and goes back.
func (h *Handlers) switchLang(w http.ResponseWriter, r *http.Request) {
	lang, ok := i18n.Parse(r.PathValue("lang"))
	if !ok {
		h.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: httpx.LangCookie, Value: string(lang), Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: httpx.IsSecure(r, false),
	})
	http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
}
