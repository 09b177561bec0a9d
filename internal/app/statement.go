package app

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/payment"
	"github.com/radnice/radnice/internal/payment/bank"
)

// runImport reads a bank statement (camt.053 or ABO/GPC) and books it.
func runImport(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "statement" {
		return usageError{"want `import statement --tenant T FILE`"}
	}
	// FILE may come first or last: `import statement FILE --tenant T` or
	// `import statement --tenant T FILE`.
	flags, file := args[1:], ""
	switch {
	case len(flags) > 0 && !strings.HasPrefix(flags[0], "-"):
		file, flags = flags[0], flags[1:]
	case len(flags) > 0 && !strings.HasPrefix(flags[len(flags)-1], "-"):
		file, flags = flags[len(flags)-1], flags[:len(flags)-1]
	}
	var slug, bankCode string
	var permuted, anyAccount bool
	cfg, _, err := parseFlags(e, "import", flags, func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "tenant", "", "the town's slug")
		fs.BoolVar(&permuted, "gpc-permuted", false, "ABO/GPC: account numbers are in the bank's internal order (KB and others)")
		fs.StringVar(&bankCode, "bank-code", "", "ABO/GPC: the bank's four-digit code, which the file does not name")
		fs.BoolVar(&anyAccount, "any-account", false, "book a statement of another account than the town's")
	})
	if err != nil {
		return err
	}
	if slug == "" || file == "" {
		return usageError{"want `import statement --tenant T FILE`"}
	}
	rest := []string{file}
	f, err := os.Open(rest[0])
	if err != nil {
		return err
	}
	defer f.Close()
	var st *bank.Statement
	if permuted || bankCode != "" {
		st, err = bank.ParseGPCWith(f, bank.ParseGPCOptions{PermutedAccounts: permuted, BankCode: bankCode})
	} else {
		st, err = bank.Parse(f)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", rest[0], err)
	}
	d, t, err := openTown(ctx, cfg, slug)
	if err != nil {
		return err
	}
	defer d.Close()
	if st.Currency != "" && st.Currency != "CZK" {
		return fmt.Errorf("%s: the statement is in %s; the town books CZK", rest[0], st.Currency)
	}
	if !anyAccount && t.IBAN != "" && !bank.SameAccount(st.Account, t.IBAN) {
		return fmt.Errorf("%s: the statement is of account %s, the town's is %s (use --any-account to book it anyway)",
			rest[0], st.Account, t.IBAN)
	}
	res, err := (&payment.Service{DB: d}).ImportBy(ctx, audit.System, t.ID, st.Account, st.PaymentTxs())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s statement %s of %s: %d transactions, %d booked to obligations or baskets, %d for a clerk to assign, %d ignored (money out, reversals), %d imported before\n",
		st.Format, st.Number, st.Account, res.Transactions, res.Matched, res.Unmatched, res.Ignored, res.Duplicates)
	return nil
}
