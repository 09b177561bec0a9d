package account_test

import (
	"context"
	"errors"
	"testing"

	"github.com/radnice/radnice/internal/account"
	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth/oidc"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/tenant"
)

func actions(t *testing.T, d *db.DB, tn *tenant.Tenant, action string) []audit.Entry {
	t.Helper()
	es, err := (&audit.Store{DB: d}).Search(context.Background(), tn.ID, audit.Query{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func personWithoutAccount(t *testing.T, d *db.DB, tn *tenant.Tenant) int64 {
	t.Helper()
	var id int64
	if err := d.Read().QueryRow(context.Background(), `SELECT max(id) FROM persons WHERE tenant_id = $1 AND birth_number IS NOT NULL
		AND id NOT IN (SELECT person_id FROM accounts WHERE person_id IS NOT NULL)`, tn.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// A verified birth number links at the first login; a second provider
// with a verified birth number opens the same account; without one, a new
// unlinked account.
func TestSignInLinksOnlyOnVerifiedIdentifier(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	tn := fixture.Town(t, d, "lhota", 30)
	s := &account.Store{DB: d}
	pid := personWithoutAccount(t, d, tn)
	links := len(actions(t, d, tn, audit.ActionIdentityLink))

	id := fixture.Identity(t, d, tn, pid, true)
	acc, created, err := s.SignIn(ctx, tn.ID, "bankid", id, account.Meta{RequestID: "r1", IP: "192.0.2.1"})
	if err != nil || !created || acc.PersonID != pid {
		t.Fatalf("first verified login: %+v created=%v err=%v", acc, created, err)
	}
	if n := len(actions(t, d, tn, audit.ActionIdentityLink)); n != links+1 {
		t.Fatalf("link audited %d times", n-links)
	}
	again, created, err := s.SignIn(ctx, tn.ID, "bankid", id, account.Meta{})
	if err != nil || created || again.ID != acc.ID {
		t.Fatalf("second login: %+v %v %v", again, created, err)
	}
	// Another provider (another issuer and subject), also verified: same account.
	other := *id
	other.Issuer, other.Subject = "https://other-bank.test", "zzz"
	third, created, err := s.SignIn(ctx, tn.ID, "bank2", &other, account.Meta{})
	if err != nil || created || third.ID != acc.ID {
		t.Fatalf("other verified provider: %+v %v %v", third, created, err)
	}
	if ids, _ := s.Identities(ctx, tn.ID, acc.ID); len(ids) != 2 {
		t.Fatalf("identities: %d", len(ids))
	}
	// Same name and birth date, unverified: a new account, not linked.
	look := *id
	look.Issuer, look.Subject, look.VerifiedBirthNumber = "https://nia.test", "pseudonym", ""
	lookalike, created, err := s.SignIn(ctx, tn.ID, "nia", &look, account.Meta{})
	if err != nil || !created || lookalike.Linked() || lookalike.ID == acc.ID {
		t.Fatalf("lookalike: %+v %v %v", lookalike, created, err)
	}
	// A verified birth number the town does not hold: unlinked.
	stranger := look
	stranger.Subject, stranger.VerifiedBirthNumber = "stranger", "8505059990"
	if a, _, err := s.SignIn(ctx, tn.ID, "nia", &stranger, account.Meta{}); err != nil || a.Linked() {
		t.Fatalf("stranger: %+v %v", a, err)
	}
	// Bad input changes nothing.
	if _, _, err := s.SignIn(ctx, tn.ID, "nia", &oidc.Identity{}, account.Meta{}); err == nil {
		t.Fatal("empty identity accepted")
	}
}

func TestOfficialLinkAndUnlink(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	tn := fixture.Town(t, d, "lhota", 30)
	s := &account.Store{DB: d}
	pid := personWithoutAccount(t, d, tn)
	id := fixture.Identity(t, d, tn, pid, false)
	acc, _, err := s.SignIn(ctx, tn.ID, "nia", id, account.Meta{})
	if err != nil || acc.Linked() {
		t.Fatal(acc, err)
	}
	if err := s.RequestLink(ctx, tn.ID, acc.ID, account.Meta{}); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Pending(ctx, tn.ID, 10); len(p) != 1 || p[0].ID != acc.ID {
		t.Fatalf("pending: %v", p)
	}
	clerk := audit.Actor{Kind: audit.ActorStaff, ID: 7, Name: "Úředník"}
	var bn string
	d.Read().QueryRow(ctx, `SELECT birth_number FROM persons WHERE id = $1`, pid).Scan(&bn)
	for _, c := range []struct{ bn, reason, field string }{
		{"123", "občanský průkaz", "birth_number"},
		{bn, "", "reason"},
		{"8505059990", "občanský průkaz", "birth_number"}, // valid, but nobody's in this town
	} {
		_, err := s.Link(ctx, clerk, tn.ID, acc.ID, c.bn, c.reason, account.Meta{})
		var inv *derr.InvalidError
		if !errors.As(err, &inv) || inv.Fields[0].Field != c.field {
			t.Errorf("link %q/%q: %v", c.bn, c.reason, err)
		}
	}
	if a, _ := s.Get(ctx, tn.ID, acc.ID); a.Linked() {
		t.Fatal("a refused link linked")
	}
	got, err := s.Link(ctx, clerk, tn.ID, acc.ID, bn, "občanský průkaz č. 123456789", account.Meta{})
	if err != nil || got != pid {
		t.Fatalf("link: %d %v", got, err)
	}
	es := actions(t, d, tn, audit.ActionIdentityLink)
	if es[0].ActorID != 7 || es[0].SubjectID != pid || es[0].Reason == "" {
		t.Fatalf("link audit: %+v", es[0])
	}
	if p, _ := s.Pending(ctx, tn.ID, 10); len(p) != 0 {
		t.Fatalf("still pending: %v", p)
	}
	if _, err := s.Link(ctx, clerk, tn.ID, acc.ID, bn, "znovu", account.Meta{}); !errors.Is(err, derr.ErrConflict) {
		t.Fatalf("second link: %v", err)
	}
	// Another town cannot touch the account.
	other := fixture.Town(t, d, "beta", 0)
	if err := s.Unlink(ctx, clerk, other.ID, acc.ID, "omyl", account.Meta{}); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("unlink from another town: %v", err)
	}
	if err := s.Unlink(ctx, clerk, tn.ID, acc.ID, "omyl při ověření", account.Meta{}); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Get(ctx, tn.ID, acc.ID); a.Linked() {
		t.Fatal("unlink did not unlink")
	}
	if es := actions(t, d, tn, account.ActionUnlink); len(es) != 1 || es[0].Reason != "omyl při ověření" {
		t.Fatalf("unlink audit: %+v", es)
	}
}

func TestTermsVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	tn := fixture.Town(t, d, "lhota", 0)
	s := &account.Store{DB: d}
	if _, err := s.CurrentTerms(ctx, tn.ID); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("no terms: %v", err)
	}
	if err := s.PublishTerms(ctx, audit.System, &account.Terms{TenantID: tn.ID, TermsCS: " "}); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("empty terms: %v", err)
	}
	v1 := fixture.Terms(t, d, tn)
	acc, _, err := s.SignIn(ctx, tn.ID, "nia", &oidc.Identity{Issuer: "https://nia.test", Subject: "x", GivenName: "Eva"}, account.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Accept(ctx, tn.ID, acc.ID, v1.Version+1, account.Meta{}); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("accepting a version that does not exist: %v", err)
	}
	if err := s.Accept(ctx, tn.ID, acc.ID, v1.Version, account.Meta{IP: "192.0.2.9"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Accept(ctx, tn.ID, acc.ID, v1.Version, account.Meta{}); err != nil {
		t.Fatalf("accepting twice: %v", err)
	}
	v2 := fixture.Terms(t, d, tn)
	if v2.Version != v1.Version+1 {
		t.Fatalf("versions %d, %d", v1.Version, v2.Version)
	}
	if err := s.Accept(ctx, tn.ID, acc.ID, v1.Version, account.Meta{}); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("accepting the old version: %v", err)
	}
	a, _ := s.Get(ctx, tn.ID, acc.ID)
	if a.ConsentVersion != v1.Version {
		t.Fatalf("consent version %d", a.ConsentVersion)
	}
	if es := actions(t, d, tn, account.ActionConsent); len(es) != 1 {
		t.Fatalf("consents audited: %d", len(es))
	}
}
