package casework_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/casework"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/obligation"
	"github.com/radnice/radnice/internal/person"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/tenant"
)

const econ = "Odbor ekonomiky"

type rig struct {
	ctx     context.Context
	d       *db.DB
	tn      *tenant.Tenant
	svc     *casework.Service
	subs    *submission.Store
	form    int64
	version int
	person  int64
	company int64
	worker  *auth.Staff // a case worker of econ
	other   *auth.Staff // a case worker of another department
}

func newRig(t testing.TB) *rig {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t)
	tn := fixture.Town(t, d, "lhota", 30)
	subs := &submission.Store{DB: d}
	r := &rig{ctx: ctx, d: d, tn: tn, subs: subs, svc: &casework.Service{Submissions: subs, Forms: &form.Store{DB: d},
		Obligations: &obligation.Store{DB: d}, People: &person.Store{DB: d}, Audit: &audit.Store{DB: d}}}
	if err := d.Read().QueryRow(ctx, `SELECT min(id) FROM persons WHERE tenant_id = $1`, tn.ID).Scan(&r.person); err != nil {
		t.Fatal(err)
	}
	if err := d.Read().QueryRow(ctx, `SELECT min(id) FROM companies WHERE tenant_id = $1`, tn.ID).Scan(&r.company); err != nil {
		t.Fatal(err)
	}
	r.form, r.version = fixture.DogForm(t, d, tn, econ)
	r.worker, _ = fixture.Official(t, d, tn, "ekonom@lhota.test", auth.Grant{Role: auth.CaseWorker, Department: econ},
		auth.Grant{Role: auth.FeeClerk})
	r.other, _ = fixture.Official(t, d, tn, "doprava@lhota.test", auth.Grant{Role: auth.CaseWorker, Department: "Odbor dopravy"})
	return r
}

