package httpx

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/session"
)

// Sessions ties the session store to cookies.
type Sessions struct {
	Store      *session.Store
	Secure     string // auto, always, never
	TrustProxy bool
}

func (s *Sessions) secure(r *http.Request) bool {
	switch s.Secure {
	case "always":
		return true
	case "never":
		return false
	}
	return IsSecure(r, s.TrustProxy)
}

// cookieName is __Host- prefixed over TLS: the browser then refuses the
// cookie unless it is Secure, host-only and for the whole site.
func (s *Sessions) cookieName(r *http.Request) string {
	if s.secure(r) {
		return "__Host-radnice"
	}
	return "radnice"
}

// Load puts the request's live session, if any, in the context. A cookie
// for an ended session is removed.
func (s *Sessions) Load(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := Tenant(r.Context())
		c, err := r.Cookie(s.cookieName(r))
		if t == nil || err != nil {
			next.ServeHTTP(w, r)
			return
		}
		sess, err := s.Store.Get(r.Context(), t.ID, c.Value)
		switch {
		case errors.Is(err, derr.ErrNotFound):
			s.clear(w, r)
		case err != nil:
			// The database is away: serve the page as anonymous rather than fail it.
		default:
			r = r.WithContext(context.WithValue(r.Context(), sessionKey, sess))
		}
		next.ServeHTTP(w, r)
	})
}

// Start begins a session for the request's town and sets its cookie.
func (s *Sessions) Start(w http.ResponseWriter, r *http.Request, data map[string]string) (*session.Session, error) {
	t := Tenant(r.Context())
	if t == nil {
		return nil, errors.New("session: no town")
	}
	token, sess, err := s.Store.Create(r.Context(), t.ID, data)
	if err != nil {
		return nil, err
	}
	s.set(w, r, token)
	return sess, nil
}

// Login puts data in the request's session under a new token (a session
// begun before login, e.g. by an attacker who planted its cookie, is worth
// nothing after it), or starts a session when there is none. principal
// names the owner ("account:12", "staff:3") so that their sessions can be
// listed and ended together.
func (s *Sessions) Login(w http.ResponseWriter, r *http.Request, principal string, data map[string]string) (*session.Session, error) {
	sess := Session(r.Context())
	fresh := ""
	if sess == nil {
		t := Tenant(r.Context())
		if t == nil {
			return nil, errors.New("session: no town")
		}
		var err error
		if fresh, sess, err = s.Store.Create(r.Context(), t.ID, data); err != nil {
			return nil, err
		}
	}
	sess.Data = data
	sess.Principal = principal
	sess.UserAgent = r.UserAgent()
	sess.IP = ClientIP(r, s.TrustProxy)
	if err := s.Store.Save(r.Context(), sess); err != nil {
		return nil, err
	}
	if fresh != "" {
		s.set(w, r, fresh)
		return sess, nil
	}
	if err := s.Renew(w, r, sess); err != nil {
		return nil, err
	}
	return sess, nil
}

// Save stores changed session data (the acting party, a login attempt).
func (s *Sessions) Save(r *http.Request, sess *session.Session) error {
	return s.Store.Save(r.Context(), sess)
}

// Renew gives the request's session a new token (call it at login).
func (s *Sessions) Renew(w http.ResponseWriter, r *http.Request, sess *session.Session) error {
	token, err := s.Store.Renew(r.Context(), sess)
	if err != nil {
		return err
	}
	s.set(w, r, token)
	return nil
}

// End deletes the session and its cookie (logout).
func (s *Sessions) End(w http.ResponseWriter, r *http.Request, sess *session.Session) error {
	s.clear(w, r)
	return s.Store.Delete(r.Context(), sess)
}

func (s *Sessions) set(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(r), Value: token, Path: "/", HttpOnly: true, Secure: s.secure(r),
		SameSite: http.SameSiteLaxMode,
		// No Expires: a browser session cookie; the server enforces the timeouts.
	})
}

func (s *Sessions) clear(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(r), Value: "", Path: "/", HttpOnly: true, Secure: s.secure(r),
		SameSite: http.SameSiteLaxMode, MaxAge: -1, Expires: time.Unix(0, 0),
	})
}
