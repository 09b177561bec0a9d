package app

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/radnice/radnice/internal/account"
	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth/oidc"
)

// runIdP lists or sets a town's identity providers for citizen login.
func runIdP(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "set") {
		return usageError{"want `idp list --tenant T` or `idp set --tenant T --slug S --name N --profile nia|bankid|generic --issuer URL --client-id ID [...]`"}
	}
	sub := args[0]
	var slug, profile, level, secretFile, scopes, acr string
	var p account.Provider
	var disabled bool
	cfg, _, err := parseFlags(e, "idp", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "tenant", "", "the town's slug")
		if sub != "set" {
			return
		}
		fs.StringVar(&p.Slug, "slug", "", "the provider's short name in URLs, e.g. nia")
		fs.StringVar(&p.Name, "name", "", "the name on the login button, e.g. eIdentita")
		fs.StringVar(&profile, "profile", "", "nia, bankid or generic")
		fs.StringVar(&p.Issuer, "issuer", "", "the exact issuer URL (discovery at issuer/.well-known/openid-configuration)")
		fs.StringVar(&p.ClientID, "client-id", "", "the portal's client id at the provider")
		fs.StringVar(&secretFile, "client-secret-file", "", "a file holding the client secret")
		fs.StringVar(&scopes, "scopes", "openid profile", "scopes, space-separated")
		fs.StringVar(&level, "level", "substantial", "the least level of assurance: none, low, substantial, high")
		fs.StringVar(&acr, "generic-acr", "", "generic profile: the acr value of --level")
		fs.IntVar(&p.Position, "position", 0, "order on the login page")
		fs.BoolVar(&disabled, "disabled", false, "keep it configured but off the login page")
	})
	if err != nil {
		return err
	}
	if slug == "" {
		return usageError{"--tenant is required"}
	}
	d, t, err := openTown(ctx, cfg, slug)
	if err != nil {
		return err
	}
	defer d.Close()
	store := &account.Store{DB: d, Audit: &audit.Store{DB: d}}
	if sub == "list" {
		all, err := store.Providers(ctx, t.ID, false)
		if err != nil {
			return err
		}
		for _, p := range all {
			state := "on"
			if !p.Enabled {
				state = "off"
			}
			fmt.Fprintf(e.stdout, "%-12s %-8s %-12s %-3s %s (client %s)\n", p.Slug, p.Profile, p.Level, state, p.Issuer, p.ClientID)
		}
		return nil
	}
	p.TenantID, p.Profile, p.Scopes, p.Enabled = t.ID, oidc.Profile(profile), strings.Fields(scopes), !disabled
	l, ok := account.ParseLevel(level)
	if !ok {
		return usageError{"--level must be none, low, substantial or high"}
	}
	p.Level = l
	if acr != "" {
		p.GenericACR = map[oidc.Level]string{l: acr}
	}
	if secretFile != "" {
		b, err := os.ReadFile(secretFile)
		if err != nil {
			return fmt.Errorf("--client-secret-file: %w", err)
		}
		p.ClientSecret = strings.TrimSpace(string(b))
	}
	if err := store.SaveProvider(ctx, &p); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "provider %q of %s saved; citizens log in at /prihlaseni/%s\n", p.Slug, t.Name, p.Slug)
	return nil
}

// runTerms publishes a new version of a town's terms and privacy notice;
// every citizen is asked to accept it at their next visit.
func runTerms(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "publish" {
		return usageError{"want `terms publish --tenant T --terms-cs F --privacy-cs F [--terms-en F --privacy-en F]`"}
	}
	var slug string
	files := map[string]*string{}
	cfg, _, err := parseFlags(e, "terms", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "tenant", "", "the town's slug")
		for _, n := range []string{"terms-cs", "terms-en", "privacy-cs", "privacy-en"} {
			files[n] = fs.String(n, "", "a UTF-8 text file; a blank line separates paragraphs")
		}
	})
	if err != nil {
		return err
	}
	if slug == "" {
		return usageError{"--tenant is required"}
	}
	text := map[string]string{}
	for n, f := range files {
		if *f == "" {
			continue
		}
		b, err := os.ReadFile(*f)
		if err != nil {
			return fmt.Errorf("--%s: %w", n, err)
		}
		text[n] = string(b)
	}
	d, t, err := openTown(ctx, cfg, slug)
	if err != nil {
		return err
	}
	defer d.Close()
	terms := &account.Terms{TenantID: t.ID, TermsCS: text["terms-cs"], TermsEN: text["terms-en"],
		PrivacyCS: text["privacy-cs"], PrivacyEN: text["privacy-en"]}
	if err := (&account.Store{DB: d}).PublishTerms(ctx, audit.System, terms); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "terms version %d of %s published\n", terms.Version, t.Name)
	return nil
}
