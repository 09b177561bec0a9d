package submission

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// What records management tells the portal, applied to the portal's own
// copy of the cases by the records sync (package submission/records). Each
// method runs inside the caller's transaction, the one that also moves
// the sync's cursor, so that a change is applied exactly once.

// Paper is a case records management holds that was not filed in the
// portal: it was started on paper at the filing office.
type Paper struct {
	RecordsID  string // the case's id at records management
	Reference  string // číslo jednací
	Title      string
	Department string
	PersonID   int64 // whose case it is: a person or a company
	CompanyID  int64
	State      State     // as records management says; "" or StateSubmitted count as registered
	FiledAt    time.Time // when it was filed at the office
	At         time.Time // when records management last changed it (its clock)
	Version    int64     // the case's revision there (0: unknown)
}

// UpsertPaper adds a paper case to the portal's copy, once: a case whose
// records id the town holds already is left as it is (created false). A
// new case gets its timeline (filed, registered with its reference, and
// the state it is in when that is further) and one notification.
func (s *Store) UpsertPaper(ctx context.Context, tx *db.Tx, tenantID int64, p Paper) (id int64, created bool, err error) {
	defer derr.Wrap(&err, "submission.UpsertPaper(%d, %q)", tenantID, p.RecordsID)
	if p.State == "" || p.State == StateSubmitted {
		p.State = StateRegistered
	}
	switch {
	case p.RecordsID == "" || p.Reference == "":
		return 0, false, fmt.Errorf("%w: a paper case needs its records id and reference", derr.ErrInvalid)
	case (p.PersonID == 0) == (p.CompanyID == 0):
		return 0, false, fmt.Errorf("%w: a paper case needs one owner", derr.ErrInvalid)
	case !slices.Contains(States, p.State):
		return 0, false, fmt.Errorf("%w: unknown state %q", derr.ErrInvalid, p.State)
	}
	now := s.now()
	if p.FiledAt.IsZero() {
		p.FiledAt = now
	}
	p.FiledAt = p.FiledAt.UTC().Truncate(time.Microsecond)
	if p.At.IsZero() {
		p.At = p.FiledAt
	}
	p.At = p.At.UTC().Truncate(time.Microsecond)
	if p.Title == "" {
		p.Title = p.Reference
	}
	n, err := tx.Exec(ctx, `INSERT INTO submissions (tenant_id, channel, person_id, company_id, title, department, state,
		reference, records_id, records_version, submitted_at, updated_at)
		VALUES ($1, 'paper', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
		tenantID, nullID(p.PersonID), nullID(p.CompanyID), p.Title, p.Department, string(p.State),
		p.Reference, p.RecordsID, p.Version, p.FiledAt, now)
	if err != nil {
		return 0, false, err
	}
	if err := tx.QueryRow(ctx, `SELECT id FROM submissions WHERE tenant_id = $1 AND records_id = $2`, tenantID, p.RecordsID).Scan(&id); err != nil {
		return 0, false, err
	}
	if n == 0 {
		return id, false, nil
	}
	by := Actor{Kind: ActorRecords}
	if _, err := s.event(ctx, tx, tenantID, id, p.FiledAt, string(StateSubmitted), "", by, true); err != nil {
		return 0, false, err
	}
	if _, err := s.event(ctx, tx, tenantID, id, p.FiledAt, string(StateRegistered), p.Reference, by, true); err != nil {
		return 0, false, err
	}
	if p.State != StateRegistered {
		if _, err := s.event(ctx, tx, tenantID, id, later(p.At, p.FiledAt), string(p.State), "", by, true); err != nil {
			return 0, false, err
		}
	}
	return id, true, s.notify(ctx, tx, tenantID, id, p.PersonID, p.CompanyID, p.State, now)
}

// Followed is a change of a case at records management, for FollowRecords.
type Followed struct {
	RecordsID string
	To        State
	Note      string    // what the filer is told (a request, a decision's reasons)
	At        time.Time // when, by records management's clock
	// Version is the case's revision at records management after the
	// change; a change no newer than the last one taken is skipped (the
	// feed read again). 0: unknown, always applied.
	Version int64
}

// FollowRecords applies a state records management reports for a case it
// holds. A paper case takes the state as records management says; a case
// filed in the portal moves only where the state machine lets it (the
// portal's officials work on it too). It reports whether the case moved;
// a case the town does not hold is ErrNotFound.
func (s *Store) FollowRecords(ctx context.Context, tx *db.Tx, tenantID int64, f Followed) (moved bool, err error) {
	defer derr.Wrap(&err, "submission.FollowRecords(%d, %q → %s)", tenantID, f.RecordsID, f.To)
	if !slices.Contains(States, f.To) {
		return false, fmt.Errorf("%w: unknown state %q", derr.ErrInvalid, f.To)
	}
	var id, version int64
	err = tx.QueryRow(ctx, `SELECT id, records_version FROM submissions WHERE tenant_id = $1 AND records_id = $2 AND records_id <> ''`+tx.ForUpdate(),
		tenantID, f.RecordsID).Scan(&id, &version)
	if errors.Is(err, db.ErrNoRows) {
		return false, derr.ErrNotFound
	}
	if err != nil {
		return false, err
	}
	if f.Version != 0 && f.Version <= version {
		return false, nil // taken before: the feed read again
	}
	sub, err := s.get(ctx, tx, tenantID, id, "")
	if err != nil {
		return false, err
	}
	version = max(version, f.Version)
	// A portal case is decided by the portal's case workers, whose
	// approval also assesses the fee: a decision read from records
	// management is not applied to it (it would skip the fee).
	portalDecision := sub.Channel != ChannelPaper && f.To.Decided()
	if sub.State == f.To || portalDecision || (sub.Channel != ChannelPaper && !CanGo(sub.State, f.To)) {
		// Nothing to move, or a move the portal's copy cannot make: only
		// remember how far records management has been read.
		_, err := tx.Exec(ctx, `UPDATE submissions SET records_version = $1 WHERE tenant_id = $2 AND id = $3`, version, tenantID, id)
		return false, err
	}
	now := s.now()
	if _, err := tx.Exec(ctx, `UPDATE submissions SET state = $1, records_version = $2, updated_at = $3 WHERE tenant_id = $4 AND id = $5`,
		string(f.To), version, now, tenantID, id); err != nil {
		return false, err
	}
	// The timeline in records management's time, never before what it
	// shows already (ORDER BY, not max(): SQLite's aggregate loses the
	// column's type).
	when := now
	if !f.At.IsZero() {
		when = f.At.UTC().Truncate(time.Microsecond)
	}
	var last time.Time
	err = tx.QueryRow(ctx, `SELECT at FROM submission_events WHERE tenant_id = $1 AND submission_id = $2 ORDER BY at DESC LIMIT 1`,
		tenantID, id).Scan(&last)
	switch {
	case err == nil:
		when = later(when, last)
	case !errors.Is(err, db.ErrNoRows):
		return false, err
	}
	if _, err := s.event(ctx, tx, tenantID, id, when, string(f.To), f.Note, Actor{Kind: ActorRecords}, true); err != nil {
		return false, err
	}
	return true, s.notify(ctx, tx, tenantID, id, sub.PersonID, sub.CompanyID, f.To, now)
}

// RegisterIn records, inside tx, the reference number records management
// gave a submission filed in the portal, as Register does; the sync uses it
// when the change feed names a case whose registration answer the portal
// never got. It reports whether the case was registered now; a records id
// the town holds already for another case changes nothing (a confused feed
// must not make the sync fail on the unique index).
func (s *Store) RegisterIn(ctx context.Context, tx *db.Tx, tenantID, id int64, reference, recordsID string) (registered bool, err error) {
	defer derr.Wrap(&err, "submission.RegisterIn(%d, %d)", tenantID, id)
	if reference == "" || recordsID == "" {
		return false, fmt.Errorf("%w: records management gave no reference", derr.ErrInvalid)
	}
	var taken int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM submissions WHERE tenant_id = $1 AND records_id = $2`, tenantID, recordsID).
		Scan(&taken); err != nil || taken > 0 {
		return false, err
	}
	now := s.now()
	n, err := tx.Exec(ctx, `UPDATE submissions SET state = 'registered', reference = $1, records_id = $2, updated_at = $3
		WHERE tenant_id = $4 AND id = $5 AND state = 'submitted' AND channel = 'portal'`, reference, recordsID, now, tenantID, id)
	if err != nil || n == 0 {
		return false, err
	}
	var person, company int64
	if err := tx.QueryRow(ctx, `SELECT coalesce(person_id, 0), coalesce(company_id, 0) FROM submissions WHERE tenant_id = $1 AND id = $2`,
		tenantID, id).Scan(&person, &company); err != nil {
		return false, err
	}
	if _, err := s.event(ctx, tx, tenantID, id, now, string(StateRegistered), reference, Actor{Kind: ActorRecords}, true); err != nil {
		return false, err
	}
	return true, s.notify(ctx, tx, tenantID, id, person, company, StateRegistered, now)
}

// Attachment is a file filed with a submission, content included, as it
// is handed to records management.
type Attachment struct {
	Name        string
	ContentType string
	Size        int64
	SHA256      string // hex
	Data        []byte
}

// HandOffFiles returns the files filed with a submission (not those of
// later answers or decisions), oldest first, with their content.
func (s *Store) HandOffFiles(ctx context.Context, tenantID, id int64) (_ []Attachment, err error) {
	defer derr.Wrap(&err, "submission.HandOffFiles(%d, %d)", tenantID, id)
	rows, err := s.DB.Read().Query(ctx, `SELECT name, content_type, size, sha256, data FROM submission_files
		WHERE tenant_id = $1 AND submission_id = $2 AND event_id IS NULL ORDER BY id`, tenantID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.Name, &a.ContentType, &a.Size, &a.SHA256, &a.Data); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// later is the later of two times.
func later(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}
