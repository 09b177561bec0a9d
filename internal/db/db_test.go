package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
)

func TestMigrationsCurrent(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	if err := d.CheckMigrations(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Migrating again changes nothing.
	res, err := d.Migrate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.From != res.To || len(res.RiverVersions) != 0 {
		t.Fatalf("second migration did something: %+v", res)
	}
}

func TestTxCommitAndRollback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	now := time.Now().UTC()
	insert := func(tx *db.Tx, slug string) error {
		_, err := tx.Exec(ctx, `INSERT INTO tenants (slug, name, created_at, updated_at) VALUES ($1, $2, $3, $3)`, slug, "Obec "+slug, now)
		return err
	}
	if err := d.InTx(ctx, func(tx *db.Tx) error { return insert(tx, "a") }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := d.InTx(ctx, func(tx *db.Tx) error {
		if err := insert(tx, "b"); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	// A duplicate is reported as a unique violation on both engines.
	err := d.InTx(ctx, func(tx *db.Tx) error { return insert(tx, "a") })
	if !db.IsUniqueViolation(err) {
		t.Fatalf("duplicate slug: %v is not a unique violation", err)
	}
	var n int
	if err := d.Read().QueryRow(ctx, `SELECT count(*) FROM tenants`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("tenants = %d, want 1 (the rolled back insert must not be there)", n)
	}
	var created time.Time
	if err := d.Read().QueryRow(ctx, `SELECT created_at FROM tenants WHERE slug = $1`, "a").Scan(&created); err != nil {
		t.Fatal(err)
	}
	if !created.Equal(now.Truncate(time.Microsecond)) && !created.Equal(now) {
		t.Fatalf("created_at = %v, want %v", created, now)
	}
	if err := d.Read().QueryRow(ctx, `SELECT slug FROM tenants WHERE slug = $1`, "zzz").Scan(new(string)); !errors.Is(err, db.ErrNoRows) {
		t.Fatalf("missing row: %v, want ErrNoRows", err)
	}
}

func TestUnreachablePostgres(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Port 1 on loopback: nothing listens there.
	_, err := db.Open(ctx, db.Options{URL: "postgres://nobody:secret@127.0.0.1:1/radnice?connect_timeout=2"})
	if err == nil {
		t.Fatal("opened a database that does not exist")
	}
	if msg := err.Error(); !strings.Contains(msg, "cannot connect to PostgreSQL at 127.0.0.1:1/radnice") || strings.Contains(msg, "secret") {
		t.Fatalf("message %q should name the server and never the password", msg)
	}
}
