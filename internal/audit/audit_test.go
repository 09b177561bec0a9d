package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/fixture"
)

// clock starts with nanoseconds, which Record must cut to microseconds for
// the hash to survive PostgreSQL, and ticks a little on every call.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock {
	return &clock{now: time.Date(2026, 11, 23, 10, 0, 0, 123456789, time.FixedZone("CET", 3600))}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second + 1500*time.Nanosecond)
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func read(tenant, official, person int64) *audit.Entry {
	return &audit.Entry{TenantID: tenant, ActorKind: audit.ActorStaff, ActorID: official, ActorName: "Jana Nováková, podatelna",
		Action: audit.ActionPersonRead, SubjectKind: audit.SubjectPerson, SubjectID: person,
		Reason: "žádost o potvrzení pobytu", Details: json.RawMessage(`{ "view": "overview" }`),
		RequestID: "0123456789abcdef01234567", IP: "192.0.2.7"}
}

func record(t *testing.T, s *audit.Store, e *audit.Entry) *audit.Entry {
	t.Helper()
	if err := s.RecordNow(context.Background(), e); err != nil {
		t.Fatalf("record %+v: %v", e, err)
	}
	return e
}

func verify(t *testing.T, s *audit.Store, tenant int64) audit.VerifyResult {
	t.Helper()
	r, err := s.Verify(context.Background(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func count(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.Read().QueryRow(context.Background(), `SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestChainsPerTown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	a := fixture.Town(t, d, "a", 0)
	b := fixture.Town(t, d, "b", 0)
	s := &audit.Store{DB: d, Now: newClock().Now}

	// An empty chain is fine.
	if r := verify(t, s, a.ID); !r.OK || r.Entries != 0 || r.HeadSeq != 0 {
		t.Fatalf("empty chain: %v", r)
	}

	var as, bs []*audit.Entry
	for i := range 5 {
		as = append(as, record(t, s, read(a.ID, 7, int64(100+i))))
		if i < 3 {
			bs = append(bs, record(t, s, &audit.Entry{TenantID: b.ID, ActorKind: audit.ActorCitizen, ActorID: int64(i + 1),
				Action: audit.ActionLogin, IP: "::ffff:198.51.100.1"}))
		}
	}
	for name, chain := range map[string][]*audit.Entry{"A": as, "B": bs} {
		for i, e := range chain {
			if e.Seq != int64(i+1) {
				t.Errorf("town %s entry %d: seq %d", name, i, e.Seq)
			}
			prev := strings.Repeat("0", 64)
			if i > 0 {
				prev = chain[i-1].Hash
			}
			if e.PrevHash != prev || len(e.Hash) != 64 || e.Hash != audit.ChainHash(e) {
				t.Errorf("town %s seq %d: prev %s hash %s", name, e.Seq, e.PrevHash, e.Hash)
			}
			if e.At.Nanosecond()%1000 != 0 || e.At.Location() != time.UTC {
				t.Errorf("town %s seq %d: at %v is not UTC microseconds", name, e.Seq, e.At)
			}
		}
	}
	// Stored as normalised.
	if got := string(as[0].Details); got != `{"view":"overview"}` {
		t.Errorf("details stored as %s", got)
	}
	if bs[0].IP != "198.51.100.1" {
		t.Errorf("ip stored as %s", bs[0].IP)
	}

	for _, c := range []struct {
		tenant int64
		n      int64
		head   string
	}{{a.ID, 5, as[4].Hash}, {b.ID, 3, bs[2].Hash}} {
		if r := verify(t, s, c.tenant); !r.OK || r.Entries != c.n || r.HeadSeq != c.n || r.HeadHash != c.head {
			t.Errorf("verify town %d: %v", c.tenant, r)
		}
	}
	all, err := s.VerifyAll(ctx)
	if err != nil || len(all) != 2 || !all[0].OK || !all[1].OK || all[0].TenantID != a.ID {
		t.Fatalf("VerifyAll = %v, %v", all, err)
	}

	// What comes back is what was recorded, to the microsecond.
	got, err := s.Search(ctx, a.ID, audit.Query{})
	if err != nil || len(got) != 5 {
		t.Fatalf("search: %d, %v", len(got), err)
	}
	want := *as[4]
	if g := got[0]; !g.At.Equal(want.At) || g.Hash != want.Hash || string(g.Details) != string(want.Details) ||
		g.Reason != want.Reason || g.ActorName != want.ActorName || g.SubjectID != want.SubjectID {
		t.Errorf("round trip:\n got %+v\nwant %+v", g, want)
	}
}

// bypass removes the append-only triggers, as an operator with full rights
// could; the chain must still tell.
func bypass(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	stmts := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if d.Dialect() == db.Postgres {
		stmts = []string{`DROP TRIGGER audit_log_append_only ON audit_log`}
	}
	for _, q := range stmts {
		if _, err := d.Write().Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

func forge(t *testing.T, d *db.DB, e *audit.Entry) {
	t.Helper()
	_, err := d.Write().Exec(context.Background(), `INSERT INTO audit_log (tenant_id, seq, at, actor_kind, actor_id, actor_name,
		action, subject_kind, subject_id, reason, details, request_id, ip, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		e.TenantID, e.Seq, e.At, e.ActorKind, e.ActorID, e.ActorName, e.Action, e.SubjectKind, e.SubjectID,
		e.Reason, string(e.Details), e.RequestID, e.IP, e.PrevHash, e.Hash)
	if err != nil {
		t.Fatal(err)
	}
}

func TestTamperingDetected(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		tamper  func(t *testing.T, d *db.DB, tenant int64, chain []*audit.Entry)
		seq     int64
		problem audit.Problem
	}{
		{"reason altered", func(t *testing.T, d *db.DB, tenant int64, _ []*audit.Entry) {
			exec(t, d, `UPDATE audit_log SET reason = 'nic se nestalo' WHERE tenant_id = $1 AND seq = 3`, tenant)
		}, 3, audit.ProblemHash},
		{"subject altered", func(t *testing.T, d *db.DB, tenant int64, _ []*audit.Entry) {
			exec(t, d, `UPDATE audit_log SET subject_id = 999 WHERE tenant_id = $1 AND seq = 1`, tenant)
		}, 1, audit.ProblemHash},
		{"altered and re-hashed", func(t *testing.T, d *db.DB, tenant int64, chain []*audit.Entry) {
			e := *chain[2]
			e.Reason = "nic se nestalo"
			exec(t, d, `UPDATE audit_log SET reason = $1, hash = $2 WHERE tenant_id = $3 AND seq = 3`, e.Reason, audit.ChainHash(&e), tenant)
		}, 4, audit.ProblemLink},
		{"middle deleted", func(t *testing.T, d *db.DB, tenant int64, _ []*audit.Entry) {
			exec(t, d, `DELETE FROM audit_log WHERE tenant_id = $1 AND seq = 3`, tenant)
		}, 3, audit.ProblemGap},
		{"first deleted", func(t *testing.T, d *db.DB, tenant int64, _ []*audit.Entry) {
			exec(t, d, `DELETE FROM audit_log WHERE tenant_id = $1 AND seq = 1`, tenant)
		}, 1, audit.ProblemGap},
		{"forged at the end", func(t *testing.T, d *db.DB, tenant int64, chain []*audit.Entry) {
			// A well-formed entry with its own correct hash, linked to entry
			// 4 as if 5 had never been.
			e := *chain[4]
			e.Seq, e.Reason, e.PrevHash = 6, "podvrh", chain[3].Hash
			e.Hash = audit.ChainHash(&e)
			forge(t, d, &e)
		}, 6, audit.ProblemLink},
		{"replaced in the middle", func(t *testing.T, d *db.DB, tenant int64, chain []*audit.Entry) {
			exec(t, d, `DELETE FROM audit_log WHERE tenant_id = $1 AND seq = 3`, tenant)
			e := *chain[2]
			e.SubjectID = 555
			e.Hash = audit.ChainHash(&e)
			forge(t, d, &e)
		}, 4, audit.ProblemLink},
		{"forged first", func(t *testing.T, d *db.DB, tenant int64, chain []*audit.Entry) {
			exec(t, d, `DELETE FROM audit_log WHERE tenant_id = $1 AND seq = 1`, tenant)
			e := *chain[0]
			e.PrevHash = chain[4].Hash
			e.Hash = audit.ChainHash(&e)
			forge(t, d, &e)
		}, 1, audit.ProblemLink},
	}
	// One database, one town per case and an untouched one: the cases
	// cannot disturb each other, and verifying one town never looks at
	// another's entries.
	ctx := context.Background()
	d := dbtest.Open(t)
	s := &audit.Store{DB: d, Now: newClock().Now}
	control := fixture.Town(t, d, "control", 0)
	towns := make([]int64, len(cases))
	chains := make([][]*audit.Entry, len(cases))
	for i := range cases {
		towns[i] = fixture.Town(t, d, fmt.Sprintf("t%d", i), 0).ID
	}
	for n := range 5 {
		for i, tenant := range towns {
			chains[i] = append(chains[i], record(t, s, read(tenant, 7, int64(100+n))))
		}
		record(t, s, read(control.ID, 8, int64(200+n)))
	}
	bypass(t, d)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.tamper(t, d, towns[i], chains[i])
			r := verify(t, s, towns[i])
			if r.OK || r.BrokenSeq != c.seq || r.Problem != c.problem || r.Message == "" || r.TenantID != towns[i] {
				t.Fatalf("verify = %v; want broken at %d (%s)", r, c.seq, c.problem)
			}
			if r.Entries != c.seq-1 {
				t.Errorf("%d entries checked before the break at %d", r.Entries, c.seq)
			}
		})
	}
	all, err := s.VerifyAll(ctx)
	if err != nil || len(all) != len(cases)+1 {
		t.Fatalf("VerifyAll = %v, %v", all, err)
	}
	for _, r := range all {
		if r.OK != (r.TenantID == control.ID) {
			t.Errorf("VerifyAll: %v", r)
		}
	}
}

