// Package records connects the portal to a town's records management
// (spisová služba: e-spis, GINIS, …): the system of record for cases,
// which gives each submission its reference number (číslo jednací) and
// knows the cases started on paper at the filing office.
//
// It holds the System interface, a generic REST/JSON adapter (Client), a
// fake records-management server speaking the same protocol (Fake, for
// tests and demo mode), each town's configuration (Systems, tables
// records_systems and records_sync), the job that hands a filed submission
// over (RegisterWorker, for submission.RegisterArgs) and the periodic job
// that brings the portal's own copy of the cases up to date (SyncWorker).
//
// The portal never waits on records management: a person's list of cases
// is read from the portal's copy (package submission); hand-offs go
// through the job queue, retried with back-off under an idempotency key,
// so a system that is down, slow or answers twice still ends with exactly
// one registered case.
//
// # The protocol
//
// Every request carries "Authorization: Bearer <token>"; the token names
// the office (the town) at the records system. Bodies are JSON (UTF-8).
//
//	POST <base>/cases            register a case
//	    Idempotency-Key: radnice:<tenant id>:<submission id>
//	    body: Case
//	    201 Created (new) or 200 OK (the same key again): {"id": "...", "reference": "MJZ/1234/2026/OE"}
//
//	GET <base>/changes?after=<cursor>&limit=<n>
//	    200 OK: {"changes": [Change...], "cursor": "<next>", "more": true|false}
//
// A case's attachments travel inside the registration, base64 in "data",
// with their name, type, size and SHA-256, which the records system checks:
// one request registers the case with its documents, so there is no
// half-registered case whose documents never arrived, and the records
// system needs no way into the portal. Sizes are bounded by the portal's
// own limits on attachments.
//
// Errors are {"error": {"code": "...", "message": "..."}} with a 4xx or
// 5xx status. A 5xx, 408, 429, a timeout or a broken connection is
// temporary: the job retries with the same idempotency key, which answers
// the same registration if the first attempt did register. Any other 4xx
// is permanent: retrying cannot help, so the job stops and an official
// sees why on the case's timeline.
//
// A change (see Change) is "filed" (a new case: on paper, with the owner's
// birth number or IČO, or one the portal registered, with its key) or
// "state" (a case moved), with the case's id, reference, state, times and
// its revision ("version", growing with each change of the case, so that
// a feed read again is not applied twice). States use the portal's own
// names: registered, in_progress, info_requested, approved, rejected,
// closed. The cursor is opaque; an empty page leaves it as it was.
//
// This package must never log personal data: no birth numbers, IČO,
// names or addresses of filers; cases are named by their ids.
package records

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// System is a town's records management.
type System interface {
	// Register files a case; registering the same Case.Key again answers
	// the registration made the first time.
	Register(ctx context.Context, c Case) (Registration, error)
	// Changes returns what happened since cursor ("" for the beginning),
	// oldest first, and the cursor to ask with next time; when nothing
	// happened the cursor comes back unchanged.
	Changes(ctx context.Context, cursor string) ([]Change, string, error)
}

// Case is a submission handed to records management.
type Case struct {
	Key         string       `json:"key"` // the idempotency key, "radnice:<tenant id>:<submission id>"
	Town        Town         `json:"town"`
	Department  string       `json:"department"`
	Title       string       `json:"title"`
	Filer       Filer        `json:"filer"`
	SubmittedAt time.Time    `json:"submitted_at"`
	Attachments []Attachment `json:"attachments"`
}

// Town is the office the case is filed with.
type Town struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	ICO  string `json:"ico,omitempty"`
}

// Filer is who filed the case: a person (with the birth number when the
// town holds it) or a company (with its IČO).
type Filer struct {
	Kind        string  `json:"kind"` // FilerPerson or FilerCompany
	Name        string  `json:"name"`
	BirthNumber string  `json:"birth_number,omitempty"`
	BirthDate   string  `json:"birth_date,omitempty"` // YYYY-MM-DD
	ICO         string  `json:"ico,omitempty"`
	Address     Address `json:"address"`
}

// Filer kinds.
const (
	FilerPerson  = "person"
	FilerCompany = "company"
)

// Address is a postal address.
type Address struct {
	Street      string `json:"street,omitempty"`
	HouseNumber string `json:"house_number,omitempty"`
	City        string `json:"city,omitempty"`
	PostalCode  string `json:"postal_code,omitempty"`
}

// Attachment is a document of the case, its content included.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"` // hex
	Data        []byte `json:"data"`   // base64 in JSON
}

// Registration is what records management answers to a registration.
type Registration struct {
	CaseID    string `json:"id"`
	Reference string `json:"reference"` // číslo jednací
}

// Change is one thing that happened at records management.
type Change struct {
	Kind   string    `json:"kind"` // ChangeFiled or ChangeState
	CaseID string    `json:"case_id"`
	At     time.Time `json:"at"`
	State  string    `json:"state"` // the case's state after the change
	// Version is the case's revision after the change, increasing with
	// each change of the case (0 when the system keeps none): a change
	// read again is recognised by it and not applied twice.
	Version int64 `json:"version,omitempty"`
	// Key is the idempotency key of a case the portal registered, "" for
	// a case started elsewhere (on paper).
	Key        string `json:"key,omitempty"`
	Reference  string `json:"reference,omitempty"`
	Title      string `json:"title,omitempty"`
	Department string `json:"department,omitempty"`
	// Who the case is of, for a case filed on paper: a person's birth
	// number or a company's IČO.
	BirthNumber string    `json:"birth_number,omitempty"`
	ICO         string    `json:"ico,omitempty"`
	FiledAt     time.Time `json:"filed_at,omitzero"`
	Note        string    `json:"note,omitempty"` // what the filer is told (a decision's reasons)
}

// Change kinds.
const (
	ChangeFiled = "filed" // a case was created (on paper, or registered from the portal)
	ChangeState = "state" // a case moved
)

// Key is the idempotency key of a submission's registration.
func Key(tenantID, submissionID int64) string {
	return "radnice:" + strconv.FormatInt(tenantID, 10) + ":" + strconv.FormatInt(submissionID, 10)
}

// ParseKey returns the submission of a key made by Key for the town, or 0
// when the key is another's.
func ParseKey(tenantID int64, key string) int64 {
	rest, ok := strings.CutPrefix(key, "radnice:"+strconv.FormatInt(tenantID, 10)+":")
	if !ok {
		return 0
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// Error is a failure of a call to records management.
type Error struct {
	Op        string // "register", "changes"
	Status    int    // the HTTP status; 0 when no answer came
	Code      string // the system's error code, when it gave one
	Message   string // the system's message, when it gave one (may name the filer: never log it)
	Temporary bool   // retrying may help
	Err       error  // the transport's error, when no answer came
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("records management: " + e.Op)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Permanent tells whether err is a failure that retrying cannot mend (a
// refusal with a 4xx status other than 408 and 429).
func Permanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && !e.Temporary
}

// ErrNotConfigured: the town has no records management, or it is off.
var ErrNotConfigured = errors.New("records: the town has no records management configured")
