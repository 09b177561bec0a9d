// Package obligation is what people and companies owe the town: fees,
// rents, fines. What is still owed is never stored: it is derived from the
// obligation's append-only ledger. Amounts are whole haléře (int64).
//
// This first part holds the kinds, the obligations and their assessment;
// payments and reconciliation build on it.
package obligation

import (
	"context"
	"errors"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// Kind is a kind of obligation a town assesses.
type Kind struct {
	ID           int64
	TenantID     int64
	Code         string // "odpad", "pes"
	NameCS       string
	NameEN       string
	Department   string
	YearlyAmount int64 // haléře; 0 when the amount varies
}

// Obligation is one amount owed, by a person or by a company.
type Obligation struct {
	ID          int64
	TenantID    int64
	KindID      int64
	PersonID    int64 // 0 when a company owes it
	CompanyID   int64 // 0 when a person owes it
	Period      string
	Description string
	Amount      int64 // as assessed, haléře
	DueDate     time.Time
	VS          int64 // variable symbol
	SS          int64 // specific symbol, 0 when none
}

// Store reads and writes obligations.
type Store struct {
	DB *db.DB
}

// EnsureKind creates the kind if the town does not have it yet and returns it.
func (s *Store) EnsureKind(ctx context.Context, tenantID int64, k Kind) (_ *Kind, err error) {
	defer derr.Wrap(&err, "obligation.EnsureKind(%d, %q)", tenantID, k.Code)
	k.TenantID = tenantID
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO obligation_kinds (tenant_id, code, name_cs, name_en, department, yearly_amount)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, code) DO NOTHING`,
			tenantID, k.Code, k.NameCS, k.NameEN, k.Department, k.YearlyAmount)
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT id, name_cs, name_en, department, yearly_amount FROM obligation_kinds
			WHERE tenant_id = $1 AND code = $2`, tenantID, k.Code).Scan(&k.ID, &k.NameCS, &k.NameEN, &k.Department, &k.YearlyAmount)
	})
	return &k, err
}

// InsertAssessed writes obligations with their assessment ledger entries
// inside tx. Ids must be reserved (db.ReserveIDs) by the caller.
func (s *Store) InsertAssessed(ctx context.Context, tx *db.Tx, tenantID int64, obs []*Obligation) (err error) {
	defer derr.Wrap(&err, "obligation.InsertAssessed(%d)", tenantID)
	now := time.Now().UTC()
	rows := make([][]any, 0, len(obs))
	entries := make([][]any, 0, len(obs))
	for _, o := range obs {
		rows = append(rows, []any{o.ID, tenantID, o.KindID, nullID(o.PersonID), nullID(o.CompanyID), o.Period,
			o.Description, o.Amount, o.DueDate, o.VS, nullID(o.SS), now})
		entries = append(entries, []any{tenantID, o.ID, "assessment", o.Amount, now, ""})
	}
	if err := db.InsertRows(ctx, tx, "obligations", []string{"id", "tenant_id", "kind_id", "person_id", "company_id",
		"period", "description", "amount", "due_date", "vs", "ss", "created_at"}, rows); err != nil {
		return err
	}
	return db.InsertRows(ctx, tx, "ledger_entries", []string{"tenant_id", "obligation_id", "kind", "amount", "booked_at", "note"}, entries)
}

// Balance is what is still owed on an obligation: the sum of its ledger.
func (s *Store) Balance(ctx context.Context, tenantID, id int64) (b int64, err error) {
	defer derr.Wrap(&err, "obligation.Balance(%d, %d)", tenantID, id)
	err = s.DB.Read().QueryRow(ctx, `SELECT coalesce(sum(amount), 0) FROM ledger_entries
		WHERE tenant_id = $1 AND obligation_id = $2`, tenantID, id).Scan(&b)
	return b, err
}

// ForPerson lists a person's obligations, newest due date first.
func (s *Store) ForPerson(ctx context.Context, tenantID, personID int64) (_ []*Obligation, err error) {
	defer derr.Wrap(&err, "obligation.ForPerson(%d, %d)", tenantID, personID)
	rows, err := s.DB.Read().Query(ctx, `SELECT id, tenant_id, kind_id, coalesce(person_id, 0), coalesce(company_id, 0),
		period, description, amount, due_date, vs, coalesce(ss, 0)
		FROM obligations WHERE tenant_id = $1 AND person_id = $2 ORDER BY due_date DESC, id`, tenantID, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Obligation
	for rows.Next() {
		var o Obligation
		if err := rows.Scan(&o.ID, &o.TenantID, &o.KindID, &o.PersonID, &o.CompanyID, &o.Period, &o.Description,
			&o.Amount, &o.DueDate, &o.VS, &o.SS); err != nil {
			return nil, err
		}
		out = append(out, &o)
	}
	return out, rows.Err()
}

// Line is an obligation with its kind's names and what is still owed.
type Line struct {
	Obligation
	KindCS, KindEN string
	Balance        int64 // haléře still owed (negative: overpaid)
	Paid           int64 // haléře paid (payments less refunds)
	WrittenOff     int64 // haléře written off
}

// Status of an obligation, derived from its ledger.
type Status string

const (
	StatusOpen       Status = "open"
	StatusPartlyPaid Status = "partly_paid"
	StatusPaid       Status = "paid"
	StatusOverdue    Status = "overdue"
	StatusOverpaid   Status = "overpaid"
	StatusWrittenOff Status = "written_off"
)

// Status derives the obligation's status on the calendar day today (in
// Prague): nothing is stored, so it can never disagree with the ledger.
func (l *Line) Status(today time.Time) Status {
	switch {
	case l.Balance < 0:
		return StatusOverpaid
	case l.Balance == 0 && l.WrittenOff > 0 && l.Paid < l.Amount:
		return StatusWrittenOff
	case l.Balance == 0:
		return StatusPaid
	case l.DueDate.Before(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)):
		return StatusOverdue
	case l.Paid > 0:
		return StatusPartlyPaid
	}
	return StatusOpen
}

