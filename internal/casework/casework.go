// Package casework is the case workers' side of submissions: a
// department's queue, one case with everything needed to decide it, and
// the changes an official makes to it: take it, ask the filer for more,
// note something for colleagues, approve, reject, close. An approval
// assesses the fee the form sets, and a decision gets its document, in the
// same transaction that decides. Every look at a case and every change is
// in the audit log.
//
// An official works only on the cases of the departments they are a case
// worker of; any other case does not exist for them. It knows nothing of
// HTTP and must never log or audit what people wrote (only ids and states).
package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/obligation"
	"github.com/radnice/radnice/internal/person"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/tenant"
)

// Audit actions of case work.
const (
	ActionRead        = "submission.read"
	ActionFileRead    = "submission.file.read"
	ActionTake        = "submission.take"
	ActionRequestInfo = "submission.request_info"
	ActionNote        = "submission.note"
	ActionApprove     = "submission.approve"
	ActionReject      = "submission.reject"
	ActionClose       = "submission.close"
)

// Action is what an official does to a case.
type Action string

const (
	Take        Action = "take"         // assign it to me and work on it
	RequestInfo Action = "request_info" // ask the filer for more (text required)
	Note        Action = "note"         // an internal note (text required)
	Approve     Action = "approve"      // decide: granted (assesses the fee)
	Reject      Action = "reject"       // decide: refused (reasons required)
	Close       Action = "close"        // a decided case is done
)

// Actions lists every action, in the order a page offers them.
var Actions = []Action{Take, RequestInfo, Approve, Reject, Close, Note}

// target is the state an action moves a case to; a note moves nothing.
var target = map[Action]submission.State{
	Take:        submission.StateInProgress,
	RequestInfo: submission.StateInfoRequested,
	Approve:     submission.StateApproved,
	Reject:      submission.StateRejected,
	Close:       submission.StateClosed,
}

var auditAction = map[Action]string{
	Take: ActionTake, RequestInfo: ActionRequestInfo, Note: ActionNote, Approve: ActionApprove, Reject: ActionReject, Close: ActionClose,
}

// Allowed lists the actions the state machine allows a case in state now.
func Allowed(state submission.State) []Action {
	var out []Action
	for _, a := range Actions {
		if to, moves := target[a]; !moves || submission.CanGo(state, to) {
			out = append(out, a)
		}
	}
	return out
}

// MaxText is the longest request, note or reasons, in characters.
const MaxText = 4000

// PageSize is how many cases a page of the queue shows.
const PageSize = 50

// CountUpTo is how far the queue counts the cases of a state; a count
// above it means "more than CountUpTo".
const CountUpTo = 999

// DefaultDueDays is when an assessed fee is due, in days after the
// approval, when the form says nothing.
const DefaultDueDays = 30

// Meta is what the audit log keeps of the request.
type Meta struct {
	RequestID string
	IP        string
}

