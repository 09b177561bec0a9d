package submission

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/submission/attach"
)

// Limits of attachments. A file is checked alone (its size, its type by
// content, a virus scan) and then against what it joins: a draft (whose
// files become the submission's), or one event of a case (an answer to a
// request for information, a decision's documents). Each of those holds at
// most MaxFiles files of MaxTotal bytes together.
const (
	MaxFileSize = 10 << 20 // one file: 10 MB
	MaxFiles    = 5        // files of one draft, submission or event
	MaxTotal    = 25 << 20 // all files of one draft, submission or event: 25 MB
)

// The keys (i18n messages) of refused uploads. Every refusal is a
// *derr.InvalidError carrying one of them; KeyScanDown is the one that is
// temporary (the same file may pass later) and also matches
// ErrScanUnavailable.
const (
	KeyFileType    = attach.KeyType    // not a PDF, JPEG, PNG or plain text
	KeyFileArchive = attach.KeyArchive // an archive, or a file with one appended
	KeyFileEmpty   = attach.KeyEmpty
	KeyFileLarge   = "file.large" // over MaxFileSize, or the files together over MaxTotal
	KeyFileCount   = "file.count" // more than MaxFiles
	KeyFileVirus   = "file.virus" // the scanner found something
	KeyScanDown    = "file.scan"  // the scanner did not answer: try again later
)

// Scanner looks for malware in a file; it returns an error wrapping
// ErrInfected when it finds some, and any other error when it could not
// scan (the file is then refused for now: an upload is never stored
// unscanned when a scanner is configured).
type Scanner interface {
	Scan(ctx context.Context, data []byte) error
}

// ErrInfected: the scanner found malware.
var ErrInfected = errors.New("submission: malware found")

// ErrScanUnavailable: a scanner is configured but did not answer, so the
// file was refused for now. It comes joined with an *derr.InvalidError
// (KeyScanDown), so a face that shows refusals shows this one too.
var ErrScanUnavailable = errors.New("submission: virus scanner unavailable")

// Upload is a file as the filer sent it.
type Upload struct {
	Field string // the form field (or "answer", "decision")
	Name  string // as the browser named it; only a sanitised form is kept
	Data  []byte
}

// File is a stored attachment, without its content.
type File struct {
	ID, TenantID, DraftID, SubmissionID, EventID int64
	Field, Name, ContentType                     string
	Size                                         int64
	SHA256                                       string // hex
	CreatedAt                                    time.Time
}

// checked is an upload that passed every check of its own.
type checked struct {
	Upload
	typ, sum string
}

// check decides whether one file may be stored, before anything is
// written: its size, its type by content, then (the costly part) the
// virus scan.
func (s *Store) check(ctx context.Context, u Upload) (*checked, error) {
	switch {
	case len(u.Data) == 0:
		return nil, derr.Invalid(u.Field, KeyFileEmpty, "empty file")
	case len(u.Data) > MaxFileSize:
		return nil, derr.Invalid(u.Field, KeyFileLarge, fmt.Sprintf("%d bytes, more than %d", len(u.Data), MaxFileSize))
	}
	typ, err := attach.Detect(u.Data)
	var refused *attach.Refused
	if errors.As(err, &refused) {
		return nil, derr.Invalid(u.Field, refused.Key, refused.Reason)
	}
	if err != nil {
		return nil, err
	}
	if s.Scanner != nil {
		err := s.Scanner.Scan(ctx, u.Data)
		switch {
		case errors.Is(err, ErrInfected):
			return nil, derr.Invalid(u.Field, KeyFileVirus, err.Error())
		case err != nil:
			return nil, fmt.Errorf("%w: %v: %w", ErrScanUnavailable, err, derr.Invalid(u.Field, KeyScanDown, "virus scanner unavailable"))
		}
	}
	sum := sha256.Sum256(u.Data)
	u.Name = attach.Name(u.Name, typ)
	return &checked{Upload: u, typ: typ, sum: hex.EncodeToString(sum[:])}, nil
}

