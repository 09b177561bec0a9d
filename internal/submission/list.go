package submission

import (
	"context"
	"time"

	"github.com/radnice/radnice/internal/derr"
)

// Summary is a case as a person's list shows it: no answers, nothing that
// needs decoding.
type Summary struct {
	ID          int64
	Channel     string
	Title       string
	State       State
	Reference   string
	SubmittedAt time.Time
	UpdatedAt   time.Time
}

// The list of one owner's cases, newest first. Each reads its partial
// index (submissions_person, submissions_company) in order, so it costs
// the same however many cases the town holds (TestCaseListUsesIndex).
const (
	listColumns   = `SELECT id, channel, title, state, reference, submitted_at, updated_at FROM submissions WHERE tenant_id = $1 AND `
	listOrder     = ` = $2 ORDER BY submitted_at DESC, id DESC LIMIT $3`
	listByPerson  = listColumns + `person_id` + listOrder
	listByCompany = listColumns + `company_id` + listOrder
)

// CaseList lists the cases of a person (or, when personID is 0, a
// company), filed in the portal or on paper, newest first, at most limit.
func (s *Store) CaseList(ctx context.Context, tenantID, personID, companyID int64, limit int) (_ []Summary, err error) {
	defer derr.Wrap(&err, "submission.CaseList(%d, p%d, c%d)", tenantID, personID, companyID)
	q, id := listByPerson, personID
	if personID == 0 {
		q, id = listByCompany, companyID
	}
	if id == 0 {
		return nil, derr.ErrNotFound
	}
	rows, err := s.DB.Read().Query(ctx, q, tenantID, id, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]Summary, 0, min(limit, 64))
	for rows.Next() {
		var c Summary
		var state string
		if err := rows.Scan(&c.ID, &c.Channel, &c.Title, &state, &c.Reference, &c.SubmittedAt, &c.UpdatedAt); err != nil {
			return nil, err
		}
		c.State = State(state)
		out = append(out, c)
	}
	return out, rows.Err()
}
