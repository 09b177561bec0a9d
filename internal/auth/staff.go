// Package auth knows who is asking: officials (staff) with a password and a
// second factor, and the roles they hold in a town.
//
// It must never say why a login failed beyond "wrong credentials" or
// "locked" (no account enumeration), never keep a password or a token in
// clear, and never accept a TOTP code twice.
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/token"
)

// Role is what an official may do.
type Role string

const (
	CounterClerk  Role = "counter_clerk"
	ContactCentre Role = "contact_centre"
	FeeClerk      Role = "fee_clerk"
	CaseWorker    Role = "case_worker" // per department
	Editor        Role = "editor"
	Administrator Role = "administrator"
	Auditor       Role = "auditor"
)

// Roles lists every role.
var Roles = []Role{CounterClerk, ContactCentre, FeeClerk, CaseWorker, Editor, Administrator, Auditor}

// Grant gives a role, for case workers in one department.
type Grant struct {
	Role       Role
	Department string
}

// Staff is one official of one town.
type Staff struct {
	ID            int64
	TenantID      int64
	Email         string
	Name          string
	Grants        []Grant
	HasPassword   bool
	TOTPConfirmed bool
	Disabled      bool
	CreatedAt     time.Time
}

// Has reports whether the official holds role (in department, for roles
// held per department; "" means any department).
func (s *Staff) Has(role Role, department string) bool {
	for _, g := range s.Grants {
		if g.Role == role && (department == "" || g.Department == "" || g.Department == department) {
			return true
		}
	}
	return false
}

var (
	// ErrBadCredentials covers every reason a login fails except a lock: an
	// unknown e-mail, a wrong password, a wrong or reused code, a disabled
	// account, no second factor yet.
	ErrBadCredentials = errors.New("wrong e-mail, password or code")
	// ErrLocked means too many failed attempts; try again later.
	ErrLocked = errors.New("account temporarily locked")
)

// Lockout: this many failures in a row lock the account for lockFor.
const (
	maxFailures = 10
	lockFor     = 15 * time.Minute
	inviteFor   = 72 * time.Hour
	resetFor    = time.Hour
)

// How long an invitation and a reset link work (to tell whoever hands them
// over).
const (
	InviteValidity = inviteFor
	ResetValidity  = resetFor
)

// StaffStore keeps officials, their grants and their one-time tokens.
type StaffStore struct {
	DB     *db.DB
	Audit  *audit.Store // every change of rights is recorded in the same transaction
	Issuer string       // shown in authenticator apps, e.g. "Radnice Jizerov"
	Now    func() time.Time
}

func (s *StaffStore) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

func (s *StaffStore) audit() *audit.Store {
	if s.Audit != nil {
		return s.Audit
	}
	return &audit.Store{DB: s.DB, Now: s.Now}
}

// recordRights writes a change of an official's rights to the audit log.
func (s *StaffStore) recordRights(ctx context.Context, tx *db.Tx, by audit.Actor, tenantID, staffID int64, action string, grants []Grant) error {
	type g struct {
		Role       Role   `json:"role"`
		Department string `json:"department,omitempty"`
	}
	list := make([]g, len(grants))
	for i, gr := range grants {
		list[i] = g(gr)
	}
	details, err := json.Marshal(map[string]any{"grants": list})
	if err != nil {
		return err
	}
	return s.audit().Record(ctx, tx, &audit.Entry{TenantID: tenantID, ActorKind: by.Kind, ActorID: by.ID, ActorName: by.Name,
		Action: action, SubjectKind: audit.SubjectStaff, SubjectID: staffID, Details: details})
}

func normalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func validateGrants(grants []Grant) error {
	var v derr.InvalidError
	checkGrants(&v, grants)
	return v.Err()
}

// checkGrants adds what is wrong with grants to v, each problem once.
func checkGrants(v *derr.InvalidError, grants []Grant) {
	seen := map[string]bool{}
	add := func(field, key, msg string) {
		if !seen[key] {
			seen[key] = true
			v.Add(field, key, msg)
		}
	}
	for _, g := range grants {
		dep := strings.TrimSpace(g.Department)
		switch {
		case !slices.Contains(Roles, g.Role):
			add("role", "auth.role.unknown", fmt.Sprintf("unknown role %q", g.Role))
		case g.Role == CaseWorker && dep == "":
			add("department", "auth.role.department", "a case worker needs a department")
		case len([]rune(dep)) > maxDepartment || !utf8.ValidString(dep) || strings.ContainsRune(dep, 0):
			add("department", "auth.role.department.long", fmt.Sprintf("a department name has at most %d characters", maxDepartment))
		}
	}
}