// checkAll checks files that are to join a container together.
func (s *Store) checkAll(ctx context.Context, field string, uploads []Upload) ([]*checked, error) {
	if len(uploads) > MaxFiles {
		return nil, derr.Invalid(field, KeyFileCount, fmt.Sprintf("%d files, at most %d", len(uploads), MaxFiles))
	}
	var total int64
	for _, u := range uploads {
		total += int64(len(u.Data))
	}
	if total > MaxTotal {
		return nil, derr.Invalid(field, KeyFileLarge, fmt.Sprintf("%d bytes together, more than %d", total, MaxTotal))
	}
	out := make([]*checked, 0, len(uploads))
	for _, u := range uploads {
		c, err := s.check(ctx, u)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// room refuses a file that would take a container (the files matching
// where) past its limits.
func room(ctx context.Context, q db.Querier, field string, size int64, where string, args ...any) error {
	var n, total int64
	if err := q.QueryRow(ctx, `SELECT count(*), coalesce(sum(size), 0) FROM submission_files WHERE `+where, args...).Scan(&n, &total); err != nil {
		return err
	}
	if n+1 > MaxFiles {
		return derr.Invalid(field, KeyFileCount, fmt.Sprintf("already %d files, at most %d", n, MaxFiles))
	}
	if total+size > MaxTotal {
		return derr.Invalid(field, KeyFileLarge, fmt.Sprintf("%d bytes with the others, more than %d", total+size, MaxTotal))
	}
	return nil
}

// insert stores a checked file.
func (s *Store) insert(ctx context.Context, tx *db.Tx, tenantID int64, draftID, submissionID, eventID any, c *checked) (*File, error) {
	f := &File{TenantID: tenantID, Field: c.Field, Name: c.Name, ContentType: c.typ, Size: int64(len(c.Data)), SHA256: c.sum, CreatedAt: s.now()}
	err := tx.QueryRow(ctx, `INSERT INTO submission_files (tenant_id, draft_id, submission_id, event_id, field, name, content_type, size, sha256, data, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		tenantID, draftID, submissionID, eventID, f.Field, f.Name, f.ContentType, f.Size, f.SHA256, c.Data, f.CreatedAt).Scan(&f.ID)
	if err != nil {
		return nil, err
	}
	f.DraftID, _ = draftID.(int64)
	f.SubmissionID, _ = submissionID.(int64)
	f.EventID, _ = eventID.(int64)
	return f, nil
}

// AttachDraft checks an upload and adds it to a draft. A refused file is
// a *derr.InvalidError (see the Key constants) and nothing is stored; a
// draft that does not exist in the town is derr.ErrNotFound. Callers check
// that the draft is the person's.
func (s *Store) AttachDraft(ctx context.Context, tenantID, draftID int64, u Upload) (_ *File, err error) {
	defer derr.Wrap(&err, "submission.AttachDraft(%d, %d)", tenantID, draftID)
	// The cheap refusals first, so a sixth file is not scanned at all; the
	// limits are checked again below, where they hold.
	if err := room(ctx, s.DB.Read(), u.Field, int64(len(u.Data)), `tenant_id = $1 AND draft_id = $2`, tenantID, draftID); err != nil {
		return nil, err
	}
	c, err := s.check(ctx, u)
	if err != nil {
		return nil, err
	}
	var f *File
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var one int
		// Locking the draft makes two uploads at once take turns, so
		// together they cannot pass the limits.
		if err := tx.QueryRow(ctx, `SELECT 1 FROM submission_drafts WHERE tenant_id = $1 AND id = $2`+tx.ForUpdate(),
			tenantID, draftID).Scan(&one); err != nil {
			if errors.Is(err, db.ErrNoRows) {
				return derr.ErrNotFound
			}
			return err
		}
		if err := room(ctx, tx, u.Field, int64(len(c.Data)), `tenant_id = $1 AND draft_id = $2`, tenantID, draftID); err != nil {
			return err
		}
		f, err = s.insert(ctx, tx, tenantID, draftID, nil, nil, c)
		return err
	})
	return f, err
}

const fileColumns = `id, tenant_id, coalesce(draft_id, 0), coalesce(submission_id, 0), coalesce(event_id, 0), field, name,
	content_type, size, sha256, created_at`

func scanFile(r db.Row, extra ...any) (*File, error) {
	var f File
	dest := append([]any{&f.ID, &f.TenantID, &f.DraftID, &f.SubmissionID, &f.EventID, &f.Field, &f.Name,
		&f.ContentType, &f.Size, &f.SHA256, &f.CreatedAt}, extra...)
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	return &f, nil
}

func (s *Store) files(ctx context.Context, where string, args ...any) ([]File, error) {
	rows, err := s.DB.Read().Query(ctx, `SELECT `+fileColumns+` FROM submission_files WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []File
	for rows.Next() {
		f, err := scanFile(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *f)
	}
	return out, rows.Err()
}

// DraftFiles lists a draft's files, oldest first, without their content.
func (s *Store) DraftFiles(ctx context.Context, tenantID, draftID int64) (_ []File, err error) {
	defer derr.Wrap(&err, "submission.DraftFiles(%d, %d)", tenantID, draftID)
	return s.files(ctx, `tenant_id = $1 AND draft_id = $2`, tenantID, draftID)
}

// RemoveDraftFile removes a file from a draft; derr.ErrNotFound when the
// draft has no such file.
func (s *Store) RemoveDraftFile(ctx context.Context, tenantID, draftID, fileID int64) (err error) {
	defer derr.Wrap(&err, "submission.RemoveDraftFile(%d, %d, %d)", tenantID, draftID, fileID)
	n, err := s.DB.Write().Exec(ctx, `DELETE FROM submission_files WHERE tenant_id = $1 AND draft_id = $2 AND id = $3`, tenantID, draftID, fileID)
	if err == nil && n == 0 {
		err = derr.ErrNotFound
	}
	return err
}

// AttachEvent checks an upload and attaches it to an event of a case
// inside tx, the event's own transaction (Store.AddEvent's or Move's
// hook): the filer's answer to a request for information, or a decision's
// document. It belongs to the case too (Files lists it). A refused file is
// a *derr.InvalidError and, as the transaction's error, undoes the event.
//
// The virus scan runs inside tx; to keep a transaction short, a caller
// with several files can use Answer, which checks them all first.
func (s *Store) AttachEvent(ctx context.Context, tx *db.Tx, tenantID, submissionID, eventID int64, u Upload) (_ *File, err error) {
	defer derr.Wrap(&err, "submission.AttachEvent(%d, %d, %d)", tenantID, submissionID, eventID)
	c, err := s.check(ctx, u)
	if err != nil {
		return nil, err
	}
	return s.attachEvent(ctx, tx, tenantID, submissionID, eventID, c)
}

func (s *Store) attachEvent(ctx context.Context, tx *db.Tx, tenantID, submissionID, eventID int64, c *checked) (*File, error) {
	var one int
	if err := tx.QueryRow(ctx, `SELECT 1 FROM submission_events WHERE tenant_id = $1 AND id = $2 AND submission_id = $3`,
		tenantID, eventID, submissionID).Scan(&one); err != nil {
		if errors.Is(err, db.ErrNoRows) {
			return nil, derr.ErrNotFound
		}
		return nil, err
	}
	if err := room(ctx, tx, c.Field, int64(len(c.Data)), `tenant_id = $1 AND event_id = $2`, tenantID, eventID); err != nil {
		return nil, err
	}
	return s.insert(ctx, tx, tenantID, nil, submissionID, eventID, c)
}

// Files lists a case's files, those filed with it and those of its events,
// oldest first, without their content. Callers show an event's files only
// where they show the event (officials' notes are not public).
func (s *Store) Files(ctx context.Context, tenantID, submissionID int64) (_ []File, err error) {
	defer derr.Wrap(&err, "submission.Files(%d, %d)", tenantID, submissionID)
	return s.files(ctx, `tenant_id = $1 AND submission_id = $2`, tenantID, submissionID)
}

// Open returns a file of the town with its content; derr.ErrNotFound when
// there is none. Callers check whose it is (its draft's or case's owner).
func (s *Store) Open(ctx context.Context, tenantID, fileID int64) (_ *File, _ []byte, err error) {
	defer derr.Wrap(&err, "submission.Open(%d, %d)", tenantID, fileID)
	var data []byte
	f, err := scanFile(s.DB.Read().QueryRow(ctx, `SELECT `+fileColumns+`, data FROM submission_files WHERE tenant_id = $1 AND id = $2`,
		tenantID, fileID), &data)
	if errors.Is(err, db.ErrNoRows) {
		return nil, nil, derr.ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	return f, data, nil
}
