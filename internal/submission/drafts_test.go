package submission_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/form"
)

// A draft belongs to the account that started it: another account does
// not find it, cannot save or delete it; it is resumed as saved; filing it
// is found again by its token; deleting it takes its files along.
func TestDrafts(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	var otherPerson int64
	if err := r.d.Read().QueryRow(r.ctx, `SELECT max(id) FROM persons WHERE tenant_id = $1`, r.tn.ID).Scan(&otherPerson); err != nil {
		t.Fatal(err)
	}
	other := fixture.Citizen(t, r.d, r.tn, otherPerson).ID
	party := "person:1"
	d, err := r.store.CreateDraft(r.ctx, r.tn.ID, r.account, party, r.form, 1, form.Answers{"email": {"a@example.cz"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Token) != 32 || d.Step != 0 {
		t.Fatalf("new draft: token %q, step %d", d.Token, d.Step)
	}
	d2, _ := r.store.CreateDraft(r.ctx, r.tn.ID, r.account, party, r.form, 1, nil)
	if d2.Token == d.Token {
		t.Fatal("two drafts with one token")
	}
	if _, err := r.store.CreateDraft(r.ctx, r.tn.ID, r.account, party, r.form, 7, nil); err == nil {
		t.Fatal("a draft of a version that does not exist")
	}
	if _, err := r.store.Draft(r.ctx, r.tn.ID, other, d.ID); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("another account's draft: %v", err)
	}
	if err := r.store.SaveDraft(r.ctx, r.tn.ID, other, d.ID, form.Answers{"x": {"y"}}, 1); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("saving another account's draft: %v", err)
	}
	if err := r.store.DeleteDraft(r.ctx, r.tn.ID, other, d.ID); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("deleting another account's draft: %v", err)
	}
	time.Sleep(2 * time.Millisecond) // updated_at orders the list
	if err := r.store.SaveDraft(r.ctx, r.tn.ID, r.account, d.ID, form.Answers{"email": {"b@example.cz"}, "jmeno": {"Rex"}}, 2); err != nil {
		t.Fatal(err)
	}
	got, err := r.store.Draft(r.ctx, r.tn.ID, r.account, d.ID)
	if err != nil || got.Step != 2 || got.Answers.Get("jmeno") != "Rex" || got.Answers.Get("email") != "b@example.cz" ||
		got.Party != party || got.FormVersion != 1 || got.Token != d.Token {
		t.Fatalf("resumed: %+v %v", got, err)
	}
	list, err := r.store.DraftsOf(r.ctx, r.tn.ID, r.account)
	// The fixture gave the account a draft before.
	if err != nil || len(list) != 3 || list[0].ID != d.ID || list[1].ID != d2.ID {
		t.Fatalf("drafts of the account: %+v %v", list, err)
	}
	if list, _ := r.store.DraftsOf(r.ctx, r.tn.ID, other); len(list) != 0 {
		t.Fatalf("another account lists %d drafts", len(list))
	}

	// Filing: the draft is gone, its token finds the submission, for its
	// account only.
	f := r.filing(d.Token)
	f.DraftID = d.ID
	sub, _, err := r.store.File(r.ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Draft(r.ctx, r.tn.ID, r.account, d.ID); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("the filed draft is still there: %v", err)
	}
	if found, err := r.store.Filed(r.ctx, r.tn.ID, r.account, d.Token); err != nil || found.ID != sub.ID {
		t.Fatalf("filed by token: %v", err)
	}
	for _, c := range []struct {
		acc   int64
		token string
	}{{other, d.Token}, {r.account, d2.Token}, {r.account, ""}} {
		if _, err := r.store.Filed(r.ctx, r.tn.ID, c.acc, c.token); !errors.Is(err, derr.ErrNotFound) {
			t.Errorf("filed by token %q as %d: %v", c.token, c.acc, err)
		}
	}

	// Deleting takes the draft's files along.
	if _, err := r.d.Write().Exec(r.ctx, `INSERT INTO submission_files (tenant_id, draft_id, field, name, content_type, size, sha256, data, created_at)
		VALUES ($1, $2, 'doklad', 'a.pdf', 'application/pdf', 4, 'x', $3, $4)`, r.tn.ID, d2.ID, []byte("%PDF"), time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	if err := r.store.DeleteDraft(r.ctx, r.tn.ID, r.account, d2.ID); err != nil {
		t.Fatal(err)
	}
	if n := r.count(t, `SELECT count(*) FROM submission_drafts WHERE tenant_id = $1 AND id = `+strconv.FormatInt(d2.ID, 10)); n != 0 {
		t.Fatalf("%d drafts left", n)
	}
	if n := r.count(t, `SELECT count(*) FROM submission_files WHERE tenant_id = $1 AND draft_id = `+strconv.FormatInt(d2.ID, 10)); n != 0 {
		t.Fatalf("%d files of the deleted draft left", n)
	}
}