// maxDepartment is the longest department name, in characters.
const maxDepartment = 100

// Invite creates an official without a password and returns the invitation
// token to send them; they set a password and a second factor with it.
func (s *StaffStore) Invite(ctx context.Context, by audit.Actor, tenantID int64, email, name string, grants []Grant) (token string, _ *Staff, err error) {
	defer derr.Wrap(&err, "auth.Invite(%d)", tenantID)
	email = normalizeEmail(email)
	name = strings.TrimSpace(name)
	var v derr.InvalidError
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		v.Add("email", "auth.email.invalid", "not an e-mail address")
	}
	if name == "" || len(name) > 200 {
		v.Add("name", "auth.name.invalid", "a name of 1-200 characters is required")
	}
	checkGrants(&v, grants)
	if err := v.Err(); err != nil {
		return "", nil, err
	}
	now := s.now()
	st := &Staff{TenantID: tenantID, Email: email, Name: name, Grants: grants, CreatedAt: now}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO staff (tenant_id, email, name, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4) RETURNING id`, tenantID, email, name, now).Scan(&st.ID)
		if db.IsUniqueViolation(err) {
			return derr.Invalid("email", "auth.email.taken", "an official with this e-mail exists already")
		}
		if err != nil {
			return err
		}
		if err := insertGrants(ctx, tx, tenantID, st.ID, grants); err != nil {
			return err
		}
		if token, err = newStaffToken(ctx, tx, tenantID, st.ID, "invite", now, now.Add(inviteFor)); err != nil {
			return err
		}
		return s.recordRights(ctx, tx, by, tenantID, st.ID, audit.ActionRightsGrant, grants)
	})
	if err != nil {
		return "", nil, err
	}
	return token, st, nil
}

func insertGrants(ctx context.Context, tx *db.Tx, tenantID, staffID int64, grants []Grant) error {
	for _, g := range grants {
		if _, err := tx.Exec(ctx, `INSERT INTO staff_grants (tenant_id, staff_id, role, department) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, tenantID, staffID, string(g.Role), strings.TrimSpace(g.Department)); err != nil {
			return err
		}
	}
	return nil
}

