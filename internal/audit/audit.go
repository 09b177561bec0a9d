// Package audit keeps the audit log: every login, every change of rights,
// every read of a person's data by an official (who, whose data, what and
// why), and whatever else a town must be able to account for. Auditors search
// it; `radnice audit verify` proves nobody has changed it.
//
// The log is append-only and tamper-evident. Each town's entries form a hash
// chain: entry n carries seq n, the hash of entry n-1 (prev_hash) and its own
// hash, a SHA-256 over all its fields (see ChainHash). Altering an entry
// breaks its hash; deleting or inserting one breaks the sequence or the link
// to the one before. The database refuses UPDATE and DELETE on the table
// (a trigger on either engine); the chain catches whoever gets past that.
//
// An entry is recorded in the transaction of the change it records (Record),
// so the two commit or vanish together.
//
// What this package must never do:
//   - update or delete an entry, for any reason (a mistaken entry is
//     corrected by a later entry);
//   - hold sensitive data: no birth number, no health or social data, no
//     document contents, no secrets or tokens in details or reason. Callers
//     name people and records by their ids (subject kind and id) and the
//     details say what happened, not what the data was. Record refuses a
//     reason that contains a birth number.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/radnice/radnice/internal/czid"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// Who acted (Entry.ActorKind).
const (
	ActorStaff   = "staff"   // an official; ActorID is the staff account
	ActorCitizen = "citizen" // a person signed in to the portal; ActorID is the person
	ActorSystem  = "system"  // the portal itself: jobs, imports, the CLI
	ActorAPI     = "api"     // another system through the API; ActorID is its client
)

// Actor is who does something, as the domain services are told by the face
// that serves the request.
type Actor struct {
	Kind string // ActorStaff, ActorCitizen, ActorSystem, ActorAPI
	ID   int64
	Name string
}

// System is the portal itself (jobs, imports, the command line).
var System = Actor{Kind: ActorSystem, Name: "radnice"}

// What happened (Entry.Action). Other packages may add their own, in the same
// form: lower case, dot-separated, "noun.verb".
const (
	ActionLogin        = "login"
	ActionLogout       = "logout"
	ActionLoginFailed  = "login.failed"
	ActionRightsGrant  = "rights.grant"
	ActionRightsRevoke = "rights.revoke"
	ActionPersonRead   = "person.read"
	ActionIdentityLink = "identity.link"
)

// Whose data (Entry.SubjectKind).
const (
	SubjectPerson    = "person"
	SubjectCompany   = "company"
	SubjectHousehold = "household"
	SubjectStaff     = "staff"
)

// Limits on an entry's fields.
const (
	MaxReason    = 500  // characters
	MaxDetails   = 8192 // bytes of compact JSON
	maxName      = 200  // characters
	maxToken     = 64   // bytes of a kind or an action
	maxRequestID = 128
	maxIP        = 64
)

// Entry is one line of the audit log.
type Entry struct {
	TenantID int64
	Seq      int64     // set by Record: 1, 2, 3 ... per town
	At       time.Time // set by Record: UTC, to the microsecond

	ActorKind string // required: ActorStaff, ActorCitizen, ActorSystem, ActorAPI ...
	ActorID   int64  // 0 when there is none (the system, a failed login)
	ActorName string // as shown at the time ("Jana Nováková, podatelna")

	Action      string          // required: ActionLogin, ActionPersonRead ...
	SubjectKind string          // whose data: SubjectPerson ..., or "" for none
	SubjectID   int64           // with SubjectKind
	Reason      string          // why, in the official's words (at most MaxReason characters)
	Details     json.RawMessage // a JSON object, stored compact; ids, never the data itself

	RequestID string // the HTTP request's id, to find it in the access log
	IP        string // the client's address

	PrevHash string // set by Record: the previous entry's Hash, or 64 zeros for the first
	Hash     string // set by Record: ChainHash of this entry, hex
}

