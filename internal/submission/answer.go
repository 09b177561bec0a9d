package submission

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// MaxAnswer is the longest answer to a request for information, in
// characters.
const MaxAnswer = 5000

// Answer is the filer's answer to a request for information: in one
// transaction it adds an info_provided event with the text and files, and
// moves the case back to in_progress (with its event and notification).
// Every file is checked, the virus scan included, before the transaction
// begins; a refused file, an empty or overlong answer is a
// *derr.InvalidError and nothing is stored. A case that is no longer
// waiting for information (answered in another tab, or decided meanwhile)
// is derr.ErrConflict.
func (s *Store) Answer(ctx context.Context, tenantID, id int64, by Actor, text string, uploads []Upload) (eventID int64, err error) {
	defer derr.Wrap(&err, "submission.Answer(%d, %d)", tenantID, id)
	text = strings.TrimSpace(text)
	switch {
	case !utf8.ValidString(text) || strings.ContainsRune(text, 0):
		return 0, derr.Invalid("text", "cases.answer.invalid", "answer is not UTF-8")
	case text == "" && len(uploads) == 0:
		return 0, derr.Invalid("text", "cases.answer.empty", "neither text nor files")
	case utf8.RuneCountInString(text) > MaxAnswer:
		return 0, derr.Invalid("text", "cases.answer.long", "answer too long")
	}
	files, err := s.checkAll(ctx, "files", uploads)
	if err != nil {
		return 0, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		sub, err := s.get(ctx, tx, tenantID, id, tx.ForUpdate())
		if err != nil {
			return err
		}
		if sub.State != StateInfoRequested {
			return derr.ErrConflict
		}
		now := s.now()
		if eventID, err = s.event(ctx, tx, tenantID, id, now, EventInfoProvided, text, by, true); err != nil {
			return err
		}
		for _, c := range files {
			if _, err := s.attachEvent(ctx, tx, tenantID, id, eventID, c); err != nil {
				return err
			}
		}
		n, err := tx.Exec(ctx, `UPDATE submissions SET state = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4 AND state = $5`,
			string(StateInProgress), now, tenantID, id, string(StateInfoRequested))
		if err != nil {
			return err
		}
		if n == 0 {
			return derr.ErrConflict
		}
		if _, err := s.event(ctx, tx, tenantID, id, now, string(StateInProgress), "", by, true); err != nil {
			return err
		}
		return s.notify(ctx, tx, tenantID, id, sub.PersonID, sub.CompanyID, StateInProgress, now)
	})
	return eventID, err
}
