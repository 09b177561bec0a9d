package payment_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/payment"
)

// BenchmarkReconcile imports a statement of 100,000 incoming transfers
// against a town with 1,000,000 obligations (RADNICE_BENCH_OBLIGATIONS and
// RADNICE_BENCH_TRANSACTIONS change the sizes) and reports the time per
// statement:
//
//	go test ./internal/payment -run '^$' -bench Reconcile -benchtime 1x
//
// Nine in ten transfers carry an obligation's variable symbol, the rest
// nobody's. Setting up the obligations is not timed.
func BenchmarkReconcile(b *testing.B) {
	nObl, nTx := envInt("RADNICE_BENCH_OBLIGATIONS", 1_000_000), envInt("RADNICE_BENCH_TRANSACTIONS", 100_000)
	ctx := context.Background()
	d := dbtest.Open(b)
	tn := fixture.Town(b, d, "bench", 0)
	var person, kind int64
	err := d.InTx(ctx, func(tx *db.Tx) error {
		now := time.Now().UTC()
		if err := tx.QueryRow(ctx, `INSERT INTO persons (tenant_id, given_name, family_name, birth_date, created_at, updated_at)
			VALUES ($1, 'Jan', 'Novák', $2, $3, $3) RETURNING id`, tn.ID, time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), now).Scan(&person); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO obligation_kinds (tenant_id, code, name_cs, name_en, department)
			VALUES ($1, 'odpad', 'Poplatek za odpad', 'Waste fee', 'Finanční odbor') RETURNING id`, tn.ID).Scan(&kind); err != nil {
			return err
		}
		const per = 50_000
		for start := 0; start < nObl; start += per {
			rows := make([][]any, 0, per)
			for i := start; i < min(start+per, nObl); i++ {
				rows = append(rows, []any{tn.ID, kind, person, "2026", int64(80000), now, int64(1_260_000_000 + i), now})
			}
			if err := db.InsertRows(ctx, tx, "obligations", []string{"tenant_id", "kind_id", "person_id", "period", "amount",
				"due_date", "vs", "created_at"}, rows); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	svc := &payment.Service{DB: d}
	rng := rand.New(rand.NewPCG(1, 2))
	b.ResetTimer()
	for i := range b.N {
		txs := make([]payment.StatementTx, nTx)
		for j := range txs {
			vs := int64(1_260_000_000 + rng.IntN(nObl))
			if j%10 == 9 {
				vs = int64(5_000_000 + j)
			}
			txs[j] = payment.StatementTx{Ref: fmt.Sprintf("R%d-%d", i, j), Booked: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC),
				Amount: 80000, VS: vs}
		}
		start := time.Now()
		res, err := svc.Import(ctx, tn.ID, "CZ6508000000192000145399", txs)
		if err != nil {
			b.Fatal(err)
		}
		if res.Matched+res.Unmatched != nTx {
			b.Fatalf("import: %+v", res)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/statement")
	}
	b.ReportMetric(float64(nTx*b.N)/b.Elapsed().Seconds(), "tx/s")
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
