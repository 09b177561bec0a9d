package audit

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/derr"
)

// Query selects audit entries of one town; empty fields do not filter.
type Query struct {
	ActorKind string // e.g. ActorStaff
	ActorID   int64  // with ActorKind: what this official did
	Action    string // exact, e.g. ActionPersonRead

	SubjectKind string // e.g. SubjectPerson
	SubjectID   int64  // with SubjectKind: who looked at this person

	From, To time.Time // From <= at < To; a zero time leaves that end open

	// BeforeSeq pages: only entries older than this seq. For the next page
	// pass the Seq of the last entry of this one.
	BeforeSeq int64
	Limit     int // default DefaultLimit, at most MaxLimit
}

// Page sizes for Search.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Search returns the town's entries that match q, newest first.
func (s *Store) Search(ctx context.Context, tenantID int64, q Query) (_ []Entry, err error) {
	defer derr.Wrap(&err, "audit.Search(%d)", tenantID)
	var v derr.InvalidError
	token(&v, "actor_kind", q.ActorKind, q.ActorID != 0)
	token(&v, "action", q.Action, false)
	token(&v, "subject_kind", q.SubjectKind, q.SubjectID != 0)
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		v.Add("to", "audit.query.range", "the end must come after the start")
	}
	if q.BeforeSeq < 0 {
		v.Add("before", "audit.query.before", "must not be negative")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)

	where := []string{"tenant_id = $1"}
	args := []any{tenantID}
	add := func(column, op string, value any) {
		args = append(args, value)
		where = append(where, column+" "+op+" $"+strconv.Itoa(len(args)))
	}
	if q.ActorKind != "" {
		add("actor_kind", "=", q.ActorKind)
		if q.ActorID != 0 {
			add("actor_id", "=", q.ActorID)
		}
	}
	if q.Action != "" {
		add("action", "=", q.Action)
	}
	if q.SubjectKind != "" {
		add("subject_kind", "=", q.SubjectKind)
		if q.SubjectID != 0 {
			add("subject_id", "=", q.SubjectID)
		}
	}
	// Times go in as UTC, as they are stored: SQLite compares them as text.
	if !q.From.IsZero() {
		add("at", ">=", q.From.UTC())
	}
	if !q.To.IsZero() {
		add("at", "<", q.To.UTC())
	}
	if q.BeforeSeq > 0 {
		add("seq", "<", q.BeforeSeq)
	}
	args = append(args, limit)
	rows, err := s.DB.Read().Query(ctx, `SELECT `+columns+` FROM audit_log WHERE `+strings.Join(where, " AND ")+
		` ORDER BY seq DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		var e Entry
		if err := scan(rows, &e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
