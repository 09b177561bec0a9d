package payment

import (
	"context"
	"errors"
	"strings"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// ActionTransfer is the audit action of moving an overpayment.
const ActionTransfer = "payment.transfer"

// Transfer moves up to what is overpaid on one obligation to another
// obligation of the same payer (or of the same household): the overpaid
// obligation is booked +amount, the other −amount, in one transaction, so
// the payer's money is neither lost nor counted twice. It never makes the
// other obligation overpaid, and it leaves what a pending refund asks for.
func (s *Service) Transfer(ctx context.Context, by audit.Actor, tenantID, fromID, toID, amount int64, reason string) (_ int64, err error) {
	defer derr.Wrap(&err, "payment.Transfer(%d → %d)", fromID, toID)
	var v derr.InvalidError
	if amount <= 0 || amount > MaxCash {
		v.Add("amount", "transfer.amount", "a positive amount")
	}
	if fromID == toID {
		v.Add("to", "transfer.same", "another obligation")
	}
	if strings.TrimSpace(reason) == "" {
		v.Add("reason", "transfer.reason", "say why")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		type ob struct{ person, company, household, balance int64 }
		read := map[int64]*ob{}
		// Both rows are locked in id order, so two moves between the same
		// obligations wait for each other instead of deadlocking.
		rows, err := tx.Query(ctx, `SELECT id, coalesce(person_id, 0), coalesce(company_id, 0), coalesce(household_id, 0)
			FROM obligations WHERE tenant_id = $1 AND id IN ($2, $3) ORDER BY id`+tx.ForUpdate(), tenantID, fromID, toID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var o ob
			if err := rows.Scan(&id, &o.person, &o.company, &o.household); err != nil {
				rows.Close()
				return err
			}
			read[id] = &o
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		from, to := read[fromID], read[toID]
		if from == nil || to == nil {
			return derr.Invalid("to", "payment.obligation", "no such obligation")
		}
		// A household's money stays in the household: when either
		// obligation is a household's, both must be that household's.
		samePayer := from.person == to.person && from.company == to.company && from.household == 0 && to.household == 0
		sameHousehold := from.household != 0 && from.household == to.household
		if !samePayer && !sameHousehold {
			return derr.Invalid("to", "transfer.owner", "an obligation of the same payer")
		}
		var pending int64
		if err := tx.QueryRow(ctx, `SELECT coalesce((SELECT sum(amount) FROM ledger_entries WHERE tenant_id = $1 AND obligation_id = $2), 0),
			coalesce((SELECT sum(amount) FROM ledger_entries WHERE tenant_id = $1 AND obligation_id = $3), 0),
			coalesce((SELECT sum(amount) FROM refunds WHERE tenant_id = $1 AND obligation_id = $2 AND state = 'requested'), 0)`,
			tenantID, fromID, toID).Scan(&from.balance, &to.balance, &pending); err != nil {
			return err
		}
		if amount > -from.balance-pending {
			return derr.Invalid("amount", "transfer.overpaid", "more than is overpaid")
		}
		if amount > to.balance {
			return derr.Invalid("amount", "transfer.toomuch", "more than is owed on the other")
		}
		now := s.now()
		if err := tx.QueryRow(ctx, `INSERT INTO ledger_transfers (tenant_id, from_obligation, to_obligation, amount, reason, staff_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, tenantID, fromID, toID, amount, clip(reason, 500), by.ID, now).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ledger_entries (tenant_id, obligation_id, kind, amount, booked_at, note, transfer_id)
			VALUES ($1, $2, 'transfer', $3, $4, 'transfer out', $5), ($1, $6, 'transfer', $7, $4, 'transfer in', $5)`,
			tenantID, fromID, amount, now, id, toID, -amount); err != nil {
			return err
		}
		return record(ctx, s, tx, by, tenantID, ActionTransfer, reason, map[string]any{"transfer": id, "from": fromID, "to": toID, "amount": amount})
	})
	if errors.Is(err, db.ErrNoRows) {
		return 0, derr.ErrNotFound
	}
	return id, err
}
