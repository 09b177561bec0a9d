package search_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/search"
	"github.com/radnice/radnice/internal/tenant"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.txt from this engine's answers")

type corpusDoc struct {
	Kind      string `json:"kind"`
	Ref       int64  `json:"ref"`
	Lang      string `json:"lang"`
	URL       string `json:"url"`
	Title     string `json:"title"`
	Body      string `json:"body"`
	Published *bool  `json:"published"`
}

var stamp = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

func corpus(t testing.TB, tenantID int64) []search.Doc {
	t.Helper()
	raw, err := os.ReadFile("testdata/docs.json")
	if err != nil {
		t.Fatal(err)
	}
	var cd []corpusDoc
	if err := json.Unmarshal(raw, &cd); err != nil {
		t.Fatal(err)
	}
	docs := make([]search.Doc, len(cd))
	for i, c := range cd {
		docs[i] = search.Doc{TenantID: tenantID, Kind: c.Kind, RefID: c.Ref, Lang: c.Lang, URL: c.URL, Title: c.Title,
			Body: c.Body, Published: c.Published == nil || *c.Published, UpdatedAt: stamp}
	}
	return docs
}

type rig struct {
	ctx   context.Context
	d     *db.DB
	store *search.Store
	alfa  *tenant.Tenant
	beta  *tenant.Tenant
}

// newRig indexes the test corpus in town alfa, and a document only town
// beta has.
func newRig(t *testing.T) *rig {
	t.Helper()
	d := dbtest.Open(t)
	r := &rig{ctx: context.Background(), d: d, store: &search.Store{DB: d},
		alfa: fixture.Town(t, d, "alfa", 0), beta: fixture.Town(t, d, "beta", 0)}
	if err := r.store.IndexMany(r.ctx, corpus(t, r.alfa.ID)); err != nil {
		t.Fatal(err)
	}
	if err := r.store.Index(r.ctx, search.Doc{TenantID: r.beta.ID, Kind: search.KindPage, RefID: 1, Lang: "cs", URL: "/stranky/zbrojnice",
		Title: "Hasičská zbrojnice", Body: "Sbor dobrovolných hasičů zve na den otevřených dveří. Občanský průkaz netřeba.", Published: true,
		UpdatedAt: stamp}); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) titles(t *testing.T, tenantID int64, q string) []string {
	t.Helper()
	res, err := r.store.Search(r.ctx, tenantID, q, "cs", 10)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	out := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.Title
	}
	return out
}

