package app

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/tenant"
)

// errChainBroken makes `radnice audit verify` exit 1 after printing why.
var errChainBroken = errors.New("the audit log has been tampered with (see above)")

// runAudit checks the audit log's hash chain of every town (or one).
func runAudit(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError{"want `audit verify [--tenant T]`"}
	}
	var slug string
	cfg, _, err := parseFlags(e, "audit", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "tenant", "", "check only this town")
	})
	if err != nil {
		return err
	}
	d, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	log := &audit.Store{DB: d}
	var results []audit.VerifyResult
	if slug != "" {
		t, err := (&tenant.Store{DB: d}).BySlug(ctx, slug)
		if err != nil {
			return fmt.Errorf("town %q: %w", slug, err)
		}
		r, err := log.Verify(ctx, t.ID)
		if err != nil {
			return err
		}
		results = append(results, r)
	} else if results, err = log.VerifyAll(ctx); err != nil {
		return err
	}
	broken := false
	for _, r := range results {
		fmt.Fprintln(e.stdout, r.String())
		broken = broken || !r.OK
	}
	if broken {
		return errChainBroken
	}
	return nil
}
