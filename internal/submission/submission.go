// Package submission is what people file and how it goes: a submission
// (podání) made in the portal from a form, or a case started on paper at
// the filing office, with its timeline from "submitted" to "closed". The
// portal keeps its own copy of each case, so a person's list never waits
// on records management; hand-offs to it go through the job queue, enqueued
// in the same transaction as the change that causes them (outbox).
package submission

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/form"
)

// State of a case.
type State string

const (
	StateSubmitted     State = "submitted"      // filed in the portal, not yet in records management
	StateRegistered    State = "registered"     // records management gave it a reference number (č. j.)
	StateInProgress    State = "in_progress"    // an official works on it
	StateInfoRequested State = "info_requested" // the official asked the filer for more
	StateApproved      State = "approved"       // decided: granted
	StateRejected      State = "rejected"       // decided: refused
	StateClosed        State = "closed"
)

// States, in the order a case goes through them.
var States = []State{StateSubmitted, StateRegistered, StateInProgress, StateInfoRequested, StateApproved, StateRejected, StateClosed}

// next says where a case may go from each state.
var next = map[State][]State{
	StateSubmitted:     {StateRegistered},
	StateRegistered:    {StateInProgress, StateInfoRequested, StateApproved, StateRejected},
	StateInProgress:    {StateInfoRequested, StateApproved, StateRejected},
	StateInfoRequested: {StateInProgress, StateApproved, StateRejected},
	StateApproved:      {StateClosed},
	StateRejected:      {StateClosed},
}

// CanGo tells whether a case in state from may move to state to.
func CanGo(from, to State) bool { return slices.Contains(next[from], to) }

// Decided tells whether the case has its decision.
func (s State) Decided() bool { return s == StateApproved || s == StateRejected || s == StateClosed }

// Channels.
const (
	ChannelPortal = "portal"
	ChannelPaper  = "paper"
)

// Event kinds besides the states.
const (
	EventInfoProvided = "info_provided" // the filer answered a request for information
	EventNote         = "note"          // an official's note (not public)
	EventDocument     = "document"      // a document was added (the decision)
)

// Actor kinds of events.
const (
	ActorCitizen = "citizen"
	ActorStaff   = "staff"
	ActorRecords = "records" // records management
	ActorSystem  = "system"
)

// Submission is a case, with the portal's copy of what records management
// says of it.
type Submission struct {
	ID           int64
	TenantID     int64
	Channel      string
	FormID       int64 // 0 for a paper case
	FormVersion  int
	Token        string
	AccountID    int64
	PersonID     int64 // 0 when a company filed it
	CompanyID    int64
	Title        string
	Department   string
	Answers      form.Answers
	Price        int64 // haléře, assessed when approved; 0: free
	State        State
	Reference    string // číslo jednací; "" until registered
	RecordsID    string
	ObligationID int64 // the fee an approval assessed; 0 when none
	AssignedTo   int64
	SubmittedAt  time.Time
	UpdatedAt    time.Time
}

// Event is one line of a case's timeline.
type Event struct {
	ID        int64
	At        time.Time
	Kind      string // a State, or EventInfoProvided, EventNote, EventDocument
	Text      string
	ActorKind string
	ActorID   int64
	Public    bool
}

// Actor is who changes a case.
type Actor struct {
	Kind string // ActorCitizen (ID: person), ActorStaff (ID: staff), ActorRecords, ActorSystem
	ID   int64
}

