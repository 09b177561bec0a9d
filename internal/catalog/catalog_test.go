package catalog_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/catalog"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/fixture"
)

// Upsert is idempotent, keeps published_at, and citizens' reads see only
// the town's published situations.
func TestStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	a := fixture.Town(t, d, "lhota", 0)
	b := fixture.Town(t, d, "ves", 0)
	clock := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s := &catalog.Store{DB: d, Now: func() time.Time { return clock }}

	for _, tn := range []int64{a.ID, b.ID} {
		for i, slug := range []string{"doklady", "odpady"} {
			if err := s.UpsertCategory(ctx, tn, catalog.Category{Slug: slug, Position: 2 - i, Name: catalog.Text{CS: slug}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.UpsertCategory(ctx, a.ID, catalog.Category{Slug: "doklady", Position: 2, Name: catalog.Text{CS: "Doklady", EN: "Documents"}}); err != nil {
		t.Fatalf("category again: %v", err)
	}
	cats, err := s.Categories(ctx, a.ID)
	if err != nil || len(cats) != 2 || cats[0].Slug != "odpady" || cats[1].Name.EN != "Documents" {
		t.Fatalf("categories: %+v %v", cats, err)
	}
	if _, err := s.Category(ctx, a.ID, "psi"); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("unknown category: %v", err)
	}

	op := catalog.Situation{Slug: "obcansky-prukaz", Category: "doklady", Status: catalog.Published,
		Title: catalog.Text{CS: "Občanský průkaz", EN: "Identity card"}, Body: catalog.Text{CS: "Text"},
		Details: catalog.Details{Who: catalog.Text{CS: "Občané"}, Forms: []string{"obecne-podani"}, Keywords: []string{"op"}}}
	id, err := s.Upsert(ctx, a.ID, op)
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.BySlug(ctx, a.ID, "obcansky-prukaz")
	if err != nil || first.ID != id || first.PublishedAt == nil || !first.PublishedAt.Equal(clock) ||
		first.Details.Who.CS != "Občané" || first.Details.Forms[0] != "obecne-podani" || first.Title.EN != "Identity card" {
		t.Fatalf("by slug: %+v %v", first, err)
	}
	clock = clock.Add(time.Hour)
	if id2, err := s.Upsert(ctx, a.ID, op); err != nil || id2 != id {
		t.Fatalf("same again: %d %v", id2, err)
	}
	if again, _ := s.BySlug(ctx, a.ID, "obcansky-prukaz"); !again.UpdatedAt.Equal(first.UpdatedAt) {
		t.Fatalf("the same content again changed updated_at: %v -> %v", first.UpdatedAt, again.UpdatedAt)
	}
	op.Summary = catalog.Text{CS: "Nový souhrn"}
	if _, err := s.Upsert(ctx, a.ID, op); err != nil {
		t.Fatal(err)
	}
	changed, _ := s.BySlug(ctx, a.ID, "obcansky-prukaz")
	if !changed.UpdatedAt.Equal(clock) || !changed.PublishedAt.Equal(first.PublishedAt.UTC()) || changed.Summary.CS != "Nový souhrn" {
		t.Fatalf("changed: %+v", changed)
	}

	// A draft is not for citizens; neither is another town's situation.
	draft := catalog.Situation{Slug: "koncept", Category: "doklady", Title: catalog.Text{CS: "Koncept"}}
	if _, err := s.Upsert(ctx, a.ID, draft); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BySlug(ctx, a.ID, "koncept"); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("a draft by slug: %v", err)
	}
	if st, err := s.Get(ctx, a.ID, "koncept"); err != nil || st.Status != catalog.Draft || st.PublishedAt != nil {
		t.Fatalf("get a draft: %+v %v", st, err)
	}
	if _, err := s.BySlug(ctx, b.ID, "obcansky-prukaz"); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("another town's situation: %v", err)
	}
	list, err := s.ByCategory(ctx, a.ID, "doklady", "cs")
	if err != nil || len(list) != 1 || list[0].Slug != "obcansky-prukaz" {
		t.Fatalf("by category: %+v %v", list, err)
	}
	all, err := s.All(ctx, b.ID, "cs")
	if err != nil || len(all) != 0 {
		t.Fatalf("town B's catalogue: %+v %v", all, err)
	}

	// Bad input changes nothing.
	for name, bad := range map[string]catalog.Situation{
		"slug":     {Slug: "Občanka!", Category: "doklady", Title: catalog.Text{CS: "X"}},
		"title":    {Slug: "bez-nazvu", Category: "doklady"},
		"status":   {Slug: "stav", Category: "doklady", Title: catalog.Text{CS: "X"}, Status: "archived"},
		"category": {Slug: "jinde", Category: "psi", Title: catalog.Text{CS: "X"}},
	} {
		if _, err := s.Upsert(ctx, a.ID, bad); !errors.Is(err, derr.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := s.UpsertCategory(ctx, a.ID, catalog.Category{Slug: "Bad Slug", Name: catalog.Text{CS: "X"}}); !errors.Is(err, derr.ErrInvalid) {
		t.Errorf("category slug: %v", err)
	}
	if all, _ := s.All(ctx, a.ID, "cs"); len(all) != 1 {
		t.Fatalf("bad input changed the catalogue: %+v", all)
	}
}

func TestSortCzech(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   []string
		want []string
	}{
		{"ch after h", []string{"Chodník", "Cesta", "Hřbitov", "Ives"}, []string{"Cesta", "Hřbitov", "Chodník", "Ives"}},
		{"č after c", []string{"Čistota", "Daň", "Cesta"}, []string{"Cesta", "Čistota", "Daň"}},
		{"ř after r", []string{"Řidičský průkaz", "Rybník", "Sběrný dvůr"}, []string{"Rybník", "Řidičský průkaz", "Sběrný dvůr"}},
		{"š after s", []string{"Školka", "Svatba", "Tísňová linka"}, []string{"Svatba", "Školka", "Tísňová linka"}},
		{"ž after z", []string{"Živnost", "Zábor", "Zvíře"}, []string{"Zábor", "Zvíře", "Živnost"}},
		{"á with a", []string{"Byt", "Auto", "Átrium"}, []string{"Átrium", "Auto", "Byt"}},
		{"case ignored", []string{"pes", "Odpad", "občanka"}, []string{"občanka", "Odpad", "pes"}},
	} {
		got := slices.Clone(tc.in)
		catalog.SortStrings(got, "cs")
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	// English puts "ch" among the c's.
	got := []string{"Hall", "Children", "Cat"}
	catalog.SortStrings(got, "en")
	if !slices.Equal(got, []string{"Cat", "Children", "Hall"}) {
		t.Errorf("English: %q", got)
	}
}

func TestLetters(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ title, lang, want string }{
		{"Chodník", "cs", "Ch"}, {"chata", "cs", "Ch"}, {"Cesta", "cs", "C"}, {"Čistota", "cs", "Č"},
		{"Řidičský průkaz", "cs", "Ř"}, {"Školka", "cs", "Š"}, {"Živnost", "cs", "Ž"}, {"Úmrtí", "cs", "U"},
		{"Ámos", "cs", "A"}, {"ěx", "cs", "E"}, {"„Vítání“ občánků", "cs", "V"}, {"112", "cs", "#"}, {"", "cs", "#"},
		{"Children", "en", "C"}, {"Řidič", "en", "R"},
	} {
		if got := catalog.Letter(tc.title, tc.lang); got != tc.want {
			t.Errorf("Letter(%q, %s) = %q, want %q", tc.title, tc.lang, got, tc.want)
		}
	}
	var s []catalog.Situation
	for i, title := range []string{"Hřbitov", "Chodník", "Cesta", "Čistota", "Chata", "Účet"} {
		s = append(s, catalog.Situation{Slug: string(rune('a' + i)), Title: catalog.Text{CS: title}})
	}
	catalog.Sort(s, "cs")
	var got []string
	for _, g := range catalog.ByLetter(s, "cs") {
		got = append(got, g.Letter)
		for _, st := range g.Situations {
			got = append(got, st.Title.CS)
		}
	}
	want := []string{"C", "Cesta", "Č", "Čistota", "H", "Hřbitov", "Ch", "Chata", "Chodník", "U", "Účet"}
	if !slices.Equal(got, want) {
		t.Errorf("groups: %q\nwant %q", got, want)
	}
}

func TestMapQuery(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Magistrát města Jizerova, Radniční náměstí 1, Jizerov, přízemí, přepážka Czech POINT.": "Radniční náměstí 1, Jizerov",
		"Magistrát města Jizerova, budova B, Palachova 7, Jizerov, 3. patro":                    "Palachova 7, Jizerov",
		"Centrum sociálních služeb Jizerov, Zahradní 22, Jizerov (demo).":                       "Zahradní 22, Jizerov",
		"Náměstí 1":      "Náměstí 1",
		"Na úřadě obce.": "",
		"Hlavní 5":       "Hlavní 5",
	} {
		if got := catalog.MapQuery(in); got != want {
			t.Errorf("MapQuery(%q) = %q, want %q", in, got, want)
		}
	}
}
