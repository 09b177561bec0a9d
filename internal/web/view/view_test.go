package view

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
	"golang.org/x/net/html"

	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/tenant"
)

func sampleTown() *tenant.Tenant {
	return &tenant.Tenant{
		ID: 1, Slug: "jizerov", Name: "Jizerov", OfficialName: "Statutární město Jizerov",
		ICO: "12345679", DataBox: "jzr7abc", ColorPrimary: "#1d4f91", ColorAccent: "#d4a017",
		IBAN: "CZ8120100000001234567004", Email: "podatelna@jizerov.example.cz", Phone: "+420 485 000 111",
		Address: "nám. Dr. E. Beneše 1/1, 460 01 Jizerov",
		OfficeHours: []tenant.Hours{
			{Day: 1, Open: "08:00", Close: "12:00"}, {Day: 1, Open: "13:00", Close: "17:00"},
			{Day: 3, Open: "08:00", Close: "17:00"}, {Day: 5, Open: "08:00", Close: "12:00"},
		},
		DefaultLang: i18n.CS, Hosts: []string{"jizerov.example.cz"},
		UpdatedAt: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC),
	}
}

func samplePage(lang i18n.Lang, demo bool, path string) *Page {
	p := &Page{
		Lang: lang, Tenant: sampleTown(), Path: path, Demo: demo,
		AssetVersion: "abc123", RequestID: "req-42XY",
		Nav: []NavItem{{Key: "nav.home", Href: "/"}, {Key: "nav.contacts", Href: "/kontakty"}},
	}
	for i := range p.Nav {
		p.Nav[i].Current = p.Nav[i].Href == path
	}
	return p
}

func sampleHome() HomeData {
	var d HomeData
	for i, name := range []string{"situations", "obligations", "submissions", "notices", "messages", "account"} {
		d.Entries = append(d.Entries, EntryPoint{
			TitleKey: "home.entry." + name + ".title", TextKey: "home.entry." + name + ".text",
			Href: "/" + name, Ready: i%2 == 0,
		})
	}
	return d
}

type rendered struct {
	name string
	page *Page
	html string
	doc  *html.Node
}

func render(t *testing.T, name string, p *Page, c templ.Component) rendered {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(context.Background(), &buf); err != nil {
		t.Fatalf("%s: render: %v", name, err)
	}
	doc, err := html.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("%s: parse: %v", name, err)
	}
	return rendered{name: name, page: p, html: buf.String(), doc: doc}
}

// everyPage renders every component in both languages, with and without
// the DEMO banner.
func everyPage(t *testing.T) []rendered {
	var out []rendered
	for _, lang := range i18n.Langs {
		for _, demo := range []bool{false, true} {
			tag := fmt.Sprintf("%s/demo=%v", lang, demo)
			p := samplePage(lang, demo, "/")
			out = append(out, render(t, "home "+tag, p, HomePage(p, sampleHome())))
			p = samplePage(lang, demo, "/kontakty")
			out = append(out, render(t, "contacts "+tag, p, ContactsPage(p)))
			p = samplePage(lang, demo, "/prohlaseni-o-pristupnosti")
			out = append(out, render(t, "a11y "+tag, p, AccessibilityPage(p)))
			for _, st := range []int{400, 403, 404, 405, 409, 413, 429, 500, 503} {
				p = samplePage(lang, demo, "/x")
				out = append(out, render(t, fmt.Sprintf("error %d %s", st, tag), p, ErrorPage(p, ErrorData{Status: st})))
			}
			p = samplePage(lang, demo, "/x")
			p.Tenant, p.Nav = nil, nil
			out = append(out, render(t, "error 500 no town "+tag, p, ErrorPage(p, ErrorData{Status: 500})))
			p = samplePage(lang, demo, "/")
			p.Tenant, p.Nav = nil, nil
			out = append(out, render(t, "unknownhost "+tag, p, UnknownHostPage(p)))
		}
	}
	return out
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if match(c) {
			out = append(out, c)
		}
	}
	return out
}

func element(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == tag }
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

var rawKey = regexp.MustCompile(`\b(layout|home|contacts|a11y|error|unknownhost|nav|portal|weekday)\.[a-z_.0-9]+\b`)