// Store reads and appends the audit log.
type Store struct {
	DB  *db.DB
	Now func() time.Time
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// genesis is the prev_hash of a town's first entry.
var genesis = strings.Repeat("0", 64)

// hashVersion starts every hashed message, so that a future change of the
// serialisation cannot be confused with this one.
const hashVersion = "radnice-audit-v1"

// ChainHash is the hex SHA-256 that Record stores in e.Hash and Verify
// recomputes. The message is a sequence of netstrings (the field's length in
// bytes in decimal, ":", the bytes, ","), so no two different entries give
// the same message, in this order:
//
//	"radnice-audit-v1", tenant id, seq, at (UTC, RFC 3339 with nanoseconds and
//	trailing zeros dropped: 2026-11-23T10:00:00.123456Z), actor kind, actor id,
//	actor name, action, subject kind, subject id, reason, details, request id,
//	ip, prev hash
//
// with numbers in decimal. An auditor can recompute it from a dump of the
// table with a few lines in any language.
func ChainHash(e *Entry) string {
	h := sha256.New()
	field := func(s string) {
		io.WriteString(h, strconv.Itoa(len(s)))
		io.WriteString(h, ":")
		io.WriteString(h, s)
		io.WriteString(h, ",")
	}
	num := func(n int64) { field(strconv.FormatInt(n, 10)) }
	field(hashVersion)
	num(e.TenantID)
	num(e.Seq)
	field(e.At.UTC().Format(time.RFC3339Nano))
	field(e.ActorKind)
	num(e.ActorID)
	field(e.ActorName)
	field(e.Action)
	field(e.SubjectKind)
	num(e.SubjectID)
	field(e.Reason)
	field(string(e.Details))
	field(e.RequestID)
	field(e.IP)
	field(e.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// Record appends e to its town's chain inside tx, the transaction of the
// change it records, and fills in e's Seq, At, PrevHash and Hash. An invalid
// entry is refused with a derr.InvalidError and nothing is written.
//
// On PostgreSQL, Record makes the town's other audited transactions wait
// until tx ends (they would otherwise take the same seq), so record as the
// last step, just before commit. tx must be READ COMMITTED (the default).
func (s *Store) Record(ctx context.Context, tx *db.Tx, e *Entry) (err error) {
	defer derr.Wrap(&err, "audit.Record(%q)", e.Action)
	n, err := normalize(e)
	if err != nil {
		return err
	}
	n.At = s.now().Truncate(time.Microsecond) // what PostgreSQL keeps; the hash must survive the round trip
	if err := lockChain(ctx, tx, n.TenantID); err != nil {
		return fmt.Errorf("lock the chain: %w", err)
	}
	err = tx.QueryRow(ctx, `SELECT seq, hash FROM audit_log WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1`,
		n.TenantID).Scan(&n.Seq, &n.PrevHash)
	switch {
	case errors.Is(err, db.ErrNoRows):
		n.Seq, n.PrevHash = 0, genesis
	case err != nil:
		return err
	}
	n.Seq++
	n.Hash = ChainHash(&n)
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (tenant_id, seq, at, actor_kind, actor_id, actor_name, action,
		subject_kind, subject_id, reason, details, request_id, ip, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		n.TenantID, n.Seq, n.At, n.ActorKind, n.ActorID, n.ActorName, n.Action,
		n.SubjectKind, n.SubjectID, n.Reason, string(n.Details), n.RequestID, n.IP, n.PrevHash, n.Hash)
	if err != nil {
		return err
	}
	*e = n
	return nil
}

// RecordNow records e in a transaction of its own, for events that change
// nothing else (a read, a failed login).
func (s *Store) RecordNow(ctx context.Context, e *Entry) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error { return s.Record(ctx, tx, e) })
}

// lockSpace is the first key of the advisory locks that guard the chains
// ("audt" in ASCII); the second is the town.
const lockSpace int32 = 0x61756474

// lockChain makes appends to one town's chain take turns, so that two
// transactions never read the same head and take the same seq.
//
// SQLite has exactly one writer, and a transaction there holds the write lock
// from BEGIN: nothing to do. PostgreSQL takes a transaction-scoped advisory
// lock on (lockSpace, town), released at commit or rollback; the town id is
// cut to 32 bits, which at worst makes two towns share a lock. The unique
// (tenant_id, seq) is the last line of defence either way.
func lockChain(ctx context.Context, tx *db.Tx, tenantID int64) error {
	if tx.Dialect() == db.SQLite {
		return nil
	}
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, lockSpace, int32(tenantID))
	return err
}

