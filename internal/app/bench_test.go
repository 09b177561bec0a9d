package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/session"
)

// BenchmarkHomePage renders the home page through the whole stack (logs,
// metrics, security headers, town, language, session layer, template) and
// reports pages per second:
//
//	go test ./internal/app -run '^$' -bench HomePage -benchtime 3s
func BenchmarkHomePage(b *testing.B) {
	h, _ := testPortal(b, func(d *db.DB) { fixture.Town(b, d, "lhota", 0) })
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Host = "lhota.test"
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

// BenchmarkAccountPage renders /muj-ucet for a signed-in company
// representative: session, principal (account, parties, terms), the
// person's record and obligations with their balances:
//
//	go test ./internal/app -run '^$' -bench AccountPage -benchtime 3s
func BenchmarkAccountPage(b *testing.B) {
	var cookie string
	h, _ := testPortal(b, func(d *db.DB) {
		town := fixture.Town(b, d, "lhota", 200)
		var acc int64
		if err := d.Read().QueryRow(context.Background(), `SELECT min(id) FROM accounts WHERE tenant_id = $1`, town.ID).Scan(&acc); err != nil {
			b.Fatal(err)
		}
		tok, _, err := (&session.Store{DB: d, Idle: time.Hour, Max: time.Hour}).Create(context.Background(), town.ID,
			map[string]string{access.KeyAccount: strconv.FormatInt(acc, 10), access.KeyLevel: "2"})
		if err != nil {
			b.Fatal(err)
		}
		cookie = "radnice=" + tok
	})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest(http.MethodGet, "/muj-ucet", nil)
			r.Host = "lhota.test"
			r.Header.Set("Cookie", cookie)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}