func TestPagesStructure(t *testing.T) {
	t.Parallel()
	for _, r := range everyPage(t) {
		t.Run(r.name, func(t *testing.T) {
			if n := len(findAll(r.doc, element("h1"))); n != 1 {
				t.Errorf("%d <h1> elements, want 1", n)
			}
			htmls := findAll(r.doc, element("html"))
			if lang, _ := attr(htmls[0], "lang"); lang != string(r.page.Lang) {
				t.Errorf("<html lang=%q>, want %q", lang, r.page.Lang)
			}
			// The CSP forbids inline script and style.
			if strings.Contains(r.html, "<script") || strings.Contains(strings.ToLower(r.html), "<style") {
				t.Error("inline <script> or <style>")
			}
			for _, n := range findAll(r.doc, func(n *html.Node) bool { return n.Type == html.ElementNode }) {
				for _, a := range n.Attr {
					if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
						t.Errorf("<%s %s=...> is not allowed", n.Data, a.Key)
					}
					if (a.Key == "href" || a.Key == "src") && strings.HasPrefix(strings.ToLower(a.Val), "javascript:") {
						t.Errorf("javascript: URL in <%s>", n.Data)
					}
				}
			}
			// The skip link is the first link and leads to <main id="obsah">.
			links := findAll(r.doc, element("a"))
			if href, _ := attr(links[0], "href"); href != "#obsah" {
				t.Errorf("first link goes to %q, want the skip link to #obsah", href)
			}
			mains := findAll(r.doc, element("main"))
			if len(mains) != 1 {
				t.Fatalf("%d <main>, want 1", len(mains))
			}
			if id, _ := attr(mains[0], "id"); id != "obsah" {
				t.Errorf("<main id=%q>", id)
			}
			demo := strings.Contains(r.html, "DEMO")
			if demo != r.page.Demo {
				t.Errorf("DEMO banner shown = %v, want %v", demo, r.page.Demo)
			}
			if m := rawKey.FindString(text(r.doc)); m != "" {
				t.Errorf("untranslated key %q in the text", m)
			}
			for _, n := range findAll(r.doc, element("img")) {
				if _, ok := attr(n, "alt"); !ok {
					t.Errorf("<img> without alt")
				}
			}
			for _, n := range findAll(r.doc, element("nav")) {
				if _, ok := attr(n, "aria-label"); !ok {
					t.Errorf("<nav> without aria-label")
				}
			}
			ids := map[string]bool{}
			for _, n := range findAll(r.doc, func(n *html.Node) bool { _, ok := attr(n, "id"); return ok }) {
				id, _ := attr(n, "id")
				if ids[id] {
					t.Errorf("id %q used twice", id)
				}
				ids[id] = true
			}
			for _, n := range findAll(r.doc, func(n *html.Node) bool { _, ok := attr(n, "aria-labelledby"); return ok }) {
				if id, _ := attr(n, "aria-labelledby"); !ids[id] {
					t.Errorf("aria-labelledby=%q names no element", id)
				}
			}
		})
	}
}

func TestLayoutTown(t *testing.T) {
	t.Parallel()
	p := samplePage(i18n.CS, false, "/kontakty")
	p.Title = "Kontakty"
	r := render(t, "contacts", p, ContactsPage(p))
	for _, want := range []string{
		`href="/static/site.css?v=abc123"`, `href="/barvy.css?v=`, `<link rel="icon" href="/erb.svg"`,
		`<img src="/erb.svg" alt=""`, `href="tel:+420485000111"`, `href="mailto:podatelna@jizerov.example.cz"`,
		`href="/prohlaseni-o-pristupnosti"`, `<title>Kontakty – Jizerov – Portál občana</title>`,
	} {
		if !strings.Contains(r.html, want) {
			t.Errorf("missing %s", want)
		}
	}
	// The language switch offers English, marked as English.
	var sw *html.Node
	for _, a := range findAll(r.doc, element("a")) {
		if h, _ := attr(a, "hreflang"); h == "en" {
			sw = a
		}
	}
	if sw == nil {
		t.Fatal("no link with hreflang=en")
	}
	if href, _ := attr(sw, "href"); href != "/jazyk/en?next=%2Fkontakty" {
		t.Errorf("switch goes to %q", href)
	}
	if l, _ := attr(sw, "lang"); l != "en" || text(sw) != "English" {
		t.Errorf("switch lang=%q text=%q", l, text(sw))
	}
	// Exactly the current nav item is marked.
	var current []string
	for _, a := range findAll(r.doc, element("a")) {
		if v, ok := attr(a, "aria-current"); ok && v == "page" {
			current = append(current, text(a))
		}
	}
	if len(current) != 1 || current[0] != "Kontakty" {
		t.Errorf("aria-current on %q, want [Kontakty]", current)
	}
	for _, want := range []string{"CZ81 2010 0000 0012 3456 7004", "12345679", "jzr7abc", "Statutární město Jizerov",
		"pondělí", "08:00–12:00, 13:00–17:00", "V ostatní dny je úřad zavřený."} {
		if !strings.Contains(text(r.doc), want) {
			t.Errorf("contacts page lacks %q", want)
		}
	}
	if n := len(findAll(r.doc, element("caption"))); n != 1 {
		t.Errorf("%d table captions, want 1", n)
	}
	for _, th := range findAll(r.doc, element("th")) {
		if s, _ := attr(th, "scope"); s != "col" && s != "row" {
			t.Errorf("<th> without scope: %q", text(th))
		}
	}

	p = samplePage(i18n.EN, false, "/")
	r = render(t, "home en", p, HomePage(p, HomeData{}))
	if !strings.Contains(r.html, `<html lang="en">`) || !strings.Contains(text(r.doc), "Monday") ||
		!strings.Contains(r.html, `hreflang="cs"`) || !strings.Contains(text(r.doc), "Čeština") {
		t.Error("English page: lang, weekday names or switch to Czech missing")
	}
}

