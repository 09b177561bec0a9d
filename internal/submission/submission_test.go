package submission_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/tenant"
)

// queue counts the jobs enqueued, in the transaction that enqueued them:
// a job of a transaction that rolls back is not counted.
type queue struct{}

func (q *queue) InsertTx(ctx context.Context, tx *db.Tx, args river.JobArgs, _ *river.InsertOpts) error {
	// Record on the database itself so a rollback takes it back.
	_, err := tx.Exec(ctx, `INSERT INTO notification_events (tenant_id, kind, created_at)
		SELECT tenant_id, 'test.job', $2 FROM submissions WHERE id = $1`, args.(submission.RegisterArgs).SubmissionID, time.Now().UTC())
	return err
}

type rig struct {
	ctx     context.Context
	d       *db.DB
	tn      *tenant.Tenant
	store   *submission.Store
	form    int64
	account int64
	person  int64
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	tn := fixture.Town(t, d, "lhota", 20)
	r := &rig{ctx: ctx, d: d, tn: tn, store: &submission.Store{DB: d, Queue: &queue{}}}
	if err := d.Read().QueryRow(ctx, `SELECT min(id) FROM persons WHERE tenant_id = $1`, tn.ID).Scan(&r.person); err != nil {
		t.Fatal(err)
	}
	r.account = fixture.Citizen(t, d, tn, r.person).ID
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO forms (tenant_id, slug, department, version) VALUES ($1, 'pes', 'Odbor ekonomiky', 1) RETURNING id`,
			tn.ID).Scan(&r.form); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO form_versions (tenant_id, form_id, version, definition, created_at) VALUES ($1, $2, 1, '{}', $3)`,
			tn.ID, r.form, time.Now().UTC())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) filing(token string) submission.Filing {
	return submission.Filing{TenantID: r.tn.ID, Token: token, AccountID: r.account, PersonID: r.person, FormID: r.form, FormVersion: 1,
		Title: "Přihlášení psa", Department: "Odbor ekonomiky", Answers: form.Answers{"name": {"Alík"}}, Price: 150000}
}

