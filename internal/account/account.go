// Package account holds citizens' accounts in the portal: the logins that
// open them, the link to the person the town's agendas know, and the
// consent to the town's terms.
//
// A login identity is (issuer, subject) as the identity provider vouches
// for it, never an e-mail or a name. An account is linked to a person only
// on a verified identifier (a birth number delivered as a verified claim) or
// by an official who has checked the person's identity card; a login that
// merely carries the same name and birth date as somebody gets a fresh,
// unlinked account and sees nobody's data. Every link and unlink is audited.
package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth/oidc"
	"github.com/radnice/radnice/internal/czid"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// Account is one citizen's account with one town.
type Account struct {
	ID         int64
	TenantID   int64
	PersonID   int64 // the agenda's person; 0 while not linked
	GivenName  string
	FamilyName string
	BirthDate  string // as the provider gave it (YYYY-MM-DD), informational
	Email      string
	// LinkRequested is when the citizen asked an official to link the
	// account; zero when not asked (or linked since).
	LinkRequested  time.Time
	ConsentVersion int // the newest terms version accepted; 0 for none
	CreatedAt      time.Time
	LastLoginAt    time.Time
}

// Name is the account's display name.
func (a *Account) Name() string {
	return strings.TrimSpace(a.GivenName + " " + a.FamilyName)
}

// Linked tells whether the account is linked to a person of the agenda.
func (a *Account) Linked() bool { return a.PersonID != 0 }

// Actor is the account as an audit actor.
func (a *Account) Actor() audit.Actor {
	return audit.Actor{Kind: audit.ActorCitizen, ID: a.ID, Name: a.Name()}
}

// Identity is one login path into an account.
type Identity struct {
	Issuer      string
	Subject     string
	Provider    string // the town's provider slug it came through
	CreatedAt   time.Time
	LastLoginAt time.Time
}

// Meta is what the face knows of the request, for the audit log.
type Meta struct {
	RequestID string
	IP        string
}

// Audit actions of this package.
const (
	ActionLinkRequest  = "identity.link.request"
	ActionUnlink       = "identity.unlink"
	ActionLinkMismatch = "identity.link.mismatch"
	ActionConsent      = "terms.accept"
	ActionTermsPublish = "terms.publish"
	SubjectAccount     = "account"
)

// Store keeps accounts.
type Store struct {
	DB    *db.DB
	Audit *audit.Store
	Now   func() time.Time
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Store) audit() *audit.Store {
	if s.Audit != nil {
		return s.Audit
	}
	return &audit.Store{DB: s.DB, Now: s.Now}
}

const accountColumns = `a.id, a.tenant_id, coalesce(a.person_id, 0), a.given_name, a.family_name, a.birth_date, a.email,
	a.link_requested_at, a.created_at, a.last_login_at,
	coalesce((SELECT max(c.version) FROM consents c WHERE c.tenant_id = a.tenant_id AND c.account_id = a.id), 0)`

func scanAccount(r db.Row) (*Account, error) {
	var a Account
	var req *time.Time
	if err := r.Scan(&a.ID, &a.TenantID, &a.PersonID, &a.GivenName, &a.FamilyName, &a.BirthDate, &a.Email,
		&req, &a.CreatedAt, &a.LastLoginAt, &a.ConsentVersion); err != nil {
		return nil, err
	}
	if req != nil {
		a.LinkRequested = req.UTC()
	}
	return &a, nil
}