// Open tells whether something is still owed.
func (l *Line) Open() bool { return l.Balance > 0 }

// Overview lists what one owner (a person, or a company when personID is
// 0) owes, with balances from the ledger, newest due date first.
func (s *Store) Overview(ctx context.Context, tenantID, personID, companyID int64) (_ []Line, err error) {
	defer derr.Wrap(&err, "obligation.Overview(%d, p%d, c%d)", tenantID, personID, companyID)
	owner, id := "o.person_id", personID
	if personID == 0 {
		owner, id = "o.company_id", companyID
	}
	if id == 0 {
		return nil, derr.ErrNotFound
	}
	rows, err := s.DB.Read().Query(ctx, lineSelect+owner+` = $2 ORDER BY o.due_date DESC, o.id LIMIT 200`, tenantID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Line
	for rows.Next() {
		l, err := scanLine(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *l)
	}
	return out, rows.Err()
}

// lineSelect reads obligations with their kind and what the ledger says
// of them; the caller appends the rest of the WHERE clause (town is $1).
const lineSelect = `SELECT o.id, o.tenant_id, o.kind_id, coalesce(o.person_id, 0), coalesce(o.company_id, 0),
		o.period, o.description, o.amount, o.due_date, o.vs, coalesce(o.ss, 0), k.name_cs, k.name_en,
		coalesce((SELECT sum(l.amount) FROM ledger_entries l WHERE l.tenant_id = o.tenant_id AND l.obligation_id = o.id), 0),
		coalesce((SELECT -sum(l.amount) FROM ledger_entries l WHERE l.tenant_id = o.tenant_id AND l.obligation_id = o.id
			AND l.kind IN ('payment', 'refund')), 0),
		coalesce((SELECT -sum(l.amount) FROM ledger_entries l WHERE l.tenant_id = o.tenant_id AND l.obligation_id = o.id
			AND l.kind = 'writeoff'), 0)
		FROM obligations o JOIN obligation_kinds k ON k.tenant_id = o.tenant_id AND k.id = o.kind_id
		WHERE o.tenant_id = $1 AND `

func scanLine(r db.Row) (*Line, error) {
	var l Line
	err := r.Scan(&l.ID, &l.TenantID, &l.KindID, &l.PersonID, &l.CompanyID, &l.Period, &l.Description,
		&l.Amount, &l.DueDate, &l.VS, &l.SS, &l.KindCS, &l.KindEN, &l.Balance, &l.Paid, &l.WrittenOff)
	return &l, err
}

// Line returns one obligation of the town with its balance.
func (s *Store) Line(ctx context.Context, tenantID, id int64) (_ *Line, err error) {
	defer derr.Wrap(&err, "obligation.Line(%d, %d)", tenantID, id)
	return s.line(ctx, `o.id = $2`, tenantID, id)
}

// ByVS returns the town's obligation with the variable symbol vs, with its
// balance (a symbol is unique within a town); not found for any other
// symbol, a basket's included.
func (s *Store) ByVS(ctx context.Context, tenantID, vs int64) (_ *Line, err error) {
	defer derr.Wrap(&err, "obligation.ByVS(%d, %d)", tenantID, vs)
	if vs <= 0 {
		return nil, derr.ErrNotFound
	}
	return s.line(ctx, `o.vs = $2`, tenantID, vs)
}

// line reads the one obligation of town $1 that where ($2) picks.
func (s *Store) line(ctx context.Context, where string, tenantID int64, arg any) (*Line, error) {
	l, err := scanLine(s.DB.Read().QueryRow(ctx, lineSelect+where, tenantID, arg))
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Entry is one line of an obligation's ledger.
type Entry struct {
	Kind     string // assessment, payment, refund, writeoff
	Amount   int64  // haléře: + owed more, − owed less
	BookedAt time.Time
	Note     string
}

// Ledger lists an obligation's entries, oldest first.
func (s *Store) Ledger(ctx context.Context, tenantID, id int64) (_ []Entry, err error) {
	defer derr.Wrap(&err, "obligation.Ledger(%d, %d)", tenantID, id)
	rows, err := s.DB.Read().Query(ctx, `SELECT kind, amount, booked_at, note FROM ledger_entries
		WHERE tenant_id = $1 AND obligation_id = $2 ORDER BY booked_at, id`, tenantID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.Kind, &e.Amount, &e.BookedAt, &e.Note); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