// Service does case work.
type Service struct {
	Submissions *submission.Store
	Forms       *form.Store
	Obligations *obligation.Store
	People      *person.Store
	Audit       *audit.Store
	Now         func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Departments are those the official is a case worker of, sorted.
func Departments(st *auth.Staff) []string {
	var out []string
	for _, g := range st.Grants {
		if g.Role == auth.CaseWorker && g.Department != "" && !slices.Contains(out, g.Department) {
			out = append(out, g.Department)
		}
	}
	slices.Sort(out)
	return out
}

// mayWork tells whether the official is a case worker of the department:
// exactly that department, never "any".
func mayWork(st *auth.Staff, department string) bool {
	return st != nil && slices.Contains(Departments(st), department)
}

// Filter picks cases of the queue.
type Filter struct {
	States []submission.State // none: the open states
	Page   int                // from 1
}

// Queue is one page of an official's queue.
type Queue struct {
	Departments []string
	Rows        []submission.WorkItem
	Counts      map[submission.State]int // of every state, not only those shown; above CountUpTo: more
	More        bool                     // there is a next page
}

// Queue lists the cases of the official's departments, newest first.
func (s *Service) Queue(ctx context.Context, tenantID int64, st *auth.Staff, f Filter) (_ *Queue, err error) {
	defer derr.Wrap(&err, "casework.Queue(%d)", tenantID)
	states := f.States
	if len(states) == 0 {
		states = submission.OpenStates
	}
	page := max(f.Page, 1)
	q := &Queue{Departments: Departments(st)}
	rows, err := s.Submissions.Worklist(ctx, tenantID, q.Departments, states, (page-1)*PageSize, PageSize+1)
	if err != nil {
		return nil, err
	}
	if len(rows) > PageSize {
		rows, q.More = rows[:PageSize], true
	}
	q.Rows = rows
	if q.Counts, err = s.Submissions.WorklistCounts(ctx, tenantID, q.Departments, CountUpTo); err != nil {
		return nil, err
	}
	return q, nil
}

// Case is one case as its case worker sees it.
type Case struct {
	*submission.Submission
	Form    *form.Definition // the version it was filed on; nil for a paper case
	Person  *person.Person   // the filer, or
	Company *person.Company
	Events  []submission.Event // the whole timeline, notes included
	Files   []submission.File
	Fee     *obligation.Line // the fee its approval assessed
	Actions []Action         // what may be done now
}

// get returns a case of the official's departments; any other is not
// found.
func (s *Service) get(ctx context.Context, tenantID int64, st *auth.Staff, id int64) (*submission.Submission, error) {
	sub, err := s.Submissions.Get(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	if !mayWork(st, sub.Department) {
		return nil, derr.ErrNotFound
	}
	return sub, nil
}

// Open returns a case with its filer, form, timeline and files, and
// records in the audit log that the official looked, before anything is
// shown: no audit, no case.
func (s *Service) Open(ctx context.Context, tenantID int64, st *auth.Staff, m Meta, id int64) (_ *Case, err error) {
	defer derr.Wrap(&err, "casework.Open(%d, %d)", tenantID, id)
	sub, err := s.get(ctx, tenantID, st, id)
	if err != nil {
		return nil, err
	}
	c := &Case{Submission: sub, Actions: Allowed(sub.State)}
	if sub.FormID != 0 {
		if c.Form, err = s.Forms.Version(ctx, tenantID, sub.FormID, sub.FormVersion); err != nil {
			return nil, err
		}
	}
	if sub.PersonID != 0 {
		c.Person, err = s.People.Get(ctx, tenantID, sub.PersonID)
	} else {
		c.Company, err = s.People.GetCompany(ctx, tenantID, sub.CompanyID)
	}
	if err != nil {
		return nil, err
	}
	if c.Events, err = s.Submissions.Events(ctx, tenantID, id, false); err != nil {
		return nil, err
	}
	if c.Files, err = s.Submissions.Files(ctx, tenantID, id); err != nil {
		return nil, err
	}
	if sub.ObligationID != 0 {
		if c.Fee, err = s.Obligations.Line(ctx, tenantID, sub.ObligationID); err != nil {
			return nil, err
		}
	}
	if err := s.Audit.RecordNow(ctx, s.entry(tenantID, st, m, ActionRead, sub, map[string]any{"submission": sub.ID})); err != nil {
		return nil, err
	}
	return c, nil
}

// OpenFile returns one file of a case of the official's departments, and
// records the look.
func (s *Service) OpenFile(ctx context.Context, tenantID int64, st *auth.Staff, m Meta, id, fileID int64) (_ *submission.File, _ []byte, err error) {
	defer derr.Wrap(&err, "casework.OpenFile(%d, %d, %d)", tenantID, id, fileID)
	sub, err := s.get(ctx, tenantID, st, id)
	if err != nil {
		return nil, nil, err
	}
	f, data, err := s.Submissions.Open(ctx, tenantID, fileID)
	if err == nil && f.SubmissionID != sub.ID {
		err = derr.ErrNotFound // another case's file, or a draft's
	}
	if err != nil {
		return nil, nil, err
	}
	if err := s.Audit.RecordNow(ctx, s.entry(tenantID, st, m, ActionFileRead, sub, map[string]any{"submission": sub.ID, "file": fileID})); err != nil {
		return nil, nil, err
	}
	return f, data, nil
}

// entry is an audit entry of the official's action on sub, whose subject
// is the filer; details are ids, never what anyone wrote.
func (s *Service) entry(tenantID int64, st *auth.Staff, m Meta, action string, sub *submission.Submission, details map[string]any) *audit.Entry {
	kind, id := audit.SubjectPerson, sub.PersonID
	if id == 0 {
		kind, id = audit.SubjectCompany, sub.CompanyID
	}
	b, _ := json.Marshal(details)
	return &audit.Entry{TenantID: tenantID, ActorKind: audit.ActorStaff, ActorID: st.ID, ActorName: st.Name, Action: action,
		SubjectKind: kind, SubjectID: id, Details: b, RequestID: m.RequestID, IP: m.IP}
}

// Request is an official's change of a case, as the case's page sent it.
type Request struct {
	Action Action
	// From is the state the page showed: when the case has moved since, the
	// change is ErrConflict instead of undoing a colleague's work.
	From submission.State
	Text string // the request for information, the note, the reasons
}

// check validates a request before anything is read.
func (r *Request) check() error {
	if !slices.Contains(Actions, r.Action) {
		return derr.Invalid("action", "bo.case.action.unknown", "unknown action")
	}
	r.Text = strings.TrimSpace(strings.ReplaceAll(r.Text, "\r\n", "\n"))
	switch {
	case !utf8.ValidString(r.Text) || strings.ContainsRune(r.Text, 0):
		return derr.Invalid("text", "bo.case.text.invalid", "not valid text")
	case utf8.RuneCountInString(r.Text) > MaxText:
		return derr.Invalid("text", "bo.case.text.long", fmt.Sprintf("at most %d characters", MaxText))
	case r.Text == "" && r.Action == RequestInfo:
		return derr.Invalid("text", "bo.case.info.required", "say what is missing")
	case r.Text == "" && r.Action == Note:
		return derr.Invalid("text", "bo.case.note.required", "a note needs a text")
	case r.Text == "" && r.Action == Reject:
		return derr.Invalid("text", "bo.case.reasons.required", "a rejection needs its reasons")
	}
	if _, moves := target[r.Action]; moves && !slices.Contains(submission.States, r.From) {
		return derr.Invalid("from", "bo.case.from.invalid", "the page did not say which state it showed")
	}
	return nil
}

// Act makes an official's change of a case in one transaction with its
// timeline event, its notification, its audit entry and, for a decision,
// the fee and the decision document. Bad input is *derr.InvalidError; a
// case that moved since the page was shown is derr.ErrConflict; a change
// its state does not allow is submission.ErrTransition; a case of another
// department is derr.ErrNotFound. Nothing changes in any of these.
func (s *Service) Act(ctx context.Context, t *tenant.Tenant, st *auth.Staff, m Meta, id int64, r Request) (err error) {
	defer derr.Wrap(&err, "casework.Act(%d, %d, %s)", t.ID, id, r.Action)
	if err := r.check(); err != nil {
		return err
	}
	sub, err := s.get(ctx, t.ID, st, id)
	if err != nil {
		return err
	}
	by := submission.Actor{Kind: submission.ActorStaff, ID: st.ID}
	record := func(ctx context.Context, tx *db.Tx, sub *submission.Submission, details map[string]any) error {
		details["submission"] = sub.ID
		return s.Audit.Record(ctx, tx, s.entry(t.ID, st, m, auditAction[r.Action], sub, details))
	}
	switch r.Action {
	case Note:
		_, err := s.Submissions.AddEvent(ctx, t.ID, id, submission.EventNote, r.Text, by, false,
			func(ctx context.Context, tx *db.Tx, eventID int64) error {
				return record(ctx, tx, sub, map[string]any{"event": eventID})
			})
		return err
	case Approve, Reject:
		return s.decide(ctx, t, st, sub, r, by, record)
	}
	to := target[r.Action]
	return s.Submissions.Move(ctx, t.ID, id, submission.Change{To: to, By: by, Text: r.Text, From: r.From,
		Also: func(ctx context.Context, tx *db.Tx, sub *submission.Submission, eventID int64) error {
			if err := s.assign(ctx, tx, st, sub, r.Action); err != nil {
				return err
			}
			return record(ctx, tx, sub, map[string]any{"event": eventID, "state": string(to)})
		}})
}

// assign makes the official the case's worker when they take it, and when
// they move a case nobody took (asking for information, deciding): the
// case then shows who handles it.
func (s *Service) assign(ctx context.Context, tx *db.Tx, st *auth.Staff, sub *submission.Submission, a Action) error {
	if a == Take || (a != Close && sub.AssignedTo == 0) {
		return s.Submissions.SetAssignee(ctx, tx, sub.TenantID, sub.ID, st.ID)
	}
	return nil
}

// decide approves or rejects: in the transaction that moves the case, an
// approval assesses the form's fee for the filer (once, whatever happens
// twice), the decision document is attached to the decision's event, and
// the audit entry is written last.
func (s *Service) decide(ctx context.Context, t *tenant.Tenant, st *auth.Staff, sub *submission.Submission, r Request, by submission.Actor,
	record func(context.Context, *db.Tx, *submission.Submission, map[string]any) error) error {
	var def *form.Definition
	if sub.FormID != 0 {
		var err error
		if def, err = s.Forms.Version(ctx, t.ID, sub.FormID, sub.FormVersion); err != nil {
			return err
		}
	}
	filer, address, err := s.filer(ctx, sub)
	if err != nil {
		return err
	}
	to := target[r.Action]
	return s.Submissions.Move(ctx, t.ID, sub.ID, submission.Change{To: to, By: by, Text: r.Text, From: r.From,
		Also: func(ctx context.Context, tx *db.Tx, sub *submission.Submission, eventID int64) error {
			if err := s.assign(ctx, tx, st, sub, r.Action); err != nil {
				return err
			}
			now := s.now()
			details := map[string]any{"event": eventID, "state": string(to)}
			var fee *obligation.Obligation
			if r.Action == Approve && def != nil && def.Obligation != "" && sub.Price > 0 && sub.ObligationID == 0 {
				today := now.In(i18n.Prague)
				due := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, dueDays(def))
				var err error
				fee, err = s.Obligations.Assess(ctx, tx, t.ID, obligation.Assessment{Kind: def.Obligation, PersonID: sub.PersonID,
					CompanyID: sub.CompanyID, Year: today.Year(), Description: Describe(def, sub.Answers), Amount: sub.Price, DueDate: due})
				if errors.Is(err, obligation.ErrNoKind) {
					return derr.Invalid("fee", "bo.case.fee.kind", fmt.Sprintf("the town has no obligation kind %q", def.Obligation))
				}
				if err != nil {
					return err
				}
				if err := s.Submissions.SetObligation(ctx, tx, t.ID, sub.ID, fee.ID); err != nil {
					return err
				}
				details["obligation"] = fee.ID
			}
			doc, err := RenderDecision(DecisionFacts{Town: t, Official: st.Name, Submission: sub, Filer: filer, Address: address,
				Approved: r.Action == Approve, Reasons: r.Text, Fee: fee, FeeKind: s.kindName(ctx, tx, t.ID, fee), At: now})
			if err != nil {
				return err
			}
			file, err := s.Submissions.AttachEvent(ctx, tx, t.ID, sub.ID, eventID, submission.Upload{
				Field: "decision", Name: DecisionFileName(sub), Data: doc})
			if err != nil {
				return err
			}
			details["file"] = file.ID
			return record(ctx, tx, sub, details)
		}})
}

// kindName is the Czech name of the fee's kind, "" when there is no fee.
func (s *Service) kindName(ctx context.Context, tx *db.Tx, tenantID int64, fee *obligation.Obligation) string {
	if fee == nil {
		return ""
	}
	var name string
	if err := tx.QueryRow(ctx, `SELECT name_cs FROM obligation_kinds WHERE tenant_id = $1 AND id = $2`, tenantID, fee.KindID).Scan(&name); err != nil {
		return ""
	}
	return name
}

// filer is the name and address of whoever filed the case.
func (s *Service) filer(ctx context.Context, sub *submission.Submission) (name, address string, err error) {
	if sub.PersonID != 0 {
		p, err := s.People.Get(ctx, sub.TenantID, sub.PersonID)
		if err != nil {
			return "", "", err
		}
		return p.FullName(), Address(p.Address), nil
	}
	c, err := s.People.GetCompany(ctx, sub.TenantID, sub.CompanyID)
	if err != nil {
		return "", "", err
	}
	return c.Name, Address(c.Address), nil
}

// Address is a postal address on one line.
func Address(a person.Address) string {
	line := strings.TrimSpace(a.Street + " " + a.HouseNumber)
	place := strings.TrimSpace(a.PostalCode + " " + a.City)
	switch {
	case line == "":
		return place
	case place == "":
		return line
	}
	return line + ", " + place
}

func dueDays(def *form.Definition) int {
	if def.DueDays > 0 {
		return def.DueDays
	}
	return DefaultDueDays
}

// Describe is what the fee's line says besides its kind: the answers of
// the form's Describe fields, the first as it is and the rest in brackets
// ("Alík (jezevčík)"); without them, the first text answer of the form.
func Describe(def *form.Definition, a form.Answers) string {
	var parts []string
	for _, id := range def.Describe {
		if f, _ := def.Field(id); f != nil {
			if v := strings.TrimSpace(a.Get(id)); v != "" {
				parts = append(parts, v)
			}
		}
	}
	if len(parts) == 0 {
		vis := def.Visible(a)
	first:
		for _, step := range def.Steps {
			for _, f := range step.Fields {
				if f.Type == form.TypeText && vis[f.ID] && f.Prefill == "" {
					if v := strings.TrimSpace(a.Get(f.ID)); v != "" {
						parts = append(parts, v)
						break first
					}
				}
			}
		}
	}
	out := ""
	for i, p := range parts {
		switch i {
		case 0:
			out = p
		case 1:
			out += " (" + p
		default:
			out += ", " + p
		}
	}
	if len(parts) > 1 {
		out += ")"
	}
	if r := []rune(out); len(r) > 200 {
		out = string(r[:199]) + "…"
	}
	return out
}