func (r *rig) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := r.d.Read().QueryRow(r.ctx, q, append([]any{r.tn.ID}, args...)...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (r *rig) act(st *auth.Staff, id int64, a casework.Action, from submission.State, text string) error {
	return r.svc.Act(r.ctx, r.tn, st, casework.Meta{RequestID: "test"}, id, casework.Request{Action: a, From: from, Text: text})
}

func (r *rig) state(t *testing.T, id int64) *submission.Submission {
	t.Helper()
	s, err := r.subs.Get(r.ctx, r.tn.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A case worker sees the cases of their department only, works one from
// registration to closing, and every bad change is refused with the
// reason and changes nothing. Approving assesses the dog fee once, with a
// description from the answers, and attaches the decision; every look and
// change is audited.
func TestCaseWork(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	sub := fixture.DogCase(t, r.d, r.tn, r.form, r.version, r.person, 0, "Alík", false)

	q, err := r.svc.Queue(r.ctx, r.tn.ID, r.worker, casework.Filter{})
	if err != nil || len(q.Rows) != 1 || q.Rows[0].ID != sub.ID || q.Counts[submission.StateRegistered] != 1 || q.Rows[0].Filer == "" {
		t.Fatalf("queue: %+v, %v", q, err)
	}
	if q, err := r.svc.Queue(r.ctx, r.tn.ID, r.other, casework.Filter{States: submission.States}); err != nil || len(q.Rows) != 0 ||
		q.Counts[submission.StateRegistered] != 0 {
		t.Fatalf("another department's queue: %+v, %v", q, err)
	}
	if _, err := r.svc.Open(r.ctx, r.tn.ID, r.other, casework.Meta{}, sub.ID); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("another department opens the case: %v", err)
	}
	if err := r.act(r.other, sub.ID, casework.Take, submission.StateRegistered, ""); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("another department takes the case: %v", err)
	}
	if n := r.count(t, `SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action LIKE 'submission.%'`); n != 0 {
		t.Fatalf("refused looks were audited: %d", n)
	}

	c, err := r.svc.Open(r.ctx, r.tn.ID, r.worker, casework.Meta{RequestID: "look"}, sub.ID)
	if err != nil || c.Form == nil || c.Person == nil || len(c.Events) != 2 || !slices.Equal(c.Actions,
		[]casework.Action{casework.Take, casework.RequestInfo, casework.Approve, casework.Reject, casework.Note}) {
		t.Fatalf("open: %+v, %v", c, err)
	}
	es, _ := r.svc.Audit.Search(r.ctx, r.tn.ID, audit.Query{Action: casework.ActionRead, Limit: 10})
	if len(es) != 1 || es[0].SubjectKind != audit.SubjectPerson || es[0].SubjectID != r.person || es[0].ActorID != r.worker.ID {
		t.Fatalf("the look is not audited: %+v", es)
	}

	events := func() int {
		return r.count(t, `SELECT count(*) FROM submission_events WHERE tenant_id = $1 AND submission_id = $2`, sub.ID)
	}
	before := events()
	for _, c := range []struct {
		name   string
		action casework.Action
		from   submission.State
		text   string
		want   error
		key    string
	}{
		{"unknown action", "smazat", submission.StateRegistered, "", derr.ErrInvalid, "bo.case.action.unknown"},
		{"request without text", casework.RequestInfo, submission.StateRegistered, "  ", derr.ErrInvalid, "bo.case.info.required"},
		{"note without text", casework.Note, "", "\r\n", derr.ErrInvalid, "bo.case.note.required"},
		{"rejection without reasons", casework.Reject, submission.StateRegistered, "", derr.ErrInvalid, "bo.case.reasons.required"},
		{"text too long", casework.Note, "", string(bytes.Repeat([]byte("á"), casework.MaxText+1)), derr.ErrInvalid, "bo.case.text.long"},
		{"NUL in text", casework.RequestInfo, submission.StateRegistered, "a\x00b", derr.ErrInvalid, "bo.case.text.invalid"},
		{"no state", casework.Take, "", "", derr.ErrInvalid, "bo.case.from.invalid"},
		{"stale page", casework.Take, submission.StateInProgress, "", derr.ErrConflict, ""},
		{"not allowed now", casework.Close, submission.StateRegistered, "", submission.ErrTransition, ""},
	} {
		err := r.act(r.worker, sub.ID, c.action, c.from, c.text)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
			continue
		}
		var inv *derr.InvalidError
		if c.key != "" && (!errors.As(err, &inv) || inv.Fields[0].Key != c.key) {
			t.Errorf("%s: %v, want the message %s", c.name, err, c.key)
		}
	}
	if got := r.state(t, sub.ID); got.State != submission.StateRegistered || got.AssignedTo != 0 || events() != before {
		t.Fatalf("refused changes changed the case: %s, %d events (was %d)", got.State, events(), before)
	}

	steps := []struct {
		action   casework.Action
		from     submission.State
		text     string
		want     submission.State
		auditKey string
	}{
		{casework.Take, submission.StateRegistered, "", submission.StateInProgress, casework.ActionTake},
		{casework.Note, "", "Ověřit očkování u veterináře.", submission.StateInProgress, casework.ActionNote},
		{casework.RequestInfo, submission.StateInProgress, "Doložte očkovací průkaz.", submission.StateInfoRequested, casework.ActionRequestInfo},
		{casework.Approve, submission.StateInfoRequested, "", submission.StateApproved, casework.ActionApprove},
	}
	for _, s := range steps {
		if err := r.act(r.worker, sub.ID, s.action, s.from, s.text); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
		if got := r.state(t, sub.ID); got.State != s.want {
			t.Fatalf("%s: state %s, want %s", s.action, got.State, s.want)
		}
		if es, _ := r.svc.Audit.Search(r.ctx, r.tn.ID, audit.Query{Action: s.auditKey, Limit: 10}); len(es) != 1 ||
			es[0].SubjectID != r.person || es[0].ActorID != r.worker.ID {
			t.Fatalf("%s is not audited: %+v", s.action, es)
		}
	}
	got := r.state(t, sub.ID)
	if got.AssignedTo != r.worker.ID || got.ObligationID == 0 {
		t.Fatalf("after approval: %+v", got)
	}
	fee, err := r.svc.Obligations.Line(r.ctx, r.tn.ID, got.ObligationID)
	if err != nil || fee.PersonID != r.person || fee.Amount != 150000 || fee.Balance != 150000 || fee.Description != "Alík (jezevčík)" ||
		fee.VS/10_000_000 != obligation.VSPrefix("pes", fee.DueDate.Year()) {
		t.Fatalf("the fee: %+v, %v", fee, err)
	}
	pub, _ := r.subs.Events(r.ctx, r.tn.ID, sub.ID, true)
	all, _ := r.subs.Events(r.ctx, r.tn.ID, sub.ID, false)
	if len(all) != len(pub)+1 || pub[len(pub)-1].Kind != string(submission.StateApproved) {
		t.Fatalf("timeline: %d events, %d public", len(all), len(pub))
	}
	decision := pub[len(pub)-1]
	files, _ := r.subs.Files(r.ctx, r.tn.ID, sub.ID)
	var doc *submission.File
	for i := range files {
		if files[i].EventID == decision.ID {
			doc = &files[i]
		}
	}
	if doc == nil || doc.ContentType != "application/pdf" {
		t.Fatalf("no decision document on the approval: %+v", files)
	}
	f, data, err := r.svc.OpenFile(r.ctx, r.tn.ID, r.worker, casework.Meta{}, sub.ID, doc.ID)
	if err != nil || f.ID != doc.ID || !bytes.HasPrefix(data, []byte("%PDF-")) {
		t.Fatalf("open the decision: %v", err)
	}
	if _, _, err := r.svc.OpenFile(r.ctx, r.tn.ID, r.other, casework.Meta{}, sub.ID, doc.ID); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("another department opens the decision: %v", err)
	}
	if n := r.count(t, `SELECT count(*) FROM notification_events WHERE tenant_id = $1 AND submission_id = $2 AND kind = 'submission.approved'`,
		sub.ID); n != 1 {
		t.Errorf("approval notifications: %d", n)
	}

	// Approving again assesses nothing: the state does not allow it.
	obligations := r.count(t, `SELECT count(*) FROM obligations WHERE tenant_id = $1`)
	if err := r.act(r.worker, sub.ID, casework.Approve, submission.StateApproved, ""); !errors.Is(err, submission.ErrTransition) {
		t.Fatalf("a second approval: %v", err)
	}
	if err := r.act(r.worker, sub.ID, casework.Approve, submission.StateInfoRequested, ""); !errors.Is(err, derr.ErrConflict) {
		t.Fatalf("a second approval from a stale page: %v", err)
	}
	if n := r.count(t, `SELECT count(*) FROM obligations WHERE tenant_id = $1`); n != obligations {
		t.Fatalf("a second approval assessed %d more", n-obligations)
	}
	if err := r.act(r.worker, sub.ID, casework.Close, submission.StateApproved, ""); err != nil {
		t.Fatal(err)
	}
	if c, err := r.svc.Open(r.ctx, r.tn.ID, r.worker, casework.Meta{}, sub.ID); err != nil || c.Fee == nil ||
		!slices.Equal(c.Actions, []casework.Action{casework.Note}) {
		t.Fatalf("closed: %+v, %v", c, err)
	}
}