func marked(segs []search.Segment) string {
	var b strings.Builder
	for _, s := range segs {
		if s.Hit {
			b.WriteString("[" + s.Text + "]")
		} else {
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

func TestSearch(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	first := func(q, want string) {
		t.Helper()
		got := r.titles(t, r.alfa.ID, q)
		if len(got) == 0 || got[0] != want {
			t.Errorf("%q: first hit %q, want %q", q, got, want)
		}
	}
	t.Run("diacritics", func(t *testing.T) { first("obcansky prukaz", "Občanský průkaz") })
	t.Run("case", func(t *testing.T) {
		first("OBČANSKÝ PRŮKAZ", "Občanský průkaz")
		if a, b := r.titles(t, r.alfa.ID, "OBČANSKÝ PRŮKAZ"), r.titles(t, r.alfa.ID, "obcansky prukaz"); strings.Join(a, "|") != strings.Join(b, "|") {
			t.Errorf("case changes the result: %q vs %q", a, b)
		}
	})
	t.Run("prefix", func(t *testing.T) {
		got := r.titles(t, r.alfa.ID, "obč")
		if len(got) < 2 || got[0] != "Občanský průkaz" || got[1] != "Ztráta nebo odcizení občanského průkazu" {
			t.Errorf("obč: %q", got)
		}
		first("sběrn", "Sběrný dvůr")
		first("kompost", "Bioodpad a kompostéry")
	})
	t.Run("czech forms", func(t *testing.T) {
		first("průkazy", "Občanský průkaz")
		first("občanského průkazu", "Občanský průkaz")
		first("poplatku ze psů", "Poplatek ze psů")
		// "obcí" (stem "obc") is also a prefix, of "občanský" too.
		got := strings.Join(r.titles(t, r.alfa.ID, "obcí"), "|")
		for _, want := range []string{"Kácení dřevin", "Chov hospodářských zvířat", "Poplatek za komunální odpad"} {
			if !strings.Contains(got, want) {
				t.Errorf("obcí: %q lacks %q", got, want)
			}
		}
		// Not the last word: a prefix reaches only three letters further.
		if got := strings.Join(r.titles(t, r.alfa.ID, "obcí povolení"), "|"); strings.Contains(got, "Občanský průkaz") {
			t.Errorf("obcí povolení: %q", got)
		}
		first("rodného listu", "Duplikát rodného listu")
	})
	t.Run("ranking title first", func(t *testing.T) {
		got := r.titles(t, r.alfa.ID, "průkaz")
		if len(got) < 4 {
			t.Fatalf("průkaz: %q", got)
		}
		for _, g := range got[:3] {
			if !strings.Contains(g, "průkaz") {
				t.Errorf("průkaz: %q has a body-only match before a title match", got)
			}
		}
		for _, g := range got[3:] {
			if strings.Contains(strings.ToLower(g), "průkaz") {
				t.Errorf("title match %q after body-only matches: %q", g, got)
			}
		}
	})
	t.Run("typo", func(t *testing.T) {
		first("obcanky prukaz", "Občanský průkaz")
		first("ridicsky prukas", "Řidičský průkaz")
		first("kontejnry", "Nové kontejnery na tříděný odpad")
		first("zastupitelsvta", "Oznámení o konání zasedání zastupitelstva") // 8+ letters: two edits
	})
	t.Run("snippet", func(t *testing.T) {
		res, err := r.store.Search(r.ctx, r.alfa.ID, "vzteklina", "cs", 5)
		if err != nil || len(res.Hits) != 1 {
			t.Fatalf("vzteklina: %v %+v", err, res)
		}
		h := res.Hits[0]
		if s := marked(h.Snippet); !strings.Contains(s, "očkování proti [vzteklině]") {
			t.Errorf("snippet %q", s)
		}
		if marked(h.TitleText) != "Přihlášení psa" || h.URL != "/potrebuji-vyridit/prihlaseni-psa" || h.Kind != search.KindSituation ||
			!h.UpdatedAt.Equal(stamp) {
			t.Errorf("hit %+v", h)
		}
		res, _ = r.store.Search(r.ctx, r.alfa.ID, "cestovní pas", "cs", 5)
		if got := marked(res.Hits[0].TitleText); got != "[Cestovní] [pas]" {
			t.Errorf("title marked %q", got)
		}
	})
	t.Run("nothing found", func(t *testing.T) {
		res, err := r.store.Search(r.ctx, r.alfa.ID, "xylofon", "cs", 10)
		if err != nil || len(res.Hits) != 0 || res.Total != 0 {
			t.Errorf("xylofon: %v %+v", err, res)
		}
		// Only stop words: nothing to look for, found nothing, no error.
		if res, err := r.store.Search(r.ctx, r.alfa.ID, "a na", "cs", 10); err != nil || len(res.Hits) != 0 {
			t.Errorf("stop words: %v %+v", err, res)
		}
	})
	t.Run("only published", func(t *testing.T) {
		if got := r.titles(t, r.alfa.ID, "zveřejněn"); len(got) != 0 {
			t.Errorf("unpublished found: %q", got)
		}
	})
	t.Run("language", func(t *testing.T) {
		res, err := r.store.Search(r.ctx, r.alfa.ID, "identity card", "en", 10)
		if err != nil || len(res.Hits) != 1 || res.Hits[0].Title != "Identity card" {
			t.Errorf("en: %v %+v", err, res)
		}
		if got := r.titles(t, r.alfa.ID, "identity"); len(got) != 0 {
			t.Errorf("English document in Czech search: %q", got)
		}
	})
	t.Run("towns never mix", func(t *testing.T) {
		if got := r.titles(t, r.alfa.ID, "hasičská zbrojnice"); len(got) != 0 {
			t.Errorf("alfa finds beta's page: %q", got)
		}
		if got := r.titles(t, r.beta.ID, "obcansky prukaz"); strings.Join(got, "|") != "Hasičská zbrojnice" {
			t.Errorf("beta finds %q", got)
		}
		if s, err := r.store.Suggest(r.ctx, r.alfa.ID, "hasi", "cs", 10); err != nil || len(s) != 0 {
			t.Errorf("alfa suggests beta's page: %v %+v", err, s)
		}
	})
	t.Run("total and limit", func(t *testing.T) {
		res, err := r.store.Search(r.ctx, r.alfa.ID, "poplatek", "cs", 2)
		if err != nil || len(res.Hits) != 2 || res.Total < 5 {
			t.Errorf("poplatek: %v %d hits of %d", err, len(res.Hits), res.Total)
		}
	})
	t.Run("refused", func(t *testing.T) {
		for _, q := range []string{"", "   ", "!!! ???", strings.Repeat("ab", 101), "a b c d e f g h i j k"} {
			_, err := r.store.Search(r.ctx, r.alfa.ID, q, "cs", 10)
			var inv *derr.InvalidError
			if !errors.Is(err, derr.ErrInvalid) || !errors.As(err, &inv) || !strings.HasPrefix(inv.Fields[0].Key, "search.query.") {
				t.Errorf("query %q: %v", q, err)
			}
		}
		// 200 characters and 10 words are still fine.
		if _, err := r.store.Search(r.ctx, r.alfa.ID, strings.Repeat("x", 200), "cs", 10); err != nil {
			t.Error(err)
		}
		if _, err := r.store.Search(r.ctx, r.alfa.ID, "a b c d e f g h i j", "cs", 10); err != nil {
			t.Error(err)
		}
	})
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	suggest := func(prefix string) string {
		t.Helper()
		s, err := r.store.Suggest(r.ctx, r.alfa.ID, prefix, "cs", 10)
		if err != nil {
			t.Fatalf("Suggest(%q): %v", prefix, err)
		}
		var out []string
		for _, x := range s {
			out = append(out, x.Title)
		}
		return strings.Join(out, "|")
	}
	for prefix, want := range map[string]string{
		"obč":          "Občanský průkaz|Ztráta nebo odcizení občanského průkazu",
		"Obcansky pru": "Občanský průkaz|Ztráta nebo odcizení občanského průkazu",
		"obcansky p":   "Občanský průkaz|Ztráta nebo odcizení občanského průkazu",
		"pr":           "Občanský průkaz|Přihlášení psa|Řidičský průkaz|Ztráta nebo odcizení občanského průkazu",
		"poplatek z":   "Poplatek za komunální odpad|Poplatek ze psů",
		"poplatek ze":  "Poplatek za komunální odpad|Poplatek ze psů",
		"na":           "Narození dítěte|Uzavírka náměstí", // unpublished "Návrh rozpočtu na…" is not offered
		"hr":           "Hrobové místo na hřbitově",
		"ch":           "Chov hospodářských zvířat",
		"o":            "",
		"":             "",
		"zverejn":      "",
	} {
		if got := suggest(prefix); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", prefix, got, want)
		}
	}
	if _, err := r.store.Suggest(r.ctx, r.alfa.ID, strings.Repeat("ab ", 11), "cs", 10); !errors.Is(err, derr.ErrInvalid) {
		t.Errorf("11 words: %v", err)
	}
}

// TestCzechOrder: documents that rank the same are listed by title in
// Czech order (c, č, h, ch, r, ř, z, ž), by both engines.
func TestCzechOrder(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	store := &search.Store{DB: d}
	tn := fixture.Town(t, d, "gama", 0)
	titles := []string{"Žabí potok", "Chata", "Řeka", "Hora", "Čáp", "Cesta", "Zahrada", "Rybník"}
	var docs []search.Doc
	for i, title := range titles {
		docs = append(docs, search.Doc{TenantID: tn.ID, Kind: search.KindPage, RefID: int64(i + 1), Lang: "cs",
			URL: fmt.Sprintf("/stranky/%d", i+1), Title: title, Body: "Výlet do okolí.", Published: true, UpdatedAt: stamp})
	}
	if err := store.IndexMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	res, err := store.Search(ctx, tn.ID, "výlet", "cs", 20)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, h.Title)
	}
	want := "Cesta|Čáp|Hora|Chata|Rybník|Řeka|Zahrada|Žabí potok"
	if strings.Join(got, "|") != want {
		t.Errorf("order %q, want %q", strings.Join(got, "|"), want)
	}
	// A limit inside the tie still cuts in Czech order.
	res, _ = store.Search(ctx, tn.ID, "výlet", "cs", 3)
	if len(res.Hits) != 3 || res.Hits[2].Title != "Hora" || res.Total != 8 {
		t.Errorf("limit 3: %+v", res)
	}
}

