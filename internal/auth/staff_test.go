package auth_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/fixture"
)

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h, err := auth.HashPassword("správné heslo koně")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not an argon2id PHC string", h)
	}
	if ok, err := auth.CheckPassword(h, "správné heslo koně"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := auth.CheckPassword(h, "špatné heslo koně"); ok {
		t.Fatal("wrong password accepted")
	}
	h2, _ := auth.HashPassword("správné heslo koně")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=99999999,t=1,p=1$AA$AA", "$argon2id$v=19$m=8,t=1,p=1$!!$AA"} {
		if ok, err := auth.CheckPassword(bad, "x"); ok || err == nil {
			t.Errorf("malformed hash %q: %v %v", bad, ok, err)
		}
	}
}

func TestPasswordProblem(t *testing.T) {
	t.Parallel()
	for pw, bad := range map[string]bool{
		"short": true, "aaaaaaaaaaaaaaaa": true, "jana@mesto.example": true, strings.Repeat("x", 257): true,
		"dlouhé heslo z vět": false, "correct horse battery": false,
	} {
		key, _ := auth.PasswordProblem(pw, "jana@mesto.example")
		if (key != "") != bad {
			t.Errorf("PasswordProblem(%.20q) = %q, want refused=%v", pw, key, bad)
		}
	}
}

var admin = audit.Actor{Kind: audit.ActorStaff, ID: 1, Name: "Správce"}