func TestHomeEntries(t *testing.T) {
	t.Parallel()
	p := samplePage(i18n.CS, false, "/")
	d := HomeData{Entries: []EntryPoint{
		{TitleKey: "home.entry.obligations.title", TextKey: "home.entry.obligations.text", Href: "/zavazky", Ready: true},
		{TitleKey: "home.entry.notices.title", TextKey: "home.entry.notices.text", Href: "/uredni-deska"},
	}}
	r := render(t, "home", p, HomePage(p, d))
	if !strings.Contains(text(r.doc), "Vítá vás Jizerov") {
		t.Error("no greeting with the town's name")
	}
	if !strings.Contains(r.html, `href="/zavazky"`) {
		t.Error("a ready entry is not a link")
	}
	if strings.Contains(r.html, `href="/uredni-deska"`) {
		t.Error("an entry that is not ready is a link")
	}
	if strings.Count(text(r.doc), "Připravujeme") != 1 {
		t.Error("want exactly one 'Připravujeme' badge")
	}
}

func TestErrorPages(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		status   int
		lang     i18n.Lang
		title    string
		showCode bool
	}{
		{404, i18n.CS, "Stránka nenalezena", false},
		{404, i18n.EN, "Page not found", false},
		{409, i18n.CS, "Něco se nepovedlo", false},
		{500, i18n.CS, "Chyba na naší straně", true},
		{503, i18n.EN, "The portal is temporarily unavailable", true},
	} {
		p := samplePage(c.lang, false, "/x")
		r := render(t, "error", p, ErrorPage(p, ErrorData{Status: c.status}))
		if h1 := findAll(r.doc, element("h1")); text(h1[0]) != c.title {
			t.Errorf("%d %s: h1 %q, want %q", c.status, c.lang, text(h1[0]), c.title)
		}
		if got := strings.Contains(r.html, "req-42XY"); got != c.showCode {
			t.Errorf("%d: request id shown = %v", c.status, got)
		}
		if !strings.Contains(r.html, `href="/"`) {
			t.Errorf("%d: no link home", c.status)
		}
	}
}

func TestUnknownHost(t *testing.T) {
	t.Parallel()
	p := &Page{Lang: i18n.CS, AssetVersion: "v1", Path: "/"}
	r := render(t, "unknown", p, UnknownHostPage(p))
	s := text(r.doc)
	cs, en := strings.Index(s, "Tato adresa nepatří žádné obci"), strings.Index(s, "This address does not belong to any town")
	if cs < 0 || en < 0 || cs > en {
		t.Errorf("want Czech then English text, got %q", s)
	}
	for _, bad := range []string{"/erb.svg", "/barvy.css", "<nav", "/jazyk/", "Jizerov"} {
		if strings.Contains(r.html, bad) {
			t.Errorf("unknown-host page contains %q", bad)
		}
	}
	var langs []string
	for _, n := range findAll(r.doc.FirstChild.NextSibling, func(n *html.Node) bool { _, ok := attr(n, "lang"); return ok }) {
		l, _ := attr(n, "lang")
		langs = append(langs, l)
	}
	if strings.Join(langs, ",") != "cs,en" {
		t.Errorf("lang attributes inside <html>: %v, want [cs en]", langs)
	}
}

func TestFormatIBAN(t *testing.T) {
	t.Parallel()
	if got := FormatIBAN("cz8120100000001234567004"); got != "CZ81 2010 0000 0012 3456 7004" {
		t.Errorf("FormatIBAN = %q", got)
	}
	if got := telHref("+420 485 000 111"); got != "tel:+420485000111" {
		t.Errorf("telHref = %q", got)
	}
}
