package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/radnice/radnice/internal/derr"
)

// Problem says how a chain is broken.
type Problem string

const (
	// ProblemHash: the entry's fields do not give its stored hash; the entry
	// was altered after it was written.
	ProblemHash Problem = "hash"
	// ProblemGap: a seq is missing; the entry was deleted.
	ProblemGap Problem = "gap"
	// ProblemLink: the entry's prev_hash is not the previous entry's hash;
	// the entry was inserted (forged), or the one before it was altered and
	// re-hashed, or replaced.
	ProblemLink Problem = "prev_hash"
)

// VerifyResult is what Verify found in one town's chain.
type VerifyResult struct {
	TenantID int64
	Entries  int64 // entries checked (up to the break, when there is one)
	OK       bool

	// When OK: the head of the chain. Keeping it somewhere outside the
	// database (a ticket, a printout, another system's log) and comparing
	// later also detects entries cut off the end, which no chain can.
	HeadSeq  int64
	HeadHash string

	// When not OK: the first broken seq and what is wrong with it.
	BrokenSeq int64
	Problem   Problem
	Message   string
}

func (r VerifyResult) String() string {
	if r.OK {
		return fmt.Sprintf("town %d: OK, %d entries, head seq %d hash %s", r.TenantID, r.Entries, r.HeadSeq, r.HeadHash)
	}
	return fmt.Sprintf("town %d: BROKEN at seq %d (%s): %s", r.TenantID, r.BrokenSeq, r.Problem, r.Message)
}

// verifyPage is how many entries Verify reads per query: the chain is walked
// in pages, never held in memory, and no read stays open for long.
const verifyPage = 1000

// Verify walks the town's chain from seq 1 and recomputes every hash and
// link. A broken chain is a result (OK false), not an error; errors are for
// a database that cannot be read.
func (s *Store) Verify(ctx context.Context, tenantID int64) (_ VerifyResult, err error) {
	defer derr.Wrap(&err, "audit.Verify(%d)", tenantID)
	res := VerifyResult{TenantID: tenantID, HeadHash: genesis}
	for {
		rows, err := s.DB.Read().Query(ctx, `SELECT `+columns+` FROM audit_log
			WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, tenantID, res.HeadSeq, verifyPage)
		if err != nil {
			return res, err
		}
		n := 0
		for rows.Next() {
			n++
			var e Entry
			if err := scan(rows, &e); err != nil {
				rows.Close()
				return res, err
			}
			if broken := check(&res, &e); broken {
				rows.Close()
				return res, nil
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return res, err
		}
		if n < verifyPage {
			res.OK = true
			return res, nil
		}
	}
}

// check compares e with the chain so far and advances the head, or records
// the break and reports it.
func check(res *VerifyResult, e *Entry) (broken bool) {
	want := res.HeadSeq + 1
	fail := func(seq int64, p Problem, format string, args ...any) bool {
		res.BrokenSeq, res.Problem, res.Message = seq, p, fmt.Sprintf(format, args...)
		return true
	}
	switch {
	case e.Seq != want:
		return fail(want, ProblemGap, "entry %d is missing (the next is %d): deleted", want, e.Seq)
	case ChainHash(e) != e.Hash:
		return fail(e.Seq, ProblemHash, "entry %d does not match its hash: altered after it was written", e.Seq)
	case e.PrevHash != res.HeadHash:
		if want == 1 {
			return fail(e.Seq, ProblemLink, "entry 1 does not start a chain: forged")
		}
		return fail(e.Seq, ProblemLink, "entry %d does not follow entry %d: inserted, or entry %d was altered and re-hashed", e.Seq, want-1, want-1)
	}
	res.Entries++
	res.HeadSeq, res.HeadHash = e.Seq, e.Hash
	return false
}

// VerifyAll verifies every town's chain, in the order of the towns' ids.
func (s *Store) VerifyAll(ctx context.Context) (_ []VerifyResult, err error) {
	defer derr.Wrap(&err, "audit.VerifyAll")
	rows, err := s.DB.Read().Query(ctx, `SELECT id FROM tenants ORDER BY id`)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	out := make([]VerifyResult, 0, len(ids))
	for _, id := range ids {
		r, err := s.Verify(ctx, id)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// columns are read in this order by scan.
const columns = `tenant_id, seq, at, actor_kind, actor_id, actor_name, action, subject_kind, subject_id,
	reason, details, request_id, ip, prev_hash, hash`

func scan(rows interface{ Scan(...any) error }, e *Entry) error {
	var details string
	var at time.Time
	if err := rows.Scan(&e.TenantID, &e.Seq, &at, &e.ActorKind, &e.ActorID, &e.ActorName, &e.Action,
		&e.SubjectKind, &e.SubjectID, &e.Reason, &details, &e.RequestID, &e.IP, &e.PrevHash, &e.Hash); err != nil {
		return err
	}
	e.At = at.UTC()
	e.Details = []byte(details)
	return nil
}
