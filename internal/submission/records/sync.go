package records

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/radnice/radnice/internal/czid"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/person"
	"github.com/radnice/radnice/internal/submission"
)

// SyncArgs is the periodic job that brings the portal's copy of the cases
// up to date with each town's records management.
type SyncArgs struct{}

func (SyncArgs) Kind() string { return "records.sync" }

// SyncWorker runs SyncArgs.
type SyncWorker struct {
	river.WorkerDefaults[SyncArgs]
	Syncer *Syncer
}

func (w *SyncWorker) Work(ctx context.Context, _ *river.Job[SyncArgs]) error {
	_, err := w.Syncer.Sync(ctx)
	return err
}

// SyncJob runs the sync every interval (and once at start). A failed run
// is not retried: the next one comes soon enough.
func SyncJob(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return SyncArgs{}, &river.InsertOpts{MaxAttempts: 1}
	}, &river.PeriodicJobOpts{RunOnStart: true})
}

// Syncer applies what each town's records management reports to the
// portal's own copy of the cases: cases filed on paper become the owners'
// cases (found by birth number or IČO among the town's people and
// companies), and cases move as records management moves them. Each page
// of changes is applied in one transaction together with the cursor that
// follows it, so a crash never skips or repeats a change.
type Syncer struct {
	DB          *db.DB
	Systems     *Systems
	Submissions *submission.Store
	People      *person.Store
	Log         *slog.Logger
	// MaxPages bounds the pages read per town and run; 0: 50. The next run
	// goes on from there.
	MaxPages int

	// crash, in tests, fails applying the i-th change of a page.
	crash func(i int) error
}

// Result counts what a sync did.
type Result struct {
	Pages      int // pages of changes applied
	Filed      int // paper cases added
	Registered int // portal cases whose registration the feed told first
	Moved      int // cases moved
	Skipped    int // changes that changed nothing here (unknown owner, a move the portal cannot make, read before)
}

func (r *Result) add(o Result) {
	r.Pages += o.Pages
	r.Filed += o.Filed
	r.Registered += o.Registered
	r.Moved += o.Moved
	r.Skipped += o.Skipped
}

func (s *Syncer) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Sync brings every town with records management up to date. A town whose
// system fails is logged and left for the next run; the others go on.
func (s *Syncer) Sync(ctx context.Context) (Result, error) {
	var total Result
	towns, err := s.Systems.Enabled(ctx)
	if err != nil {
		return total, err
	}
	for _, id := range towns {
		r, err := s.SyncTown(ctx, id)
		total.add(r)
		switch {
		case err == nil:
			if r != (Result{}) {
				s.log().Info("records sync", "tenant", id, "pages", r.Pages, "filed", r.Filed, "registered", r.Registered,
					"moved", r.Moved, "skipped", r.Skipped)
			}
		case errors.Is(err, ErrNotConfigured):
		case ctx.Err() != nil:
			return total, ctx.Err()
		default:
			s.log().Warn("records sync failed; the next run goes on", "tenant", id, "reason", reason(err), "err", syncErr(err))
		}
	}
	return total, nil
}

// syncErr is what is logged of a sync failure: a records system's error
// by its kind (its message may name people), other errors (the database's)
// in full.
func syncErr(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return reason(err)
	}
	return err.Error()
}

// errMoved: another sync moved the cursor meanwhile.
var errMoved = errors.New("records: the cursor moved meanwhile")

// SyncTown brings one town up to date.
func (s *Syncer) SyncTown(ctx context.Context, tenantID int64) (Result, error) {
	var res Result
	sys, err := s.Systems.For(ctx, tenantID)
	if err != nil {
		return res, err
	}
	cursor, err := s.Systems.Cursor(ctx, tenantID)
	if err != nil {
		return res, err
	}
	pages := s.MaxPages
	if pages <= 0 {
		pages = 50
	}
	for range pages {
		changes, next, err := sys.Changes(ctx, cursor)
		if err != nil {
			return res, err
		}
		if len(changes) == 0 && next == cursor {
			return res, nil
		}
		var page Result
		err = s.DB.InTx(ctx, func(tx *db.Tx) error {
			page = Result{Pages: 1}
			cur, err := lockCursor(ctx, tx, tenantID)
			if err != nil {
				return err
			}
			if cur != cursor {
				return errMoved
			}
			for i, ch := range changes {
				if s.crash != nil {
					if err := s.crash(i); err != nil {
						return err
					}
				}
				if err := s.apply(ctx, tx, tenantID, ch, &page); err != nil {
					return err
				}
			}
			return saveCursor(ctx, tx, tenantID, next, time.Now().UTC())
		})
		if errors.Is(err, errMoved) {
			return res, nil // the other sync goes on from there
		}
		if err != nil {
			return res, err
		}
		res.add(page)
		cursor = next
		if len(changes) == 0 {
			return res, nil
		}
	}
	return res, nil
}

