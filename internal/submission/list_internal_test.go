package submission

import (
	"context"
	"strings"
	"testing"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
)

// The case list reads its index, on either engine: the planner is asked
// with an empty table, where PostgreSQL is told not to prefer a scan (as
// it would for a handful of rows).
func TestCaseListUsesIndex(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t)
	ctx := context.Background()
	for q, index := range map[string]string{listByPerson: "submissions_person", listByCompany: "submissions_company"} {
		var plan []string
		err := d.InTx(ctx, func(tx *db.Tx) error {
			explain := "EXPLAIN QUERY PLAN "
			if d.Dialect() == db.Postgres {
				explain = "EXPLAIN "
				if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
					return err
				}
			}
			rows, err := tx.Query(ctx, explain+q, int64(1), int64(2), 50)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				if d.Dialect() == db.Postgres {
					var line string
					if err := rows.Scan(&line); err != nil {
						return err
					}
					plan = append(plan, line)
					continue
				}
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					return err
				}
				plan = append(plan, detail)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		if p := strings.Join(plan, "\n"); !strings.Contains(p, index) || strings.Contains(p, "SCAN submissions\n") || strings.HasSuffix(p, "SCAN submissions") {
			t.Errorf("%s does not read %s:\n%s", q, index, p)
		}
	}
}
