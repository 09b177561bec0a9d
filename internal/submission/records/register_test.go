package records

import (
	"strings"
	"sync"
	"testing"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/submission"
)

// Records management down (503) for a while: the hand-off retries through
// the job queue and, once it is back, the case is registered exactly once.
func TestRegisterWhileDown(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.fake.SetDown(true)
	r.startQueue()
	sub := r.file("down-1")
	r.waitFor("three failed attempts", func() bool { return r.fake.Requests() >= 3 })
	if got := r.get(sub.ID); got.State != submission.StateSubmitted || got.Reference != "" {
		t.Fatalf("registered while down: %+v", got)
	}
	r.fake.SetDown(false)
	r.exactlyOnce(r.registered(sub.ID))
	r.waitFor("the job completed", func() bool { return r.jobStates()["completed"] == 1 })
	if s := r.jobStates(); len(s) != 1 {
		t.Fatalf("hand-off jobs: %v, want one completed", s)
	}
}

// Records management slow: it registers, but answers after the client has
// given up. The retry under the same key gets the same case: one case at
// records management, one registration in the portal.
func TestRegisterSlow(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.impatient()
	r.fake.SetSlow(3*timeout, 2)
	r.startQueue()
	sub := r.file("slow-1")
	reg := r.registered(sub.ID)
	r.exactlyOnce(reg)
	if n := r.fake.Requests(); n < 3 {
		t.Fatalf("%d requests: the slow answers should have been given up on", n)
	}
	if !strings.Contains(r.logs.String(), "reason=timeout") {
		t.Fatalf("the time-outs are not in the log:\n%s", r.logs.String())
	}
}

// Records management registers and then loses its answer: the same.
func TestRegisterLostAnswer(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.fake.DropAnswers(2)
	r.startQueue()
	sub := r.file("lost-1")
	r.exactlyOnce(r.registered(sub.ID))
	if n := r.fake.Requests(); n < 3 {
		t.Fatalf("%d requests: two answers should have been lost", n)
	}
}

// The hand-off runs more than once (a job retried after it succeeded,
// a second job, workers side by side) and records management answers each
// time: one case there, one registration and one 'registered' event here.
func TestRegisterTwice(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	sub := r.file("twice-1")
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if _, err := r.worker.Register(r.ctx, r.tn.ID, sub.ID); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	r.startQueue()
	for range 2 {
		if err := r.queue.Insert(r.ctx, submission.RegisterArgs{TenantID: r.tn.ID, SubmissionID: sub.ID}, nil); err != nil {
			t.Fatal(err)
		}
	}
	r.waitFor("both jobs completed", func() bool { return r.jobStates()["completed"] == 2 })
	// The feed tells the registration once more.
	if _, err := r.syncer.SyncTown(r.ctx, r.tn.ID); err != nil {
		t.Fatal(err)
	}
	r.exactlyOnce(r.get(sub.ID))
}

// Fifty identical filings at once make one submission and enqueue one
// hand-off; the queue registers it once.
func TestFileFiftyOneHandOff(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.startQueue()
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := map[int64]bool{}
	for range 50 {
		wg.Go(func() {
			sub, _, err := r.store.File(r.ctx, r.filing("fifty-1"))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			ids[sub.ID] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(ids) != 1 {
		t.Fatalf("%d submissions, want 1", len(ids))
	}
	var id int64
	for id = range ids {
	}
	if n := r.count(`SELECT count(*) FROM river_job WHERE kind = 'submission.register'`); n != 1 {
		t.Fatalf("%d hand-off jobs enqueued, want 1", n)
	}
	r.exactlyOnce(r.registered(id))
	if n := len(r.fake.Cases(testToken)); n != 1 {
		t.Fatalf("%d cases at records management, want 1", n)
	}
}

// A refusal is permanent: the job stops at once, the case stays submitted,
// and officials (not the filer) find why on its timeline.
func TestRegisterRefused(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.fake.Refuse(1)
	r.startQueue()
	sub := r.file("refused-1")
	r.waitFor("the job cancelled", func() bool { return r.jobStates()["cancelled"] == 1 })
	if n := r.fake.Requests(); n != 1 {
		t.Fatalf("%d requests: a refusal must not be retried", n)
	}
	if got := r.get(sub.ID); got.State != submission.StateSubmitted {
		t.Fatalf("state %s", got.State)
	}
	all, _ := r.store.Events(r.ctx, r.tn.ID, sub.ID, false)
	public, _ := r.store.Events(r.ctx, r.tn.ID, sub.ID, true)
	if len(all) != 2 || len(public) != 1 || all[1].Kind != submission.EventNote || all[1].Public ||
		!strings.Contains(all[1].Text, "odmítla") || !strings.Contains(all[1].Text, "422 refused") {
		t.Fatalf("timeline: %+v", all)
	}
	if !strings.Contains(r.logs.String(), "refused") {
		t.Fatalf("the refusal is not in the log:\n%s", r.logs.String())
	}
}

// A town without records management keeps its submissions in "submitted":
// the hand-off waits, costing no attempt, and goes through once the town
// has one.
func TestRegisterWaitsForASystem(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.configure(false)
	r.startQueue()
	sub := r.file("later-1")
	snoozes := `SELECT coalesce(max(json_extract(metadata, '$.snoozes')), 0) FROM river_job WHERE kind = 'submission.register'`
	if r.d.Dialect() == db.Postgres {
		snoozes = `SELECT coalesce(max((metadata->>'snoozes')::int), 0) FROM river_job WHERE kind = 'submission.register'`
	}
	r.waitFor("the job snoozed twice", func() bool { return r.count(snoozes) >= 2 })
	if got := r.get(sub.ID); got.State != submission.StateSubmitted || r.fake.Requests() != 0 {
		t.Fatalf("without a system: %s, %d requests", got.State, r.fake.Requests())
	}
	r.configure(true)
	r.exactlyOnce(r.registered(sub.ID))
}