// apply takes one change into the portal's copy inside tx.
func (s *Syncer) apply(ctx context.Context, tx *db.Tx, tenantID int64, ch Change, res *Result) error {
	log := s.log().With("tenant", tenantID, "case", ch.CaseID)
	to := submission.State(ch.State)
	if ch.CaseID == "" || to == submission.StateSubmitted || !slices.Contains(submission.States, to) {
		log.Warn("records sync: a change without a case or with an unknown state; skipped", "kind", ch.Kind, "state", ch.State)
		res.Skipped++
		return nil
	}
	if id := ParseKey(tenantID, ch.Key); id != 0 {
		// A case the portal filed. Its registration may have been answered
		// to nobody (a lost answer): the feed tells it now.
		if ch.Reference != "" {
			ok, err := s.Submissions.RegisterIn(ctx, tx, tenantID, id, ch.Reference, ch.CaseID)
			if err != nil {
				return err
			}
			if ok {
				res.Registered++
			}
		}
		return s.follow(ctx, tx, tenantID, ch, to, res, log)
	}
	switch ch.Kind {
	case ChangeFiled:
		return s.paper(ctx, tx, tenantID, ch, to, res, log)
	case ChangeState:
		return s.follow(ctx, tx, tenantID, ch, to, res, log)
	}
	log.Warn("records sync: an unknown kind of change; skipped", "kind", ch.Kind)
	res.Skipped++
	return nil
}

// follow moves the portal's copy of a case as records management did.
func (s *Syncer) follow(ctx context.Context, tx *db.Tx, tenantID int64, ch Change, to submission.State, res *Result, log *slog.Logger) error {
	moved, err := s.Submissions.FollowRecords(ctx, tx, tenantID, submission.Followed{RecordsID: ch.CaseID, To: to, Note: ch.Note,
		At: ch.At, Version: ch.Version})
	switch {
	case errors.Is(err, derr.ErrNotFound):
		// A case of somebody the portal does not know (skipped when it was
		// filed), or one it never registered.
		log.Debug("records sync: a change of a case the portal does not hold; skipped")
		res.Skipped++
		return nil
	case err != nil:
		return err
	case moved:
		res.Moved++
	default:
		res.Skipped++
	}
	return nil
}

// paper adds a case filed on paper for a person or company the town knows.
func (s *Syncer) paper(ctx context.Context, tx *db.Tx, tenantID int64, ch Change, to submission.State, res *Result, log *slog.Logger) error {
	p := submission.Paper{RecordsID: ch.CaseID, Reference: ch.Reference, Title: strings.TrimSpace(ch.Title),
		Department: strings.TrimSpace(ch.Department), State: to, FiledAt: ch.FiledAt, At: ch.At, Version: ch.Version}
	if p.Reference == "" {
		log.Warn("records sync: a paper case without a reference; skipped")
		res.Skipped++
		return nil
	}
	switch {
	case ch.BirthNumber != "" && ch.ICO == "":
		bn, err := czid.ParseBirthNumber(ch.BirthNumber)
		if err != nil {
			log.Warn("records sync: a paper case with an invalid birth number; skipped")
			res.Skipped++
			return nil
		}
		who, err := s.People.ByBirthNumber(ctx, tenantID, string(bn))
		if errors.Is(err, derr.ErrNotFound) {
			log.Info("records sync: a paper case of a person the town does not know; skipped")
			res.Skipped++
			return nil
		}
		if err != nil {
			return err
		}
		p.PersonID = who.ID
	case ch.ICO != "" && ch.BirthNumber == "":
		co, err := s.People.CompanyByICO(ctx, tenantID, strings.TrimSpace(ch.ICO))
		if errors.Is(err, derr.ErrNotFound) {
			log.Info("records sync: a paper case of a company the town does not know; skipped")
			res.Skipped++
			return nil
		}
		if err != nil {
			return err
		}
		p.CompanyID = co.ID
	default:
		log.Warn("records sync: a paper case without exactly one owner; skipped")
		res.Skipped++
		return nil
	}
	_, created, err := s.Submissions.UpsertPaper(ctx, tx, tenantID, p)
	if err != nil {
		return err
	}
	if created {
		res.Filed++
		return nil
	}
	// Known already (the feed read again): at most its state is news.
	return s.follow(ctx, tx, tenantID, ch, to, res, log)
}
