package demo

import (
	"context"
	"fmt"

	"github.com/radnice/radnice/internal/catalog"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/tenant"
)

// catalogTowns are the demo towns that publish the demo catalogue. Its
// texts name Jizerov's offices and streets, so only Jizerov publishes it;
// Horní Ves has published no life situations yet (its pages say so).
var catalogTowns = []string{"jizerov"}

// EnsureCatalog publishes the demo catalogue of life situations for the
// demo towns that have it. Upserts are idempotent: starting the demo again
// changes nothing, a changed file updates its situation.
func EnsureCatalog(ctx context.Context, d *db.DB) error {
	tenants := &tenant.Store{DB: d}
	store := &catalog.Store{DB: d}
	for _, slug := range catalogTowns {
		t, err := tenants.BySlug(ctx, slug)
		if err != nil {
			return fmt.Errorf("demo catalogue of %s: %w", slug, err)
		}
		if err := PublishCatalog(ctx, store, t.ID); err != nil {
			return err
		}
	}
	return nil
}

// PublishCatalog publishes the demo catalogue for one town (tests use it
// to give a fixture town the demo's content).
func PublishCatalog(ctx context.Context, store *catalog.Store, tenantID int64) error {
	c, err := Catalog()
	if err != nil {
		return err
	}
	for i, cat := range c.Categories {
		if err := store.UpsertCategory(ctx, tenantID, catalog.Category{Slug: cat.Slug, Position: i + 1,
			Name: catalogText(cat.Name), Description: catalogText(cat.Description)}); err != nil {
			return fmt.Errorf("demo category %s: %w", cat.Slug, err)
		}
	}
	for _, s := range c.Situations {
		st := catalog.Situation{Slug: s.Slug, Category: s.Category, Status: catalog.Published,
			Title: catalogText(s.Title), Summary: catalogText(s.Summary), Body: catalogText(s.Body),
			Details: catalog.Details{Who: catalogText(s.Who), Bring: catalogTexts(s.Bring), Where: catalogText(s.Where), Department: s.Department,
				Hours: catalogText(s.Hours), Cost: catalogText(s.Cost), Deadlines: catalogText(s.Deadlines), LegalBasis: catalogTexts(s.LegalBasis),
				Forms: s.Forms, Related: s.Related, Keywords: s.Keywords,
				Contact: catalog.Contact{Department: s.Contact.Department, Email: s.Contact.Email, Phone: s.Contact.Phone}},
		}
		if _, err := store.Upsert(ctx, tenantID, st); err != nil {
			return fmt.Errorf("demo situation %s: %w", s.Slug, err)
		}
	}
	return nil
}

func catalogText(t form.Text) catalog.Text { return catalog.Text{CS: t.CS, EN: t.EN} }

func catalogTexts(ts []form.Text) []catalog.Text {
	out := make([]catalog.Text, len(ts))
	for i, t := range ts {
		out[i] = catalogText(t)
	}
	return out
}
