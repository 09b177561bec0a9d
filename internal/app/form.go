package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/i18n"
)

// runForm publishes a town's form from a JSON file, or lists its forms,
// so a town's IT changes forms without code.
func runForm(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "publish") {
		return usageError{"want `form list --tenant T` or `form publish --tenant T FILE.json`"}
	}
	sub, flags := args[0], args[1:]
	// The file comes first or last, as with `import statement`.
	name := ""
	if sub == "publish" {
		switch {
		case len(flags) > 0 && !strings.HasPrefix(flags[0], "-"):
			name, flags = flags[0], flags[1:]
		case len(flags) > 0 && !strings.HasPrefix(flags[len(flags)-1], "-"):
			name, flags = flags[len(flags)-1], flags[:len(flags)-1]
		}
	}
	var slug string
	cfg, _, err := parseFlags(e, "form", flags, func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "tenant", "", "the town's slug")
	})
	if err != nil {
		return err
	}
	if slug == "" {
		return usageError{"--tenant is required"}
	}
	var file form.File
	if sub == "publish" {
		if name == "" {
			return usageError{"publish takes one form file: `form publish --tenant T FILE.json`"}
		}
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		if file.Slug, file.Definition, err = form.ParseFile(b); err != nil {
			return formFileError(name, err)
		}
	}
	d, t, err := openTown(ctx, cfg, slug)
	if err != nil {
		return err
	}
	defer d.Close()
	store := &form.Store{DB: d}
	if sub == "list" {
		forms, err := store.List(ctx, t.ID)
		if err != nil {
			return err
		}
		for _, f := range forms {
			price := "-"
			if f.Definition.Price != nil {
				price = i18n.Money(i18n.CS, f.Definition.Price.Base)
			}
			fmt.Fprintf(e.stdout, "%-28s v%-3d %-12s %-24s %-14s %s\n", f.Slug, f.Version, f.Definition.Level, f.Department, price,
				f.Definition.Title.CS)
		}
		return nil
	}
	before := 0
	if f, err := store.BySlug(ctx, t.ID, file.Slug); err == nil {
		before = f.Version
	} else if !errors.Is(err, derr.ErrNotFound) {
		return err
	}
	v, err := store.Publish(ctx, t.ID, file.Slug, file.Definition)
	if err != nil {
		return formFileError(name, err)
	}
	if v == before {
		fmt.Fprintf(e.stdout, "form %q of %s unchanged: still version %d\n", file.Slug, t.Name, v)
		return nil
	}
	fmt.Fprintf(e.stdout, "form %q of %s published as version %d; new drafts use it, drafts and submissions keep theirs\n",
		file.Slug, t.Name, v)
	return nil
}

// formFileError lists every problem of a form file, one a line.
func formFileError(name string, err error) error {
	var inv *derr.InvalidError
	if !errors.As(err, &inv) {
		return fmt.Errorf("%s: %w", name, err)
	}
	msg := name + " is not a valid form:"
	for _, f := range inv.Fields {
		msg += "\n  " + f.Field + ": " + f.Message
	}
	return errors.New(msg)
}
