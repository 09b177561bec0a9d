package records

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/jobs"
	"github.com/radnice/radnice/internal/person"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/tenant"
)

// rig is a town on a fresh database whose records management is a fake
// behind an httptest server, with the hand-off worker and the sync wired
// as the portal wires them.
type rig struct {
	ctx     context.Context
	t       *testing.T
	d       *db.DB
	tn      *tenant.Tenant
	fake    *Fake
	srv     *httptest.Server
	systems *Systems
	store   *submission.Store
	worker  *RegisterWorker
	syncer  *Syncer
	queue   *jobs.Queue // nil until startQueue
	logs    *syncBuffer
	form    int64
	account int64
	person  int64
}

// syncBuffer is a log sink safe for the workers' goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// timeout is how long an impatient client waits for the records system;
// the rig's own client waits longer, so a busy test machine never turns a
// normal answer into a time-out.
const timeout = 300 * time.Millisecond

// impatient makes the hand-off and the sync give up after timeout.
func (r *rig) impatient() {
	r.systems.HTTP = &http.Client{Timeout: timeout}
	r.configure(true) // drops the client built before
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	tn := fixture.Town(t, d, "lhota", 30)
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := &rig{ctx: ctx, t: t, d: d, tn: tn, fake: NewFake(), logs: logs}
	r.fake.AddOffice(testToken, Office{Name: tn.OfficialName, Prefix: "OULH"})
	r.srv = httptest.NewServer(r.fake)
	t.Cleanup(r.srv.Close)
	r.systems = &Systems{DB: d, HTTP: &http.Client{Timeout: 10 * time.Second}, Log: log}
	r.configure(true)
	r.store = &submission.Store{DB: d}
	people := &person.Store{DB: d}
	r.worker = &RegisterWorker{Submissions: r.store, People: people, Towns: &tenant.Store{DB: d}, Systems: r.systems, Log: log,
		Wait: 100 * time.Millisecond, Backoff: func(int) time.Duration { return 50 * time.Millisecond }}
	r.syncer = &Syncer{DB: d, Systems: r.systems, Submissions: r.store, People: people, Log: log}
	if err := d.Read().QueryRow(ctx, `SELECT a.person_id, a.id FROM accounts a WHERE a.tenant_id = $1 AND a.person_id IS NOT NULL
		ORDER BY a.id LIMIT 1`, tn.ID).Scan(&r.person, &r.account); err != nil {
		t.Fatal(err)
	}
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO forms (tenant_id, slug, department, version) VALUES ($1, 'pes', 'Odbor ekonomiky', 1) RETURNING id`,
			tn.ID).Scan(&r.form); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO form_versions (tenant_id, form_id, version, definition, created_at) VALUES ($1, $2, 1, '{}', $3)`,
			tn.ID, r.form, time.Now().UTC())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// configure points the town at the rig's fake, on or off.
func (r *rig) configure(enabled bool) {
	r.t.Helper()
	if err := r.systems.Save(r.ctx, audit.System, &Config{TenantID: r.tn.ID, BaseURL: r.srv.URL + "/api/v1", Token: testToken, Enabled: enabled}); err != nil {
		r.t.Fatal(err)
	}
}

// startQueue runs the real job queue with the hand-off worker; filings
// then enqueue into it.
func (r *rig) startQueue() {
	r.t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, r.worker)
	q, err := jobs.New(r.d, jobs.Options{Workers: 4, Register: workers, PollInterval: 50 * time.Millisecond})
	if err != nil {
		r.t.Fatal(err)
	}
	r.store.Queue, r.queue = q, q
	if err := q.Start(r.ctx); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(ctx)
	})
}

func (r *rig) filing(token string) submission.Filing {
	return submission.Filing{TenantID: r.tn.ID, Token: token, AccountID: r.account, PersonID: r.person, FormID: r.form, FormVersion: 1,
		Title: "Přihlášení psa", Department: "Odbor ekonomiky", Answers: form.Answers{"jmeno": {"Alík"}}, Price: 150000}
}

func (r *rig) file(token string) *submission.Submission {
	r.t.Helper()
	sub, _, err := r.store.File(r.ctx, r.filing(token))
	if err != nil {
		r.t.Fatal(err)
	}
	return sub
}

func (r *rig) count(q string, args ...any) int {
	r.t.Helper()
	var n int
	if err := r.d.Read().QueryRow(r.ctx, q, args...).Scan(&n); err != nil {
		r.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// events counts a case's events of a kind.
func (r *rig) events(id int64, kind string) int {
	return r.count(`SELECT count(*) FROM submission_events WHERE tenant_id = $1 AND submission_id = $2 AND kind = $3`, r.tn.ID, id, kind)
}

// waitFor polls cond until it holds or the time is up.
func (r *rig) waitFor(what string, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s\nlog:\n%s", what, r.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *rig) get(id int64) *submission.Submission {
	r.t.Helper()
	sub, err := r.store.Get(r.ctx, r.tn.ID, id)
	if err != nil {
		r.t.Fatal(err)
	}
	return sub
}

// registered waits until the case has its reference number.
func (r *rig) registered(id int64) *submission.Submission {
	r.t.Helper()
	var sub *submission.Submission
	r.waitFor("submission "+strconv.FormatInt(id, 10)+" registered", func() bool {
		sub = r.get(id)
		return sub.State == submission.StateRegistered
	})
	return sub
}

// jobStates lists the states of the hand-off jobs.
func (r *rig) jobStates() map[string]int {
	r.t.Helper()
	rows, err := r.d.Read().Query(r.ctx, `SELECT state, count(*) FROM river_job WHERE kind = 'submission.register' GROUP BY state`)
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			r.t.Fatal(err)
		}
		out[s] = n
	}
	return out
}

// exactlyOnce checks that the case is registered once, here and at the
// fake, with the fake's reference number.
func (r *rig) exactlyOnce(sub *submission.Submission) {
	r.t.Helper()
	var mine []FakeCase
	for _, c := range r.fake.Cases(testToken) {
		if c.Key == Key(r.tn.ID, sub.ID) {
			mine = append(mine, c)
		}
	}
	if len(mine) != 1 {
		r.t.Fatalf("%d cases at records management for submission %d, want 1", len(mine), sub.ID)
	}
	if sub.Reference != mine[0].Reference || sub.RecordsID != mine[0].ID {
		r.t.Fatalf("the portal has %q (%s), records management %q (%s)", sub.Reference, sub.RecordsID, mine[0].Reference, mine[0].ID)
	}
	if n := r.events(sub.ID, "registered"); n != 1 {
		r.t.Fatalf("%d 'registered' events, want 1", n)
	}
	if n := r.count(`SELECT count(*) FROM notification_events WHERE tenant_id = $1 AND submission_id = $2 AND kind = 'submission.registered'`,
		r.tn.ID, sub.ID); n != 1 {
		r.t.Fatalf("%d 'registered' notifications, want 1", n)
	}
}