// The whole life of an official: invitation, password, second factor,
// login, reuse of a code, lockout, reset, grants, disable.
func TestStaffLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	town := fixture.Town(t, d, "a", 0)
	other := fixture.Town(t, d, "b", 0)
	clk := fixture.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	s := &auth.StaffStore{DB: d, Issuer: "Radnice Test", Now: clk.Now}

	token, st, err := s.Invite(ctx, admin, town.ID, " Jana.Nova@Mesto.Example ", "Jana Nová",
		[]auth.Grant{{Role: auth.CaseWorker, Department: "Stavební úřad"}, {Role: auth.Editor}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Email != "jana.nova@mesto.example" {
		t.Fatalf("email not normalised: %q", st.Email)
	}
	// The invitation works only in its town, once, with a good password.
	if _, err := s.AcceptInvite(ctx, other.ID, token, "dlouhé heslo z vět"); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("invitation in another town: %v", err)
	}
	if _, err := s.AcceptInvite(ctx, town.ID, token, "short"); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("short password: %v", err)
	}
	// A refused password did not use the token up (the transaction rolled back).
	if _, err := s.AcceptInvite(ctx, town.ID, token, "dlouhé heslo z vět"); err != nil {
		t.Fatalf("accept: %v", err)
	}
	if _, err := s.AcceptInvite(ctx, town.ID, token, "jiné dlouhé heslo"); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("second use of the invitation: %v", err)
	}

	// No second factor yet: no login.
	if _, err := s.Authenticate(ctx, town.ID, "jana.nova@mesto.example", "dlouhé heslo z vět", "000000"); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatalf("login without TOTP: %v", err)
	}
	_, secret, err := s.BeginTOTP(ctx, town.ID, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ConfirmTOTP(ctx, town.ID, st.ID, "123"); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("bad confirmation code: %v", err)
	}
	if err := s.ConfirmTOTP(ctx, town.ID, st.ID, auth.TOTPCode(secret, clk.Now())); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.BeginTOTP(ctx, town.ID, st.ID); !errors.Is(err, derr.ErrConflict) {
		t.Fatalf("re-enrol over a confirmed factor: %v", err)
	}

	// The code used to confirm cannot log in; the next one can, once.
	login := func(pw, code string) (*auth.Staff, error) {
		return s.Authenticate(ctx, town.ID, "JANA.NOVA@mesto.example", pw, code)
	}
	if _, err := login("dlouhé heslo z vět", auth.TOTPCode(secret, clk.Now())); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatalf("reused confirmation code: %v", err)
	}
	clk.Add(30 * time.Second)
	code := auth.TOTPCode(secret, clk.Now())
	got, err := login("dlouhé heslo z vět", code)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if !got.Has(auth.CaseWorker, "Stavební úřad") || got.Has(auth.CaseWorker, "Matrika") || !got.Has(auth.Editor, "") || got.Has(auth.Auditor, "") {
		t.Fatalf("grants: %+v", got.Grants)
	}
	if _, err := login("dlouhé heslo z vět", code); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatalf("replayed code: %v", err)
	}
	// Another town does not know her.
	if _, err := s.Authenticate(ctx, other.ID, "jana.nova@mesto.example", "dlouhé heslo z vět", code); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatalf("login in another town: %v", err)
	}

	// Ten failures in a row lock the account, even for the right
	// credentials; the replayed code above was the first.
	for i := range 9 {
		clk.Add(time.Second)
		if _, err := login("wrong password!!", "000000"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	clk.Add(30 * time.Second)
	if _, err := login("dlouhé heslo z vět", auth.TOTPCode(secret, clk.Now())); !errors.Is(err, auth.ErrLocked) {
		t.Fatalf("locked account: %v", err)
	}
	clk.Add(16 * time.Minute)
	if _, err := login("dlouhé heslo z vět", auth.TOTPCode(secret, clk.Now())); err != nil {
		t.Fatalf("after the lock: %v", err)
	}

	// Password reset: unknown e-mails get no token and no error.
	if tok, err := s.RequestReset(ctx, town.ID, "nobody@mesto.example"); tok != "" || err != nil {
		t.Fatalf("reset for unknown e-mail: %q %v", tok, err)
	}
	reset, err := s.RequestReset(ctx, town.ID, "jana.nova@mesto.example")
	if err != nil || reset == "" {
		t.Fatalf("reset: %q %v", reset, err)
	}
	clk.Add(2 * time.Hour)
	if _, err := s.ResetPassword(ctx, town.ID, reset, "nové dlouhé heslo"); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("expired reset token: %v", err)
	}
	reset, _ = s.RequestReset(ctx, town.ID, "jana.nova@mesto.example")
	if got, err := s.ResetPassword(ctx, town.ID, reset, "nové dlouhé heslo"); err != nil || got.ID != st.ID {
		t.Fatalf("reset: %v", err)
	}
	clk.Add(30 * time.Second)
	if _, err := login("dlouhé heslo z vět", auth.TOTPCode(secret, clk.Now())); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatalf("old password after reset: %v", err)
	}
	clk.Add(30 * time.Second)
	if _, err := login("nové dlouhé heslo", auth.TOTPCode(secret, clk.Now())); err != nil {
		t.Fatalf("new password: %v", err)
	}

	// Grants are validated and replaced; a disabled official cannot log in.
	if err := s.SetGrants(ctx, admin, town.ID, st.ID, []auth.Grant{{Role: "mayor"}}); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("unknown role: %v", err)
	}
	if err := s.SetGrants(ctx, admin, town.ID, st.ID, []auth.Grant{{Role: auth.CaseWorker}}); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("case worker without department: %v", err)
	}
	if err := s.SetGrants(ctx, admin, other.ID, st.ID, []auth.Grant{{Role: auth.Auditor}}); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("grants from another town: %v", err)
	}
	if err := s.SetGrants(ctx, admin, town.ID, st.ID, []auth.Grant{{Role: auth.Auditor}}); err != nil {
		t.Fatal(err)
	}
	if g, _ := s.Get(ctx, town.ID, st.ID); len(g.Grants) != 1 || !g.Has(auth.Auditor, "") {
		t.Fatalf("grants after replace: %+v", g.Grants)
	}
	if err := s.Disable(ctx, admin, town.ID, st.ID); err != nil {
		t.Fatal(err)
	}
	clk.Add(30 * time.Second)
	if _, err := login("nové dlouhé heslo", auth.TOTPCode(secret, clk.Now())); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatalf("disabled official: %v", err)
	}

	// Every change of rights is in the audit log, by whom and for whom,
	// and refused changes left nothing there.
	log := &audit.Store{DB: d}
	entries, err := log.Search(ctx, town.ID, audit.Query{SubjectKind: audit.SubjectStaff, SubjectID: st.ID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		by := admin
		if e.Action == auth.ActionPasswordReset { // the official herself
			by = audit.Actor{Kind: audit.ActorStaff, ID: st.ID, Name: st.Name}
		}
		if e.ActorKind != by.Kind || e.ActorID != by.ID || e.ActorName != by.Name {
			t.Errorf("entry %d (%s) by %s %d %q", e.Seq, e.Action, e.ActorKind, e.ActorID, e.ActorName)
		}
	}
	if got := strings.Join(actions, " "); got != "rights.revoke rights.grant password.reset rights.grant" {
		t.Fatalf("audit trail (newest first) = %q", got)
	}
	if v, err := log.Verify(ctx, town.ID); err != nil || !v.OK {
		t.Fatalf("audit chain: %+v %v", v, err)
	}
}

func TestInviteValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	town := fixture.Town(t, d, "a", 0)
	s := &auth.StaffStore{DB: d}
	cases := []struct {
		email, name string
		grants      []auth.Grant
	}{
		{"not an address", "X", nil},
		{"a@b.example", "", nil},
		{"a@b.example", "X", []auth.Grant{{Role: "mayor"}}},
	}
	for _, c := range cases {
		if _, _, err := s.Invite(ctx, admin, town.ID, c.email, c.name, c.grants); !errors.Is(err, derr.ErrInvalid) {
			t.Errorf("Invite(%q, %q, %v) = %v", c.email, c.name, c.grants, err)
		}
	}
	if _, _, err := s.Invite(ctx, admin, town.ID, "a@b.example", "A", nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Invite(ctx, admin, town.ID, "A@B.example", "A", nil); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("duplicate e-mail: %v", err)
	}
	var n int
	d.Read().QueryRow(ctx, `SELECT count(*) FROM staff WHERE tenant_id = $1`, town.ID).Scan(&n)
	if n != 1 {
		t.Fatalf("%d officials written, want 1", n)
	}
}

// Two logins racing with one code: exactly one gets in.
func TestConcurrentCodeUse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	town := fixture.Town(t, d, "a", 0)
	clk := fixture.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	s := &auth.StaffStore{DB: d, Now: clk.Now}
	token, st, _ := s.Invite(ctx, admin, town.ID, "a@b.example", "A", nil)
	s.AcceptInvite(ctx, town.ID, token, "dlouhé heslo z vět")
	_, secret, _ := s.BeginTOTP(ctx, town.ID, st.ID)
	s.ConfirmTOTP(ctx, town.ID, st.ID, auth.TOTPCode(secret, clk.Now()))
	clk.Add(30 * time.Second)
	code := auth.TOTPCode(secret, clk.Now())
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Authenticate(ctx, town.ID, "a@b.example", "dlouhé heslo z vět", code); err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("%d logins with one code, want 1", ok)
	}
}

