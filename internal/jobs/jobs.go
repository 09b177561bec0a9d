// Package jobs is the job queue: River, on the same database as everything
// else. Work that talks to the outside world is enqueued in the same
// transaction as the change that caused it (InsertTx), so it happens if and
// only if the change commits. Jobs must be idempotent: River retries them
// with back-off.
//
// River's client is generic over the engine's transaction type; Queue hides
// that, so domain code passes a *db.Tx on either engine.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/radnice/radnice/internal/db"
)

// Options configure the queue.
type Options struct {
	// Workers is how many jobs this process works at once; 0 makes an
	// insert-only queue (another process works the jobs).
	Workers      int
	Logger       *slog.Logger
	PollInterval time.Duration // how often to look for new jobs where the engine cannot notify (SQLite)
	Register     *river.Workers
	Periodic     []*river.PeriodicJob
}

// Queue enqueues and works jobs.
type Queue struct {
	c       client
	working bool
}

type client interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	insert(ctx context.Context, tx *db.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
}

type sqliteClient struct{ *river.Client[*sql.Tx] }

func (c sqliteClient) insert(ctx context.Context, tx *db.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	if tx == nil {
		return c.Insert(ctx, args, opts)
	}
	return c.InsertTx(ctx, tx.Raw().(*sql.Tx), args, opts)
}

func (c sqliteClient) subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	return c.Subscribe(kinds...)
}

type pgxClient struct{ *river.Client[pgx.Tx] }

func (c pgxClient) insert(ctx context.Context, tx *db.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	if tx == nil {
		return c.Insert(ctx, args, opts)
	}
	return c.InsertTx(ctx, tx.Raw().(pgx.Tx), args, opts)
}

func (c pgxClient) subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	return c.Subscribe(kinds...)
}

// New builds the queue for d. Start it to work jobs.
func New(d *db.DB, o Options) (*Queue, error) {
	cfg := &river.Config{
		Logger:       o.Logger,
		Workers:      o.Register,
		PeriodicJobs: o.Periodic,
		MaxAttempts:  20,
		JobTimeout:   5 * time.Minute,
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	} else {
		// River reports routine progress at info every few seconds: keep
		// only what needs attention.
		cfg.Logger = slog.New(atLeast{cfg.Logger.Handler(), slog.LevelWarn})
	}
	if o.Workers > 0 {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}}
		cfg.FetchPollInterval = o.PollInterval
		if cfg.FetchPollInterval == 0 {
			cfg.FetchPollInterval = 250 * time.Millisecond
		}
		cfg.FetchCooldown = min(cfg.FetchPollInterval, 100*time.Millisecond)
	} else {
		cfg.PeriodicJobs = nil
	}
	q := &Queue{working: o.Workers > 0}
	switch d.Dialect() {
	case db.SQLite:
		c, err := river.NewClient(riversqlite.New(d.SQLWriter()), cfg)
		if err != nil {
			return nil, fmt.Errorf("job queue: %w", err)
		}
		q.c = sqliteClient{c}
	default:
		c, err := river.NewClient(riverpgxv5.New(d.Pool()), cfg)
		if err != nil {
			return nil, fmt.Errorf("job queue: %w", err)
		}
		q.c = pgxClient{c}
	}
	return q, nil
}

// Start begins working jobs (a no-op for an insert-only queue).
func (q *Queue) Start(ctx context.Context) error {
	if !q.working {
		return nil
	}
	return q.c.Start(ctx)
}

// Stop waits for running jobs to finish, until ctx ends.
func (q *Queue) Stop(ctx context.Context) error {
	if !q.working {
		return nil
	}
	return q.c.Stop(ctx)
}

// InsertTx enqueues a job in tx: it exists if and only if tx commits.
func (q *Queue) InsertTx(ctx context.Context, tx *db.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := q.c.insert(ctx, tx, args, opts)
	return err
}

// Insert enqueues a job on its own.
func (q *Queue) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := q.c.insert(ctx, nil, args, opts)
	return err
}

// Subscribe reports job events (for tests and metrics); call the returned
// function to stop.
func (q *Queue) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	return q.c.subscribe(kinds...)
}

// atLeast drops records below a level.
type atLeast struct {
	slog.Handler
	min slog.Level
}

func (h atLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h atLeast) WithAttrs(as []slog.Attr) slog.Handler {
	return atLeast{h.Handler.WithAttrs(as), h.min}
}

func (h atLeast) WithGroup(name string) slog.Handler {
	return atLeast{h.Handler.WithGroup(name), h.min}
}