func exec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	n, err := d.Write().Exec(context.Background(), q, args...)
	if err != nil || n != 1 {
		t.Fatalf("%s: %d rows, %v", q, n, err)
	}
}

func TestAppendOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	a := fixture.Town(t, d, "a", 0)
	s := &audit.Store{DB: d, Now: newClock().Now}
	e := record(t, s, read(a.ID, 7, 100))
	record(t, s, read(a.ID, 7, 101))

	refused := []string{
		`UPDATE audit_log SET reason = 'jinak' WHERE seq = 1`,
		`UPDATE audit_log SET reason = reason`,
		`DELETE FROM audit_log WHERE seq = 2`,
		`DELETE FROM audit_log`,
	}
	if d.Dialect() == db.Postgres {
		refused = append(refused, `TRUNCATE audit_log`)
	}
	for _, q := range refused {
		if _, err := d.Write().Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused as append-only", q, err)
		}
		err := d.InTx(ctx, func(tx *db.Tx) error {
			_, err := tx.Exec(ctx, q)
			return err
		})
		if err == nil {
			t.Errorf("%s in a transaction: not refused", q)
		}
	}
	got, err := s.Search(ctx, a.ID, audit.Query{})
	if err != nil || len(got) != 2 || got[1].Reason != e.Reason {
		t.Fatalf("after refused changes: %+v, %v", got, err)
	}
	if r := verify(t, s, a.ID); !r.OK {
		t.Fatal(r)
	}
}

func TestConcurrentRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	a := fixture.Town(t, d, "a", 0)
	b := fixture.Town(t, d, "b", 0)
	s := &audit.Store{DB: d}
	var wg sync.WaitGroup
	errs := make(chan error, 21)
	for g := range 21 {
		wg.Go(func() {
			for i := range 5 {
				// 20 goroutines write town A; one more writes town B at the
				// same time, on a chain of its own.
				tenant := a.ID
				if g == 20 {
					tenant = b.ID
				}
				if err := s.RecordNow(ctx, read(tenant, int64(g+1), int64(i+1))); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var n, lo, hi, distinct int64
	if err := d.Read().QueryRow(ctx, `SELECT count(*), min(seq), max(seq), count(DISTINCT seq) FROM audit_log WHERE tenant_id = $1`,
		a.ID).Scan(&n, &lo, &hi, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != 100 || lo != 1 || hi != 100 || distinct != 100 {
		t.Fatalf("%d rows, seq %d..%d, %d distinct; want 100, 1..100", n, lo, hi, distinct)
	}
	for tenant, want := range map[int64]int64{a.ID: 100, b.ID: 5} {
		if r := verify(t, s, tenant); !r.OK || r.Entries != want {
			t.Errorf("town %d: %v", tenant, r)
		}
	}
}

func TestRecordRollsBackWithTheChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	a := fixture.Town(t, d, "a", 0)
	s := &audit.Store{DB: d, Now: newClock().Now}
	boom := errors.New("boom")
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if err := s.Record(ctx, tx, read(a.ID, 7, 100)); err != nil {
			return err
		}
		if err := s.Record(ctx, tx, read(a.ID, 7, 101)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if n := count(t, d); n != 0 {
		t.Fatalf("%d rows after rollback", n)
	}
	// The chain goes on as if nothing had been.
	if e := record(t, s, read(a.ID, 7, 100)); e.Seq != 1 {
		t.Fatalf("seq after rollback = %d", e.Seq)
	}
	// Two entries in one committed transaction chain up.
	err = d.InTx(ctx, func(tx *db.Tx) error {
		for i := range 2 {
			if err := s.Record(ctx, tx, read(a.ID, 7, int64(200+i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := verify(t, s, a.ID); !r.OK || r.Entries != 3 {
		t.Fatal(r)
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	a := fixture.Town(t, d, "a", 0)
	b := fixture.Town(t, d, "b", 0)
	clk := newClock()
	s := &audit.Store{DB: d, Now: clk.Now}
	day := func(n int) time.Time { return time.Date(2026, 11, n, 9, 0, 0, 0, time.UTC) }

	// Town A, 23 November: officials 7 and 8 read people 100..104; 24
	// November: logins, and a rights change by official 7 on official 8.
	clk.Set(day(23))
	for i := range 10 {
		record(t, s, read(a.ID, int64(7+i%2), int64(100+i%5)))
	}
	clk.Set(day(24))
	for i := range 3 {
		record(t, s, &audit.Entry{TenantID: a.ID, ActorKind: audit.ActorCitizen, ActorID: int64(100 + i), Action: audit.ActionLogin})
	}
	record(t, s, &audit.Entry{TenantID: a.ID, ActorKind: audit.ActorStaff, ActorID: 7, Action: audit.ActionRightsGrant,
		SubjectKind: audit.SubjectStaff, SubjectID: 8, Details: json.RawMessage(`{"right":"fees.edit"}`)})
	// Town B has the same ids.
	for i := range 4 {
		record(t, s, read(b.ID, 7, int64(100+i%5)))
	}

	seqs := func(es []audit.Entry) string {
		var b strings.Builder
		for _, e := range es {
			fmt.Fprintf(&b, "%d ", e.Seq)
		}
		return strings.TrimSpace(b.String())
	}
	cases := []struct {
		name   string
		tenant int64
		q      audit.Query
		want   string
	}{
		{"everything, newest first", a.ID, audit.Query{}, "14 13 12 11 10 9 8 7 6 5 4 3 2 1"},
		{"what official 7 did", a.ID, audit.Query{ActorKind: audit.ActorStaff, ActorID: 7}, "14 9 7 5 3 1"},
		{"what officials did", a.ID, audit.Query{ActorKind: audit.ActorStaff}, "14 10 9 8 7 6 5 4 3 2 1"},
		{"who read person 101", a.ID, audit.Query{SubjectKind: audit.SubjectPerson, SubjectID: 101}, "7 2"},
		{"who was read by 8", a.ID, audit.Query{ActorKind: audit.ActorStaff, ActorID: 8, Action: audit.ActionPersonRead}, "10 8 6 4 2"},
		{"rights changes", a.ID, audit.Query{Action: audit.ActionRightsGrant}, "14"},
		{"logins", a.ID, audit.Query{Action: audit.ActionLogin}, "13 12 11"},
		{"23 November", a.ID, audit.Query{From: day(23), To: day(24)}, "10 9 8 7 6 5 4 3 2 1"},
		{"from 24 November", a.ID, audit.Query{From: day(24)}, "14 13 12 11"},
		{"to 23 Nov 9:00:03", a.ID, audit.Query{To: day(23).Add(3 * time.Second)}, "2 1"},
		{"from 9:00:02 in Prague time", a.ID, audit.Query{From: day(23).Add(2 * time.Second).In(time.FixedZone("CET", 3600)),
			To: day(23).Add(4 * time.Second)}, "3 2"},
		{"page 2", a.ID, audit.Query{Limit: 3, BeforeSeq: 12}, "11 10 9"},
		{"page 2 of a filter", a.ID, audit.Query{ActorKind: audit.ActorStaff, ActorID: 7, Limit: 2, BeforeSeq: 7}, "5 3"},
		{"last page", a.ID, audit.Query{Limit: 3, BeforeSeq: 2}, "1"},
		{"past the end", a.ID, audit.Query{BeforeSeq: 1}, ""},
		{"huge limit", a.ID, audit.Query{Limit: 100000, Action: audit.ActionLogin}, "13 12 11"},
		{"B: person 101", b.ID, audit.Query{SubjectKind: audit.SubjectPerson, SubjectID: 101}, "2"},
		{"B: everything", b.ID, audit.Query{}, "4 3 2 1"},
		{"B: A's rights change", b.ID, audit.Query{Action: audit.ActionRightsGrant}, ""},
		{"no such town", b.ID + 100, audit.Query{}, ""},
	}
	for _, c := range cases {
		got, err := s.Search(ctx, c.tenant, c.q)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if seqs(got) != c.want {
			t.Errorf("%s: seqs %q, want %q", c.name, seqs(got), c.want)
		}
		for _, e := range got {
			if e.TenantID != c.tenant {
				t.Errorf("%s: entry of town %d", c.name, e.TenantID)
			}
		}
	}

	// The default page is 50, and no page is longer than 500.
	err := d.InTx(ctx, func(tx *db.Tx) error {
		for i := range 600 {
			if err := s.Record(ctx, tx, &audit.Entry{TenantID: b.ID, ActorKind: audit.ActorSystem, Action: "job.run", SubjectKind: "job", SubjectID: int64(i + 1)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for limit, want := range map[int]int{0: 50, -1: 50, 10: 10, 1000: 500} {
		got, err := s.Search(ctx, b.ID, audit.Query{Limit: limit})
		if err != nil || len(got) != want {
			t.Errorf("limit %d: %d entries, %v; want %d", limit, len(got), err, want)
		}
	}

	for _, q := range []audit.Query{
		{ActorID: 7},
		{SubjectID: 100},
		{Action: "Login'; --"},
		{From: day(24), To: day(23)},
		{From: day(24), To: day(24)},
		{BeforeSeq: -1},
	} {
		if _, err := s.Search(ctx, a.ID, q); !errors.Is(err, derr.ErrInvalid) {
			t.Errorf("query %+v: %v, want invalid", q, err)
		}
	}
}

func TestInvalidEntriesWriteNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	a := fixture.Town(t, d, "a", 0)
	s := &audit.Store{DB: d, Now: newClock().Now}
	cases := []struct {
		field  string
		change func(e *audit.Entry)
	}{
		{"tenant_id", func(e *audit.Entry) { e.TenantID = 0 }},
		{"action", func(e *audit.Entry) { e.Action = "" }},
		{"action", func(e *audit.Entry) { e.Action = "Person.Read" }},
		{"action", func(e *audit.Entry) { e.Action = strings.Repeat("a", 65) }},
		{"actor_kind", func(e *audit.Entry) { e.ActorKind = "" }},
		{"actor_kind", func(e *audit.Entry) { e.ActorKind = "staff member" }},
		{"actor_id", func(e *audit.Entry) { e.ActorID = -1 }},
		{"subject_kind", func(e *audit.Entry) { e.SubjectKind = "" }},
		{"subject_id", func(e *audit.Entry) { e.SubjectID = -5 }},
		{"reason", func(e *audit.Entry) { e.Reason = strings.Repeat("ž", audit.MaxReason+1) }},
		{"reason", func(e *audit.Entry) { e.Reason = "bad \xff byte" }},
		{"reason", func(e *audit.Entry) { e.Reason = "nul \x00 byte" }},
		{"reason", func(e *audit.Entry) { e.Reason = "ověření RČ 780123/3540 na žádost" }},
		{"reason", func(e *audit.Entry) { e.Reason = "RČ:7801233540" }},
		{"actor_name", func(e *audit.Entry) { e.ActorName = strings.Repeat("x", 201) }},
		{"details", func(e *audit.Entry) { e.Details = json.RawMessage(`{"a":`) }},
		{"details", func(e *audit.Entry) { e.Details = json.RawMessage(`[1, 2]`) }},
		{"details", func(e *audit.Entry) { e.Details = json.RawMessage(`"text"`) }},
		{"details", func(e *audit.Entry) {
			e.Details = json.RawMessage(`{"x":"` + strings.Repeat("y", audit.MaxDetails) + `"}`)
		}},
		{"request_id", func(e *audit.Entry) { e.RequestID = "has space" }},
		{"ip", func(e *audit.Entry) { e.IP = strings.Repeat("1", 65) }},
	}
	for _, c := range cases {
		e := read(a.ID, 7, 100)
		c.change(e)
		err := s.RecordNow(ctx, e)
		var inv *derr.InvalidError
		if !errors.As(err, &inv) || !errors.Is(err, derr.ErrInvalid) {
			t.Errorf("%s: %v, want invalid", c.field, err)
			continue
		}
		if inv.Fields[0].Field != c.field || !strings.HasPrefix(inv.Fields[0].Key, "audit.") {
			t.Errorf("%s: field errors %+v", c.field, inv.Fields)
		}
		if strings.Contains(err.Error(), "3540") {
			t.Errorf("the error repeats the birth number: %v", err)
		}
		if e.Seq != 0 || e.Hash != "" {
			t.Errorf("%s: refused entry was filled in: %+v", c.field, e)
		}
	}
	// Inside a caller's transaction too: the caller may go on, nothing of
	// the refused entry is there.
	err := d.InTx(ctx, func(tx *db.Tx) error {
		e := read(a.ID, 7, 100)
		e.Action = ""
		if err := s.Record(ctx, tx, e); !errors.Is(err, derr.ErrInvalid) {
			return fmt.Errorf("in tx: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, d); n != 0 {
		t.Fatalf("%d rows written by invalid entries", n)
	}

	// At the limits, and near misses of a birth number, are fine.
	for _, change := range []func(e *audit.Entry){
		func(e *audit.Entry) { e.Reason = strings.Repeat("ž", audit.MaxReason) },
		func(e *audit.Entry) { e.Reason = "č.j. MMJ/12345/2026, VS 7801233541, tel. 602123456" },
		func(e *audit.Entry) { e.Reason = "spis ABC7801233540" },
		func(e *audit.Entry) {
			e.Details = json.RawMessage(`{"x":"` + strings.Repeat("y", audit.MaxDetails-8) + `"}`)
		},
		func(e *audit.Entry) { e.Details, e.Reason, e.ActorName, e.RequestID, e.IP = nil, "", "", "", "" },
		func(e *audit.Entry) { e.SubjectKind, e.SubjectID = "", 0 },
	} {
		e := read(a.ID, 7, 100)
		change(e)
		record(t, s, e)
	}
	if r := verify(t, s, a.ID); !r.OK || r.Entries != 6 {
		t.Fatal(r)
	}
}