// normalize checks e and returns the entry as it will be stored: texts
// trimmed, details compact, the IP in its canonical form.
func normalize(e *Entry) (Entry, error) {
	n := *e
	n.Seq, n.At, n.PrevHash, n.Hash = 0, time.Time{}, "", ""
	n.ActorName = strings.TrimSpace(n.ActorName)
	n.Reason = strings.TrimSpace(n.Reason)
	n.IP = strings.TrimSpace(n.IP)
	if ip, err := netip.ParseAddr(n.IP); err == nil {
		n.IP = ip.Unmap().String()
	}

	var v derr.InvalidError
	if n.TenantID <= 0 {
		v.Add("tenant_id", "audit.tenant.required", "the town is required")
	}
	token(&v, "actor_kind", n.ActorKind, true)
	token(&v, "action", n.Action, true)
	token(&v, "subject_kind", n.SubjectKind, false)
	if n.ActorID < 0 {
		v.Add("actor_id", "audit.actor_id.invalid", "must not be negative")
	}
	if n.SubjectID < 0 {
		v.Add("subject_id", "audit.subject_id.invalid", "must not be negative")
	}
	if n.SubjectID != 0 && n.SubjectKind == "" {
		v.Add("subject_kind", "audit.subject_kind.required", "a subject id needs a subject kind")
	}
	text(&v, "actor_name", n.ActorName, maxName)
	text(&v, "reason", n.Reason, MaxReason)
	if containsBirthNumber(n.Reason) {
		v.Add("reason", "audit.reason.birth_number", "must not contain a birth number: the subject id names the person")
	}
	ascii(&v, "request_id", n.RequestID, maxRequestID)
	ascii(&v, "ip", n.IP, maxIP)

	if len(bytes.TrimSpace(n.Details)) == 0 {
		n.Details = json.RawMessage("{}")
	} else {
		var buf bytes.Buffer
		switch {
		case !utf8.Valid(n.Details):
			v.Add("details", "audit.details.invalid", "must be UTF-8")
		case json.Compact(&buf, n.Details) != nil:
			v.Add("details", "audit.details.invalid", "must be JSON")
		case buf.Bytes()[0] != '{':
			v.Add("details", "audit.details.invalid", "must be a JSON object")
		case buf.Len() > MaxDetails:
			v.Add("details", "audit.details.too_long", fmt.Sprintf("must be at most %d bytes, is %d", MaxDetails, buf.Len()))
		default:
			n.Details = json.RawMessage(buf.String())
		}
	}
	return n, v.Err()
}

// token checks a kind or an action: lower-case ASCII letters, digits, '.',
// '_' and '-', starting with a letter.
func token(v *derr.InvalidError, field, s string, required bool) {
	if s == "" {
		if required {
			v.Add(field, "audit."+field+".required", "is required")
		}
		return
	}
	ok := len(s) <= maxToken && s[0] >= 'a' && s[0] <= 'z'
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
	}
	if !ok {
		v.Add(field, "audit."+field+".invalid", fmt.Sprintf("must be at most %d lower-case letters, digits, '.', '_' or '-', starting with a letter", maxToken))
	}
}

// text checks free text: valid UTF-8 without NUL (PostgreSQL stores neither)
// and at most max characters.
func text(v *derr.InvalidError, field, s string, max int) {
	switch {
	case !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0:
		v.Add(field, "audit."+field+".invalid", "must be valid text")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "audit."+field+".too_long", fmt.Sprintf("must be at most %d characters", max))
	}
}

// ascii checks a machine value: printable ASCII, at most max bytes.
func ascii(v *derr.InvalidError, field, s string, max int) {
	if len(s) > max {
		v.Add(field, "audit."+field+".too_long", fmt.Sprintf("must be at most %d characters", max))
		return
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			v.Add(field, "audit."+field+".invalid", "must be printable ASCII without spaces")
			return
		}
	}
}

// containsBirthNumber reports whether s holds a valid birth number as a word
// of its own (780123/3540 or 7801233540), the mistake an official typing a
// reason is most likely to make.
func containsBirthNumber(s string) bool {
	alnum := func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' || (i > 0 && alnum(s[i-1])) {
			i++
			continue
		}
		j := i
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '/') {
			j++
		}
		if (j == len(s) || !alnum(s[j])) && j-i >= 9 && j-i <= 11 {
			if _, err := czid.ParseBirthNumber(s[i:j]); err == nil {
				return true
			}
		}
		i = j
	}
	return false
}
