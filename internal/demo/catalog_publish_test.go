package demo

import (
	"context"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/catalog"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/tenant"
)

// The demo start publishes Jizerov's catalogue; a second start changes
// nothing, and Horní Ves has none.
func TestEnsureCatalogIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	ids := map[string]int64{}
	for _, town := range Towns() {
		tn := town.Tenant
		tn.Hosts = append([]string(nil), town.Tenant.Hosts...)
		if err := (&tenant.Store{DB: d}).Create(ctx, &tn); err != nil {
			t.Fatal(err)
		}
		ids[tn.Slug] = tn.ID
	}
	if err := EnsureCatalog(ctx, d); err != nil {
		t.Fatal(err)
	}
	store := &catalog.Store{DB: d}
	first, err := store.All(ctx, ids["jizerov"], "cs")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != len(want.Situations) || len(first) != 70 {
		t.Fatalf("Jizerov publishes %d situations, want %d", len(first), len(want.Situations))
	}
	cats, err := store.Categories(ctx, ids["jizerov"])
	if err != nil || len(cats) != len(want.Categories) || cats[0].Slug != want.Categories[0].Slug {
		t.Fatalf("categories: %d %v", len(cats), err)
	}
	time.Sleep(2 * time.Millisecond)
	if err := EnsureCatalog(ctx, d); err != nil {
		t.Fatal(err)
	}
	again, _ := store.All(ctx, ids["jizerov"], "cs")
	for i := range again {
		if again[i].Slug != first[i].Slug || !again[i].UpdatedAt.Equal(first[i].UpdatedAt) {
			t.Errorf("%s changed on the second start", again[i].Slug)
		}
	}
	if hv, _ := store.All(ctx, ids["horni-ves"], "cs"); len(hv) != 0 {
		t.Errorf("Horní Ves has %d situations", len(hv))
	}
	// Every related situation and category the content names is there.
	for _, s := range first {
		for _, r := range s.Details.Related {
			if _, err := store.BySlug(ctx, ids["jizerov"], r); err != nil {
				t.Errorf("%s names related %s: %v", s.Slug, r, err)
			}
		}
	}
}