// Enqueuer puts a job in the queue inside a transaction (jobs.Queue).
type Enqueuer interface {
	InsertTx(ctx context.Context, tx *db.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// RegisterArgs is the job that hands a submission to records management.
// It is enqueued in the transaction that files the submission; the
// worker is in submission/records.
type RegisterArgs struct {
	TenantID     int64 `json:"tenant_id"`
	SubmissionID int64 `json:"submission_id"`
}

func (RegisterArgs) Kind() string { return "submission.register" }

// Store reads and changes cases.
type Store struct {
	DB    *db.DB
	Queue Enqueuer // nil: nothing is handed on (tests of the store alone)
	Now   func() time.Time
	// Scanner checks every upload for malware before it is stored (see
	// files.go); nil: no scanner is configured.
	Scanner Scanner
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

// Filing is a submission about to be made from a draft.
type Filing struct {
	TenantID int64
	Token    string // the draft's token: filing it twice makes one submission
	DraftID  int64  // the draft filed; 0 when none
	// Files are the draft's files the answers name (its file fields); they
	// move to the submission. The draft's other files (of a field no longer
	// asked, or removed from the answers) are deleted with the draft.
	Files       []int64
	AccountID   int64
	PersonID    int64
	CompanyID   int64
	FormID      int64
	FormVersion int
	Title       string
	Department  string
	Answers     form.Answers
	Price       int64
}

// File makes the submission, once: it writes the submission with its
// first event and notification, moves the draft's files to it, deletes the
// draft and enqueues the hand-off to records management, all in one
// transaction. Filing the same token again returns the submission made
// the first time, with created false.
func (s *Store) File(ctx context.Context, f Filing) (_ *Submission, created bool, err error) {
	defer derr.Wrap(&err, "submission.File(%d)", f.TenantID)
	if f.Token == "" || (f.PersonID == 0) == (f.CompanyID == 0) || f.FormID == 0 {
		return nil, false, fmt.Errorf("%w: a filing needs a token, one owner and a form", derr.ErrInvalid)
	}
	answers, err := json.Marshal(f.Answers)
	if err != nil {
		return nil, false, err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		now := s.now()
		n, err := tx.Exec(ctx, `INSERT INTO submissions (tenant_id, channel, form_id, form_version, token, account_id, person_id, company_id,
			title, department, answers, price, state, submitted_at, updated_at)
			VALUES ($1, 'portal', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'submitted', $12, $12) ON CONFLICT (tenant_id, token) DO NOTHING`,
			f.TenantID, f.FormID, f.FormVersion, f.Token, nullID(f.AccountID), nullID(f.PersonID), nullID(f.CompanyID),
			f.Title, f.Department, string(answers), f.Price, now)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT id FROM submissions WHERE tenant_id = $1 AND token = $2`, f.TenantID, f.Token).Scan(&id); err != nil {
			return err
		}
		if n == 0 {
			return nil // filed before: nothing more to do
		}
		created = true
		if f.DraftID != 0 {
			// The draft is locked first, as uploads lock it: a file added in
			// another tab either lands before this moves the files or finds
			// the draft gone, never between the move and the delete.
			var locked int64
			if err := tx.QueryRow(ctx, `SELECT id FROM submission_drafts WHERE tenant_id = $1 AND id = $2`+tx.ForUpdate(),
				f.TenantID, f.DraftID).Scan(&locked); err != nil && !errors.Is(err, db.ErrNoRows) {
				return err
			}
			for _, fid := range f.Files {
				if _, err := tx.Exec(ctx, `UPDATE submission_files SET submission_id = $1, draft_id = NULL
					WHERE tenant_id = $2 AND draft_id = $3 AND id = $4`, id, f.TenantID, f.DraftID, fid); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, `DELETE FROM submission_files WHERE tenant_id = $1 AND draft_id = $2`, f.TenantID, f.DraftID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM submission_drafts WHERE tenant_id = $1 AND id = $2`, f.TenantID, f.DraftID); err != nil {
				return err
			}
		}
		if _, err := s.event(ctx, tx, f.TenantID, id, now, string(StateSubmitted), "", Actor{Kind: ActorCitizen, ID: f.PersonID}, true); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, f.TenantID, id, f.PersonID, f.CompanyID, StateSubmitted, now); err != nil {
			return err
		}
		if s.Queue != nil {
			return s.Queue.InsertTx(ctx, tx, RegisterArgs{TenantID: f.TenantID, SubmissionID: id}, &river.InsertOpts{MaxAttempts: 25})
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	sub, err := s.Get(ctx, f.TenantID, id)
	return sub, created, err
}

// event appends a timeline line inside tx.
func (s *Store) event(ctx context.Context, tx *db.Tx, tenantID, id int64, at time.Time, kind, text string, by Actor, public bool) (int64, error) {
	var eid int64
	err := tx.QueryRow(ctx, `INSERT INTO submission_events (tenant_id, submission_id, at, kind, text, actor_kind, actor_id, public)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, tenantID, id, at, kind, text, by.Kind, by.ID, public).Scan(&eid)
	return eid, err
}

// notify writes the event the messaging capability sends from.
func (s *Store) notify(ctx context.Context, tx *db.Tx, tenantID, id, personID, companyID int64, st State, at time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO notification_events (tenant_id, kind, person_id, company_id, submission_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, tenantID, "submission."+string(st), nullID(personID), nullID(companyID), id, at)
	return err
}

// Change is a move of a case to another state.
type Change struct {
	To     State
	By     Actor
	Text   string // what the filer is told (a request for information, the decision's reasons)
	Public bool   // the event is shown to the filer (state changes always are)
	// From, when set, is the state the case must be in: a change made on a
	// stale page is refused with ErrConflict instead of undoing another's.
	From State
	// Also runs in the same transaction after the case has moved (an
	// approval assesses the fee there); its error undoes the change.
	Also func(ctx context.Context, tx *db.Tx, sub *Submission, eventID int64) error
}

// ErrTransition: the case cannot go to that state from where it is.
var ErrTransition = errors.New("submission: not allowed from its state")

// Move moves a case, writing its event and notification in the same
// transaction; a move the state machine forbids is ErrTransition.
func (s *Store) Move(ctx context.Context, tenantID, id int64, c Change) (err error) {
	defer derr.Wrap(&err, "submission.Move(%d, %d → %s)", tenantID, id, c.To)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		sub, err := s.get(ctx, tx, tenantID, id, tx.ForUpdate())
		if err != nil {
			return err
		}
		if c.From != "" && sub.State != c.From {
			return derr.ErrConflict
		}
		if !CanGo(sub.State, c.To) {
			return fmt.Errorf("%w: %s → %s", ErrTransition, sub.State, c.To)
		}
		now := s.now()
		n, err := tx.Exec(ctx, `UPDATE submissions SET state = $1, updated_at = $2 WHERE tenant_id = $3 AND id = $4 AND state = $5`,
			string(c.To), now, tenantID, id, string(sub.State))
		if err != nil {
			return err
		}
		if n == 0 {
			return derr.ErrConflict
		}
		eid, err := s.event(ctx, tx, tenantID, id, now, string(c.To), c.Text, c.By, true)
		if err != nil {
			return err
		}
		if err := s.notify(ctx, tx, tenantID, id, sub.PersonID, sub.CompanyID, c.To, now); err != nil {
			return err
		}
		if c.Also != nil {
			sub.State, sub.UpdatedAt = c.To, now
			return c.Also(ctx, tx, sub, eid)
		}
		return nil
	})
}

// Register records the reference number records management gave a
// submission. It is idempotent: a second answer for a registered case
// changes nothing.
func (s *Store) Register(ctx context.Context, tenantID, id int64, reference, recordsID string) (err error) {
	defer derr.Wrap(&err, "submission.Register(%d, %d)", tenantID, id)
	if reference == "" || recordsID == "" {
		return fmt.Errorf("%w: records management gave no reference", derr.ErrInvalid)
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		_, err := s.RegisterIn(ctx, tx, tenantID, id, reference, recordsID)
		return err
	})
}

// AddEvent appends a line to a case's timeline without moving it (a
// note, the filer's answer, a document) and returns its id; also runs in
// the same transaction (attaching files to the event).
func (s *Store) AddEvent(ctx context.Context, tenantID, id int64, kind, text string, by Actor, public bool,
	also func(ctx context.Context, tx *db.Tx, eventID int64) error) (eid int64, err error) {
	defer derr.Wrap(&err, "submission.AddEvent(%d, %d, %s)", tenantID, id, kind)
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := s.get(ctx, tx, tenantID, id, tx.ForUpdate()); err != nil {
			return err
		}
		now := s.now()
		if eid, err = s.event(ctx, tx, tenantID, id, now, kind, text, by, public); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE submissions SET updated_at = $1 WHERE tenant_id = $2 AND id = $3`, now, tenantID, id); err != nil {
			return err
		}
		if also != nil {
			return also(ctx, tx, eid)
		}
		return nil
	})
	return eid, err
}

