package submission

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/form"
)

// Draft is a form being filled in. It lives on the server, so it can be
// resumed on another device; it belongs to the account that started it,
// and names the party it is filed for. Its token makes filing it
// idempotent (see File).
type Draft struct {
	ID          int64
	TenantID    int64
	AccountID   int64
	Party       string // "person:12", "company:3"
	FormID      int64
	FormVersion int
	Answers     form.Answers
	Step        int // the first step not yet completed; len(steps) when all are
	Token       string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// newToken is 128 random bits in hex: the draft's idempotency key.
func newToken() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}

// CreateDraft starts a draft of a form's version for party, with the
// answers prefilled from the filer's record.
func (s *Store) CreateDraft(ctx context.Context, tenantID, accountID int64, party string, formID int64, version int,
	prefilled form.Answers) (_ *Draft, err error) {
	defer derr.Wrap(&err, "submission.CreateDraft(%d, a%d, f%d v%d)", tenantID, accountID, formID, version)
	if party == "" || formID == 0 || version <= 0 {
		return nil, fmt.Errorf("%w: a draft needs a party and a form version", derr.ErrInvalid)
	}
	if prefilled == nil {
		prefilled = form.Answers{}
	}
	answers, err := json.Marshal(prefilled)
	if err != nil {
		return nil, err
	}
	now := s.now()
	d := &Draft{TenantID: tenantID, AccountID: accountID, Party: party, FormID: formID, FormVersion: version,
		Answers: prefilled, Token: newToken(), CreatedAt: now, UpdatedAt: now}
	// An account keeps at most MaxDrafts drafts (each may hold 25 MB of
	// files): the insert makes a row only while there is room.
	err = s.DB.Write().QueryRow(ctx, `INSERT INTO submission_drafts (tenant_id, account_id, party, form_id, form_version, answers, step, token,
		created_at, updated_at) SELECT $1, $2, $3, $4, $5, $6, 0, $7, $8, $8
		WHERE (SELECT count(*) FROM submission_drafts WHERE tenant_id = $1 AND account_id = $2) < $9 RETURNING id`,
		tenantID, accountID, party, formID, version, string(answers), d.Token, now, MaxDrafts).Scan(&d.ID)
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.Invalid("draft", "forms.drafts.max", "too many drafts")
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

// MaxDrafts is how many unfiled drafts an account may keep.
const MaxDrafts = 20

const draftColumns = `id, tenant_id, account_id, party, form_id, form_version, answers, step, token, created_at, updated_at`

func scanDraft(r db.Row) (*Draft, error) {
	var d Draft
	var answers string
	if err := r.Scan(&d.ID, &d.TenantID, &d.AccountID, &d.Party, &d.FormID, &d.FormVersion, &answers, &d.Step, &d.Token,
		&d.CreatedAt, &d.UpdatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(answers), &d.Answers); err != nil {
		return nil, fmt.Errorf("draft %d: answers: %w", d.ID, err)
	}
	if d.Answers == nil {
		d.Answers = form.Answers{}
	}
	return &d, nil
}

// Draft returns one draft of the account; another account's draft (or one
// already filed) is ErrNotFound.
func (s *Store) Draft(ctx context.Context, tenantID, accountID, draftID int64) (_ *Draft, err error) {
	defer derr.Wrap(&err, "submission.Draft(%d, a%d, %d)", tenantID, accountID, draftID)
	d, err := scanDraft(s.DB.Read().QueryRow(ctx, `SELECT `+draftColumns+` FROM submission_drafts
		WHERE tenant_id = $1 AND account_id = $2 AND id = $3`, tenantID, accountID, draftID))
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	return d, err
}

// SaveDraft keeps the answers and the step reached. Callers save only
// answers the form's checks accepted.
func (s *Store) SaveDraft(ctx context.Context, tenantID, accountID, draftID int64, answers form.Answers, step int) (err error) {
	defer derr.Wrap(&err, "submission.SaveDraft(%d, a%d, %d)", tenantID, accountID, draftID)
	if answers == nil {
		answers = form.Answers{}
	}
	body, err := json.Marshal(answers)
	if err != nil {
		return err
	}
	n, err := s.DB.Write().Exec(ctx, `UPDATE submission_drafts SET answers = $1, step = $2, updated_at = $3
		WHERE tenant_id = $4 AND account_id = $5 AND id = $6`, string(body), max(step, 0), s.now(), tenantID, accountID, draftID)
	if err != nil {
		return err
	}
	if n == 0 {
		return derr.ErrNotFound
	}
	return nil
}

// DraftsOf lists the account's drafts, the most recently changed first.
func (s *Store) DraftsOf(ctx context.Context, tenantID, accountID int64) (_ []Draft, err error) {
	defer derr.Wrap(&err, "submission.DraftsOf(%d, a%d)", tenantID, accountID)
	rows, err := s.DB.Read().Query(ctx, `SELECT `+draftColumns+` FROM submission_drafts
		WHERE tenant_id = $1 AND account_id = $2 ORDER BY updated_at DESC, id DESC`, tenantID, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Draft
	for rows.Next() {
		d, err := scanDraft(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

// DeleteDraft throws a draft away with its files.
func (s *Store) DeleteDraft(ctx context.Context, tenantID, accountID, draftID int64) (err error) {
	defer derr.Wrap(&err, "submission.DeleteDraft(%d, a%d, %d)", tenantID, accountID, draftID)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM submission_drafts WHERE tenant_id = $1 AND account_id = $2 AND id = $3`+tx.ForUpdate(),
			tenantID, accountID, draftID).Scan(&id)
		if errors.Is(err, db.ErrNoRows) {
			return derr.ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM submission_files WHERE tenant_id = $1 AND draft_id = $2`, tenantID, id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM submission_drafts WHERE tenant_id = $1 AND id = $2`, tenantID, id)
		return err
	})
}

// Filed returns the submission the account filed from the draft with
// token: a second click, another tab or a retry of filing a draft finds
// the submission the first made (the draft is gone by then).
func (s *Store) Filed(ctx context.Context, tenantID, accountID int64, token string) (_ *Submission, err error) {
	defer derr.Wrap(&err, "submission.Filed(%d, a%d)", tenantID, accountID)
	if token == "" {
		return nil, derr.ErrNotFound
	}
	sub, err := scan(s.DB.Read().QueryRow(ctx, `SELECT `+columns+` FROM submissions WHERE tenant_id = $1 AND token = $2 AND account_id = $3`,
		tenantID, token, accountID))
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	return sub, err
}
