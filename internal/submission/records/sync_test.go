package records

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/czid"
	"github.com/radnice/radnice/internal/submission"
)

// birthNumber of a person of the town, and the person.
func (r *rig) birthNumber(offset int) (string, int64) {
	r.t.Helper()
	var bn string
	var id int64
	if err := r.d.Read().QueryRow(r.ctx, `SELECT birth_number, id FROM persons WHERE tenant_id = $1 AND birth_number IS NOT NULL
		ORDER BY id LIMIT 1 OFFSET $2`, r.tn.ID, offset).Scan(&bn, &id); err != nil {
		r.t.Fatal(err)
	}
	return bn, id
}

// strangerBirthNumber is a valid birth number nobody in the town has.
func (r *rig) strangerBirthNumber() string {
	r.t.Helper()
	for serial := 999; serial > 900; serial-- {
		bn, err := czid.NewBirthNumber(time.Date(1977, 7, 7, 0, 0, 0, 0, time.UTC), czid.Female, serial)
		if err == nil && r.count(`SELECT count(*) FROM persons WHERE tenant_id = $1 AND birth_number = $2`, r.tn.ID, string(bn)) == 0 {
			return string(bn)
		}
	}
	r.t.Fatal("no free birth number")
	return ""
}

func (r *rig) sync() Result {
	r.t.Helper()
	res, err := r.syncer.SyncTown(r.ctx, r.tn.ID)
	if err != nil {
		r.t.Fatalf("sync: %v\nlog:\n%s", err, r.logs.String())
	}
	return res
}

func (r *rig) paper(p Paper) Registration {
	r.t.Helper()
	reg, err := r.fake.FilePaper(testToken, p)
	if err != nil {
		r.t.Fatal(err)
	}
	return reg
}

func (r *rig) byRecordsID(id string) *submission.Submission {
	r.t.Helper()
	var sid int64
	if err := r.d.Read().QueryRow(r.ctx, `SELECT id FROM submissions WHERE tenant_id = $1 AND records_id = $2`, r.tn.ID, id).Scan(&sid); err != nil {
		r.t.Fatalf("case %s: %v", id, err)
	}
	return r.get(sid)
}

