// Package view holds the citizens' page templates (templ) and the data they
// are rendered from. Templates only show what handlers give them: no queries,
// no access decisions.
package view

import (
	"net/url"
	"strconv"

	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/tenant"
)

// Page is what every page's layout needs.
type Page struct {
	Lang         i18n.Lang
	Tenant       *tenant.Tenant // nil on the unknown-host page
	Title        string         // this page's title, without the town's name
	Path         string         // the request's path and query, for the language switch
	Demo         bool           // show the DEMO banner
	AssetVersion string         // cache-busting version of /static files
	Nav          []NavItem      // main navigation
	RequestID    string         // shown on error pages, to quote when reporting
	User         *User          // who is signed in; nil for anonymous
}

// User is the signed-in person in the header.
type User struct {
	Name     string
	Official bool
	// Acting is whom a citizen acts for when it is not themselves.
	Acting string
	// Parties, when more than one, are offered in the "acting as" switch.
	Parties []PartyOption
}

// PartyOption is one party in the "acting as" switch.
type PartyOption struct {
	Key      string
	Label    string
	Selected bool
}

// NavItem is one link of the main navigation.
type NavItem struct {
	Key     string // i18n key of the label
	Href    string
	Current bool
}

// T translates key into the page's language.
func (p *Page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// Asset is the URL of an embedded static file.
func (p *Page) Asset(name string) string { return "/static/" + name + "?v=" + p.AssetVersion }

// TownCSS is the URL of the town's colours.
func (p *Page) TownCSS() string {
	if p.Tenant == nil {
		return ""
	}
	return "/barvy.css?v=" + strconv.FormatInt(p.Tenant.UpdatedAt.Unix(), 36)
}

// LangURL switches to lang and comes back to this page.
func (p *Page) LangURL(l i18n.Lang) string {
	return "/jazyk/" + string(l) + "?next=" + url.QueryEscape(p.Path)
}

// FullTitle is the <title>: page, town, portal.
func (p *Page) FullTitle() string {
	t := p.Title
	if p.Tenant != nil {
		if t != "" {
			t += " – "
		}
		t += p.Tenant.Name
	}
	if t != "" {
		t += " – "
	}
	return t + p.T("portal.name")
}

// HomeData is the home page: the town's main entry points.
type HomeData struct {
	Entries []EntryPoint
}

// EntryPoint is one tile on the home page.
type EntryPoint struct {
	TitleKey string // i18n key
	TextKey  string // i18n key
	Href     string
	Ready    bool // false: shown as "coming soon", not linked
}

// ErrorData is an error page.
type ErrorData struct {
	Status int
}
