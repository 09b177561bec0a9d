// Package session keeps server-side sessions in the database, so that any
// instance of the portal can serve any request. The browser holds only a
// random token; the database holds its SHA-256, so a copy of the table logs
// nobody in.
//
// A session ends when unused for the idle timeout or, however active, at its
// absolute expiry. Renew gives a session a new token (at every login), so a
// token planted before login is worthless after it.
package session

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/token"
)

// Session is one browser's session with one town.
type Session struct {
	id       string // hex SHA-256 of the token
	TenantID int64
	Data     map[string]string
	// Principal is whose session it is ("account:12", "staff:3"), "" before
	// login; UserAgent and IP are as at login, to tell sessions apart.
	Principal  string
	UserAgent  string
	IP         string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// Store keeps sessions.
type Store struct {
	DB   *db.DB
	Idle time.Duration // ends a session unused for this long
	Max  time.Duration // ends a session this long after it began
	Now  func() time.Time
}

// touchEvery limits writes: last_seen_at is refreshed at most this often, so
// a busy reader does not write on every request.
const touchEvery = time.Minute

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Create starts a session and returns the token for the cookie.
func (s *Store) Create(ctx context.Context, tenantID int64, data map[string]string) (tok string, _ *Session, err error) {
	defer derr.Wrap(&err, "session.Create(%d)", tenantID)
	if data == nil {
		data = map[string]string{}
	}
	b, err := json.Marshal(data)
	if err != nil {
		return "", nil, err
	}
	now := s.now()
	tok, id := token.New()
	sess := &Session{id: id, TenantID: tenantID, Data: data, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.Max)}
	_, err = s.DB.Write().Exec(ctx, `INSERT INTO sessions (id, tenant_id, data, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $4, $5)`, id, tenantID, string(b), now, sess.ExpiresAt)
	if err != nil {
		return "", nil, err
	}
	return tok, sess, nil
}

// Get returns the live session for tok in the town, or ErrNotFound when
// there is none, it belongs to another town, or it has expired.
func (s *Store) Get(ctx context.Context, tenantID int64, tok string) (_ *Session, err error) {
	defer derr.Wrap(&err, "session.Get")
	if len(tok) != token.Len {
		return nil, derr.ErrNotFound
	}
	id := token.Digest(tok)
	var sess Session
	var data string
	err = s.DB.Read().QueryRow(ctx, `SELECT tenant_id, data, principal, user_agent, ip, created_at, last_seen_at, expires_at FROM sessions
		WHERE id = $1 AND tenant_id = $2`, id, tenantID).Scan(&sess.TenantID, &data, &sess.Principal, &sess.UserAgent, &sess.IP,
		&sess.CreatedAt, &sess.LastSeenAt, &sess.ExpiresAt)
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	sess.id = id
	now := s.now()
	if !now.Before(sess.ExpiresAt) || !now.Before(sess.LastSeenAt.Add(s.Idle)) {
		_, _ = s.DB.Write().Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id)
		return nil, derr.ErrNotFound
	}
	if err := json.Unmarshal([]byte(data), &sess.Data); err != nil {
		return nil, err
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if _, err := s.DB.Write().Exec(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, now, id); err != nil {
			return nil, err
		}
		sess.LastSeenAt = now
	}
	return &sess, nil
}

// Save stores the session's data and owner.
func (s *Store) Save(ctx context.Context, sess *Session) (err error) {
	defer derr.Wrap(&err, "session.Save")
	b, err := json.Marshal(sess.Data)
	if err != nil {
		return err
	}
	_, err = s.DB.Write().Exec(ctx, `UPDATE sessions SET data = $1, principal = $2, user_agent = $3, ip = $4 WHERE id = $5`,
		string(b), sess.Principal, clip(sess.UserAgent, 300), clip(sess.IP, 64), sess.id)
	return err
}

func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}

// Handle names the session in a list of one's sessions (to end one of
// them); it is a prefix of the stored digest, worthless as a cookie.
func (sess *Session) Handle() string { return sess.id[:16] }