func TestProvision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	town := fixture.Town(t, d, "a", 0)
	s := &auth.StaffStore{DB: d}
	const secret = "JZUGS4TBNZSWKZDFNVXW2ZLSN5ZGK3TE"
	if _, err := s.Provision(ctx, admin, town.ID, "a@b.example", "A", "short", secret, nil); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("short password: %v", err)
	}
	if _, err := s.Provision(ctx, admin, town.ID, "a@b.example", "A", "dlouhé heslo z vět", "not base32!", nil); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("bad secret: %v", err)
	}
	st, err := s.Provision(ctx, admin, town.ID, "a@b.example", "A", "dlouhé heslo z vět", secret, []auth.Grant{{Role: auth.Editor}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Authenticate(ctx, town.ID, "a@b.example", "dlouhé heslo z vět", auth.TOTPCode(secret, time.Now()))
	if err != nil || got.ID != st.ID || !got.Has(auth.Editor, "") {
		t.Fatalf("provisioned official cannot sign in: %v", err)
	}
}

// An administrator issues a reset link: only for a ready, enabled official
// of the town, recorded; the link sets a new password once and keeps the
// second factor.
func TestIssueReset(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	town := fixture.Town(t, d, "a", 0)
	other := fixture.Town(t, d, "b", 0)
	clk := fixture.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	s := &auth.StaffStore{DB: d, Now: clk.Now}
	secret := "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	st, err := s.Provision(ctx, admin, town.ID, "a@b.example", "A", "dlouhé heslo z vět", secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, invited, _ := s.Invite(ctx, admin, town.ID, "c@b.example", "C", nil)

	if _, err := s.IssueReset(ctx, admin, other.ID, st.ID); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("reset of another town's official: %v", err)
	}
	if _, err := s.IssueReset(ctx, admin, town.ID, invited.ID); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("reset of an official without a password: %v", err)
	}
	tok, err := s.IssueReset(ctx, admin, town.ID, st.ID)
	if err != nil || tok == "" {
		t.Fatalf("issue: %q %v", tok, err)
	}
	if _, err := s.ResetPassword(ctx, other.ID, tok, "nové dlouhé heslo"); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("token in another town: %v", err)
	}
	if _, err := s.ResetPassword(ctx, town.ID, tok, "nové dlouhé heslo"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResetPassword(ctx, town.ID, tok, "jiné dlouhé heslo"); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("second use: %v", err)
	}
	clk.Add(30 * time.Second)
	if _, err := s.Authenticate(ctx, town.ID, "a@b.example", "nové dlouhé heslo", auth.TOTPCode(secret, clk.Now())); err != nil {
		t.Fatalf("new password with the old second factor: %v", err)
	}
	if err := s.Disable(ctx, admin, town.ID, st.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueReset(ctx, admin, town.ID, st.ID); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("reset of a disabled official: %v", err)
	}
	entries, err := (&audit.Store{DB: d}).Search(ctx, town.ID, audit.Query{Action: auth.ActionResetIssue})
	if err != nil || len(entries) != 1 || entries[0].SubjectID != st.ID || entries[0].ActorName != admin.Name {
		t.Fatalf("issue entries: %+v %v", entries, err)
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	town := fixture.Town(t, d, "a", 0)
	other := fixture.Town(t, d, "b", 0)
	s := &auth.StaffStore{DB: d}
	if got, err := s.List(ctx, town.ID); err != nil || len(got) != 0 {
		t.Fatalf("empty town: %v %v", got, err)
	}
	s.Invite(ctx, admin, town.ID, "z@b.example", "Zdena", []auth.Grant{{Role: auth.Auditor},
		{Role: auth.CaseWorker, Department: "Matrika"}, {Role: auth.CaseWorker, Department: "Odpady"}})
	s.Invite(ctx, admin, town.ID, "a@b.example", "Adam", nil)
	s.Invite(ctx, admin, other.ID, "x@b.example", "Xaver", []auth.Grant{{Role: auth.Administrator}})
	got, err := s.List(ctx, town.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "Adam" || got[1].Name != "Zdena" || len(got[0].Grants) != 0 || len(got[1].Grants) != 3 {
		t.Fatalf("list: %+v", got)
	}
	if !got[1].Has(auth.CaseWorker, "Odpady") || !got[1].Has(auth.Auditor, "") || got[1].Has(auth.Administrator, "") {
		t.Fatalf("grants: %+v", got[1].Grants)
	}
	if _, _, err := s.Invite(ctx, admin, town.ID, "d@b.example", "D", []auth.Grant{{Role: auth.CaseWorker, Department: strings.Repeat("x", 101)}}); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("long department: %v", err)
	}
}
