package payment

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// SweepArgs is the periodic job that resolves card payments left pending.
type SweepArgs struct{}

func (SweepArgs) Kind() string { return "payment.sweep" }

// SweepWorker runs SweepArgs.
type SweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	Service *Service
	// After is how long a payment may be pending before the sweeper asks
	// its gateway: long enough for the person to finish paying.
	After time.Duration
}

func (w *SweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	_, err := w.Service.Sweep(ctx, w.After)
	return err
}

// SweepJob runs the sweeper every interval.
func SweepJob(every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return SweepArgs{}, nil
	}, &river.PeriodicJobOpts{RunOnStart: true})
}
