package app

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/tenant"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runTenant lists towns or adds one: a new town is configuration, not code.
func runTenant(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "add") {
		return usageError{"want `tenant list` or `tenant add --slug S --name N --host H [...]`"}
	}
	sub := args[0]
	var t tenant.Tenant
	var hosts listFlag
	var lang string
	cfg, _, err := parseFlags(e, "tenant", args[1:], func(fs *flag.FlagSet) {
		if sub != "add" {
			return
		}
		fs.StringVar(&t.Slug, "slug", "", "short name, e.g. jizerov")
		fs.StringVar(&t.Name, "name", "", "town name, e.g. Jizerov")
		fs.StringVar(&t.OfficialName, "official-name", "", "e.g. Statutární město Jizerov")
		fs.Var(&hosts, "host", "host name serving the town (repeatable)")
		fs.StringVar(&t.ICO, "ico", "", "the town's IČO")
		fs.StringVar(&t.IBAN, "iban", "", "the town's bank account (IBAN)")
		fs.StringVar(&t.Email, "email", "", "filing office e-mail")
		fs.StringVar(&t.Phone, "phone", "", "switchboard phone")
		fs.StringVar(&t.Address, "address", "", "postal address of the town hall")
		fs.StringVar(&t.DataBox, "data-box", "", "data box id")
		fs.StringVar(&t.ColorPrimary, "color", "#1f4e8c", "primary colour #rrggbb (white text must be readable on it)")
		fs.StringVar(&t.ColorAccent, "accent", "#c8102e", "accent colour #rrggbb")
		fs.StringVar(&lang, "lang", "cs", "default language: cs or en")
	})
	if err != nil {
		return err
	}
	d, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	store := &tenant.Store{DB: d}
	if sub == "list" {
		all, err := store.All(ctx)
		if err != nil {
			return err
		}
		for _, t := range all {
			fmt.Fprintf(e.stdout, "%-14s %-28s %s\n", t.Slug, t.Name, strings.Join(t.Hosts, " "))
		}
		return nil
	}
	t.Hosts, t.DefaultLang = hosts, i18n.Lang(lang)
	if err := store.Create(ctx, &t); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "town %q added, served at %s\n", t.Name, strings.Join(t.Hosts, ", "))
	return nil
}
