package app

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/fixture"
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
