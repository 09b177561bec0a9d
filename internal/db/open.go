package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Options say which database to open and how big its pools are.
type Options struct {
	// URL is a postgres:// URL; empty selects SQLite at SQLitePath.
	URL        string
	SQLitePath string
	MaxConns   int // PostgreSQL pool size
	Readers    int // SQLite read connections
}

// Open connects to the database and checks that it answers. It does not
// migrate: see Migrate.
func Open(ctx context.Context, o Options) (*DB, error) {
	if o.URL != "" {
		return openPostgres(ctx, o)
	}
	return openSQLite(ctx, o)
}

// sqlitePragmas are set on every connection. WAL lets readers run beside the
// writer; mmap and a bigger page cache roughly double read throughput here.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)&_pragma=mmap_size(268435456)&_pragma=cache_size(-16000)&_pragma=temp_store(MEMORY)" +
	"&_time_format=sqlite"

func openSQLite(ctx context.Context, o Options) (*DB, error) {
	if o.SQLitePath == "" {
		return nil, errors.New("db: no SQLite path")
	}
	if err := os.MkdirAll(filepath.Dir(o.SQLitePath), 0o750); err != nil {
		return nil, fmt.Errorf("cannot create the data directory: %w", err)
	}
	readers := o.Readers
	if readers < 1 {
		readers = 4
	}
	base := "file:" + (&url.URL{Path: o.SQLitePath}).EscapedPath() + "?" + sqlitePragmas
	writer, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)

	reader, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		writer.Close()
		return nil, err
	}
	reader.SetMaxOpenConns(readers)
	reader.SetMaxIdleConns(readers)
	reader.SetConnMaxIdleTime(0)

	d := &DB{dialect: SQLite, writer: writer, reader: reader, path: o.SQLitePath}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// The writer goes first: it switches the file to WAL before readers open it.
	if err := writer.PingContext(pingCtx); err != nil {
		d.Close()
		return nil, fmt.Errorf("cannot open the SQLite database %s: %w", o.SQLitePath, err)
	}
	if err := reader.PingContext(pingCtx); err != nil {
		d.Close()
		return nil, fmt.Errorf("cannot open the SQLite database %s: %w", o.SQLitePath, err)
	}
	return d, nil
}

func openPostgres(ctx context.Context, o Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(o.URL)
	if err != nil {
		// pgx's message may quote the URL with its password: do not pass it on.
		return nil, errors.New("RADNICE_DATABASE_URL is not a valid PostgreSQL connection URL")
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = int32(o.MaxConns)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = "radnice"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to PostgreSQL at %s: %w", where(cfg), err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("cannot connect to PostgreSQL at %s: %w", where(cfg), err)
	}
	return &DB{dialect: Postgres, pool: pool, std: stdlib.OpenDBFromPool(pool)}, nil
}

func where(cfg *pgxpool.Config) string {
	return fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
}