func newStaffToken(ctx context.Context, tx *db.Tx, tenantID, staffID int64, purpose string, now, expires time.Time) (string, error) {
	tok, digest := token.New()
	_, err := tx.Exec(ctx, `INSERT INTO staff_tokens (id, tenant_id, staff_id, purpose, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, digest, tenantID, staffID, purpose, now, expires)
	return tok, err
}

// useToken consumes a live token of purpose and returns its official.
func useToken(ctx context.Context, tx *db.Tx, tenantID int64, tok, purpose string, now time.Time) (int64, error) {
	var staffID int64
	err := tx.QueryRow(ctx, `UPDATE staff_tokens SET used_at = $1
		WHERE id = $2 AND tenant_id = $3 AND purpose = $4 AND used_at IS NULL AND expires_at > $1
		RETURNING staff_id`, now, token.Digest(tok), tenantID, purpose).Scan(&staffID)
	if errors.Is(err, db.ErrNoRows) {
		return 0, derr.Invalid("token", "auth.token.invalid", "the link is not valid or has expired")
	}
	return staffID, err
}

// Provision creates a ready official with a known password and a confirmed
// TOTP secret, without an invitation: for demo towns and tests only, where
// someone must be able to sign in at once.
func (s *StaffStore) Provision(ctx context.Context, by audit.Actor, tenantID int64, email, name, password, totpSecret string, grants []Grant) (_ *Staff, err error) {
	defer derr.Wrap(&err, "auth.Provision(%d)", tenantID)
	if key, msg := PasswordProblem(password, email); key != "" {
		return nil, derr.Invalid("password", key, msg)
	}
	if _, ok := checkTOTP(totpSecret, TOTPCode(totpSecret, s.now()), s.now(), 0); !ok {
		return nil, derr.Invalid("totp_secret", "auth.totp.secret", "not a base32 TOTP secret")
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	token, st, err := s.Invite(ctx, by, tenantID, email, name, grants)
	if err != nil {
		return nil, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := useToken(ctx, tx, tenantID, token, "invite", s.now()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE staff SET password_hash = $1, totp_secret = $2, totp_confirmed = TRUE, updated_at = $3
			WHERE tenant_id = $4 AND id = $5`, hash, totpSecret, s.now(), tenantID, st.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	st.HasPassword, st.TOTPConfirmed = true, true
	return st, nil
}

// AcceptInvite sets the invited official's first password.
func (s *StaffStore) AcceptInvite(ctx context.Context, tenantID int64, token, password string) (_ *Staff, err error) {
	defer derr.Wrap(&err, "auth.AcceptInvite(%d)", tenantID)
	return s.setPasswordWithToken(ctx, tenantID, token, "invite", password)
}

// RequestReset starts a password reset. For an unknown or disabled e-mail it
// returns "" and no error, so the answer tells nobody who has an account.
func (s *StaffStore) RequestReset(ctx context.Context, tenantID int64, email string) (token string, err error) {
	defer derr.Wrap(&err, "auth.RequestReset(%d)", tenantID)
	now := s.now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM staff WHERE tenant_id = $1 AND email = $2 AND NOT disabled`,
			tenantID, normalizeEmail(email)).Scan(&id)
		if errors.Is(err, db.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		token, err = newStaffToken(ctx, tx, tenantID, id, "reset", now, now.Add(resetFor))
		return err
	})
	return token, err
}

// Audit actions of password resets.
const (
	ActionResetIssue    = "password.reset.issue" // an administrator issued a reset link
	ActionPasswordReset = "password.reset"       // the official set a new password with it
)

// IssueReset gives an official of the town a password-reset token, on an
// administrator's request (by), and records it. The second factor stays, so
// the token alone signs nobody in. An official who is disabled, or who has
// not finished the set-up from the invitation, gets none (invalid: "staff").
func (s *StaffStore) IssueReset(ctx context.Context, by audit.Actor, tenantID, staffID int64) (token string, err error) {
	defer derr.Wrap(&err, "auth.IssueReset(%d, %d)", tenantID, staffID)
	now := s.now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		st, err := getStaff(ctx, tx, tenantID, staffID)
		if err != nil {
			return err
		}
		switch {
		case st.Disabled:
			return derr.Invalid("staff", "auth.reset.disabled", "the official is disabled")
		case !st.HasPassword || !st.TOTPConfirmed:
			return derr.Invalid("staff", "auth.reset.not_enrolled", "the official has not finished the set-up from the invitation")
		}
		if token, err = newStaffToken(ctx, tx, tenantID, staffID, "reset", now, now.Add(resetFor)); err != nil {
			return err
		}
		details, _ := json.Marshal(map[string]any{"expires": now.Add(resetFor).Format(time.RFC3339)})
		return s.audit().Record(ctx, tx, &audit.Entry{TenantID: tenantID, ActorKind: by.Kind, ActorID: by.ID, ActorName: by.Name,
			Action: ActionResetIssue, SubjectKind: audit.SubjectStaff, SubjectID: staffID, Details: details})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// ResetPassword sets a new password with a reset token and returns the
// official; every other outstanding token of the official dies with it.
// The second factor stays as it was.
func (s *StaffStore) ResetPassword(ctx context.Context, tenantID int64, token, password string) (_ *Staff, err error) {
	defer derr.Wrap(&err, "auth.ResetPassword(%d)", tenantID)
	return s.setPasswordWithToken(ctx, tenantID, token, "reset", password)
}

func (s *StaffStore) setPasswordWithToken(ctx context.Context, tenantID int64, token, purpose, password string) (*Staff, error) {
	now := s.now()
	var st *Staff
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err := useToken(ctx, tx, tenantID, token, purpose, now)
		if err != nil {
			return err
		}
		if st, err = getStaff(ctx, tx, tenantID, id); err != nil {
			return err
		}
		if key, msg := PasswordProblem(password, st.Email); key != "" {
			return derr.Invalid("password", key, msg)
		}
		hash, err := HashPassword(password)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE staff SET password_hash = $1, failed_logins = 0, locked_until = NULL, updated_at = $2
			WHERE tenant_id = $3 AND id = $4`, hash, now, tenantID, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE staff_tokens SET used_at = $1 WHERE tenant_id = $2 AND staff_id = $3 AND used_at IS NULL`,
			now, tenantID, id); err != nil {
			return err
		}
		st.HasPassword = true
		if purpose != "reset" {
			return nil
		}
		return s.audit().Record(ctx, tx, &audit.Entry{TenantID: tenantID, ActorKind: audit.ActorStaff, ActorID: st.ID,
			ActorName: st.Name, Action: ActionPasswordReset, SubjectKind: audit.SubjectStaff, SubjectID: st.ID})
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// BeginTOTP gives the official a new, unconfirmed second-factor secret and
// returns its otpauth:// URL (for a QR code) and the secret (to type in).
func (s *StaffStore) BeginTOTP(ctx context.Context, tenantID, staffID int64) (url, secret string, err error) {
	defer derr.Wrap(&err, "auth.BeginTOTP(%d, %d)", tenantID, staffID)
	st, err := s.Get(ctx, tenantID, staffID)
	if err != nil {
		return "", "", err
	}
	if st.TOTPConfirmed {
		return "", "", derr.ErrConflict
	}
	issuer := s.Issuer
	if issuer == "" {
		issuer = "Radnice"
	}
	key, err := NewTOTPKey(issuer, st.Email)
	if err != nil {
		return "", "", err
	}
	_, err = s.DB.Write().Exec(ctx, `UPDATE staff SET totp_secret = $1, totp_last_step = 0, updated_at = $2
		WHERE tenant_id = $3 AND id = $4 AND NOT totp_confirmed`, key.Secret(), s.now(), tenantID, staffID)
	return key.URL(), key.Secret(), err
}

// ConfirmTOTP switches the second factor on once the official shows a code
// from their app.
func (s *StaffStore) ConfirmTOTP(ctx context.Context, tenantID, staffID int64, code string) (err error) {
	defer derr.Wrap(&err, "auth.ConfirmTOTP(%d, %d)", tenantID, staffID)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var secret string
		var last int64
		err := tx.QueryRow(ctx, `SELECT totp_secret, totp_last_step FROM staff
			WHERE tenant_id = $1 AND id = $2 AND NOT totp_confirmed AND totp_secret <> ''`, tenantID, staffID).Scan(&secret, &last)
		if errors.Is(err, db.ErrNoRows) {
			return derr.ErrConflict
		}
		if err != nil {
			return err
		}
		step, ok := checkTOTP(secret, strings.TrimSpace(code), s.now(), last)
		if !ok {
			return derr.Invalid("code", "auth.totp.wrong", "the code does not match; check the time on your phone")
		}
		_, err = tx.Exec(ctx, `UPDATE staff SET totp_confirmed = TRUE, totp_last_step = $1, updated_at = $2
			WHERE tenant_id = $3 AND id = $4`, step, s.now(), tenantID, staffID)
		return err
	})
}

// Authenticate checks an official's e-mail, password and TOTP code. Every
// failure counts towards the lockout; success resets the count.
func (s *StaffStore) Authenticate(ctx context.Context, tenantID int64, email, password, code string) (_ *Staff, err error) {
	defer derr.Wrap(&err, "auth.Authenticate(%d)", tenantID)
	now := s.now()
	var id, lastStep int64
	var hash, secret string
	var confirmed, disabled bool
	var locked *time.Time
	err = s.DB.Read().QueryRow(ctx, `SELECT id, password_hash, totp_secret, totp_confirmed, totp_last_step, disabled,
		locked_until FROM staff WHERE tenant_id = $1 AND email = $2`, tenantID, normalizeEmail(email)).
		Scan(&id, &hash, &secret, &confirmed, &lastStep, &disabled, &locked)
	if errors.Is(err, db.ErrNoRows) {
		CheckPassword(dummyHash, password) // same time as a wrong password
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if locked != nil && now.Before(*locked) {
		return nil, ErrLocked
	}
	okPassword := false
	if hash != "" {
		okPassword, err = CheckPassword(hash, password)
		if err != nil {
			return nil, err
		}
	} else {
		CheckPassword(dummyHash, password)
	}
	step, okCode := int64(0), false
	if okPassword && confirmed {
		step, okCode = checkTOTP(secret, strings.TrimSpace(code), now, lastStep)
	}
	if !okPassword || !okCode || disabled {
		return nil, s.failed(ctx, tenantID, id, now)
	}
	var st *Staff
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		// The step is stored only if no other login used it meanwhile.
		n, err := tx.Exec(ctx, `UPDATE staff SET totp_last_step = $1, failed_logins = 0, locked_until = NULL
			WHERE tenant_id = $2 AND id = $3 AND totp_last_step < $1`, step, tenantID, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrBadCredentials
		}
		st, err = getStaff(ctx, tx, tenantID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

func (s *StaffStore) failed(ctx context.Context, tenantID, id int64, now time.Time) error {
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		var failed int
		if err := tx.QueryRow(ctx, `UPDATE staff SET failed_logins = failed_logins + 1 WHERE tenant_id = $1 AND id = $2
			RETURNING failed_logins`, tenantID, id).Scan(&failed); err != nil {
			return err
		}
		if failed >= maxFailures {
			_, err := tx.Exec(ctx, `UPDATE staff SET locked_until = $1, failed_logins = 0 WHERE tenant_id = $2 AND id = $3`,
				now.Add(lockFor), tenantID, id)
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	return ErrBadCredentials
}

// Get returns one official of the town.
func (s *StaffStore) Get(ctx context.Context, tenantID, id int64) (_ *Staff, err error) {
	defer derr.Wrap(&err, "auth.Get(%d, %d)", tenantID, id)
	return getStaff(ctx, s.DB.Read(), tenantID, id)
}

func getStaff(ctx context.Context, q db.Querier, tenantID, id int64) (*Staff, error) {
	st := &Staff{}
	err := q.QueryRow(ctx, `SELECT id, tenant_id, email, name, password_hash <> '', totp_confirmed, disabled, created_at
		FROM staff WHERE tenant_id = $1 AND id = $2`, tenantID, id).
		Scan(&st.ID, &st.TenantID, &st.Email, &st.Name, &st.HasPassword, &st.TOTPConfirmed, &st.Disabled, &st.CreatedAt)
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT role, department FROM staff_grants WHERE tenant_id = $1 AND staff_id = $2
		ORDER BY role, department`, tenantID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var g Grant
		var role string
		if err := rows.Scan(&role, &g.Department); err != nil {
			return nil, err
		}
		g.Role = Role(role)
		st.Grants = append(st.Grants, g)
	}
	return st, rows.Err()
}

