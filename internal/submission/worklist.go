package submission

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// The case workers' side: a department's queue, and what case work
// writes on a case besides its state (who took it, the fee it assessed).

// OpenStates are the states a case worker still has work in.
var OpenStates = []State{StateSubmitted, StateRegistered, StateInProgress, StateInfoRequested}

// WorkItem is one case in a case worker's queue, with its filer's name.
type WorkItem struct {
	ID          int64
	Reference   string
	Title       string
	Department  string
	Channel     string
	State       State
	Filer       string // the person's or company's name
	AssignedTo  int64
	SubmittedAt time.Time
	UpdatedAt   time.Time
}

// Worklist lists the town's cases of departments in states, newest first:
// limit rows after skipping offset. No departments: nothing.
//
// Each (department, state) is read newest first along the index
// submissions_worklist, only as far as the page needs, and the short lists
// are merged: a department with years of closed cases costs no more than
// one with a few.
func (s *Store) Worklist(ctx context.Context, tenantID int64, departments []string, states []State, offset, limit int) (_ []WorkItem, err error) {
	defer derr.Wrap(&err, "submission.Worklist(%d)", tenantID)
	if len(departments) == 0 || len(states) == 0 || limit <= 0 {
		return nil, nil
	}
	offset = max(offset, 0)
	args := []any{tenantID, offset + limit, limit, offset}
	var ranges []string
	for _, dep := range departments {
		for _, st := range states {
			args = append(args, dep, string(st))
			n := len(args)
			ranges = append(ranges, `SELECT * FROM (SELECT id, submitted_at FROM submissions WHERE tenant_id = $1
				AND department = $`+strconv.Itoa(n-1)+` AND state = $`+strconv.Itoa(n)+`
				ORDER BY submitted_at DESC, id DESC LIMIT $2) r`+strconv.Itoa(len(ranges)))
		}
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT s.id, s.reference, s.title, s.department, s.channel, s.state,
		coalesce((SELECT p.given_name || ' ' || p.family_name FROM persons p WHERE p.tenant_id = s.tenant_id AND p.id = s.person_id),
			(SELECT c.name FROM companies c WHERE c.tenant_id = s.tenant_id AND c.id = s.company_id), ''),
		coalesce(s.assigned_to, 0), s.submitted_at, s.updated_at
		FROM (`+strings.Join(ranges, "\n\t\tUNION ALL ")+`) w JOIN submissions s ON s.tenant_id = $1 AND s.id = w.id
		ORDER BY w.submitted_at DESC, w.id DESC LIMIT $3 OFFSET $4`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []WorkItem
	for rows.Next() {
		var q WorkItem
		var st string
		if err := rows.Scan(&q.ID, &q.Reference, &q.Title, &q.Department, &q.Channel, &st, &q.Filer, &q.AssignedTo,
			&q.SubmittedAt, &q.UpdatedAt); err != nil {
			return nil, err
		}
		q.State = State(st)
		out = append(out, q)
	}
	return out, rows.Err()
}

// WorklistCounts counts the town's cases of departments by state, each
// count stopping at upTo: a count above upTo means "more than upTo". Years
// of closed cases then cost no more to count than a few.
func (s *Store) WorklistCounts(ctx context.Context, tenantID int64, departments []string, upTo int) (_ map[State]int, err error) {
	defer derr.Wrap(&err, "submission.WorklistCounts(%d)", tenantID)
	out := map[State]int{}
	if len(departments) == 0 {
		return out, nil
	}
	args := []any{tenantID, upTo + 1}
	var counts []string
	for i, st := range States {
		args = append(args, string(st))
		state := "$" + strconv.Itoa(len(args))
		deps := placeholders(&args, departments)
		counts = append(counts, `SELECT `+strconv.Itoa(i)+` AS k, count(*) AS n FROM (SELECT 1 FROM submissions WHERE tenant_id = $1
			AND department IN (`+deps+`) AND state = `+state+` LIMIT $2) c`+strconv.Itoa(i))
	}
	rows, err := s.DB.Read().Query(ctx, strings.Join(counts, "\n\tUNION ALL "), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		if k >= 0 && k < len(States) && n > 0 {
			out[States[k]] = n
		}
	}
	return out, rows.Err()
}

// SetAssignee records inside tx that staff member staffID works on the
// case.
func (s *Store) SetAssignee(ctx context.Context, tx *db.Tx, tenantID, id, staffID int64) (err error) {
	defer derr.Wrap(&err, "submission.SetAssignee(%d, %d)", tenantID, id)
	n, err := tx.Exec(ctx, `UPDATE submissions SET assigned_to = $1 WHERE tenant_id = $2 AND id = $3`, nullID(staffID), tenantID, id)
	if err == nil && n == 0 {
		err = derr.ErrNotFound
	}
	return err
}

// SetObligation records inside tx the fee the case's approval assessed.
// A case has at most one: a second is ErrConflict.
func (s *Store) SetObligation(ctx context.Context, tx *db.Tx, tenantID, id, obligationID int64) (err error) {
	defer derr.Wrap(&err, "submission.SetObligation(%d, %d)", tenantID, id)
	n, err := tx.Exec(ctx, `UPDATE submissions SET obligation_id = $1 WHERE tenant_id = $2 AND id = $3 AND obligation_id IS NULL`,
		obligationID, tenantID, id)
	if err == nil && n == 0 {
		err = derr.ErrConflict
	}
	return err
}

// placeholders appends vals to args and returns their placeholders
// ("$2, $3").
func placeholders(args *[]any, vals []string) string {
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteString(", ")
		}
		*args = append(*args, v)
		b.WriteString("$" + strconv.Itoa(len(*args)))
	}
	return b.String()
}