// TestReindexAndRemove: indexing again replaces a document's terms;
// unpublishing hides it; removing takes it away.
func TestReindexAndRemove(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	doc := search.Doc{TenantID: r.alfa.ID, Kind: search.KindNews, RefID: 99, Lang: "cs", URL: "/aktuality/99",
		Title: "Vítání občánků", Body: "Slavnostní vítání nových občánků v obřadní síni.", Published: true, UpdatedAt: stamp}
	if err := r.store.Index(r.ctx, doc); err != nil {
		t.Fatal(err)
	}
	if got := r.titles(t, r.alfa.ID, "vítání"); len(got) != 1 {
		t.Fatalf("vítání: %q", got)
	}
	doc.Title, doc.Body = "Svatby v obřadní síni", "Termíny svateb na příští rok."
	if err := r.store.Index(r.ctx, doc); err != nil {
		t.Fatal(err)
	}
	if got := r.titles(t, r.alfa.ID, "vítání"); len(got) != 0 {
		t.Errorf("old terms found: %q", got)
	}
	if got := r.titles(t, r.alfa.ID, "svatby"); strings.Join(got, "|") != "Svatby v obřadní síni" {
		t.Errorf("svatby: %q", got)
	}
	doc.Published = false
	if err := r.store.Index(r.ctx, doc); err != nil {
		t.Fatal(err)
	}
	if got := r.titles(t, r.alfa.ID, "svatby"); len(got) != 0 {
		t.Errorf("unpublished found: %q", got)
	}
	doc.Published = true
	if err := r.store.Index(r.ctx, doc); err != nil {
		t.Fatal(err)
	}
	if err := r.store.Remove(r.ctx, r.alfa.ID, search.KindNews, 99, ""); err != nil {
		t.Fatal(err)
	}
	if got := r.titles(t, r.alfa.ID, "svatby"); len(got) != 0 {
		t.Errorf("removed found: %q", got)
	}
	var n int
	if err := r.d.Read().QueryRow(r.ctx, `SELECT count(*) FROM search_terms t JOIN search_docs d ON d.tenant_id = t.tenant_id AND d.id = t.doc_id
		WHERE d.tenant_id = $1 AND d.ref_id = 99`, r.alfa.ID).Scan(&n); err != nil || n != 0 {
		t.Errorf("terms left: %d %v", n, err)
	}
	// A bad document is refused and changes nothing.
	err := r.store.Index(r.ctx, search.Doc{TenantID: r.alfa.ID, Kind: "recipe", RefID: 1, Lang: "cs", URL: "/x", Title: "x", UpdatedAt: stamp})
	if !errors.Is(err, derr.ErrInvalid) {
		t.Errorf("unknown kind: %v", err)
	}
}

