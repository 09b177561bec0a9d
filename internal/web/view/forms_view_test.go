package view

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/radnice/radnice/internal/i18n"
)

func sampleStep(withErrors bool) DraftStepData {
	d := DraftStepData{DraftID: 7, Token: "0123456789abcdef0123456789abcdef", FormTitle: "Přihlášení psa k poplatku", Party: "Jan Novák",
		Step: 0, StepTitle: "Držitel psa", Multipart: true, First: true, Notice: "form.more",
		Steps: []StepLink{{Title: "Držitel psa", Current: true, Href: "/formulare/koncept/7?krok=0"}, {Title: "Pes"}, {Title: "Kontrola"}},
		Fields: []FormField{
			{ID: "drzitel", Type: "household", Label: "Kdo psa drží", Required: true, Hint: "Vy nebo člen domácnosti.",
				Options: []FormOption{{Value: "1", Label: "Jan Novák", Checked: true}, {Value: "2", Label: "Eva Nováková"}}},
			{ID: "email", Type: "email", Label: "E-mail", MaxLen: 254},
			{ID: "vaha", Type: "number", Label: "Váha", MaxLen: 30},
			{ID: "narozen", Type: "date", Label: "Narozen", Required: true},
			{ID: "popis", Type: "textarea", Label: "Popis", MaxLen: 2000},
			{ID: "druh", Type: "choice", Label: "Druh", Multiple: true, Options: []FormOption{{Value: "a", Label: "A"}, {Value: "b", Label: "B"}}},
			{ID: "adresa", Type: "address", Label: "Adresa", Required: true, Parts: []FormPart{
				{Name: "adresa.street", InputID: "f-adresa-street", Label: "Ulice", MaxLen: 100, Autocomplete: "address-line1"},
				{Name: "adresa.zip", InputID: "f-adresa-zip", Label: "PSČ", MaxLen: 100, InputMode: "numeric"}}},
			{ID: "misto", Type: "location", Label: "Místo", Parts: []FormPart{
				{Name: "misto.text", InputID: "f-misto-text", Label: "Popis místa", MaxLen: 500, Textarea: true},
				{Name: "misto.lat", InputID: "f-misto-lat", Label: "Šířka", MaxLen: 30, InputMode: "decimal"}}},
			{ID: "doklad", Type: "file", Label: "Doklad", MaxFiles: 2, Files: []FormFile{{ID: 3, Name: "rozhodnuti.pdf", Size: 123456}}},
		},
	}
	if withErrors {
		d.Fields[1].Error = "Zadejte e-mailovou adresu."
		d.Fields[6].Parts[1].Error = "PSČ má pět číslic."
		d.Errors = []FormError{{Href: "#f-email", Text: "E-mail: Zadejte e-mailovou adresu."},
			{Href: "#f-adresa-zip", Text: "Adresa: PSČ má pět číslic."}, {Href: "#f-drzitel-0", Text: "Kdo: vyberte"}}
	}
	return d
}

func sampleReview(low bool) ReviewData {
	return ReviewData{DraftID: 7, FormTitle: "Přihlášení psa k poplatku", Party: "Jan Novák", Department: "Odbor ekonomiky",
		Token: "0123456789abcdef0123456789abcdef", Steps: []StepLink{{Title: "Držitel", Href: "/formulare/koncept/7?krok=0"}, {Title: "Kontrola", Current: true}},
		Sections: []ReviewSection{{Title: "Pes", Edit: "/formulare/koncept/7?krok=1", Rows: []ReviewRow{
			{Label: "Jméno", Lines: []string{"Alík"}}, {Label: "Telefon"},
			{Label: "Doklad", Files: []FormFile{{ID: 3, Name: "rozhodnuti.pdf", Size: 2 << 20}}}}}},
		Declarations: []ReviewDeclaration{{ID: "pravdivost", Text: "Údaje jsou pravdivé."}, {ID: "zmeny", Text: "Změny oznámím."}},
		HasPrice:     true, Price: 20000, LevelLow: low, Relogin: "/prihlaseni?uroven=2&next=%2Fformulare%2Fkoncept%2F7%2Fkontrola",
		Errors: []FormError{{Href: "#prohlaseni", Text: "Potvrďte prosím všechna prohlášení."}}}
}

var formKey = regexp.MustCompile(`\bforms?\.[a-z_.0-9]+\b`)

