package demo

import (
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"
)

// rawHTML finds what a Markdown renderer would pass through as HTML: a
// '<' followed by a letter (a tag) or by '/' or '!' (a closing tag or a
// comment).
var rawHTML = regexp.MustCompile(`<[A-Za-z/!]`)

// The demo catalogue of life situations is complete and consistent: enough
// situations, an English subset, known categories each used, related
// situations and forms that exist, the texts a page needs, Markdown
// without raw HTML and the town's e-mail domain.
func TestDemoCatalogValid(t *testing.T) {
	t.Parallel()
	c, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Categories) != 12 {
		t.Errorf("%d categories, want 12", len(c.Categories))
	}
	cats := map[string]int{}
	for _, k := range c.Categories {
		if _, dup := cats[k.Slug]; dup || k.Slug == "" {
			t.Errorf("category %q empty or twice", k.Slug)
		}
		cats[k.Slug] = 0
		if k.Name.CS == "" || k.Name.EN == "" || k.Description.CS == "" || k.Description.EN == "" {
			t.Errorf("category %s: a name or description is missing a language", k.Slug)
		}
	}

	if len(c.Situations) < 60 {
		t.Errorf("%d situations, want at least 60", len(c.Situations))
	}
	names, err := fs.Glob(catalogFiles, "catalog/situations/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != len(c.Situations) {
		t.Errorf("%d files in catalog/situations, %d situations (a file is not .json?)", len(names), len(c.Situations))
	}

	forms := map[string]bool{}
	formNames, err := FormFiles("jizerov")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range formNames {
		slug, _, err := Form(n)
		if err != nil {
			t.Fatal(err)
		}
		forms[slug] = true
	}

	slugOK := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	slugs := map[string]bool{}
	for _, s := range c.Situations {
		if slugs[s.Slug] {
			t.Errorf("situation %q twice", s.Slug)
		}
		slugs[s.Slug] = true
		if !slugOK.MatchString(s.Slug) {
			t.Errorf("slug %q is not lowercase ASCII with hyphens", s.Slug)
		}
	}

	english := 0
	for _, s := range c.Situations {
		name := path.Join("catalog/situations", s.Slug+".json")
		if _, err := fs.Stat(catalogFiles, name); err != nil {
			t.Errorf("situation %q is not in %s", s.Slug, name)
		}
		if _, ok := cats[s.Category]; !ok {
			t.Errorf("%s: unknown category %q", s.Slug, s.Category)
		} else {
			cats[s.Category]++
		}
		for what, v := range map[string]string{
			"title": s.Title.CS, "summary": s.Summary.CS, "who": s.Who.CS, "where": s.Where.CS,
			"body": s.Body.CS, "department": s.Department, "hours": s.Hours.CS, "cost": s.Cost.CS,
			"contact department": s.Contact.Department, "contact phone": s.Contact.Phone,
		} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: no Czech %s", s.Slug, what)
			}
		}
		if len(s.Bring) == 0 || len(s.LegalBasis) == 0 || len(s.Keywords) == 0 || len(s.Related) == 0 {
			t.Errorf("%s: bring, legal basis, keywords or related is empty", s.Slug)
		}
		if s.Title.EN != "" && s.Summary.EN != "" && s.Body.EN != "" {
			english++
		}
		for _, r := range s.Related {
			if r == s.Slug {
				t.Errorf("%s: related to itself", s.Slug)
			} else if !slugs[r] {
				t.Errorf("%s: related situation %q does not exist", s.Slug, r)
			}
		}
		for _, f := range s.Forms {
			if !forms[f] {
				t.Errorf("%s: form %q is not a Jizerov demo form", s.Slug, f)
			}
		}
		for _, b := range []struct{ lang, text string }{{"cs", s.Body.CS}, {"en", s.Body.EN}} {
			if loc := rawHTML.FindStringIndex(b.text); loc != nil {
				t.Errorf("%s: raw HTML in the %s body: %q", s.Slug, b.lang, b.text[loc[0]:min(loc[1]+10, len(b.text))])
			}
		}
		if !strings.HasSuffix(s.Contact.Email, "@jizerov.example.cz") || strings.HasPrefix(s.Contact.Email, "@") {
			t.Errorf("%s: e-mail %q is not at jizerov.example.cz", s.Slug, s.Contact.Email)
		}
	}
	if english < 20 {
		t.Errorf("%d situations in English, want at least 20", english)
	}
	for k, n := range cats {
		if n < 2 {
			t.Errorf("category %s has %d situations, want at least 2", k, n)
		}
	}
}
