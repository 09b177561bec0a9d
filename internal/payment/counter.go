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

// Audit actions of the payment desk.
const (
	ActionCash          = "payment.cash"
	ActionRefundRequest = "refund.request"
	ActionRefundApprove = "refund.approve"
	ActionRefundReject  = "refund.reject"
)

// MaxCash bounds one cash payment at the counter (haléře).
const MaxCash = 10_000_000

func record(ctx context.Context, s *Service, tx *db.Tx, by audit.Actor, tenantID int64, action string, reason string, details map[string]any) error {
	b, _ := json.Marshal(details)
	return (&audit.Store{DB: s.DB, Now: s.Now}).Record(ctx, tx, &audit.Entry{TenantID: tenantID, ActorKind: by.Kind, ActorID: by.ID,
		ActorName: by.Name, Action: action, Reason: clip(reason, audit.MaxReason), Details: b})
}

// Cash records money taken at the counter for an obligation and returns
// the payment (its id is the receipt number).
func (s *Service) Cash(ctx context.Context, by audit.Actor, tenantID, obligationID, amount int64) (_ *Payment, err error) {
	defer derr.Wrap(&err, "payment.Cash(%d)", obligationID)
	if amount <= 0 || amount > MaxCash {
		return nil, derr.Invalid("amount", "payment.cash.amount", "between 0.01 and 100,000 CZK")
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var person, company int64
		err := tx.QueryRow(ctx, `SELECT coalesce(person_id, 0), coalesce(company_id, 0) FROM obligations WHERE tenant_id = $1 AND id = $2`,
			tenantID, obligationID).Scan(&person, &company)
		if errors.Is(err, db.ErrNoRows) {
			return derr.Invalid("obligation", "payment.obligation", "no such obligation")
		}
		if err != nil {
			return err
		}
		now := s.now()
		if err := tx.QueryRow(ctx, `INSERT INTO payments (tenant_id, channel, amount, currency, state, person_id, company_id, created_by,
			created_at, resolved_at, detail) VALUES ($1, 'cash', $2, 'CZK', 'paid', $3, $4, $5, $6, $6, 'counter') RETURNING id`,
			tenantID, amount, nullID(person), nullID(company), "staff:"+itoa(by.ID), now).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO payment_items (tenant_id, payment_id, obligation_id, amount) VALUES ($1, $2, $3, $4)`,
			tenantID, id, obligationID, amount); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ledger_entries (tenant_id, obligation_id, kind, amount, booked_at, note, payment_id)
			VALUES ($1, $2, 'payment', $3, $4, 'cash', $5)`, tenantID, obligationID, -amount, now, id); err != nil {
			return err
		}
		return record(ctx, s, tx, by, tenantID, ActionCash, "", map[string]any{"payment": id, "obligation": obligationID, "amount": amount})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, tenantID, id)
}