func (r *rig) count(t *testing.T, q string) int {
	t.Helper()
	var n int
	if err := r.d.Read().QueryRow(r.ctx, q, r.tn.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Fifty identical filings at once (a double click, two tabs, retries) make
// one submission, one event, one notification and one hand-off.
func TestFileOnce(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := map[int64]int{}
	created := 0
	for range 50 {
		wg.Go(func() {
			sub, c, err := r.store.File(r.ctx, r.filing("tok-1"))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("file: %v", err)
				return
			}
			ids[sub.ID]++
			if c {
				created++
			}
		})
	}
	wg.Wait()
	if len(ids) != 1 || created != 1 {
		t.Fatalf("%d submissions, %d created", len(ids), created)
	}
	// The fixture filed one submission before.
	for q, want := range map[string]int{
		`SELECT count(*) FROM submissions WHERE tenant_id = $1 AND token = 'tok-1'`: 1,
		`SELECT count(*) FROM submission_events e JOIN submissions s ON s.id = e.submission_id
			WHERE e.tenant_id = $1 AND s.token = 'tok-1'`: 1,
		`SELECT count(*) FROM notification_events n JOIN submissions s ON s.id = n.submission_id
			WHERE n.tenant_id = $1 AND s.token = 'tok-1' AND n.kind = 'submission.submitted'`: 1,
		`SELECT count(*) FROM notification_events WHERE kind = 'test.job' AND $1 > 0`: 1,
	} {
		if n := r.count(t, q); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
}

// A case goes only where the state machine lets it; each move is one event
// and one notification; registering twice changes nothing; a stale page's
// change is a conflict.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	sub, _, err := r.store.File(r.ctx, r.filing("tok-2"))
	if err != nil {
		t.Fatal(err)
	}
	official := submission.Actor{Kind: submission.ActorStaff, ID: 7}
	if err := r.store.Move(r.ctx, r.tn.ID, sub.ID, submission.Change{To: submission.StateApproved, By: official}); !errors.Is(err, submission.ErrTransition) {
		t.Fatalf("approving before registration: %v", err)
	}
	if err := r.store.Register(r.ctx, r.tn.ID, sub.ID, "MULH/123/2026", "R-1"); err != nil {
		t.Fatal(err)
	}
	if err := r.store.Register(r.ctx, r.tn.ID, sub.ID, "MULH/999/2026", "R-9"); err != nil {
		t.Fatal(err)
	}
	got, _ := r.store.Get(r.ctx, r.tn.ID, sub.ID)
	if got.State != submission.StateRegistered || got.Reference != "MULH/123/2026" || got.RecordsID != "R-1" {
		t.Fatalf("registered: %+v", got)
	}
	steps := []submission.Change{
		{To: submission.StateInProgress, By: official},
		{To: submission.StateInfoRequested, By: official, Text: "Doložte očkovací průkaz."},
		{To: submission.StateInProgress, By: submission.Actor{Kind: submission.ActorCitizen, ID: r.person}},
	}
	for _, c := range steps {
		if err := r.store.Move(r.ctx, r.tn.ID, sub.ID, c); err != nil {
			t.Fatalf("%s: %v", c.To, err)
		}
	}
	if err := r.store.Move(r.ctx, r.tn.ID, sub.ID, submission.Change{To: submission.StateApproved, By: official,
		From: submission.StateInfoRequested}); !errors.Is(err, derr.ErrConflict) {
		t.Fatalf("a stale page's change: %v", err)
	}
	boom := errors.New("boom")
	if err := r.store.Move(r.ctx, r.tn.ID, sub.ID, submission.Change{To: submission.StateApproved, By: official,
		Also: func(context.Context, *db.Tx, *submission.Submission, int64) error { return boom }}); !errors.Is(err, boom) {
		t.Fatalf("a failing hook: %v", err)
	}
	if got, _ := r.store.Get(r.ctx, r.tn.ID, sub.ID); got.State != submission.StateInProgress {
		t.Fatalf("a failed approval moved the case: %s", got.State)
	}
	if err := r.store.Move(r.ctx, r.tn.ID, sub.ID, submission.Change{To: submission.StateApproved, By: official}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.AddEvent(r.ctx, r.tn.ID, sub.ID, submission.EventNote, "interní", official, false, nil); err != nil {
		t.Fatal(err)
	}
	all, _ := r.store.Events(r.ctx, r.tn.ID, sub.ID, false)
	public, _ := r.store.Events(r.ctx, r.tn.ID, sub.ID, true)
	var kinds []string
	for _, e := range public {
		kinds = append(kinds, e.Kind)
	}
	if len(all) != 7 || len(public) != 6 || kinds[0] != "submitted" || kinds[5] != "approved" {
		t.Fatalf("timeline: %d events, public %v", len(all), kinds)
	}
	if n := r.count(t, `SELECT count(*) FROM notification_events n JOIN submissions s ON s.id = n.submission_id
		WHERE n.tenant_id = $1 AND s.token = 'tok-2'`); n != 6 {
		t.Errorf("notifications: %d, want 6", n)
	}
	list, err := r.store.ForOwner(r.ctx, r.tn.ID, r.person, 0, 50)
	if err != nil || len(list) != 2 || list[0].ID != sub.ID || list[0].Answers.Get("name") != "Alík" { // the fixture filed one before
		t.Fatalf("list: %+v %v", list, err)
	}
}

// An answer carrying a NUL (which PostgreSQL's text refuses) is refused as
// bad input, not failed as an error, and the case still waits.
func TestAnswerRefusesNUL(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	sub, _, err := r.store.File(r.ctx, r.filing("tok-nul"))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.store.Register(r.ctx, r.tn.ID, sub.ID, "MULH/7/2026", "R-7"); err != nil {
		t.Fatal(err)
	}
	official := submission.Actor{Kind: submission.ActorStaff, ID: 7}
	if err := r.store.Move(r.ctx, r.tn.ID, sub.ID, submission.Change{To: submission.StateInfoRequested, By: official, Text: "Doložte."}); err != nil {
		t.Fatal(err)
	}
	_, err = r.store.Answer(r.ctx, r.tn.ID, sub.ID, submission.Actor{Kind: submission.ActorCitizen, ID: r.person}, "ahoj\x00světe", nil)
	if !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("an answer with a NUL: %v", err)
	}
	if got, _ := r.store.Get(r.ctx, r.tn.ID, sub.ID); got.State != submission.StateInfoRequested {
		t.Fatalf("a refused answer moved the case: %s", got.State)
	}
}