// goldenQueries cover diacritics, case, prefixes, forms, typos, ties and
// misses; both engines must answer each exactly as testdata/golden.txt.
var goldenQueries = []string{
	"obcansky prukaz", "Občanský průkaz", "OBČ", "průkaz", "průkazy", "obcanky prukaz", "pas", "cestovni pas",
	"poplatek", "poplatky za odpad", "poplatek ze psů", "pes", "psa", "odpad", "bioodpad", "kontejnery", "sběrný dvůr",
	"parkovani", "parkovací karta", "odtah", "rodný list", "matrika", "stavební povolení", "kácení stromů", "hřbitov",
	"chov", "čeština", "cestina pro cizince", "úřední hodiny", "náměstí", "zastupitelstvo", "vyhlaska", "zdarma",
	"kč", "radnice", "xylofon", "obec", "obcí", "zasedani zastupitelstva rozpocet", "dotace na kotle",
}

func TestGolden(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	var b strings.Builder
	for _, q := range goldenQueries {
		res, err := r.store.Search(r.ctx, r.alfa.ID, q, "cs", 5)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		fmt.Fprintf(&b, "%s (%d)\n", q, res.Total)
		for _, h := range res.Hits {
			fmt.Fprintf(&b, "  %s | %s | %s\n", h.URL, marked(h.TitleText), marked(h.Snippet))
		}
	}
	got := b.String()
	if *update {
		if err := os.WriteFile("testdata/golden.txt", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile("testdata/golden.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs from testdata/golden.txt at line %d:\n got: %s\nwant: %s", r.d.Dialect(), i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs from testdata/golden.txt in length", r.d.Dialect())
	}
}