const columns = `id, tenant_id, channel, coalesce(form_id, 0), coalesce(form_version, 0), coalesce(token, ''), coalesce(account_id, 0),
	coalesce(person_id, 0), coalesce(company_id, 0), title, department, answers, price, state, reference, records_id,
	coalesce(obligation_id, 0), coalesce(assigned_to, 0), submitted_at, updated_at`

func scan(r db.Row) (*Submission, error) {
	var s Submission
	var answers, state string
	if err := r.Scan(&s.ID, &s.TenantID, &s.Channel, &s.FormID, &s.FormVersion, &s.Token, &s.AccountID, &s.PersonID, &s.CompanyID,
		&s.Title, &s.Department, &answers, &s.Price, &state, &s.Reference, &s.RecordsID, &s.ObligationID, &s.AssignedTo,
		&s.SubmittedAt, &s.UpdatedAt); err != nil {
		return nil, err
	}
	s.State = State(state)
	if err := json.Unmarshal([]byte(answers), &s.Answers); err != nil {
		return nil, fmt.Errorf("submission %d: answers: %w", s.ID, err)
	}
	return &s, nil
}

func (s *Store) get(ctx context.Context, q db.Querier, tenantID, id int64, lock string) (*Submission, error) {
	sub, err := scan(q.QueryRow(ctx, `SELECT `+columns+` FROM submissions WHERE tenant_id = $1 AND id = $2`+lock, tenantID, id))
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	return sub, err
}

