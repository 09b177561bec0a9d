package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/session"
	"github.com/radnice/radnice/internal/submission"
)

// BenchmarkCaseList renders /podani through the whole HTTP stack for a
// person with 200 cases (150 filed in the portal, 50 on paper), one
// request at a time, and reports the latency's median and 99th
// percentile (goal: p99 under 20 ms on either engine):
//
//	go test ./internal/app -run '^$' -bench CaseList -benchtime 2000x
func BenchmarkCaseList(b *testing.B) {
	const cases = 200
	ctx := context.Background()
	var cookie string
	h, _ := testPortal(b, func(d *db.DB) {
		town := fixture.Town(b, d, "lhota", 40)
		var person, acc int64
		if err := d.Read().QueryRow(ctx, `SELECT person_id, id FROM accounts WHERE tenant_id = $1 AND person_id IS NOT NULL
			ORDER BY id LIMIT 1`, town.ID).Scan(&person, &acc); err != nil {
			b.Fatal(err)
		}
		var formID int64
		if err := d.Read().QueryRow(ctx, `SELECT id FROM forms WHERE tenant_id = $1 ORDER BY id LIMIT 1`, town.ID).Scan(&formID); err != nil {
			b.Fatal(err)
		}
		at := time.Now().Add(-cases * time.Hour)
		store := &submission.Store{DB: d, Now: func() time.Time { return at }}
		for i := range cases {
			at = at.Add(time.Hour)
			if i%4 == 3 {
				err := d.InTx(ctx, func(tx *db.Tx) error {
					_, _, err := store.UpsertPaper(ctx, tx, town.ID, submission.Paper{RecordsID: fmt.Sprint("BENCH-", i),
						Reference: fmt.Sprintf("MU/%d/2026", i), Title: fmt.Sprint("Listinné podání ", i), Department: "Podatelna",
						PersonID: person, FiledAt: at})
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				continue
			}
			sub, _, err := store.File(ctx, submission.Filing{TenantID: town.ID, Token: fmt.Sprint("bench-", i), AccountID: acc, PersonID: person,
				FormID: formID, FormVersion: 1, Title: fmt.Sprint("Obecné podání ", i), Department: "Podatelna",
				Answers: form.Answers{"predmet": {fmt.Sprint("Žádost číslo ", i)}, "text": {strings.Repeat("Text žádosti. ", 20)}}})
			if err != nil {
				b.Fatal(err)
			}
			if i%2 == 0 {
				if err := store.Register(ctx, town.ID, sub.ID, fmt.Sprintf("MU/%d/2026", i), fmt.Sprint("REC-B-", i)); err != nil {
					b.Fatal(err)
				}
			}
		}
		tok, _, err := (&session.Store{DB: d, Idle: time.Hour, Max: time.Hour}).Create(ctx, town.ID,
			map[string]string{access.KeyAccount: strconv.FormatInt(acc, 10), access.KeyLevel: "2"})
		if err != nil {
			b.Fatal(err)
		}
		cookie = "radnice=" + tok
	})
	get := func() (time.Duration, *httptest.ResponseRecorder) {
		r := httptest.NewRequest(http.MethodGet, "/podani", nil)
		r.Host = "lhota.test"
		r.Header.Set("Cookie", cookie)
		w := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(w, r)
		return time.Since(start), w
	}
	// The page lists every case (the fixture's own one too).
	if _, w := get(); w.Code != http.StatusOK || strings.Count(w.Body.String(), `<li class="box">`) < cases {
		b.Fatalf("/podani: %d, %d cases shown", w.Code, strings.Count(w.Body.String(), `<li class="box">`))
	}
	b.ReportAllocs()
	b.ResetTimer()
	took := make([]time.Duration, 0, b.N)
	for range b.N {
		d, w := get()
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
		took = append(took, d)
	}
	b.StopTimer()
	slices.Sort(took)
	pct := func(p float64) float64 {
		return float64(took[min(len(took)-1, int(p*float64(len(took))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.Logf("/podani with %d cases, %d requests: p50 %.2f ms, p99 %.2f ms", cases, len(took), pct(0.50), pct(0.99))
}