func scanAccounts(rows db.Rows) ([]*Account, error) {
	defer rows.Close()
	var out []*Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Get returns one account of the town.
func (s *Store) Get(ctx context.Context, tenantID, id int64) (_ *Account, err error) {
	defer derr.Wrap(&err, "account.Get(%d, %d)", tenantID, id)
	return getAccount(ctx, s.DB.Read(), tenantID, id)
}

func getAccount(ctx context.Context, q db.Querier, tenantID, id int64) (*Account, error) {
	a, err := scanAccount(q.QueryRow(ctx, `SELECT `+accountColumns+` FROM accounts a WHERE a.tenant_id = $1 AND a.id = $2`, tenantID, id))
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	return a, err
}

// SignIn records a login the identity provider has vouched for and returns
// the account it opens, creating it at the first login. The account is
// linked to the town's person only when id carries a verified birth number
// that the town holds. Returns created=true for a new account.
func (s *Store) SignIn(ctx context.Context, tenantID int64, provider string, id *oidc.Identity, m Meta) (_ *Account, created bool, err error) {
	defer derr.Wrap(&err, "account.SignIn(%d, %s)", tenantID, provider)
	if id == nil || id.Issuer == "" || id.Subject == "" {
		return nil, false, derr.Invalid("identity", "account.identity.missing", "issuer and subject are required")
	}
	given, family := clip(id.GivenName, 100), clip(id.FamilyName, 100)
	if given == "" && family == "" {
		given = clip(id.Name, 200)
	}
	email := ""
	if id.EmailVerified {
		email = clip(strings.ToLower(id.Email), 254)
	}
	var acc *Account
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		created = false
		now := s.now()
		var accountID int64
		err := tx.QueryRow(ctx, `SELECT account_id FROM account_identities WHERE tenant_id = $1 AND issuer = $2 AND subject = $3`,
			tenantID, id.Issuer, id.Subject).Scan(&accountID)
		known := err == nil
		if err != nil && !errors.Is(err, db.ErrNoRows) {
			return err
		}
		// The person a verified birth number names, if the town holds it.
		var verified int64
		if id.VerifiedBirthNumber != "" {
			if bn, err := czid.ParseBirthNumber(id.VerifiedBirthNumber); err == nil {
				err := tx.QueryRow(ctx, `SELECT id FROM persons WHERE tenant_id = $1 AND birth_number = $2`, tenantID, string(bn)).Scan(&verified)
				if err != nil && !errors.Is(err, db.ErrNoRows) {
					return err
				}
			}
		}
		if !known && verified != 0 {
			// A new login of a person the town knows: join the person's
			// oldest account, so NIA and BankID open the same one.
			err := tx.QueryRow(ctx, `SELECT id FROM accounts WHERE tenant_id = $1 AND person_id = $2 ORDER BY id LIMIT 1`,
				tenantID, verified).Scan(&accountID)
			if err != nil && !errors.Is(err, db.ErrNoRows) {
				return err
			}
		}
		if accountID == 0 {
			if err := tx.QueryRow(ctx, `INSERT INTO accounts (tenant_id, given_name, family_name, birth_date, email, created_at, last_login_at)
				VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, tenantID, given, family, clip(id.BirthDate, 10), email, now).Scan(&accountID); err != nil {
				return err
			}
			created = true
		}
		if known {
			if _, err := tx.Exec(ctx, `UPDATE account_identities SET last_login_at = $1 WHERE tenant_id = $2 AND issuer = $3 AND subject = $4`,
				now, tenantID, id.Issuer, id.Subject); err != nil {
				return err
			}
		} else if _, err := tx.Exec(ctx, `INSERT INTO account_identities (tenant_id, issuer, subject, account_id, provider, created_at, last_login_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6)`, tenantID, id.Issuer, id.Subject, accountID, provider, now); err != nil {
			return err
		}
		// Names and a verified e-mail follow the provider; an empty claim
		// keeps what is there.
		if _, err := tx.Exec(ctx, `UPDATE accounts SET last_login_at = $1,
			given_name = CASE WHEN $2 = '' THEN given_name ELSE $2 END,
			family_name = CASE WHEN $3 = '' THEN family_name ELSE $3 END,
			email = CASE WHEN $4 = '' THEN email ELSE $4 END
			WHERE tenant_id = $5 AND id = $6`, now, given, family, email, tenantID, accountID); err != nil {
			return err
		}
		acc, err = getAccount(ctx, tx, tenantID, accountID)
		if err != nil {
			return err
		}
		details := map[string]any{"provider": provider, "issuer": id.Issuer, "level": id.Level.String()}
		if id.TxnID != "" {
			details["txn"] = clip(id.TxnID, 100)
		}
		var entries []*audit.Entry
		switch {
		case verified != 0 && acc.PersonID == 0:
			if _, err := tx.Exec(ctx, `UPDATE accounts SET person_id = $1, link_requested_at = NULL WHERE tenant_id = $2 AND id = $3`,
				verified, tenantID, accountID); err != nil {
				return err
			}
			acc.PersonID, acc.LinkRequested = verified, time.Time{}
			entries = append(entries, &audit.Entry{ActorKind: audit.ActorSystem, ActorName: audit.System.Name,
				Action: audit.ActionIdentityLink, SubjectKind: audit.SubjectPerson, SubjectID: verified,
				Details: mustJSON(map[string]any{"account": accountID, "via": "verified_birth_number", "provider": provider, "issuer": id.Issuer})})
		case verified != 0 && acc.PersonID != verified:
			// The provider vouches for another person than the account is
			// linked to: change nothing, leave a trace for the auditors.
			entries = append(entries, &audit.Entry{ActorKind: audit.ActorSystem, ActorName: audit.System.Name,
				Action: ActionLinkMismatch, SubjectKind: SubjectAccount, SubjectID: accountID,
				Details: mustJSON(map[string]any{"linked_person": acc.PersonID, "verified_person": verified, "provider": provider})})
		}
		login := &audit.Entry{ActorKind: audit.ActorCitizen, ActorID: acc.ID, ActorName: acc.Name(), Action: audit.ActionLogin,
			SubjectKind: SubjectAccount, SubjectID: acc.ID, Details: mustJSON(details)}
		entries = append([]*audit.Entry{login}, entries...)
		for _, e := range entries {
			e.TenantID, e.RequestID, e.IP = tenantID, m.RequestID, m.IP
			if err := s.audit().Record(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	return acc, created, nil
}

// Identities lists the logins of an account.
func (s *Store) Identities(ctx context.Context, tenantID, accountID int64) (_ []Identity, err error) {
	defer derr.Wrap(&err, "account.Identities(%d, %d)", tenantID, accountID)
	rows, err := s.DB.Read().Query(ctx, `SELECT issuer, subject, provider, created_at, last_login_at FROM account_identities
		WHERE tenant_id = $1 AND account_id = $2 ORDER BY created_at`, tenantID, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Identity
	for rows.Next() {
		var i Identity
		if err := rows.Scan(&i.Issuer, &i.Subject, &i.Provider, &i.CreatedAt, &i.LastLoginAt); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// RequestLink records that the citizen asks an official to link the account
// to the town's records (at the counter, with an identity card). Asking
// again changes nothing.
func (s *Store) RequestLink(ctx context.Context, tenantID, accountID int64, m Meta) (err error) {
	defer derr.Wrap(&err, "account.RequestLink(%d, %d)", tenantID, accountID)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		acc, err := getAccount(ctx, tx, tenantID, accountID)
		if err != nil {
			return err
		}
		if acc.Linked() {
			return derr.ErrConflict
		}
		if !acc.LinkRequested.IsZero() {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE accounts SET link_requested_at = $1 WHERE tenant_id = $2 AND id = $3`,
			s.now(), tenantID, accountID); err != nil {
			return err
		}
		return s.audit().Record(ctx, tx, &audit.Entry{TenantID: tenantID, ActorKind: audit.ActorCitizen, ActorID: acc.ID,
			ActorName: acc.Name(), Action: ActionLinkRequest, SubjectKind: SubjectAccount, SubjectID: acc.ID,
			RequestID: m.RequestID, IP: m.IP})
	})
}

