package view

import (
	"net/url"
	"strings"

	"github.com/a-h/templ"
)

// Local is a text shown on a page with the language it is in, when that
// differs from the page's (a Czech text on an English page, for want of a
// translation), so the page can mark it lang="cs".
type Local struct {
	Text string
	Lang string // "" when it is the page's language
}

// Attrs are the text's lang attribute, if it needs one.
func (l Local) Attrs() templ.Attributes {
	if l.Lang == "" {
		return templ.Attributes{}
	}
	return templ.Attributes{"lang": l.Lang}
}

// CatalogLink is a situation in a list.
type CatalogLink struct {
	Href    string
	Title   Local
	Summary Local
}

// CatalogCategory is a category with its situations.
type CatalogCategory struct {
	Slug        string
	Name        Local
	Description Local
	Situations  []CatalogLink
}

// Href is the category's page.
func (c CatalogCategory) Href() string { return "/potrebuji-vyridit/" + c.Slug }

// CatalogData is /potrebuji-vyridit: every category with its situations.
type CatalogData struct {
	Categories []CatalogCategory
}

// CatalogCategoryData is one category's page.
type CatalogCategoryData struct {
	Category CatalogCategory
}

// SituationForm is a form a situation is arranged with.
type SituationForm struct {
	Slug  string
	Title Local
}

// Href is where the form is filled in.
func (f SituationForm) Href() string { return "/formulare#form-" + f.Slug }

// SituationData is one life situation's page.
type SituationData struct {
	Category   CatalogCategory // name and slug only
	Title      Local
	Summary    Local
	Body       Local // Markdown
	Who        Local
	Bring      []Local
	Where      Local
	MapQuery   string // the street address to search on the map, or ""
	Department string
	Hours      Local
	Cost       Local
	Deadlines  Local
	LegalBasis []Local
	Forms      []SituationForm
	Related    []CatalogLink
	Contact    SituationContact
}

// SituationContact is whom to ask.
type SituationContact struct {
	Department string
	Email      string
	Phone      string
}

// MapURL searches the address on mapy.cz.
func (d SituationData) MapURL() string {
	return "https://mapy.cz/zakladni?q=" + url.QueryEscape(d.MapQuery)
}

// PhoneHref is the contact's phone as a tel: link.
func (c SituationContact) PhoneHref() string {
	return "tel:" + strings.Map(func(r rune) rune {
		if r == '+' || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, c.Phone)
}

// AZData is /a-z: the letters and, under each, its situations.
type AZData struct {
	Groups []AZGroup
}

// AZGroup is one letter of the index.
type AZGroup struct {
	Letter     string
	Situations []CatalogLink
}

// Anchor is the letter's id on the page, in ASCII: "c", "c2" for Č, "ch".
func (g AZGroup) Anchor() string {
	switch g.Letter {
	case "#":
		return "pismeno-cisla"
	case "Č", "Ř", "Š", "Ž":
		return "pismeno-" + map[string]string{"Č": "c2", "Ř": "r2", "Š": "s2", "Ž": "z2"}[g.Letter]
	}
	var b strings.Builder
	for _, r := range strings.ToLower(g.Letter) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		} else {
			b.WriteString("x")
		}
	}
	return "pismeno-" + b.String()
}
