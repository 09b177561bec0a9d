package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/seed"
	"github.com/radnice/radnice/internal/tenant"
)

// runSeed generates a synthetic town and prints how long it took: the
// figure for "seed a 100,000-citizen town" comes from here.
func runSeed(ctx context.Context, e *env, args []string) error {
	var slug string
	var citizens int
	var seedValue uint64
	var year int
	cfg, _, err := parseFlags(e, "seed", args, func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "tenant", "", "town slug; a town that does not exist is created, served at <slug>.localhost")
		fs.IntVar(&citizens, "citizens", 2000, "how many people to generate")
		fs.Uint64Var(&seedValue, "seed", 1, "random seed: the same seed gives the same town")
		fs.IntVar(&year, "year", 0, "year of the fees (default: this year)")
	})
	if err != nil {
		return err
	}
	if slug == "" {
		return usageError{"--tenant is required"}
	}
	if citizens < 1 || citizens > 10_000_000 {
		return usageError{"--citizens must be from 1 to 10000000"}
	}
	d, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	store := &tenant.Store{DB: d}
	t, err := store.BySlug(ctx, slug)
	if errors.Is(err, derr.ErrNotFound) {
		t = &tenant.Tenant{
			Slug: slug, Name: titleCase(slug), OfficialName: "Město " + titleCase(slug),
			ColorPrimary: "#1f4e8c", ColorAccent: "#c8102e", Hosts: []string{slug + ".localhost"},
		}
		if err := store.Create(ctx, t); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "created town %q, served at http://%s/\n", t.Name, t.Hosts[0])
	} else if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "seeding %d citizens into %q on %s (seed %d)...\n", citizens, t.Name, d.Dialect(), seedValue)
	lastReport := time.Now()
	res, err := seed.Town(ctx, d, seed.Options{
		TenantID: t.ID, City: t.Name, Village: citizens < 5000, Citizens: citizens, Seed: seedValue, Year: year,
		Progress: func(done int) {
			if time.Since(lastReport) > 5*time.Second {
				fmt.Fprintf(e.stdout, "  %d of %d\n", done, citizens)
				lastReport = time.Now()
			}
		},
	})
	if err != nil {
		return err
	}
	secs := res.Elapsed.Seconds()
	fmt.Fprintf(e.stdout, "seeded %d persons, %d households, %d companies, %d obligations in %.2f s on %s (%.0f persons/s)\n",
		res.Persons, res.Households, res.Companies, res.Obligations, secs, d.Dialect(), float64(res.Persons)/secs)
	return nil
}

func titleCase(slug string) string {
	parts := strings.Split(slug, "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, " ")
}
