package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/config"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/submission/records"
	"github.com/radnice/radnice/internal/tenant"
)

const recordsUsage = "want `records list [--tenant T]` or `records set --tenant T --url URL --token-file F [--disabled]`"

// runRecords lists or sets the towns' records management. The token is
// read from a file (never from the command line, which other users of the
// machine can see); list never prints it.
func runRecords(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "set") {
		return usageError{recordsUsage}
	}
	sub := args[0]
	var slug, baseURL, tokenFile string
	var disabled bool
	cfg, _, err := parseFlags(e, "records", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "tenant", "", "the town's slug")
		if sub != "set" {
			return
		}
		fs.StringVar(&baseURL, "url", "", "the records system's REST/JSON API, e.g. https://spisovka.example.cz/api/v1")
		fs.StringVar(&tokenFile, "token-file", "", "a file holding the bearer token the portal presents")
		fs.BoolVar(&disabled, "disabled", false, "keep it configured, but hand nothing over (submissions stay \"submitted\")")
	})
	if err != nil {
		return err
	}
	if sub == "list" {
		return recordsList(ctx, e, cfg, slug)
	}
	if slug == "" {
		return usageError{"--tenant is required"}
	}
	if baseURL == "" || tokenFile == "" {
		return usageError{"records set needs --url and --token-file"}
	}
	if msg := records.CheckURL(strings.TrimRight(baseURL, "/")); msg != "" {
		return usageError{"--url " + msg}
	}
	b, err := os.ReadFile(tokenFile)
	if err != nil {
		return fmt.Errorf("--token-file: %w", err)
	}
	token := strings.TrimSpace(string(b))
	if token == "" || strings.ContainsAny(token, "\r\n") {
		return fmt.Errorf("--token-file %s must hold the token on one line", tokenFile)
	}
	d, t, err := openTown(ctx, cfg, slug)
	if err != nil {
		return err
	}
	defer d.Close()
	c := &records.Config{TenantID: t.ID, BaseURL: baseURL, Token: token, Enabled: !disabled}
	if err := (&records.Systems{DB: d}).Save(ctx, audit.System, c); err != nil {
		var ie *derr.InvalidError
		if errors.As(err, &ie) && len(ie.Fields) > 0 {
			return fmt.Errorf("%s: %s", ie.Fields[0].Field, ie.Fields[0].Message)
		}
		return err
	}
	state := "enabled: filed submissions are handed over and its cases synced every minute"
	if disabled {
		state = "disabled: submissions stay \"submitted\" until it is enabled"
	}
	fmt.Fprintf(e.stdout, "records management of %s saved (%s), %s\n", t.Name, c.BaseURL, state)
	return nil
}

// recordsList prints each town's records management and how far its sync
// has got; with slug, that town's only.
func recordsList(ctx context.Context, e *env, cfg *config.Config, slug string) error {
	d, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	towns := &tenant.Store{DB: d}
	var list []*tenant.Tenant
	if slug != "" {
		t, err := towns.BySlug(ctx, slug)
		if err != nil {
			return fmt.Errorf("town %q: %w", slug, err)
		}
		list = []*tenant.Tenant{t}
	} else if list, err = towns.All(ctx); err != nil {
		return err
	}
	statuses, err := (&records.Systems{DB: d}).Statuses(ctx)
	if err != nil {
		return err
	}
	byTown := map[int64]records.Status{}
	for _, st := range statuses {
		byTown[st.TenantID] = st
	}
	for _, t := range list {
		st, ok := byTown[t.ID]
		if !ok {
			fmt.Fprintf(e.stdout, "%-12s none  submissions stay \"submitted\"\n", t.Slug)
			continue
		}
		state := "on"
		if !st.Enabled {
			state = "off"
		}
		synced := "never synced"
		if st.SyncedAt != nil {
			synced = "synced " + st.SyncedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(e.stdout, "%-12s %-5s %s (%s)\n", t.Slug, state, st.BaseURL, synced)
	}
	return nil
}
