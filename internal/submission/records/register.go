package records

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/person"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/tenant"
)

// RegisterWorker hands a filed submission to the town's records
// management (the job submission.File enqueues) and records the reference
// number it gets. It is safe to run any number of times: the registration
// goes under the submission's idempotency key, and the portal records the
// first answer only.
//
// A temporary failure (down, slow, no answer) is returned, and River tries
// again with back-off; a refusal is logged, noted on the case's timeline
// for officials (not the filer), and the job is cancelled. A town without
// records management keeps its submissions in "submitted": the job waits
// (snoozes, which costs no attempt) until the town has one.
type RegisterWorker struct {
	river.WorkerDefaults[submission.RegisterArgs]
	Submissions *submission.Store
	People      *person.Store
	Towns       *tenant.Store
	Systems     *Systems
	Log         *slog.Logger
	// Wait is how long a job of a town without records management waits
	// before it looks again; 0: an hour.
	Wait time.Duration
	// Backoff, when set, says how long to wait before the attempt-th retry
	// (tests); nil leaves River's exponential back-off.
	Backoff func(attempt int) time.Duration
}

// Notes on a case's timeline for officials.
const (
	noteRefused = "Spisová služba podání odmítla, nebylo zaevidováno: "
	noteGaveUp  = "Spisová služba nebyla dostupná ani po opakovaných pokusech; podání zatím nebylo zaevidováno. Poslední chyba: "
)

func (w *RegisterWorker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.New(slog.DiscardHandler)
}

// NextRetry is Backoff's time, or River's policy without it.
func (w *RegisterWorker) NextRetry(job *river.Job[submission.RegisterArgs]) time.Time {
	if w.Backoff == nil {
		return time.Time{}
	}
	return time.Now().Add(w.Backoff(job.Attempt))
}

func (w *RegisterWorker) Work(ctx context.Context, job *river.Job[submission.RegisterArgs]) error {
	a := job.Args
	log := w.log().With("tenant", a.TenantID, "submission", a.SubmissionID, "attempt", job.Attempt)
	reg, err := w.Register(ctx, a.TenantID, a.SubmissionID)
	switch {
	case err == nil:
		if reg.CaseID != "" {
			log.Info("submission registered in records management", "case", reg.CaseID)
		}
		return nil
	case errors.Is(err, ErrNotConfigured):
		wait := w.Wait
		if wait <= 0 {
			wait = time.Hour
		}
		return river.JobSnooze(wait)
	case errors.Is(err, derr.ErrNotFound):
		log.Error("submission to register, or its filer, not found; job cancelled")
		return river.JobCancel(err)
	case Permanent(err):
		log.Error("records management refused the submission; job cancelled", "reason", reason(err))
		w.note(ctx, log, a, noteRefused+describe(err))
		return river.JobCancel(err)
	default:
		if job.Attempt >= job.MaxAttempts {
			log.Error("records management unreachable; giving up", "reason", reason(err))
			w.note(ctx, log, a, noteGaveUp+describe(err))
		} else {
			log.Warn("records management unreachable; will retry", "reason", reason(err))
		}
		return err
	}
}

// note puts a line for officials on the case's timeline.
func (w *RegisterWorker) note(ctx context.Context, log *slog.Logger, a submission.RegisterArgs, text string) {
	if _, err := w.Submissions.AddEvent(ctx, a.TenantID, a.SubmissionID, submission.EventNote, text,
		submission.Actor{Kind: submission.ActorSystem}, false, nil); err != nil {
		log.Error("cannot note the failed hand-off on the case", "err", err)
	}
}

// Register hands the submission over now, unless it is registered
// already, and records the answer. It returns the registration made now
// (empty when there was nothing to do).
func (w *RegisterWorker) Register(ctx context.Context, tenantID, id int64) (Registration, error) {
	sub, err := w.Submissions.Get(ctx, tenantID, id)
	if err != nil {
		return Registration{}, err
	}
	if sub.Channel != submission.ChannelPortal || sub.State != submission.StateSubmitted {
		return Registration{}, nil // registered already (a job run twice), or not ours to hand over
	}
	sys, err := w.Systems.For(ctx, tenantID)
	if err != nil {
		return Registration{}, err
	}
	c, err := w.caseOf(ctx, sub)
	if err != nil {
		return Registration{}, err
	}
	reg, err := sys.Register(ctx, c)
	if err != nil {
		return Registration{}, err
	}
	if err := w.Submissions.Register(ctx, tenantID, id, reg.Reference, reg.CaseID); err != nil {
		return Registration{}, err
	}
	return reg, nil
}

// caseOf is what records management is told of a submission.
func (w *RegisterWorker) caseOf(ctx context.Context, sub *submission.Submission) (Case, error) {
	c := Case{Key: Key(sub.TenantID, sub.ID), Department: sub.Department, Title: sub.Title, SubmittedAt: sub.SubmittedAt.UTC()}
	t, err := w.Towns.Get(ctx, sub.TenantID)
	if err != nil {
		return c, err
	}
	c.Town = Town{Slug: t.Slug, Name: t.OfficialName, ICO: t.ICO}
	if sub.PersonID != 0 {
		p, err := w.People.Get(ctx, sub.TenantID, sub.PersonID)
		if err != nil {
			return c, err
		}
		c.Filer = Filer{Kind: FilerPerson, Name: p.FullName(), BirthNumber: p.BirthNumber, BirthDate: p.BirthDate.Format("2006-01-02"),
			Address: Address{Street: p.Street, HouseNumber: p.HouseNumber, City: p.City, PostalCode: p.PostalCode}}
	} else {
		co, err := w.People.GetCompany(ctx, sub.TenantID, sub.CompanyID)
		if err != nil {
			return c, err
		}
		c.Filer = Filer{Kind: FilerCompany, Name: co.Name, ICO: co.ICO,
			Address: Address{Street: co.Street, HouseNumber: co.HouseNumber, City: co.City, PostalCode: co.PostalCode}}
	}
	files, err := w.Submissions.HandOffFiles(ctx, sub.TenantID, sub.ID)
	if err != nil {
		return c, err
	}
	c.Attachments = make([]Attachment, 0, len(files))
	for _, f := range files {
		c.Attachments = append(c.Attachments, Attachment{Name: f.Name, ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256, Data: f.Data})
	}
	return c, nil
}

// reason is what is logged of a failure: its kind and status, never the
// system's message (which may name the filer).
func reason(err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return "error"
	}
	switch {
	case e.Status != 0 && e.Code != "":
		return "HTTP " + strconv.Itoa(e.Status) + " " + e.Code
	case e.Status != 0:
		return "HTTP " + strconv.Itoa(e.Status)
	case e.Err != nil:
		return transportReason(e.Err)
	}
	return "error"
}

// describe is what officials are told of a failure on the case's
// timeline: the system's own words included.
func describe(err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return "neznámá chyba"
	}
	s := reason(err)
	if e.Message != "" {
		s += " – " + e.Message
	}
	return s
}
