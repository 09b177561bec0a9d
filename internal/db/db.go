// Package db opens Radnice's one SQL database, SQLite or PostgreSQL, applies
// the embedded migrations and gives the domain packages one way to run SQL on
// either engine.
//
// SQL is written once, with $1, $2 ... placeholders, which both engines accept.
// The few places where the dialects differ ask DB.Dialect and keep the switch
// in one function, next to the domain that needs it.
//
// SQLite has exactly one writer connection (concurrent writers only wait on
// each other, and River's SQLite driver asks for one) and a pool of read-only
// connections; PostgreSQL uses one pgx pool for both.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Dialect names a database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ErrNoRows is returned by Row.Scan when the query found nothing. pgx's own
// error matches it too (errors.Is).
var ErrNoRows = sql.ErrNoRows

// Querier runs SQL. DB.Read, DB.Write and *Tx implement it.
type Querier interface {
	// Exec runs a statement and reports how many rows it changed.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
	Dialect() Dialect
}

// Rows is the result of Query; always Close it and check Err.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is the result of QueryRow.
type Row interface {
	Scan(dest ...any) error
}

// DB is an open database.
type DB struct {
	dialect Dialect
	// SQLite: one writer, a pool of readers.
	writer, reader *sql.DB
	// PostgreSQL: one pool; std is a database/sql view of it for goose.
	pool *pgxpool.Pool
	std  *sql.DB

	path string // SQLite file, for messages
}

// Dialect tells which engine this is.
func (d *DB) Dialect() Dialect { return d.dialect }

// Read returns a Querier for reads that need not see the caller's own
// uncommitted writes.
func (d *DB) Read() Querier {
	if d.dialect == SQLite {
		return sqlQuerier{d.reader, SQLite}
	}
	return pgxQuerier{d.pool}
}

// Write returns a Querier for single statements that write; several
// statements that belong together go through InTx.
func (d *DB) Write() Querier {
	if d.dialect == SQLite {
		return sqlQuerier{d.writer, SQLite}
	}
	return pgxQuerier{d.pool}
}

// SQLWriter is the SQLite writer pool (for River's SQLite driver and goose).
func (d *DB) SQLWriter() *sql.DB { return d.writer }

// SQLReader is the SQLite reader pool (for metrics).
func (d *DB) SQLReader() *sql.DB { return d.reader }

// Pool is the PostgreSQL pool (for River's pgx driver and metrics).
func (d *DB) Pool() *pgxpool.Pool { return d.pool }

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if d.dialect == SQLite {
		if err := d.writer.PingContext(ctx); err != nil {
			return err
		}
		return d.reader.PingContext(ctx)
	}
	return d.pool.Ping(ctx)
}

// Close releases every connection.
func (d *DB) Close() error {
	if d.dialect == SQLite {
		return errors.Join(d.reader.Close(), d.writer.Close())
	}
	err := d.std.Close()
	d.pool.Close()
	return err
}

// Tx is a transaction on the writer. Raw gives the engine's own transaction
// (a *sql.Tx or a pgx.Tx) to code that must join it, like the job queue.
type Tx struct {
	dialect Dialect
	sqlTx   *sql.Tx
	pgxTx   pgx.Tx
}

func (t *Tx) Dialect() Dialect { return t.dialect }

// Raw is the underlying *sql.Tx (SQLite) or pgx.Tx (PostgreSQL).
func (t *Tx) Raw() any {
	if t.sqlTx != nil {
		return t.sqlTx
	}
	return t.pgxTx
}

func (t *Tx) q() Querier {
	if t.sqlTx != nil {
		return sqlQuerier{t.sqlTx, t.dialect}
	}
	return pgxQuerier{t.pgxTx}
}

func (t *Tx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	return t.q().Exec(ctx, query, args...)
}

func (t *Tx) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	return t.q().Query(ctx, query, args...)
}

func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) Row {
	return t.q().QueryRow(ctx, query, args...)
}

// ForUpdate is the clause that locks the rows a SELECT reads until the
// transaction ends: " FOR NO KEY UPDATE" on PostgreSQL, where transactions
// run side by side (the weaker lock does not block the key-share locks that
// foreign key checks of inserted ledger entries take, so a locked
// obligation never deadlocks with a payment being booked); nothing on
// SQLite, whose one writer already runs them one after another.
func (t *Tx) ForUpdate() string {
	if t.dialect == Postgres {
		return " FOR NO KEY UPDATE"
	}
	return ""
}

// InTx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise (also when fn panics).
func (d *DB) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	tx := &Tx{dialect: d.dialect}
	if d.dialect == SQLite {
		// The writer DSN has _txlock=immediate: the write lock is taken at
		// BEGIN, so a transaction never fails halfway on a lock upgrade.
		tx.sqlTx, err = d.writer.BeginTx(ctx, nil)
	} else {
		tx.pgxTx, err = d.pool.Begin(ctx)
	}
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = tx.rollback(context.WithoutCancel(ctx))
		}
	}()
	if err := fn(tx); err != nil {
		done = true
		if rbErr := tx.rollback(context.WithoutCancel(ctx)); rbErr != nil {
			return errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return err
	}
	done = true
	if err := tx.commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (t *Tx) commit(ctx context.Context) error {
	if t.sqlTx != nil {
		return t.sqlTx.Commit()
	}
	return t.pgxTx.Commit(ctx)
}

func (t *Tx) rollback(ctx context.Context) error {
	if t.sqlTx != nil {
		err := t.sqlTx.Rollback()
		if errors.Is(err, sql.ErrTxDone) {
			return nil
		}
		return err
	}
	err := t.pgxTx.Rollback(ctx)
	if errors.Is(err, pgx.ErrTxClosed) {
		return nil
	}
	return err
}

// IsUniqueViolation reports whether err is a unique-constraint failure, on
// either engine, so that callers can turn it into a domain conflict.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	type coder interface{ Code() int }
	var c coder
	if errors.As(err, &c) {
		// SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555)
		return c.Code() == 2067 || c.Code() == 1555
	}
	return false
}

type sqlRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type sqlQuerier struct {
	r       sqlRunner
	dialect Dialect
}

func (q sqlQuerier) Dialect() Dialect { return q.dialect }

func (q sqlQuerier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.r.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q sqlQuerier) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	rows, err := q.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (q sqlQuerier) QueryRow(ctx context.Context, query string, args ...any) Row {
	return q.r.QueryRowContext(ctx, query, args...)
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

type pgxRunner interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

type pgxQuerier struct{ r pgxRunner }

func (q pgxQuerier) Dialect() Dialect { return Postgres }

func (q pgxQuerier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := q.r.Exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (q pgxQuerier) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	rows, err := q.r.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

func (q pgxQuerier) QueryRow(ctx context.Context, query string, args ...any) Row {
	return q.r.QueryRow(ctx, query, args...)
}
