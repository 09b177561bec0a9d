package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// Migrations are numbered, one folder per dialect, and never edited once
// they have landed: a change is a new migration.
//
//go:embed migrations
var migrations embed.FS

func (d *DB) goose() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(d.dialect))
	if err != nil {
		return nil, err
	}
	if d.dialect == SQLite {
		return goose.NewProvider(goose.DialectSQLite3, d.writer, sub)
	}
	// Several instances may start at once: a session lock makes one migrate
	// while the others wait.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, d.std, sub, goose.WithSessionLocker(locker))
}

// MigrationResult tells what Migrate did.
type MigrationResult struct {
	From, To      int64 // schema versions
	RiverVersions []int // job queue migrations applied now
}

// Migrate brings the schema and the job queue's tables to the newest version.
func (d *DB) Migrate(ctx context.Context) (MigrationResult, error) {
	var res MigrationResult
	p, err := d.goose()
	if err != nil {
		return res, err
	}
	res.From, err = p.GetDBVersion(ctx)
	if err != nil {
		return res, fmt.Errorf("schema version: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return res, fmt.Errorf("migrate: %w", err)
	}
	res.To, err = p.GetDBVersion(ctx)
	if err != nil {
		return res, err
	}
	rv, err := d.migrateRiver(ctx)
	res.RiverVersions = rv
	return res, err
}

// riverMigrator is what both engines' River migrators offer.
type riverMigrator interface {
	Migrate(ctx context.Context, direction rivermigrate.Direction, opts *rivermigrate.MigrateOpts) (*rivermigrate.MigrateResult, error)
	Validate(ctx context.Context, opts *rivermigrate.ValidateOpts) (*rivermigrate.ValidateResult, error)
}

func (d *DB) riverMigrator() (riverMigrator, error) {
	if d.dialect == SQLite {
		return rivermigrate.New(riversqlite.New(d.writer), nil)
	}
	return rivermigrate.New(riverpgxv5.New(d.pool), nil)
}

func (d *DB) migrateRiver(ctx context.Context) ([]int, error) {
	m, err := d.riverMigrator()
	if err != nil {
		return nil, err
	}
	r, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return nil, fmt.Errorf("job queue migrations: %w", err)
	}
	out := make([]int, len(r.Versions))
	for i, v := range r.Versions {
		out[i] = v.Version
	}
	return out, nil
}

// CheckMigrations returns an error unless the schema and the job queue are at
// the newest version this binary knows (for /readyz and for serve).
func (d *DB) CheckMigrations(ctx context.Context) error {
	p, err := d.goose()
	if err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	if current != target {
		return fmt.Errorf("schema is at version %d, this binary needs %d: run `radnice migrate`", current, target)
	}
	m, err := d.riverMigrator()
	if err != nil {
		return err
	}
	res, err := m.Validate(ctx, nil)
	if err != nil {
		return fmt.Errorf("job queue schema: %w", err)
	}
	if !res.OK {
		return fmt.Errorf("job queue schema is not current: %v: run `radnice migrate`", res.Messages)
	}
	return nil
}

// MigrationFiles exposes the embedded migrations (for test templates).
func MigrationFiles() fs.FS { return migrations }

// RiverVersion is the job queue library's version; its migrations come with it.
const RiverVersion = "v0.49.0"