// List returns the live sessions of principal in the town, the most
// recently used first.
func (s *Store) List(ctx context.Context, tenantID int64, principal string) (_ []*Session, err error) {
	defer derr.Wrap(&err, "session.List")
	if principal == "" {
		return nil, nil
	}
	now := s.now()
	rows, err := s.DB.Read().Query(ctx, `SELECT id, user_agent, ip, created_at, last_seen_at, expires_at FROM sessions
		WHERE tenant_id = $1 AND principal = $2 AND expires_at > $3 AND last_seen_at > $4
		ORDER BY last_seen_at DESC, created_at DESC LIMIT 100`, tenantID, principal, now, now.Add(-s.Idle))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Session
	for rows.Next() {
		sess := &Session{TenantID: tenantID, Principal: principal}
		if err := rows.Scan(&sess.id, &sess.UserAgent, &sess.IP, &sess.CreatedAt, &sess.LastSeenAt, &sess.ExpiresAt); err != nil {
			return nil, err
		}
		out = append(out, sess)
	}
	return out, rows.Err()
}

// EndOthers ends every session of principal in the town except keep (nil:
// all of them) and returns how many ended: "log out everywhere".
func (s *Store) EndOthers(ctx context.Context, tenantID int64, principal string, keep *Session) (n int64, err error) {
	defer derr.Wrap(&err, "session.EndOthers")
	if principal == "" {
		return 0, nil
	}
	keepID := ""
	if keep != nil {
		keepID = keep.id
	}
	return s.DB.Write().Exec(ctx, `DELETE FROM sessions WHERE tenant_id = $1 AND principal = $2 AND id <> $3`, tenantID, principal, keepID)
}

// EndByHandle ends one session of principal named by its Handle; ErrNotFound
// when principal has no such session.
func (s *Store) EndByHandle(ctx context.Context, tenantID int64, principal, handle string) (err error) {
	defer derr.Wrap(&err, "session.EndByHandle")
	if principal == "" || len(handle) != 16 || strings.Trim(handle, "0123456789abcdef") != "" {
		return derr.ErrNotFound
	}
	n, err := s.DB.Write().Exec(ctx, `DELETE FROM sessions WHERE tenant_id = $1 AND principal = $2 AND substr(id, 1, 16) = $3`,
		tenantID, principal, handle)
	if err != nil {
		return err
	}
	if n == 0 {
		return derr.ErrNotFound
	}
	return nil
}

// Renew moves the session to a new token, with a new absolute expiry, and
// returns the new token; the old one stops working at once. Call it at every
// login and every change of rights.
func (s *Store) Renew(ctx context.Context, sess *Session) (tok string, err error) {
	defer derr.Wrap(&err, "session.Renew")
	now := s.now()
	tok, id := token.New()
	n, err := s.DB.Write().Exec(ctx, `UPDATE sessions SET id = $1, created_at = $2, last_seen_at = $2, expires_at = $3
		WHERE id = $4`, id, now, now.Add(s.Max), sess.id)
	if err != nil {
		return "", err
	}
	if n == 0 {
		return "", derr.ErrNotFound
	}
	sess.id, sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = id, now, now, now.Add(s.Max)
	return tok, nil
}

// Delete ends the session (logout).
func (s *Store) Delete(ctx context.Context, sess *Session) (err error) {
	defer derr.Wrap(&err, "session.Delete")
	_, err = s.DB.Write().Exec(ctx, `DELETE FROM sessions WHERE id = $1`, sess.id)
	return err
}

// DeleteExpired removes sessions past their absolute expiry or idle for
// longer than the idle timeout; the job queue runs it periodically.
func (s *Store) DeleteExpired(ctx context.Context) (n int64, err error) {
	defer derr.Wrap(&err, "session.DeleteExpired")
	now := s.now()
	return s.DB.Write().Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2`, now, now.Add(-s.Idle))
}
