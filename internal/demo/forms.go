package demo

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/obligation"
	"github.com/radnice/radnice/internal/tenant"
)

// The demo towns' forms, one folder per town (by slug), one JSON file per
// form, published in the order of their file names. They are the same
// files a town's IT publishes with `radnice form publish`.
//
//go:embed forms
var formFiles embed.FS

// formKinds are obligation kinds a demo town's forms assess that the
// synthetic population does not already have (the seed makes the waste
// and dog fees).
var formKinds = map[string][]obligation.Kind{
	"jizerov": {{Code: "parkovani", NameCS: "Parkovací oprávnění pro rezidenty", NameEN: "Resident parking permit",
		Department: "Odbor dopravy"}},
}

// FormFiles lists a demo town's form files in publishing order.
func FormFiles(town string) ([]string, error) {
	names, err := fs.Glob(formFiles, path.Join("forms", town, "*.json"))
	sort.Strings(names)
	return names, err
}

// Form reads one embedded form file.
func Form(name string) (slug string, def form.Definition, err error) {
	b, err := formFiles.ReadFile(name)
	if err != nil {
		return "", form.Definition{}, err
	}
	slug, def, err = form.ParseFile(b)
	if err != nil {
		return "", form.Definition{}, fmt.Errorf("%s: %w", name, err)
	}
	return slug, def, nil
}

// EnsureForms publishes each demo town's forms. A form whose file has not
// changed keeps its version, so starting the demo again changes nothing;
// a changed file becomes the form's next version (drafts and submissions
// keep theirs).
func EnsureForms(ctx context.Context, d *db.DB) error {
	tenants := &tenant.Store{DB: d}
	forms := &form.Store{DB: d}
	for _, town := range Towns() {
		t, err := tenants.BySlug(ctx, town.Tenant.Slug)
		if err != nil {
			return fmt.Errorf("demo forms of %s: %w", town.Tenant.Slug, err)
		}
		if err := PublishForms(ctx, d, forms, t); err != nil {
			return err
		}
	}
	return nil
}

// PublishForms publishes the demo forms of one town (tests use it to give
// a fixture town the demo's forms).
func PublishForms(ctx context.Context, d *db.DB, forms *form.Store, t *tenant.Tenant) error {
	slug := t.Slug
	if names, _ := FormFiles(slug); len(names) == 0 {
		slug = "jizerov" // a town that is not a demo town gets the city's forms
	}
	for _, k := range formKinds[slug] {
		if _, err := (&obligation.Store{DB: d}).EnsureKind(ctx, t.ID, k); err != nil {
			return err
		}
	}
	names, err := FormFiles(slug)
	if err != nil {
		return err
	}
	for _, name := range names {
		fslug, def, err := Form(name)
		if err != nil {
			return err
		}
		if _, err := forms.Publish(ctx, t.ID, fslug, def); err != nil {
			return fmt.Errorf("demo form %s of %s: %w", name, t.Name, err)
		}
	}
	return nil
}
