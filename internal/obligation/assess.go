package obligation

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// Assessing one obligation at a time, as an approved submission does (the
// dog fee of a newly registered dog): the obligation gets a new variable
// symbol of the town in the seed's scheme, the kind's digit, two digits of
// the year and a seven-digit sequence (2 26 0000412). Symbols 9… belong to
// transfer baskets (payment.BasketVSBase) and are never handed out here.

// kindDigits are the first digits of the symbols of the kinds every town
// has (the seed numbers them so); any other kind's symbols start with
// otherDigit. Kinds that share a digit share its sequence, so a symbol is
// still unique.
var kindDigits = map[string]int64{"odpad": 1, "pes": 2, "najem": 3}

const (
	otherDigit = 8
	seqSpan    = 10_000_000 // seven digits of sequence
)

// lockVS is the first key of the advisory locks that make symbol
// allocations of one prefix take turns on PostgreSQL ("vsal" in ASCII).
const lockVS int32 = 0x7673616c

// Assessment is an obligation to assess now; its symbol is allocated.
type Assessment struct {
	Kind        string // the kind's code ("pes")
	PersonID    int64  // who owes it; 0 when a company does
	CompanyID   int64
	Year        int // the period, and the symbol's year digits
	Description string
	Amount      int64 // haléře, more than 0
	DueDate     time.Time
}

// ErrNoKind: the town has no kind of obligation with that code.
var ErrNoKind = errors.New("obligation: the town has no such kind")

// Assess writes one obligation with its assessment ledger entry inside tx
// and returns it with its new variable symbol, unique within the town
// however many are assessed at once on either engine.
func (s *Store) Assess(ctx context.Context, tx *db.Tx, tenantID int64, a Assessment) (_ *Obligation, err error) {
	defer derr.Wrap(&err, "obligation.Assess(%d, %q)", tenantID, a.Kind)
	if a.Amount <= 0 || (a.PersonID == 0) == (a.CompanyID == 0) || a.Year < 2000 || a.Year > 2099 || a.DueDate.IsZero() {
		return nil, fmt.Errorf("%w: an assessment needs a positive amount, one owner, a year and a due date", derr.ErrInvalid)
	}
	o := &Obligation{TenantID: tenantID, PersonID: a.PersonID, CompanyID: a.CompanyID, Period: strconv.Itoa(a.Year),
		Description: a.Description, Amount: a.Amount, DueDate: a.DueDate}
	err = tx.QueryRow(ctx, `SELECT id FROM obligation_kinds WHERE tenant_id = $1 AND code = $2`, tenantID, a.Kind).Scan(&o.KindID)
	if errors.Is(err, db.ErrNoRows) {
		return nil, fmt.Errorf("%w %q", ErrNoKind, a.Kind)
	}
	if err != nil {
		return nil, err
	}
	if o.VS, err = nextVS(ctx, tx, tenantID, a.Kind, a.Year); err != nil {
		return nil, err
	}
	ids, err := db.ReserveIDs(ctx, tx, "obligations", 1)
	if err != nil {
		return nil, err
	}
	o.ID = ids[0]
	if err := s.InsertAssessed(ctx, tx, tenantID, []*Obligation{o}); err != nil {
		return nil, err
	}
	return o, nil
}

// VSPrefix is the first three digits of the symbols of kind in year.
func VSPrefix(kind string, year int) int64 {
	d, ok := kindDigits[kind]
	if !ok {
		d = otherDigit
	}
	return d*100 + int64(year%100)
}

// nextVS is the next free symbol of the kind's and year's range: one
// above the highest the town has in it. The highest is read through the
// unique index on (tenant_id, vs), so it costs the same in a town of a
// million obligations, and it also steps over symbols written by other
// paths (the seed, an import).
//
// SQLite has one writer, which holds its lock from BEGIN: nobody else can
// take the same number before tx ends. PostgreSQL takes a
// transaction-scoped advisory lock on (lockVS, town and prefix); the next
// transaction reads the maximum only after this one has committed (each
// statement of READ COMMITTED sees what committed before it began). The
// unique (tenant_id, vs) is the last line of defence either way.
func nextVS(ctx context.Context, tx *db.Tx, tenantID int64, kind string, year int) (int64, error) {
	prefix := VSPrefix(kind, year)
	if tx.Dialect() == db.Postgres {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockVS, int32(tenantID*1000+prefix)); err != nil {
			return 0, fmt.Errorf("lock the symbols %d: %w", prefix, err)
		}
	}
	low := prefix * seqSpan
	var high int64
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(vs), 0) FROM obligations WHERE tenant_id = $1 AND vs >= $2 AND vs < $3`,
		tenantID, low, low+seqSpan).Scan(&high); err != nil {
		return 0, err
	}
	seq := max(high-low, 0) + 1
	if seq >= seqSpan {
		return 0, fmt.Errorf("obligation: no variable symbol left in range %d", prefix)
	}
	return low + seq, nil
}