// List returns the town's officials with their grants, by name.
func (s *StaffStore) List(ctx context.Context, tenantID int64) (_ []*Staff, err error) {
	defer derr.Wrap(&err, "auth.List(%d)", tenantID)
	q := s.DB.Read()
	rows, err := q.Query(ctx, `SELECT id, tenant_id, email, name, password_hash <> '', totp_confirmed, disabled, created_at
		FROM staff WHERE tenant_id = $1 ORDER BY name, id`, tenantID)
	if err != nil {
		return nil, err
	}
	out := []*Staff{}
	byID := map[int64]*Staff{}
	for rows.Next() {
		st := &Staff{}
		if err := rows.Scan(&st.ID, &st.TenantID, &st.Email, &st.Name, &st.HasPassword, &st.TOTPConfirmed, &st.Disabled, &st.CreatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, st)
		byID[st.ID] = st
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	rows, err = q.Query(ctx, `SELECT staff_id, role, department FROM staff_grants WHERE tenant_id = $1
		ORDER BY staff_id, role, department`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var g Grant
		var role string
		if err := rows.Scan(&id, &role, &g.Department); err != nil {
			return nil, err
		}
		g.Role = Role(role)
		if st := byID[id]; st != nil {
			st.Grants = append(st.Grants, g)
		}
	}
	return out, rows.Err()
}

// SetGrants replaces an official's roles.
func (s *StaffStore) SetGrants(ctx context.Context, by audit.Actor, tenantID, staffID int64, grants []Grant) (err error) {
	defer derr.Wrap(&err, "auth.SetGrants(%d, %d)", tenantID, staffID)
	if err := validateGrants(grants); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if _, err := getStaff(ctx, tx, tenantID, staffID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM staff_grants WHERE tenant_id = $1 AND staff_id = $2`, tenantID, staffID); err != nil {
			return err
		}
		if err := insertGrants(ctx, tx, tenantID, staffID, grants); err != nil {
			return err
		}
		return s.recordRights(ctx, tx, by, tenantID, staffID, audit.ActionRightsGrant, grants)
	})
}

// Disable stops an official from logging in.
func (s *StaffStore) Disable(ctx context.Context, by audit.Actor, tenantID, staffID int64) (err error) {
	defer derr.Wrap(&err, "auth.Disable(%d, %d)", tenantID, staffID)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE staff SET disabled = TRUE, updated_at = $1 WHERE tenant_id = $2 AND id = $3`,
			s.now(), tenantID, staffID)
		if err != nil {
			return err
		}
		if n == 0 {
			return derr.ErrNotFound
		}
		return s.recordRights(ctx, tx, by, tenantID, staffID, audit.ActionRightsRevoke, nil)
	})
}
