package casework_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/casework"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/submission"
)

// BenchmarkQueue is the first page of a case worker's queue, with the
// counts by state, in a department with 20,000 cases (half of them open)
// among 60,000 of the town:
//
//	go test ./internal/casework -run '^$' -bench Queue
func BenchmarkQueue(b *testing.B) {
	r := newRig(b)
	departments := []string{econ, "Odbor dopravy", "Podatelna"}
	states := []string{"registered", "in_progress", "closed", "approved"}
	now := time.Now().UTC()
	err := r.d.InTx(r.ctx, func(tx *db.Tx) error {
		var rows [][]any
		for i := range 60_000 {
			at := now.Add(-time.Duration(i) * time.Minute)
			ref := "P-" + strconv.Itoa(i)
			rows = append(rows, []any{r.tn.ID, "paper", r.person, "Žádost " + strconv.Itoa(i), departments[i%3], states[i%4], ref, ref, at, at})
		}
		return db.InsertRows(r.ctx, tx, "submissions", []string{"tenant_id", "channel", "person_id", "title", "department", "state",
			"reference", "records_id", "submitted_at", "updated_at"}, rows)
	})
	if err != nil {
		b.Fatal(err)
	}
	// As the table would be in a running town: statistics gathered and,
	// on PostgreSQL, the visibility map set (autovacuum's work).
	analyze := `ANALYZE`
	if r.d.Dialect() == db.Postgres {
		analyze = `VACUUM ANALYZE submissions`
	}
	if _, err := r.d.Write().Exec(r.ctx, analyze); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		q, err := r.svc.Queue(r.ctx, r.tn.ID, r.worker, casework.Filter{})
		if err != nil || len(q.Rows) != casework.PageSize || q.Counts[submission.StateClosed] == 0 {
			b.Fatalf("%d rows, %v", len(q.Rows), err)
		}
	}
}