// Pending lists accounts whose owners asked to be linked, oldest first.
func (s *Store) Pending(ctx context.Context, tenantID int64, limit int) (_ []*Account, err error) {
	defer derr.Wrap(&err, "account.Pending(%d)", tenantID)
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT `+accountColumns+` FROM accounts a
		WHERE a.tenant_id = $1 AND a.link_requested_at IS NOT NULL AND a.person_id IS NULL
		ORDER BY a.link_requested_at, a.id LIMIT `+strconv.Itoa(limit), tenantID)
	if err != nil {
		return nil, err
	}
	return scanAccounts(rows)
}

// Link links an account to the town's person with the birth number an
// official has read from the person's identity card. reason is required
// (what document was checked).
func (s *Store) Link(ctx context.Context, by audit.Actor, tenantID, accountID int64, birthNumber, reason string, m Meta) (personID int64, err error) {
	defer derr.Wrap(&err, "account.Link(%d, %d)", tenantID, accountID)
	var v derr.InvalidError
	bn, bnErr := czid.ParseBirthNumber(birthNumber)
	if bnErr != nil {
		v.Add("birth_number", "account.link.birth_number", "not a valid birth number")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		v.Add("reason", "account.link.reason", "say which document was checked")
	} else if len([]rune(reason)) > audit.MaxReason {
		v.Add("reason", "account.link.reason.long", "the reason is too long")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		acc, err := getAccount(ctx, tx, tenantID, accountID)
		if err != nil {
			return err
		}
		if acc.Linked() {
			return derr.ErrConflict
		}
		err = tx.QueryRow(ctx, `SELECT id FROM persons WHERE tenant_id = $1 AND birth_number = $2`, tenantID, string(bn)).Scan(&personID)
		if errors.Is(err, db.ErrNoRows) {
			return derr.Invalid("birth_number", "account.link.unknown", "the town holds no person with this birth number")
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE accounts SET person_id = $1, link_requested_at = NULL WHERE tenant_id = $2 AND id = $3`,
			personID, tenantID, accountID); err != nil {
			return err
		}
		return s.audit().Record(ctx, tx, &audit.Entry{TenantID: tenantID, ActorKind: by.Kind, ActorID: by.ID, ActorName: by.Name,
			Action: audit.ActionIdentityLink, SubjectKind: audit.SubjectPerson, SubjectID: personID, Reason: reason,
			Details:   mustJSON(map[string]any{"account": accountID, "via": "official"}),
			RequestID: m.RequestID, IP: m.IP})
	})
	if err != nil {
		return 0, err
	}
	return personID, nil
}