// Twenty officials approving the same case at once: one approval, one
// fee, one decision; the others are told it changed.
func TestApproveConcurrent(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	sub := fixture.DogCase(t, r.d, r.tn, r.form, r.version, 0, r.company, "Rex", true)
	obligations := r.count(t, `SELECT count(*) FROM obligations WHERE tenant_id = $1`)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, conflicts := 0, 0
	for range 20 {
		wg.Go(func() {
			err := r.act(r.worker, sub.ID, casework.Approve, submission.StateRegistered, "Vše v pořádku.")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, derr.ErrConflict):
				conflicts++
			default:
				t.Errorf("approve: %v", err)
			}
		})
	}
	wg.Wait()
	if ok != 1 || conflicts != 19 {
		t.Fatalf("%d approvals, %d conflicts", ok, conflicts)
	}
	if n := r.count(t, `SELECT count(*) FROM obligations WHERE tenant_id = $1`); n != obligations+1 {
		t.Fatalf("%d fees assessed", n-obligations)
	}
	got := r.state(t, sub.ID)
	fee, err := r.svc.Obligations.Line(r.ctx, r.tn.ID, got.ObligationID)
	if err != nil || fee.CompanyID != r.company || fee.Amount != 225000 {
		t.Fatalf("the company's fee for a second dog: %+v, %v", fee, err)
	}
	for q, want := range map[string]int{
		`SELECT count(*) FROM submission_files WHERE tenant_id = $1 AND submission_id = $2 AND field = 'decision'`:              1,
		`SELECT count(*) FROM submission_events WHERE tenant_id = $1 AND submission_id = $2 AND kind = 'approved'`:              1,
		`SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND action = 'submission.approve' AND subject_id = $2 AND $2 > 0`:  1,
		`SELECT count(*) FROM notification_events WHERE tenant_id = $1 AND submission_id = $2 AND kind = 'submission.approved'`: 1,
	} {
		arg := sub.ID
		if bytes.Contains([]byte(q), []byte("audit_log")) {
			arg = r.company
		}
		if n := r.count(t, q, arg); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
}

