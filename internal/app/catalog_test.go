package app

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/radnice/radnice/internal/catalog"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/demo"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/form"
)

// The catalogue's pages: the demo content published for town A, a small
// catalogue with a hostile body for town B.
func TestCatalogPages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, _ := testPortal(t, func(d *db.DB) {
		a := fixture.Town(t, d, "alfa", 0)
		b := fixture.Town(t, d, "beta", 0)
		// The general submission form, which the demo's situations link.
		slug, def, err := demo.Form("forms/jizerov/05-obecne-podani.json")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := (&form.Store{DB: d}).Publish(ctx, a.ID, slug, def); err != nil {
			t.Fatal(err)
		}
		s := &catalog.Store{DB: d}
		if err := demo.PublishCatalog(ctx, s, a.ID); err != nil {
			t.Fatal(err)
		}
		// Publishing again changes nothing (the demo does it at each start).
		if err := demo.PublishCatalog(ctx, s, a.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.UpsertCategory(ctx, b.ID, catalog.Category{Slug: "ostatni", Name: catalog.Text{CS: "Ostatní věci"}}); err != nil {
			t.Fatal(err)
		}
		for _, st := range []catalog.Situation{
			{Slug: "chodnik", Category: "ostatni", Status: catalog.Published, Title: catalog.Text{CS: "Chodník před domem"},
				Body: catalog.Text{CS: "<script>alert(1)</script>\n\n[klikni](javascript:alert(2)) <img src=x onerror=alert(3)>"}},
			{Slug: "cesta", Category: "ostatni", Status: catalog.Published, Title: catalog.Text{CS: "Cesta k úřadu"}},
			{Slug: "hriste", Category: "ostatni", Status: catalog.Published, Title: catalog.Text{CS: "Hřiště"}},
			{Slug: "tajne", Category: "ostatni", Title: catalog.Text{CS: "Tajný koncept"}},
		} {
			if _, err := s.Upsert(ctx, b.ID, st); err != nil {
				t.Fatal(err)
			}
		}
	})
	page := func(host, path, lang string) (int, string, http.Header) {
		w := get(t, h, http.MethodGet, host, path, map[string]string{"Cookie": "lang=" + lang})
		return w.Code, w.Body.String(), w.Header()
	}

	code, body, _ := page("alfa.test", "/potrebuji-vyridit", "cs")
	wantBody(t, "categories", code, body, http.StatusOK, "<h1>Potřebuji vyřídit</h1>", "Doklady", "Odpady",
		`href="/potrebuji-vyridit/odpady/bioodpad"`, "Hnědá popelnice na bioodpad", `href="/a-z"`, `href="/potrebuji-vyridit"`)

	code, body, _ = page("alfa.test", "/potrebuji-vyridit/odpady", "cs")
	wantBody(t, "a category", code, body, http.StatusOK, "<h1>Odpady</h1>", "Sběrný dvůr", "Poplatek za komunální odpad")
	if strings.Contains(body, "Občanský průkaz") {
		t.Error("the waste category lists an identity card")
	}

	code, body, _ = page("alfa.test", "/potrebuji-vyridit/odpady/bioodpad", "cs")
	wantBody(t, "a situation", code, body, http.StatusOK, "<h1>Hnědá popelnice na bioodpad</h1>",
		"Kdo může žádat", "Co si vzít s sebou", "Kolik to stojí", "Lhůty", "Zákon č. 541/2020 Sb., o odpadech",
		`href="https://mapy.cz/zakladni?q=Palachova+7%2C+Jizerov"`, "Vyplnit formulář", `href="/formulare#form-obecne-podani"`,
		`href="/potrebuji-vyridit/odpady/sberny-dvur"`, "Související životní situace",
		"<h3>Postup</h3>", "<ol><li>Podejte žádost", `href="mailto:zivotni.prostredi@jizerov.example.cz"`, `href="tel:+420485000710"`)

	// English where there is a translation; Czech, marked, where not.
	code, body, _ = page("alfa.test", "/potrebuji-vyridit/odpady/sberny-dvur", "en")
	wantBody(t, "an English situation", code, body, http.StatusOK, "<h1>Recycling centre</h1>", "What to bring", "Show Průmyslová 14, Jizerov on the map")
	code, body, _ = page("alfa.test", "/potrebuji-vyridit/odpady/bioodpad", "en")
	wantBody(t, "a situation without English", code, body, http.StatusOK, `<h1 lang="cs">Hnědá popelnice na bioodpad</h1>`, "What to bring")

	// Unknown, another town's, a draft, a bad slug: 404; the wrong category
	// sends to the right one.
	for _, c := range []struct{ host, path string }{
		{"alfa.test", "/potrebuji-vyridit/odpady/neexistuje"},
		{"alfa.test", "/potrebuji-vyridit/neexistuje"},
		{"alfa.test", "/potrebuji-vyridit/ostatni/chodnik"},
		{"alfa.test", "/potrebuji-vyridit/ostatni"},
		{"beta.test", "/potrebuji-vyridit/odpady/bioodpad"},
		{"beta.test", "/potrebuji-vyridit/odpady"},
		{"beta.test", "/potrebuji-vyridit/ostatni/tajne"},
		{"alfa.test", "/potrebuji-vyridit/odpady/%3Cscript%3E"},
		{"alfa.test", "/potrebuji-vyridit/Odpady/bioodpad"},
	} {
		if code, body, _ := page(c.host, c.path, "cs"); code != http.StatusNotFound {
			t.Errorf("%s%s: %d, want 404", c.host, c.path, code)
		} else if strings.Contains(body, "Hnědá popelnice") || strings.Contains(body, "Tajný koncept") {
			t.Errorf("%s%s: the 404 page shows the situation", c.host, c.path)
		}
	}
	if code, _, hd := page("alfa.test", "/potrebuji-vyridit/psi/bioodpad", "cs"); code != http.StatusMovedPermanently ||
		hd.Get("Location") != "/potrebuji-vyridit/odpady/bioodpad" {
		t.Errorf("a situation under another category: %d %s", code, hd.Get("Location"))
	}

	// A hostile body is shown as text.
	code, body, _ = page("beta.test", "/potrebuji-vyridit/ostatni/chodnik", "cs")
	wantBody(t, "a hostile body", code, body, http.StatusOK, "&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(3)&gt;", "klikni")
	for _, bad := range []string{"<script>alert", "javascript:", "<img src=x"} {
		if strings.Contains(body, bad) {
			t.Errorf("the hostile body passed %q", bad)
		}
	}

	// A–Z: Czech order, letters with anchors, "Ch" after "H".
	code, body, _ = page("beta.test", "/a-z", "cs")
	wantBody(t, "A–Z at B", code, body, http.StatusOK, `href="#pismeno-ch"`, `id="pismeno-ch"`, `id="pismeno-h"`)
	inOrder(t, body, "Cesta k úřadu", "Hřiště", "Chodník před domem")
	if strings.Contains(body, "Tajný koncept") || strings.Contains(body, "Hnědá popelnice") {
		t.Error("A–Z at B shows a draft or A's situation")
	}
	code, body, _ = page("alfa.test", "/a-z", "cs")
	wantBody(t, "A–Z at A", code, body, http.StatusOK, "Životní situace od A do Z", `id="pismeno-r2"`, `id="pismeno-z2"`)
	inOrder(t, body, `id="pismeno-r"`, "Rodičovský příspěvek", `id="pismeno-r2"`, "Řidičský průkaz", `id="pismeno-s"`, "Sběrný dvůr",
		`id="pismeno-z"`, "Zápis do základní školy", `id="pismeno-z2"`, "Žádost o informace", "Živnostenské oprávnění")
	code, body, _ = page("alfa.test", "/a-z", "en")
	wantBody(t, "A–Z in English", code, body, http.StatusOK, "Recycling centre", `<span lang="cs">Hnědá popelnice na bioodpad</span>`)

	// Strict CSP: no inline scripts or styles on any catalogue page.
	for _, path := range []string{"/potrebuji-vyridit", "/potrebuji-vyridit/odpady", "/potrebuji-vyridit/odpady/bioodpad", "/a-z"} {
		_, body, _ := page("alfa.test", path, "cs")
		if strings.Contains(body, "<script") || strings.Contains(body, "style=") || strings.Contains(body, "<style") {
			t.Errorf("%s has an inline script or style", path)
		}
	}

	// The navigation offers the catalogue.
	_, body, _ = page("alfa.test", "/", "cs")
	if !strings.Contains(body, `href="/potrebuji-vyridit"`) {
		t.Error("the home page's navigation has no catalogue")
	}
}

// inOrder checks that the texts occur in body in this order.
func inOrder(t *testing.T, body string, texts ...string) {
	t.Helper()
	at := 0
	for _, s := range texts {
		i := strings.Index(body[at:], s)
		if i < 0 {
			t.Errorf("%q is missing or out of order (after %d)", s, at)
			return
		}
		at += i + len(s)
	}
}