// Unlink removes an account's link to its person (a wrong link, a death, a
// request of the person). The account keeps its logins and sees only what
// an unlinked account sees.
func (s *Store) Unlink(ctx context.Context, by audit.Actor, tenantID, accountID int64, reason string, m Meta) (err error) {
	defer derr.Wrap(&err, "account.Unlink(%d, %d)", tenantID, accountID)
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return derr.Invalid("reason", "account.link.reason", "say why")
	}
	if len([]rune(reason)) > audit.MaxReason {
		return derr.Invalid("reason", "account.link.reason.long", "the reason is too long")
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		acc, err := getAccount(ctx, tx, tenantID, accountID)
		if err != nil {
			return err
		}
		if !acc.Linked() {
			return derr.ErrConflict
		}
		if _, err := tx.Exec(ctx, `UPDATE accounts SET person_id = NULL WHERE tenant_id = $1 AND id = $2`, tenantID, accountID); err != nil {
			return err
		}
		return s.audit().Record(ctx, tx, &audit.Entry{TenantID: tenantID, ActorKind: by.Kind, ActorID: by.ID, ActorName: by.Name,
			Action: ActionUnlink, SubjectKind: audit.SubjectPerson, SubjectID: acc.PersonID, Reason: reason,
			Details: mustJSON(map[string]any{"account": accountID}), RequestID: m.RequestID, IP: m.IP})
	})
}

// ForPerson lists the accounts linked to a person (for the officials' view).
func (s *Store) ForPerson(ctx context.Context, tenantID, personID int64) (_ []*Account, err error) {
	defer derr.Wrap(&err, "account.ForPerson(%d, %d)", tenantID, personID)
	rows, err := s.DB.Read().Query(ctx, `SELECT `+accountColumns+` FROM accounts a WHERE a.tenant_id = $1 AND a.person_id = $2 ORDER BY a.id`,
		tenantID, personID)
	if err != nil {
		return nil, err
	}
	return scanAccounts(rows)
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("account: %v", err))
	}
	return b
}

// LoginFailed records a refused citizen login: which provider, and why in
// the message key's words (the detail stays in the log).
func (s *Store) LoginFailed(ctx context.Context, tenantID int64, provider, why string, m Meta) error {
	return s.audit().RecordNow(ctx, &audit.Entry{TenantID: tenantID, ActorKind: audit.ActorCitizen, ActorName: "?",
		Action: audit.ActionLoginFailed, Details: mustJSON(map[string]string{"provider": clip(provider, 40), "why": clip(why, 60)}),
		RequestID: m.RequestID, IP: m.IP})
}

// Logout records that by ended their session.
func (s *Store) Logout(ctx context.Context, tenantID int64, by audit.Actor, m Meta) error {
	return s.audit().RecordNow(ctx, &audit.Entry{TenantID: tenantID, ActorKind: by.Kind, ActorID: by.ID, ActorName: by.Name,
		Action: audit.ActionLogout, RequestID: m.RequestID, IP: m.IP})
}
