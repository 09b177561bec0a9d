package payment

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// StatementTx is one transaction of a bank statement (see payment/bank for
// the parsers that produce them).
type StatementTx struct {
	Ref            string // the bank's unique reference on the account
	Booked         time.Time
	Amount         int64 // haléře; positive: money in
	Reversal       bool
	VS, SS, KS     int64
	CounterAccount string
	CounterName    string
	Message        string
}

// ImportResult says what an import did.
type ImportResult struct {
	Transactions int // in the file
	Duplicates   int // imported before, skipped
	Matched      int // booked to an obligation or a basket
	Unmatched    int // money in that nothing matched: the fee clerks' queue
	Ignored      int // money out, reversals
}

// Import books a statement of the town's account: every transaction once
// (by the bank's reference), money in matched by variable symbol, compared
// as numbers. A basket's symbol matches when the amount is the basket's
// exactly; an obligation's symbol matches any amount (a part payment makes
// it partly paid, paying twice makes it overpaid). What matches nothing
// waits for a fee clerk. All in one transaction, set by set, so a large
// statement is quick and a failure books nothing.
func (s *Service) Import(ctx context.Context, tenantID int64, account string, txs []StatementTx) (ImportResult, error) {
	return s.importStatement(ctx, nil, tenantID, account, txs)
}

// ActionImport is the audit action of a statement booked, with its counts.
const ActionImport = "statement.import"

// ImportBy is Import done by someone (an official, or audit.System for the
// command line): the audit entry with the counts is written in the same
// transaction, so there is no import without its record.
func (s *Service) ImportBy(ctx context.Context, by audit.Actor, tenantID int64, account string, txs []StatementTx) (ImportResult, error) {
	return s.importStatement(ctx, &by, tenantID, account, txs)
}