// The forms' pages: one <h1>, no inline script or style, unique ids,
// every control labelled, descriptions and error links that lead
// somewhere, no untranslated key; the step's Enter key presses Next.
func TestFormPagesStructure(t *testing.T) {
	t.Parallel()
	var pages []rendered
	for _, lang := range i18n.Langs {
		p := samplePage(lang, false, "/formulare")
		pages = append(pages, render(t, "forms "+string(lang), p, FormsPage(p, FormsData{SignedIn: true, CanFile: true, Notice: "forms.notice.saved",
			Parties: []PartyOption{{Key: "person:1", Label: "Jan", Selected: true}, {Key: "company:2", Label: "Firma"}},
			Forms: []FormCard{{Slug: "pes", Title: "Pes", Intro: "Úvod", Department: "Odbor", HasPrice: true, Price: 20000, PriceMax: 150000,
				LevelKey: "forms.level.substantial"}, {Slug: "zavada", Title: "Závada", LevelKey: "forms.level.low"}},
			Drafts: []DraftRow{{ID: 7, Title: "Pes", Party: "Jan", Updated: time.Now(), Step: 1, Steps: 2}}})))
		p = samplePage(lang, false, "/formulare")
		pages = append(pages, render(t, "forms anonymous "+string(lang), p, FormsPage(p, FormsData{
			Forms: []FormCard{{Slug: "pes", Title: "Pes", LevelKey: "forms.level.high"}}})))
		for _, errs := range []bool{false, true} {
			p = samplePage(lang, false, "/formulare/koncept/7")
			pages = append(pages, render(t, "step "+string(lang), p, DraftStepPage(p, sampleStep(errs))))
		}
		for _, low := range []bool{false, true} {
			p = samplePage(lang, false, "/formulare/koncept/7/kontrola")
			pages = append(pages, render(t, "review "+string(lang), p, DraftReviewPage(p, sampleReview(low))))
		}
	}
	for _, r := range pages {
		t.Run(r.name, func(t *testing.T) {
			if n := len(findAll(r.doc, element("h1"))); n != 1 {
				t.Errorf("%d <h1>", n)
			}
			if strings.Contains(r.html, "<script") || strings.Contains(strings.ToLower(r.html), "<style") {
				t.Error("inline <script> or <style>")
			}
			ids := map[string]bool{}
			for _, n := range findAll(r.doc, func(n *html.Node) bool { return n.Type == html.ElementNode }) {
				for _, a := range n.Attr {
					if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
						t.Errorf("<%s %s=...>", n.Data, a.Key)
					}
					if a.Key == "id" {
						if ids[a.Val] {
							t.Errorf("id %q twice", a.Val)
						}
						ids[a.Val] = true
					}
				}
			}
			labelled := map[string]bool{}
			for _, l := range findAll(r.doc, element("label")) {
				if f, ok := attr(l, "for"); ok {
					labelled[f] = true
				}
			}
			for _, n := range findAll(r.doc, func(n *html.Node) bool {
				return n.Type == html.ElementNode && (n.Data == "input" || n.Data == "select" || n.Data == "textarea")
			}) {
				if typ, _ := attr(n, "type"); typ == "hidden" {
					continue
				}
				id, _ := attr(n, "id")
				if !labelled[id] {
					t.Errorf("<%s id=%q> has no label", n.Data, id)
				}
				if v, ok := attr(n, "aria-describedby"); ok {
					for _, ref := range strings.Fields(v) {
						if !ids[ref] {
							t.Errorf("aria-describedby names %q, which is not there", ref)
						}
					}
					if v == "" {
						t.Errorf("an empty aria-describedby on %q", id)
					}
				}
			}
			for _, a := range findAll(r.doc, element("a")) {
				if href, _ := attr(a, "href"); strings.HasPrefix(href, "#") && !ids[href[1:]] {
					t.Errorf("a link to %s, which is not on the page", href)
				}
			}
			for _, b := range findAll(r.doc, element("button")) {
				if f, ok := attr(b, "form"); ok && !ids[f] {
					t.Errorf("a button of form %q, which is not on the page", f)
				}
			}
			if m := formKey.FindString(text(r.doc)); m != "" {
				t.Errorf("untranslated key %q", m)
			}
			// Enter in a field presses the step form's first button: Next.
			if strings.HasPrefix(r.name, "step") {
				forms := findAll(r.doc, func(n *html.Node) bool {
					cls, _ := attr(n, "class")
					return n.Type == html.ElementNode && n.Data == "form" && cls == "form"
				})
				var first *html.Node
				for _, b := range findAll(forms[0], element("button")) {
					if _, other := attr(b, "form"); !other {
						first = b
						break
					}
				}
				if first == nil {
					t.Fatal("the step has no button")
				}
				if v, _ := attr(first, "value"); v != "dalsi" {
					t.Errorf("the first button of the step is %q", v)
				}
			}
		})
	}
}
