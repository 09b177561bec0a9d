package session_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/session"
)

func TestLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	a := fixture.Town(t, d, "a", 0)
	b := fixture.Town(t, d, "b", 0)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s := &session.Store{DB: d, Idle: 20 * time.Minute, Max: 2 * time.Hour, Now: func() time.Time { return now }}

	token, _, err := s.Create(ctx, a.ID, map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, a.ID, token)
	if err != nil || got.Data["k"] != "v" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	// Another town never sees it.
	if _, err := s.Get(ctx, b.ID, token); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("other town: %v", err)
	}
	// Garbage and a near miss are not found.
	for _, bad := range []string{"", "x", token[:42] + "A", token + "A"} {
		if _, err := s.Get(ctx, a.ID, bad); !errors.Is(err, derr.ErrNotFound) {
			t.Fatalf("token %q: %v", bad, err)
		}
	}

	// Use within the idle timeout keeps it alive.
	now = now.Add(15 * time.Minute)
	if _, err := s.Get(ctx, a.ID, token); err != nil {
		t.Fatal(err)
	}
	now = now.Add(15 * time.Minute)
	sess, err := s.Get(ctx, a.ID, token)
	if err != nil {
		t.Fatalf("used 15 minutes ago: %v", err)
	}

	// Renewal (at login): the old token dies, the new one works.
	newToken, err := s.Renew(ctx, sess)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, a.ID, token); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("old token after renewal: %v", err)
	}
	if _, err := s.Get(ctx, a.ID, newToken); err != nil {
		t.Fatalf("new token: %v", err)
	}

	// Idle timeout.
	now = now.Add(21 * time.Minute)
	if _, err := s.Get(ctx, a.ID, newToken); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("after idle timeout: %v", err)
	}

	// Absolute timeout, however active.
	token, _, _ = s.Create(ctx, a.ID, nil)
	for range 7 {
		now = now.Add(15 * time.Minute)
		if _, err := s.Get(ctx, a.ID, token); err != nil {
			t.Fatalf("active session ended early at %v: %v", now, err)
		}
	}
	now = now.Add(19 * time.Minute) // 2h04m after start, used 19 minutes ago
	if _, err := s.Get(ctx, a.ID, token); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("after absolute timeout: %v", err)
	}

	// Logout.
	token, sess, _ = s.Create(ctx, a.ID, nil)
	if err := s.Delete(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, a.ID, token); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("after logout: %v", err)
	}
}

func TestDeleteExpired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	a := fixture.Town(t, d, "a", 0)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s := &session.Store{DB: d, Idle: 20 * time.Minute, Max: 2 * time.Hour, Now: func() time.Time { return now }}
	s.Create(ctx, a.ID, nil)
	now = now.Add(10 * time.Minute)
	live, _, _ := s.Create(ctx, a.ID, nil)
	now = now.Add(15 * time.Minute)
	n, err := s.DeleteExpired(ctx)
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpired = %d, %v; want 1", n, err)
	}
	if _, err := s.Get(ctx, a.ID, live); err != nil {
		t.Fatalf("live session deleted: %v", err)
	}
}

// A person's sessions are listed together and ended together ("log out
// everywhere"), one by its handle, never another person's or town's.
func TestSessionsOfAPrincipal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	a := fixture.Town(t, d, "a", 0)
	b := fixture.Town(t, d, "b", 0)
	s := &session.Store{DB: d, Idle: 20 * time.Minute, Max: 2 * time.Hour}
	login := func(townID int64, principal, ua string) (string, *session.Session) {
		tok, sess, err := s.Create(ctx, townID, map[string]string{})
		if err != nil {
			t.Fatal(err)
		}
		sess.Principal, sess.UserAgent, sess.IP = principal, ua, "192.0.2.1"
		if err := s.Save(ctx, sess); err != nil {
			t.Fatal(err)
		}
		return tok, sess
	}
	phoneTok, phone := login(a.ID, "account:1", "phone")
	laptopTok, laptop := login(a.ID, "account:1", "laptop")
	otherTok, _ := login(a.ID, "account:2", "other")
	elsewhereTok, _ := login(b.ID, "account:1", "town b")

	list, err := s.List(ctx, a.ID, "account:1")
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %d %v", len(list), err)
	}
	if err := s.EndByHandle(ctx, a.ID, "account:2", phone.Handle()); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("ending another's session: %v", err)
	}
	if err := s.EndByHandle(ctx, a.ID, "account:1", "not-a-handle"); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("bad handle: %v", err)
	}
	if n, err := s.EndOthers(ctx, a.ID, "account:1", laptop); err != nil || n != 1 {
		t.Fatalf("end others: %d %v", n, err)
	}
	if _, err := s.Get(ctx, a.ID, phoneTok); !errors.Is(err, derr.ErrNotFound) {
		t.Fatal("the phone's session survived log out everywhere")
	}
	for _, tok := range []struct {
		town int64
		tok  string
	}{{a.ID, laptopTok}, {a.ID, otherTok}, {b.ID, elsewhereTok}} {
		if _, err := s.Get(ctx, tok.town, tok.tok); err != nil {
			t.Fatalf("a session that should live: %v", err)
		}
	}
	if err := s.EndByHandle(ctx, a.ID, "account:1", laptop.Handle()); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.List(ctx, a.ID, "account:1"); len(list) != 0 {
		t.Fatalf("left: %d", len(list))
	}
}