// A rejection needs reasons, gets its decision and assesses nothing; a
// paper case is decided like any other, without a fee.
func TestRejectAndPaper(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	sub := fixture.DogCase(t, r.d, r.tn, r.form, r.version, r.person, 0, "Brok", false)
	obligations := r.count(t, `SELECT count(*) FROM obligations WHERE tenant_id = $1`)
	if err := r.act(r.worker, sub.ID, casework.Reject, submission.StateRegistered, "Pes není přihlášen k trvalému pobytu v obci."); err != nil {
		t.Fatal(err)
	}
	got := r.state(t, sub.ID)
	if got.State != submission.StateRejected || got.ObligationID != 0 || got.AssignedTo != r.worker.ID {
		t.Fatalf("rejected: %+v", got)
	}
	if n := r.count(t, `SELECT count(*) FROM obligations WHERE tenant_id = $1`); n != obligations {
		t.Fatalf("a rejection assessed a fee")
	}
	if n := r.count(t, `SELECT count(*) FROM submission_files WHERE tenant_id = $1 AND submission_id = $2 AND field = 'decision'`, sub.ID); n != 1 {
		t.Fatalf("%d decision documents", n)
	}

	// A paper case of the department (records management made it).
	var paper int64
	now := got.UpdatedAt
	if err := r.d.InTx(r.ctx, func(tx *db.Tx) error {
		return tx.QueryRow(r.ctx, `INSERT INTO submissions (tenant_id, channel, person_id, title, department, state, reference, records_id,
			submitted_at, updated_at) VALUES ($1, 'paper', $2, 'Žádost o kácení stromu', $3, 'registered', 'MU-P/1/2026', 'P-1', $4, $4) RETURNING id`,
			r.tn.ID, r.person, econ, now).Scan(&paper)
	}); err != nil {
		t.Fatal(err)
	}
	c, err := r.svc.Open(r.ctx, r.tn.ID, r.worker, casework.Meta{}, paper)
	if err != nil || c.Form != nil || c.Person == nil {
		t.Fatalf("paper case: %+v, %v", c, err)
	}
	if err := r.act(r.worker, paper, casework.Approve, submission.StateRegistered, ""); err != nil {
		t.Fatal(err)
	}
	if got := r.state(t, paper); got.State != submission.StateApproved || got.ObligationID != 0 {
		t.Fatalf("paper case approved: %+v", got)
	}
	if n := r.count(t, `SELECT count(*) FROM submission_files WHERE tenant_id = $1 AND submission_id = $2 AND field = 'decision'`, paper); n != 1 {
		t.Fatalf("%d decision documents of the paper case", n)
	}
}