// A case filed on paper for a person (by birth number) or a company (by
// IČO) the town knows appears in the portal's copy after a sync, once; a
// case of somebody the town does not know is skipped and logged without
// the birth number; syncing again changes nothing.
func TestSyncPaperCases(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	bn, personID := r.birthNumber(0)
	var ico string
	var companyID int64
	if err := r.d.Read().QueryRow(r.ctx, `SELECT ico, id FROM companies WHERE tenant_id = $1 ORDER BY id LIMIT 1`, r.tn.ID).Scan(&ico, &companyID); err != nil {
		t.Fatal(err)
	}
	stranger := r.strangerBirthNumber()
	filed := time.Now().Add(-72 * time.Hour).UTC().Truncate(time.Second)
	known := r.paper(Paper{Title: "Žádost o povolení kácení", Department: "Odbor životního prostředí", BirthNumber: bn, FiledAt: filed})
	decided := r.paper(Paper{Title: "Žádost o zvláštní užívání komunikace", Department: "Odbor dopravy", ICO: ico, State: "approved", FiledAt: filed})
	r.paper(Paper{Title: "Cizí spis", Department: "Odbor dopravy", BirthNumber: stranger})
	r.paper(Paper{Title: "Chybné RČ", Department: "Odbor dopravy", BirthNumber: "1234567890"})

	res := r.sync()
	if res.Filed != 2 || res.Skipped != 2 || res.Pages != 1 {
		t.Fatalf("first sync: %+v", res)
	}
	p := r.byRecordsID(known.CaseID)
	if p.Channel != submission.ChannelPaper || p.PersonID != personID || p.State != submission.StateRegistered ||
		p.Reference != known.Reference || p.Title != "Žádost o povolení kácení" || p.Department != "Odbor životního prostředí" ||
		!p.SubmittedAt.Equal(filed) {
		t.Fatalf("paper case: %+v", p)
	}
	c := r.byRecordsID(decided.CaseID)
	if c.CompanyID != companyID || c.PersonID != 0 || c.State != submission.StateApproved {
		t.Fatalf("company's paper case: %+v", c)
	}
	var kinds []string
	events, _ := r.store.Events(r.ctx, r.tn.ID, c.ID, true)
	for _, e := range events {
		kinds = append(kinds, e.Kind+":"+e.Text)
	}
	if strings.Join(kinds, ",") != "submitted:,registered:"+decided.Reference+",approved:" {
		t.Fatalf("timeline: %v", kinds)
	}
	list, err := r.store.ForOwner(r.ctx, r.tn.ID, personID, 0, 50)
	found := false
	for _, s := range list {
		found = found || s.ID == p.ID
	}
	if err != nil || !found {
		t.Fatalf("the owner's list lacks the paper case: %v", err)
	}
	if n := r.count(`SELECT count(*) FROM submissions WHERE tenant_id = $1 AND channel = 'paper'`, r.tn.ID); n != 2 {
		t.Fatalf("%d paper cases, want 2", n)
	}
	for _, secret := range []string{stranger, bn, ico, "1234567890"} {
		if strings.Contains(r.logs.String(), secret) {
			t.Fatalf("the log shows a birth number or an IČO:\n%s", r.logs.String())
		}
	}
	if !strings.Contains(r.logs.String(), "a person the town does not know") {
		t.Fatalf("the stranger's case is not logged:\n%s", r.logs.String())
	}

	// Again: nothing new, nothing changed.
	before := r.count(`SELECT count(*) FROM submission_events WHERE tenant_id = $1`, r.tn.ID)
	notes := r.count(`SELECT count(*) FROM notification_events WHERE tenant_id = $1`, r.tn.ID)
	if res := r.sync(); res != (Result{}) {
		t.Fatalf("second sync: %+v", res)
	}
	// Even from the beginning of the feed (a new address of the same
	// system): nothing is applied twice.
	cursor, _ := r.systems.Cursor(r.ctx, r.tn.ID)
	if err := r.systems.Save(r.ctx, audit.System, &Config{TenantID: r.tn.ID, BaseURL: r.srv.URL + "/api/v2", Token: testToken, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if c, _ := r.systems.Cursor(r.ctx, r.tn.ID); c != "" {
		t.Fatalf("a new address kept the cursor %q", c)
	}
	if res := r.sync(); res.Filed != 0 || res.Moved != 0 || res.Registered != 0 {
		t.Fatalf("sync from the beginning: %+v", res)
	}
	if c, _ := r.systems.Cursor(r.ctx, r.tn.ID); c != cursor {
		t.Fatalf("cursor %q, want %q", c, cursor)
	}
	if after := r.count(`SELECT count(*) FROM submission_events WHERE tenant_id = $1`, r.tn.ID); after != before {
		t.Fatalf("events %d → %d", before, after)
	}
	if after := r.count(`SELECT count(*) FROM notification_events WHERE tenant_id = $1`, r.tn.ID); after != notes {
		t.Fatalf("notifications %d → %d", notes, after)
	}
}

// Cases move as records management moves them: a portal case only where
// the state machine lets it, a paper case as records management says.
func TestSyncFollowsStates(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	sub := r.file("follow-1")
	if _, err := r.worker.Register(r.ctx, r.tn.ID, sub.ID); err != nil {
		t.Fatal(err)
	}
	sub = r.get(sub.ID)
	bn, _ := r.birthNumber(1)
	paper := r.paper(Paper{Title: "Žádost o pronájem sálu", Department: "Odbor správy majetku", BirthNumber: bn})
	r.sync()

	r.fake.Move(testToken, sub.RecordsID, "in_progress", "")
	r.fake.Move(testToken, sub.RecordsID, "closed", "") // in_progress → closed: not in the portal's state machine
	r.fake.Move(testToken, sub.RecordsID, "info_requested", "Doložte očkovací průkaz.")
	r.fake.Move(testToken, paper.CaseID, "approved", "Vyhověno.")
	r.fake.Move(testToken, paper.CaseID, "in_progress", "Znovu otevřeno.") // a paper case goes where records management says
	res := r.sync()
	if res.Moved != 4 || res.Skipped != 1 {
		t.Fatalf("sync: %+v", res)
	}
	got := r.get(sub.ID)
	if got.State != submission.StateInfoRequested {
		t.Fatalf("portal case: %s", got.State)
	}
	events, _ := r.store.Events(r.ctx, r.tn.ID, sub.ID, true)
	last := events[len(events)-1]
	if last.Kind != "info_requested" || last.Text != "Doložte očkovací průkaz." || last.ActorKind != submission.ActorRecords {
		t.Fatalf("last event: %+v", last)
	}
	if p := r.byRecordsID(paper.CaseID); p.State != submission.StateInProgress || r.events(p.ID, "approved") != 1 {
		t.Fatalf("paper case: %s", p.State)
	}
	if n := r.count(`SELECT count(*) FROM notification_events WHERE tenant_id = $1 AND submission_id = $2 AND kind = 'submission.info_requested'`,
		r.tn.ID, sub.ID); n != 1 {
		t.Fatalf("%d notifications of the request", n)
	}
	// An official of the portal moved it meanwhile; an old change read
	// again does not undo that.
	if err := r.store.Move(r.ctx, r.tn.ID, sub.ID, submission.Change{To: submission.StateInProgress,
		By: submission.Actor{Kind: submission.ActorStaff, ID: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := r.systems.Save(r.ctx, audit.System, &Config{TenantID: r.tn.ID, BaseURL: r.srv.URL + "/api/v2", Token: testToken, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if res := r.sync(); res.Moved != 0 {
		t.Fatalf("sync from the beginning moved %d", res.Moved)
	}
	if got := r.get(sub.ID); got.State != submission.StateInProgress {
		t.Fatalf("an old change undid the official's: %s", got.State)
	}
	// A portal case is decided by the portal's case workers (whose
	// approval assesses the fee): a decision read from records management
	// is not applied to it.
	r.fake.Move(testToken, sub.RecordsID, "approved", "Vyhověno ve spisovce.")
	r.sync()
	if got := r.get(sub.ID); got.State != submission.StateInProgress || got.ObligationID != 0 {
		t.Fatalf("records management decided a portal case: %s", got.State)
	}
}

// The registration's answer got lost and the job has not asked again yet:
// the change feed tells the portal, which registers the case from it; the
// job's retry then finds it registered. One case, one registration.
func TestSyncRegistersALostAnswer(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	sub := r.file("lost-2")
	r.impatient()
	r.fake.SetSlow(3*timeout, 1)
	if _, err := r.worker.Register(r.ctx, r.tn.ID, sub.ID); err == nil || Permanent(err) {
		t.Fatalf("slow: %v", err)
	}
	if res := r.sync(); res.Registered != 1 {
		t.Fatalf("sync: %+v", res)
	}
	if reg, err := r.worker.Register(r.ctx, r.tn.ID, sub.ID); err != nil || reg.CaseID != "" {
		t.Fatalf("the retry: %+v %v", reg, err)
	}
	r.exactlyOnce(r.get(sub.ID))
}

// A crash in the middle of a page leaves neither the changes before it nor
// the cursor: the next run applies the whole page, each change once.
func TestSyncCrashMidPage(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	for i := range 3 {
		bn, _ := r.birthNumber(i)
		r.paper(Paper{Title: "Spis", Department: "Odbor dopravy", BirthNumber: bn})
	}
	before, _ := r.systems.Cursor(r.ctx, r.tn.ID)
	boom := errors.New("crash")
	r.syncer.crash = func(i int) error {
		if i == 2 {
			return boom
		}
		return nil
	}
	if _, err := r.syncer.SyncTown(r.ctx, r.tn.ID); !errors.Is(err, boom) {
		t.Fatalf("sync: %v", err)
	}
	if n := r.count(`SELECT count(*) FROM submissions WHERE tenant_id = $1 AND channel = 'paper'`, r.tn.ID); n != 0 {
		t.Fatalf("%d paper cases after the crash, want none", n)
	}
	if c, _ := r.systems.Cursor(r.ctx, r.tn.ID); c != before {
		t.Fatalf("the cursor moved to %q", c)
	}
	r.syncer.crash = nil
	if res := r.sync(); res.Filed != 3 {
		t.Fatalf("after the crash: %+v", res)
	}
	if n := r.count(`SELECT count(*) FROM submissions WHERE tenant_id = $1 AND channel = 'paper'`, r.tn.ID); n != 3 {
		t.Fatalf("%d paper cases, want 3", n)
	}
}

// A records system that is down fails the town's sync, logged, without a
// change; Sync goes on with the other towns and reports no error.
func TestSyncDown(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	bn, _ := r.birthNumber(0)
	r.paper(Paper{Title: "Spis", Department: "Odbor dopravy", BirthNumber: bn})
	r.fake.SetDown(true)
	res, err := r.syncer.Sync(r.ctx)
	if err != nil || res != (Result{}) {
		t.Fatalf("sync while down: %+v %v", res, err)
	}
	if !strings.Contains(r.logs.String(), "records sync failed") || !strings.Contains(r.logs.String(), "HTTP 503") {
		t.Fatalf("log:\n%s", r.logs.String())
	}
	r.fake.SetDown(false)
	if res, err := r.syncer.Sync(r.ctx); err != nil || res.Filed != 1 {
		t.Fatalf("sync after: %+v %v", res, err)
	}
}
