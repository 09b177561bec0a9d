// Package dbtest hands every test a fresh, migrated database.
//
// By default that is SQLite in a temporary directory. When
// RADNICE_TEST_POSTGRES holds a URL (postgres://user@host:port/db), every
// test gets its own PostgreSQL database instead, cloned from a migrated
// template, so the whole suite runs on the production engine. With
// RADNICE_REQUIRE_POSTGRES=1 a missing or unreachable PostgreSQL fails the
// test instead of falling back or skipping (CI sets it).
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/radnice/radnice/internal/db"
)

// PostgresURL is the server the tests use, or "".
func PostgresURL() string { return os.Getenv("RADNICE_TEST_POSTGRES") }

func requirePostgres() bool { return os.Getenv("RADNICE_REQUIRE_POSTGRES") == "1" }

// Open returns a fresh database for t, closed when t ends.
func Open(t testing.TB) *db.DB {
	t.Helper()
	if url := PostgresURL(); url != "" {
		return openPostgres(t, url)
	}
	if requirePostgres() {
		t.Fatal("RADNICE_REQUIRE_POSTGRES=1 but RADNICE_TEST_POSTGRES is empty")
	}
	return openSQLite(t)
}

// OpenPostgres is for tests that only make sense on PostgreSQL: it skips
// without a server, unless RADNICE_REQUIRE_POSTGRES=1.
func OpenPostgres(t testing.TB) *db.DB {
	t.Helper()
	url := PostgresURL()
	if url == "" {
		if requirePostgres() {
			t.Fatal("RADNICE_REQUIRE_POSTGRES=1 but RADNICE_TEST_POSTGRES is empty")
		}
		t.Skip("PostgreSQL test: set RADNICE_TEST_POSTGRES=postgres://... to run it")
	}
	return openPostgres(t, url)
}

// Options returns how Open would connect, for tests that open the database
// themselves (the server's own start-up path). The database is fresh and
// migrated.
func Options(t testing.TB) db.Options {
	t.Helper()
	if url := PostgresURL(); url != "" {
		return db.Options{URL: createPostgres(t, url), MaxConns: 8}
	}
	if requirePostgres() {
		t.Fatal("RADNICE_REQUIRE_POSTGRES=1 but RADNICE_TEST_POSTGRES is empty")
	}
	return db.Options{SQLitePath: copySQLite(t)}
}

var (
	sqliteOnce     sync.Once
	sqliteTemplate string
	sqliteErr      error
)

func openSQLite(t testing.TB) *db.DB {
	t.Helper()
	return open(t, db.Options{SQLitePath: copySQLite(t)})
}

// copySQLite copies a template migrated once per test process: migrating
// afresh for each test would cost more than the tests.
func copySQLite(t testing.TB) string {
	t.Helper()
	sqliteOnce.Do(func() {
		dir, err := os.MkdirTemp("", "radnice-dbtest-")
		if err != nil {
			sqliteErr = err
			return
		}
		sqliteTemplate = filepath.Join(dir, "template.db")
		ctx := context.Background()
		d, err := db.Open(ctx, db.Options{SQLitePath: sqliteTemplate})
		if err != nil {
			sqliteErr = err
			return
		}
		if _, err := d.Migrate(ctx); err != nil {
			sqliteErr = err
			d.Close()
			return
		}
		// Fold the WAL into the file, so that copying one file is enough.
		_, err = d.Write().Exec(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
		sqliteErr = err
		d.Close()
	})
	if sqliteErr != nil {
		t.Fatalf("dbtest: SQLite template: %v", sqliteErr)
	}
	path := filepath.Join(t.TempDir(), "radnice.db")
	if err := copyFile(sqliteTemplate, path); err != nil {
		t.Fatal(err)
	}
	return path
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func open(t testing.TB, o db.Options) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), o)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func openPostgres(t testing.TB, adminURL string) *db.DB {
	t.Helper()
	return open(t, db.Options{URL: createPostgres(t, adminURL), MaxConns: 8})
}

var (
	pgOnce     sync.Once
	pgTemplate string
	pgErr      error
)

// createPostgres makes a database for t from a template that is migrated
// once per schema version (and shared by parallel test processes, under an
// advisory lock), and drops it when t ends.
func createPostgres(t testing.TB, adminURL string) string {
	t.Helper()
	ctx := context.Background()
	pgOnce.Do(func() { pgTemplate, pgErr = ensureTemplate(ctx, adminURL) })
	if pgErr != nil {
		t.Fatalf("dbtest: PostgreSQL at RADNICE_TEST_POSTGRES: %v", pgErr)
	}
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatalf("dbtest: PostgreSQL: %v", err)
	}
	defer admin.Close(ctx)
	name := "radnice_t_" + randomHex(6)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+pgTemplate); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			t.Errorf("dbtest: drop %s: %v", name, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dbtest: drop %s: %v", name, err)
		}
	})
	cfg, err := pgx.ParseConfig(adminURL)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", urlUser(cfg), cfg.Host, cfg.Port, name)
}

func urlUser(cfg *pgx.ConnConfig) string {
	if cfg.Password != "" {
		return cfg.User + ":" + cfg.Password
	}
	return cfg.User
}

func ensureTemplate(ctx context.Context, adminURL string) (string, error) {
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", err
	}
	defer admin.Close(ctx)
	name := "radnice_tpl_" + migrationsHash()
	// Test processes of several packages start at once: one builds the
	// template, the others wait for it.
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(727274)"); err != nil {
		return "", err
	}
	defer admin.Exec(ctx, "SELECT pg_advisory_unlock(727274)") //nolint:errcheck
	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_wip"
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+building); err != nil {
		return "", err
	}
	cfg, err := pgx.ParseConfig(adminURL)
	if err != nil {
		return "", err
	}
	url := fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", urlUser(cfg), cfg.Host, cfg.Port, building)
	d, err := db.Open(ctx, db.Options{URL: url, MaxConns: 2})
	if err != nil {
		return "", err
	}
	_, err = d.Migrate(ctx)
	d.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	// Renamed only when complete: a half-built template is never used.
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+building+" RENAME TO "+name); err != nil {
		return "", err
	}
	return name, nil
}

// migrationsHash names the template after the migrations it holds, so a new
// migration builds a new template instead of reusing a stale one.
func migrationsHash() string {
	h := sha256.New()
	fs.WalkDir(db.MigrationFiles(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(db.MigrationFiles(), path)
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	h.Write([]byte(db.RiverVersion))
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