// The fee's description comes from the fields the form names, or the
// first text answer.
func TestDescribe(t *testing.T) {
	t.Parallel()
	def := &form.Definition{Steps: []form.Step{{Fields: []form.Field{
		{ID: "email", Type: form.TypeText, Prefill: "person.email"},
		{ID: "jmeno", Type: form.TypeText}, {ID: "plemeno", Type: form.TypeText}, {ID: "barva", Type: form.TypeText}}}}}
	a := form.Answers{"email": {"a@b.cz"}, "jmeno": {"Alík"}, "plemeno": {"jezevčík"}, "barva": {"hnědá"}}
	if got := casework.Describe(def, a); got != "Alík" {
		t.Errorf("first text answer: %q", got)
	}
	def.Describe = []string{"jmeno", "plemeno", "barva", "nic"}
	if got := casework.Describe(def, a); got != "Alík (jezevčík, hnědá)" {
		t.Errorf("described: %q", got)
	}
	def.Describe = []string{"plemeno"}
	if got := casework.Describe(def, form.Answers{}); got != "" {
		t.Errorf("nothing answered: %q", got)
	}
}

// The queue shows fifty cases a page, newest first, with the counts of
// every state; a state filter shows that state only.
func TestQueuePages(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	base := r.state(t, fixture.DogCase(t, r.d, r.tn, r.form, r.version, r.person, 0, "Alík", false).ID).SubmittedAt
	err := r.d.InTx(r.ctx, func(tx *db.Tx) error {
		for i := range 55 {
			at := base.Add(time.Duration(i+1) * time.Minute)
			if _, err := tx.Exec(r.ctx, `INSERT INTO submissions (tenant_id, channel, person_id, title, department, state, reference, records_id,
				submitted_at, updated_at) VALUES ($1, 'paper', $2, $3, $4, 'in_progress', $5, $5, $6, $6)`,
				r.tn.ID, r.person, "Listinná žádost "+strconv.Itoa(i), econ, "P-"+strconv.Itoa(i), at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	p1, err := r.svc.Queue(r.ctx, r.tn.ID, r.worker, casework.Filter{})
	if err != nil || len(p1.Rows) != casework.PageSize || !p1.More || p1.Rows[0].Title != "Listinná žádost 54" ||
		p1.Counts[submission.StateInProgress] != 55 || p1.Counts[submission.StateRegistered] != 1 {
		t.Fatalf("page 1: %d rows, more %v, first %q, counts %v, %v", len(p1.Rows), p1.More, p1.Rows[0].Title, p1.Counts, err)
	}
	p2, err := r.svc.Queue(r.ctx, r.tn.ID, r.worker, casework.Filter{Page: 2})
	if err != nil || len(p2.Rows) != 6 || p2.More || p2.Rows[5].Channel != submission.ChannelPortal {
		t.Fatalf("page 2: %d rows, more %v, %v", len(p2.Rows), p2.More, err)
	}
	// Counts stop past a limit: 55 in progress are "more than 10".
	if c, err := r.subs.WorklistCounts(r.ctx, r.tn.ID, []string{econ, "Podatelna"}, 10); err != nil ||
		c[submission.StateInProgress] != 11 || c[submission.StateRegistered] != 2 || len(c) != 2 { // the fixture filed one to Podatelna
		t.Fatalf("counts up to 10: %v, %v", c, err)
	}
	reg, err := r.svc.Queue(r.ctx, r.tn.ID, r.worker, casework.Filter{States: []submission.State{submission.StateRegistered}})
	if err != nil || len(reg.Rows) != 1 || reg.Rows[0].State != submission.StateRegistered || reg.Rows[0].Filer == "" {
		t.Fatalf("registered only: %+v, %v", reg, err)
	}
}