// Get returns one case of the town. Callers check who may see it
// (access.Principal.Owner with the case's person or company).
func (s *Store) Get(ctx context.Context, tenantID, id int64) (_ *Submission, err error) {
	defer derr.Wrap(&err, "submission.Get(%d, %d)", tenantID, id)
	return s.get(ctx, s.DB.Read(), tenantID, id, "")
}

// ForOwner lists the cases of a person (or, when personID is 0, a
// company), newest first, at most limit.
func (s *Store) ForOwner(ctx context.Context, tenantID, personID, companyID int64, limit int) (_ []Submission, err error) {
	defer derr.Wrap(&err, "submission.ForOwner(%d, p%d, c%d)", tenantID, personID, companyID)
	owner, id := "person_id", personID
	if personID == 0 {
		owner, id = "company_id", companyID
	}
	if id == 0 {
		return nil, derr.ErrNotFound
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT `+columns+` FROM submissions WHERE tenant_id = $1 AND `+owner+` = $2
		ORDER BY submitted_at DESC, id DESC LIMIT $3`, tenantID, id, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Submission
	for rows.Next() {
		sub, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *sub)
	}
	return out, rows.Err()
}

// Events lists a case's timeline, oldest first; publicOnly leaves out
// officials' notes (for the filer's page).
func (s *Store) Events(ctx context.Context, tenantID, id int64, publicOnly bool) (_ []Event, err error) {
	defer derr.Wrap(&err, "submission.Events(%d, %d)", tenantID, id)
	q := `SELECT id, at, kind, text, actor_kind, actor_id, public FROM submission_events WHERE tenant_id = $1 AND submission_id = $2`
	if publicOnly {
		q += ` AND public`
	}
	rows, err := s.DB.Read().Query(ctx, q+` ORDER BY at, id`, tenantID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.At, &e.Kind, &e.Text, &e.ActorKind, &e.ActorID, &e.Public); err != nil {
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
