package web

import "net/http"

// Route is one citizen page. The table is the whole public surface of this
// face in one screen; tests walk it (every route must be in the tenant
// isolation test and, later, the access matrix).
type Route struct {
	Pattern string
	Handler http.HandlerFunc
}

// Routes lists every route of the citizens' face.
func (h *Handlers) Routes() []Route {
	return []Route{
		{"GET /{$}", h.home},
		{"GET /kontakty", h.contacts},
		{"GET /prohlaseni-o-pristupnosti", h.accessibility},
		{"GET /jazyk/{lang}", h.switchLang},
		{"GET /barvy.css", h.townCSS},
		{"GET /erb.svg", h.coatOfArms},
		{"/", h.notFound},
	}
}

// Register adds the routes to mux.
func (h *Handlers) Register(mux *http.ServeMux) {
	h.mux = mux
	for _, r := range h.Routes() {
		mux.HandleFunc(r.Pattern, r.Handler)
	}
}
