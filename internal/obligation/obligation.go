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
	"fmt"
	"strconv"
	"strings"
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

// Obligation is one amount owed, by a person, a company or a household.
type Obligation struct {
	ID       int64
	TenantID int64
	KindID   int64
	PersonID int64 // the person who owes it, or the household's representative who is billed; 0 when a company owes it
	// CompanyID is the company that owes it; 0 when a person or household does.
	CompanyID int64
	// HouseholdID is the household that owes it (every adult of it sees it);
	// 0 when it is a person's or a company's own.
	HouseholdID int64
	Period      string
	Description string
	Amount      int64 // as assessed, haléře
	DueDate     time.Time
	VS          int64 // variable symbol
	SS          int64 // specific symbol, 0 when none
	// Instalments, when set, split Amount into parts due on their own
	// dates; DueDate is then the last one's.
	Instalments []Instalment
}

// Instalment is one part of an obligation paid in instalments (splátka).
type Instalment struct {
	Seq    int
	Due    time.Time
	Amount int64 // haléře
}

// MaxInstalments bounds an obligation's schedule (monthly over four years).
const MaxInstalments = 48

// check refuses an obligation whose owner or schedule is inconsistent.
func (o *Obligation) check() error {
	owners := 0
	if o.PersonID != 0 {
		owners++
	}
	if o.CompanyID != 0 {
		owners++
	}
	switch {
	case owners != 1:
		return fmt.Errorf("obligation %d: owed by a person or a company, not %d", o.VS, owners)
	case o.HouseholdID != 0 && o.PersonID == 0:
		return fmt.Errorf("obligation %d: a household's obligation is billed to a person", o.VS)
	case o.Amount < 0:
		return fmt.Errorf("obligation %d: negative amount", o.VS)
	case len(o.Instalments) > MaxInstalments:
		return fmt.Errorf("obligation %d: %d instalments, at most %d", o.VS, len(o.Instalments), MaxInstalments)
	}
	if len(o.Instalments) == 0 {
		return nil
	}
	var sum int64
	for i, in := range o.Instalments {
		if in.Amount <= 0 || (i > 0 && !in.Due.After(o.Instalments[i-1].Due)) {
			return fmt.Errorf("obligation %d: instalment %d must be positive and due after the one before", o.VS, i+1)
		}
		sum += in.Amount
	}
	if sum != o.Amount {
		return fmt.Errorf("obligation %d: instalments add up to %d, not %d", o.VS, sum, o.Amount)
	}
	if last := o.Instalments[len(o.Instalments)-1].Due; !last.Equal(o.DueDate) {
		return fmt.Errorf("obligation %d: due date must be the last instalment's", o.VS)
	}
	return nil
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
	var parts [][]any
	for _, o := range obs {
		if len(o.Instalments) > 0 && o.DueDate.IsZero() {
			o.DueDate = o.Instalments[len(o.Instalments)-1].Due
		}
		if err := o.check(); err != nil {
			return err
		}
		rows = append(rows, []any{o.ID, tenantID, o.KindID, nullID(o.PersonID), nullID(o.CompanyID), nullID(o.HouseholdID),
			o.Period, o.Description, o.Amount, o.DueDate, o.VS, nullID(o.SS), now})
		entries = append(entries, []any{tenantID, o.ID, "assessment", o.Amount, now, ""})
		for i, in := range o.Instalments {
			parts = append(parts, []any{tenantID, o.ID, i + 1, in.Due, in.Amount})
		}
	}
	if err := db.InsertRows(ctx, tx, "obligations", []string{"id", "tenant_id", "kind_id", "person_id", "company_id", "household_id",
		"period", "description", "amount", "due_date", "vs", "ss", "created_at"}, rows); err != nil {
		return err
	}
	if len(parts) > 0 {
		if err := db.InsertRows(ctx, tx, "obligation_instalments", []string{"tenant_id", "obligation_id", "seq", "due_date", "amount"}, parts); err != nil {
			return err
		}
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
	Household      string // the owing household's name; "" for a person's or company's own
	Balance        int64  // haléře still owed (negative: overpaid)
	Paid           int64  // haléře paid (payments less refunds, with overpayments moved in or out)
	WrittenOff     int64  // haléře written off
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

// Schedule is when what is owed falls due: the instalments, or the whole
// amount on the due date.
func (l *Line) Schedule() []Instalment {
	if len(l.Instalments) > 0 {
		return l.Instalments
	}
	return []Instalment{{Seq: 1, Due: l.DueDate, Amount: l.Amount}}
}

// Next is the first part of the schedule not yet settled by what was paid
// or written off, and how much of it is still owed; ok is false when
// nothing is owed. Payments settle the schedule oldest part first.
func (l *Line) Next() (due time.Time, amount int64, ok bool) {
	if l.Balance <= 0 {
		return time.Time{}, 0, false
	}
	settled := l.Amount - l.Balance
	var cum int64
	sched := l.Schedule()
	for _, in := range sched {
		cum += in.Amount
		if cum > settled {
			return in.Due, min(cum-settled, l.Balance), true
		}
	}
	// More owed than the schedule holds (a later assessment): due with the last part.
	return sched[len(sched)-1].Due, l.Balance, true
}

// Status derives the obligation's status on the calendar day today (in
// Prague): nothing is stored, so it can never disagree with the ledger.
// An obligation in instalments is overdue as soon as one part is.
func (l *Line) Status(today time.Time) Status {
	due, _, owed := l.Next()
	switch {
	case l.Balance < 0:
		return StatusOverpaid
	case l.Balance == 0 && l.WrittenOff > 0 && l.Paid < l.Amount:
		return StatusWrittenOff
	case l.Balance == 0:
		return StatusPaid
	case owed && due.Before(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)):
		return StatusOverdue
	case l.Paid > 0:
		return StatusPartlyPaid
	}
	return StatusOpen
}

// Open tells whether something is still owed.
func (l *Line) Open() bool { return l.Balance > 0 }

// Overview lists what one owner (a person, or a company when personID is
// 0) owes, with balances from the ledger, newest due date first. A
// person's list holds the obligations of the households they are an adult
// of, whoever of the household is billed.
func (s *Store) Overview(ctx context.Context, tenantID, personID, companyID int64) (_ []Line, err error) {
	defer derr.Wrap(&err, "obligation.Overview(%d, p%d, c%d)", tenantID, personID, companyID)
	owner, id := ownedByPerson, personID
	if personID == 0 {
		owner, id = "o.company_id = $2", companyID
	}
	if id == 0 {
		return nil, derr.ErrNotFound
	}
	out, err := s.lines(ctx, lineSelect+owner+` ORDER BY o.due_date DESC, o.id LIMIT 200`, tenantID, id)
	if err != nil {
		return nil, err
	}
	return out, s.withInstalments(ctx, tenantID, out)
}

// ownedByPerson picks the obligations of person $2: their own, and their
// households' where they are an adult. A union of two index searches: an OR
// here makes both engines scan every obligation of the town.
const ownedByPerson = `o.id IN (SELECT x.id FROM obligations x WHERE x.tenant_id = $1 AND x.person_id = $2
		UNION ALL SELECT x.id FROM obligations x WHERE x.tenant_id = $1 AND x.household_id IN
			(SELECT m.household_id FROM household_members m WHERE m.tenant_id = $1 AND m.person_id = $2 AND m.role = 'adult'))`

func (s *Store) lines(ctx context.Context, query string, args ...any) ([]Line, error) {
	rows, err := s.DB.Read().Query(ctx, query, args...)
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

// withInstalments reads the schedules of lines in one query.
func (s *Store) withInstalments(ctx context.Context, tenantID int64, lines []Line) error {
	if len(lines) == 0 {
		return nil
	}
	at := make(map[int64]int, len(lines))
	args := []any{tenantID}
	var in strings.Builder
	for i := range lines {
		at[lines[i].ID] = i
		if i > 0 {
			in.WriteString(", ")
		}
		args = append(args, lines[i].ID)
		in.WriteString("$" + strconv.Itoa(len(args)))
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT obligation_id, seq, due_date, amount FROM obligation_instalments
		WHERE tenant_id = $1 AND obligation_id IN (`+in.String()+`) ORDER BY obligation_id, seq`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p Instalment
		if err := rows.Scan(&id, &p.Seq, &p.Due, &p.Amount); err != nil {
			return err
		}
		l := &lines[at[id]]
		l.Instalments = append(l.Instalments, p)
	}
	return rows.Err()
}

// lineSelect reads obligations with their kind and what the ledger says
// of them; the caller appends the rest of the WHERE clause (town is $1).
const lineSelect = `SELECT o.id, o.tenant_id, o.kind_id, coalesce(o.person_id, 0), coalesce(o.company_id, 0),
		coalesce(o.household_id, 0), coalesce((SELECT h.name FROM households h WHERE h.tenant_id = o.tenant_id AND h.id = o.household_id), ''),
		o.period, o.description, o.amount, o.due_date, o.vs, coalesce(o.ss, 0), k.name_cs, k.name_en,
		coalesce((SELECT sum(l.amount) FROM ledger_entries l WHERE l.tenant_id = o.tenant_id AND l.obligation_id = o.id), 0),
		coalesce((SELECT -sum(l.amount) FROM ledger_entries l WHERE l.tenant_id = o.tenant_id AND l.obligation_id = o.id
			AND l.kind IN ('payment', 'refund', 'transfer')), 0),
		coalesce((SELECT -sum(l.amount) FROM ledger_entries l WHERE l.tenant_id = o.tenant_id AND l.obligation_id = o.id
			AND l.kind = 'writeoff'), 0)
		FROM obligations o JOIN obligation_kinds k ON k.tenant_id = o.tenant_id AND k.id = o.kind_id
		WHERE o.tenant_id = $1 AND `

func scanLine(r db.Row) (*Line, error) {
	var l Line
	err := r.Scan(&l.ID, &l.TenantID, &l.KindID, &l.PersonID, &l.CompanyID, &l.HouseholdID, &l.Household, &l.Period, &l.Description,
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
	one := []Line{*l}
	if err := s.withInstalments(ctx, tenantID, one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

// Entry is one line of an obligation's ledger.
type Entry struct {
	Kind     string // assessment, payment, refund, writeoff, transfer
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