// Official is the official who took a cash payment at the counter; 0 for
// any other payment.
func (p *Payment) Official() int64 {
	id, ok := strings.CutPrefix(p.CreatedBy, "staff:")
	if !ok || p.Channel != ChannelCash {
		return 0
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// Refund is a request to pay back an overpayment.
type Refund struct {
	ID           int64
	ObligationID int64
	VS           int64
	Amount       int64
	Reason       string
	Account      string
	State        string
	RequestedBy  int64
	RequestedAt  time.Time
	DecidedBy    int64
}

// RequestRefund asks to pay back up to what is overpaid on an obligation,
// to the account given. Another official must approve it.
func (s *Service) RequestRefund(ctx context.Context, by audit.Actor, tenantID, obligationID, amount int64, account, reason string) (_ int64, err error) {
	defer derr.Wrap(&err, "payment.RequestRefund(%d)", obligationID)
	var v derr.InvalidError
	if amount <= 0 {
		v.Add("amount", "refund.amount", "a positive amount")
	}
	if strings.TrimSpace(reason) == "" {
		v.Add("reason", "refund.reason", "say why")
	}
	if strings.TrimSpace(account) == "" || len(account) > 60 {
		v.Add("account", "refund.account", "the account to pay to")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		// The obligation's row is locked first, so two requests (or a
		// request and a move) cannot both spend the same overpayment.
		var locked int64
		err := tx.QueryRow(ctx, `SELECT id FROM obligations WHERE tenant_id = $1 AND id = $2`+tx.ForUpdate(),
			tenantID, obligationID).Scan(&locked)
		if errors.Is(err, db.ErrNoRows) {
			return derr.Invalid("obligation", "payment.obligation", "no such obligation")
		}
		if err != nil {
			return err
		}
		var balance, pending int64
		err = tx.QueryRow(ctx, `SELECT coalesce((SELECT sum(amount) FROM ledger_entries WHERE tenant_id = $1 AND obligation_id = $2), 0),
			coalesce((SELECT sum(amount) FROM refunds WHERE tenant_id = $1 AND obligation_id = $2 AND state = 'requested'), 0)
			FROM obligations WHERE tenant_id = $1 AND id = $2`, tenantID, obligationID).Scan(&balance, &pending)
		if errors.Is(err, db.ErrNoRows) {
			return derr.Invalid("obligation", "payment.obligation", "no such obligation")
		}
		if err != nil {
			return err
		}
		if amount > -balance-pending {
			return derr.Invalid("amount", "refund.toomuch", "more than is overpaid")
		}
		if err := tx.QueryRow(ctx, `INSERT INTO refunds (tenant_id, obligation_id, amount, reason, account, state, requested_by, requested_at)
			VALUES ($1, $2, $3, $4, $5, 'requested', $6, $7) RETURNING id`, tenantID, obligationID, amount, clip(reason, 500),
			strings.TrimSpace(account), by.ID, s.now()).Scan(&id); err != nil {
			return err
		}
		return record(ctx, s, tx, by, tenantID, ActionRefundRequest, reason, map[string]any{"refund": id, "obligation": obligationID, "amount": amount})
	})
	return id, err
}

// DecideRefund approves (booking the refund) or rejects a requested
// refund. The official who asked cannot decide.
func (s *Service) DecideRefund(ctx context.Context, by audit.Actor, tenantID, refundID int64, approve bool) (err error) {
	defer derr.Wrap(&err, "payment.DecideRefund(%d)", refundID)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var obligationID, amount, requester int64
		var state string
		err := tx.QueryRow(ctx, `SELECT obligation_id, amount, requested_by, state FROM refunds WHERE tenant_id = $1 AND id = $2`,
			tenantID, refundID).Scan(&obligationID, &amount, &requester, &state)
		if errors.Is(err, db.ErrNoRows) {
			return derr.ErrNotFound
		}
		if err != nil {
			return err
		}
		if requester == by.ID {
			return derr.ErrForbidden // four eyes
		}
		newState, action := "rejected", ActionRefundReject
		if approve {
			newState, action = "approved", ActionRefundApprove
		}
		now := s.now()
		n, err := tx.Exec(ctx, `UPDATE refunds SET state = $1, decided_by = $2, decided_at = $3 WHERE tenant_id = $4 AND id = $5 AND state = 'requested'`,
			newState, by.ID, now, tenantID, refundID)
		if err != nil {
			return err
		}
		if n == 0 {
			return derr.ErrConflict
		}
		if approve {
			var locked, balance int64
			if err := tx.QueryRow(ctx, `SELECT id FROM obligations WHERE tenant_id = $1 AND id = $2`+tx.ForUpdate(),
				tenantID, obligationID).Scan(&locked); err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, `SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE tenant_id = $1 AND obligation_id = $2`,
				tenantID, obligationID).Scan(&balance); err != nil {
				return err
			}
			if amount > -balance {
				return derr.Invalid("amount", "refund.toomuch", "no longer overpaid by that much")
			}
			if _, err := tx.Exec(ctx, `INSERT INTO ledger_entries (tenant_id, obligation_id, kind, amount, booked_at, note, refund_id)
				VALUES ($1, $2, 'refund', $3, $4, 'refund', $5)`, tenantID, obligationID, amount, now, refundID); err != nil {
				return err
			}
		}
		return record(ctx, s, tx, by, tenantID, action, "", map[string]any{"refund": refundID, "obligation": obligationID, "amount": amount})
	})
}

// Refunds lists the town's refunds waiting for a decision.
func (s *Service) Refunds(ctx context.Context, tenantID int64) (_ []Refund, err error) {
	defer derr.Wrap(&err, "payment.Refunds(%d)", tenantID)
	rows, err := s.DB.Read().Query(ctx, `SELECT r.id, r.obligation_id, o.vs, r.amount, r.reason, r.account, r.state, r.requested_by, r.requested_at
		FROM refunds r JOIN obligations o ON o.tenant_id = r.tenant_id AND o.id = r.obligation_id
		WHERE r.tenant_id = $1 AND r.state = 'requested' ORDER BY r.requested_at, r.id LIMIT 200`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Refund
	for rows.Next() {
		var r Refund
		if err := rows.Scan(&r.ID, &r.ObligationID, &r.VS, &r.Amount, &r.Reason, &r.Account, &r.State, &r.RequestedBy, &r.RequestedAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