func (s *Service) importStatement(ctx context.Context, by *audit.Actor, tenantID int64, account string, txs []StatementTx) (res ImportResult, err error) {
	defer derr.Wrap(&err, "payment.Import(%d)", tenantID)
	if account == "" {
		return res, derr.Invalid("account", "statement.account", "the statement names no account")
	}
	batch := s.now().Truncate(time.Microsecond)
	rows := make([][]any, 0, len(txs))
	for i, t := range txs {
		if t.Ref == "" {
			return res, derr.Invalid("ref", "statement.ref", "transaction "+itoa(i+1)+" has no bank reference")
		}
		state := "new"
		if t.Amount <= 0 || t.Reversal {
			state = "ignored"
		}
		rows = append(rows, []any{tenantID, account, clip(t.Ref, 200), t.Booked.UTC(), t.Amount, t.VS, t.SS, t.KS,
			clip(t.CounterAccount, 100), clip(t.CounterName, 200), clip(t.Message, 500), state, batch})
	}
	res.Transactions = len(txs)
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		cols := []string{"tenant_id", "account", "ref", "booked", "amount", "vs", "ss", "ks", "counter_account", "counter_name",
			"message", "state", "imported_at"}
		if err := db.StageRows(ctx, tx, "stage_bank", "bank_transactions", cols, rows); err != nil {
			return err
		}
		// One pass books the transactions and matches obligations' symbols:
		// a statement seen before adds nothing (the bank's reference is
		// unique per account).
		n, err := tx.Exec(ctx, `INSERT INTO bank_transactions (`+strings.Join(cols, ", ")+`, obligation_id)
			SELECT s.tenant_id, s.account, s.ref, s.booked, s.amount, s.vs, s.ss, s.ks, s.counter_account, s.counter_name, s.message,
				CASE WHEN s.state = 'ignored' THEN 'ignored' WHEN o.id IS NOT NULL THEN 'matched' ELSE 'new' END, s.imported_at,
				CASE WHEN s.state = 'ignored' THEN NULL ELSE o.id END
			FROM stage_bank s LEFT JOIN obligations o ON o.tenant_id = s.tenant_id AND o.vs = s.vs AND s.vs <> 0 AND s.vs < `+itoa(BasketVSBase)+`
			WHERE true ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		if err := db.DropStage(ctx, tx, "stage_bank"); err != nil {
			return err
		}
		res.Duplicates = len(txs) - int(n)
		steps := []string{
			// Obligations' symbols matched above are booked for any amount.
			`INSERT INTO ledger_entries (tenant_id, obligation_id, kind, amount, booked_at, note, bank_tx_id)
			SELECT t.tenant_id, t.obligation_id, 'payment', -t.amount, $2, 'transfer', t.id
			FROM bank_transactions t WHERE t.tenant_id = $1 AND t.imported_at = $2 AND t.state = 'matched' AND t.obligation_id IS NOT NULL`,
			// Baskets: the symbol and the exact amount of a pending transfer.
			`UPDATE bank_transactions SET state = 'matched', payment_id = (SELECT p.id FROM payments p
				WHERE p.tenant_id = bank_transactions.tenant_id AND p.vs = bank_transactions.vs AND p.state = 'pending'
				AND p.channel = 'transfer' AND p.amount = bank_transactions.amount)
			WHERE tenant_id = $1 AND imported_at = $2 AND state = 'new' AND vs >= ` + itoa(BasketVSBase) + ` AND EXISTS (SELECT 1 FROM payments p
				WHERE p.tenant_id = bank_transactions.tenant_id AND p.vs = bank_transactions.vs AND p.state = 'pending'
				AND p.channel = 'transfer' AND p.amount = bank_transactions.amount)`,
			// A basket paid twice in one statement: the second waits for a clerk.
			`UPDATE bank_transactions SET state = 'new', payment_id = NULL
			WHERE tenant_id = $1 AND imported_at = $2 AND state = 'matched' AND payment_id IS NOT NULL
				AND id > (SELECT min(b.id) FROM bank_transactions b WHERE b.tenant_id = bank_transactions.tenant_id
					AND b.payment_id = bank_transactions.payment_id AND b.imported_at = $2)`,
			`UPDATE payments SET state = 'paid', detail = 'bank transfer', resolved_at = $2
			WHERE tenant_id = $1 AND state = 'pending' AND id IN (SELECT payment_id FROM bank_transactions
				WHERE tenant_id = $1 AND imported_at = $2 AND state = 'matched' AND payment_id IS NOT NULL)`,
			`INSERT INTO ledger_entries (tenant_id, obligation_id, kind, amount, booked_at, note, payment_id, bank_tx_id)
			SELECT i.tenant_id, i.obligation_id, 'payment', -i.amount, $2, 'transfer', i.payment_id, t.id
			FROM bank_transactions t JOIN payment_items i ON i.tenant_id = t.tenant_id AND i.payment_id = t.payment_id
			WHERE t.tenant_id = $1 AND t.imported_at = $2 AND t.state = 'matched' AND t.payment_id IS NOT NULL`,
			`UPDATE bank_transactions SET state = 'unmatched' WHERE tenant_id = $1 AND imported_at = $2 AND state = 'new'`,
		}
		for _, q := range steps {
			if _, err := tx.Exec(ctx, q, tenantID, batch); err != nil {
				return err
			}
		}
		r, err := tx.Query(ctx, `SELECT state, count(*) FROM bank_transactions WHERE tenant_id = $1 AND imported_at = $2 GROUP BY state`,
			tenantID, batch)
		if err != nil {
			return err
		}
		defer r.Close()
		for r.Next() {
			var state string
			var n int
			if err := r.Scan(&state, &n); err != nil {
				return err
			}
			switch state {
			case "matched":
				res.Matched = n
			case "unmatched":
				res.Unmatched = n
			case "ignored":
				res.Ignored = n
			}
		}
		if err := r.Err(); err != nil {
			return err
		}
		r.Close()
		if by == nil {
			return nil
		}
		return record(ctx, s, tx, *by, tenantID, ActionImport, "", map[string]any{"account": clip(account, 100),
			"transactions": res.Transactions, "matched": res.Matched, "unmatched": res.Unmatched, "ignored": res.Ignored,
			"duplicates": res.Duplicates})
	})
	if err != nil {
		return ImportResult{Transactions: len(txs)}, err
	}
	return res, nil
}

// BankTx is a statement transaction as the fee clerks' queue shows it.
type BankTx struct {
	ID             int64
	Account        string
	Booked         time.Time
	Amount         int64
	VS, SS, KS     int64
	CounterAccount string
	CounterName    string
	Message        string
	State          string
	ObligationID   int64
}

// Unmatched lists money in that matched nothing, oldest first.
func (s *Service) Unmatched(ctx context.Context, tenantID int64, limit int) (_ []BankTx, err error) {
	defer derr.Wrap(&err, "payment.Unmatched(%d)", tenantID)
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT id, account, booked, amount, vs, ss, ks, counter_account, counter_name, message, state,
		coalesce(obligation_id, 0) FROM bank_transactions WHERE tenant_id = $1 AND state = 'unmatched' ORDER BY booked, id LIMIT `+itoa(int64(limit)), tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BankTx
	for rows.Next() {
		var t BankTx
		if err := rows.Scan(&t.ID, &t.Account, &t.Booked, &t.Amount, &t.VS, &t.SS, &t.KS, &t.CounterAccount, &t.CounterName,
			&t.Message, &t.State, &t.ObligationID); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ActionAssign is the audit action of a clerk booking an unmatched
// transaction to an obligation.
const ActionAssign = "payment.assign"

// Assign books an unmatched transaction to an obligation of the town, once.
func (s *Service) Assign(ctx context.Context, by audit.Actor, tenantID, txID, obligationID int64, reason string) (err error) {
	defer derr.Wrap(&err, "payment.Assign(%d, %d)", txID, obligationID)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var exists int
		err := tx.QueryRow(ctx, `SELECT 1 FROM obligations WHERE tenant_id = $1 AND id = $2`, tenantID, obligationID).Scan(&exists)
		if errors.Is(err, db.ErrNoRows) {
			return derr.Invalid("obligation", "payment.assign.obligation", "no such obligation")
		}
		if err != nil {
			return err
		}
		n, err := tx.Exec(ctx, `UPDATE bank_transactions SET state = 'assigned', obligation_id = $1
			WHERE tenant_id = $2 AND id = $3 AND state = 'unmatched'`, obligationID, tenantID, txID)
		if err != nil {
			return err
		}
		if n == 0 {
			return derr.ErrConflict // not unmatched (any more), or not the town's
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `INSERT INTO ledger_entries (tenant_id, obligation_id, kind, amount, booked_at, note, bank_tx_id)
			SELECT tenant_id, $1, 'payment', -amount, $2, 'transfer assigned', id FROM bank_transactions WHERE tenant_id = $3 AND id = $4`,
			obligationID, now, tenantID, txID); err != nil {
			return err
		}
		details, _ := json.Marshal(map[string]int64{"bank_tx": txID, "obligation": obligationID})
		return (&audit.Store{DB: s.DB, Now: s.Now}).Record(ctx, tx, &audit.Entry{TenantID: tenantID, ActorKind: by.Kind, ActorID: by.ID,
			ActorName: by.Name, Action: ActionAssign, Reason: clip(reason, audit.MaxReason), Details: details})
	})
}

func itoa[T int | int64](n T) string { return strconv.FormatInt(int64(n), 10) }
