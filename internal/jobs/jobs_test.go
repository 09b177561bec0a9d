package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/jobs"
)

type pingArgs struct{ N int }

func (pingArgs) Kind() string { return "test.ping" }

type pingWorker struct {
	river.WorkerDefaults[pingArgs]
	sum *atomic.Int64
}

func (w *pingWorker) Work(ctx context.Context, j *river.Job[pingArgs]) error {
	w.sum.Add(int64(j.Args.N))
	return nil
}

// A job enqueued in a transaction runs once it commits; one enqueued in a
// transaction that rolls back never runs.
func TestOutbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	town := fixture.Town(t, d, "a", 0)
	var sum atomic.Int64
	workers := river.NewWorkers()
	river.AddWorker(workers, &pingWorker{sum: &sum})
	q, err := jobs.New(d, jobs.Options{Workers: 2, Register: workers, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	events, cancel := q.Subscribe(river.EventKindJobCompleted)
	defer cancel()
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer q.Stop(context.Background())

	// Rolled back: the change and its job vanish together.
	boom := errors.New("boom")
	err = d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE tenants SET name = 'x' WHERE id = $1`, town.ID); err != nil {
			return err
		}
		if err := q.InsertTx(ctx, tx, pingArgs{N: 100}, nil); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	// Committed: it runs.
	if err := d.InTx(ctx, func(tx *db.Tx) error { return q.InsertTx(ctx, tx, pingArgs{N: 1}, nil) }); err != nil {
		t.Fatal(err)
	}
	if err := q.Insert(ctx, pingArgs{N: 2}, nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(20 * time.Second)
	for done := 0; done < 2; {
		select {
		case <-events:
			done++
		case <-deadline:
			t.Fatalf("jobs not completed; sum = %d", sum.Load())
		}
	}
	if got := sum.Load(); got != 3 {
		t.Fatalf("sum = %d, want 3 (the rolled back job must not run)", got)
	}
}

type slowArgs struct{}

func (slowArgs) Kind() string { return "test.slow" }

type slowWorker struct {
	river.WorkerDefaults[slowArgs]
	started chan struct{}
	done    *atomic.Bool
}

func (w *slowWorker) Work(ctx context.Context, _ *river.Job[slowArgs]) error {
	close(w.started)
	time.Sleep(500 * time.Millisecond)
	w.done.Store(true)
	return nil
}

// Stop (on SIGTERM) lets a running job finish.
func TestStopFinishesRunningJobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	var done atomic.Bool
	w := &slowWorker{started: make(chan struct{}), done: &done}
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	q, err := jobs.New(d, jobs.Options{Workers: 1, Register: workers, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := q.Insert(ctx, slowArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-w.started:
	case <-time.After(20 * time.Second):
		t.Fatal("job did not start")
	}
	stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := q.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	if !done.Load() {
		t.Fatal("Stop returned before the running job finished")
	}
}
