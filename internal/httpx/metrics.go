package httpx

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/radnice/radnice/internal/db"
)

// Metrics is the process's Prometheus registry and its HTTP instruments.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers the HTTP, runtime, database pool and job queue
// metrics for d.
func NewMetrics(d *db.DB) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "radnice_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "radnice_http_request_duration_seconds", Help: "HTTP request duration by route pattern, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method", "status"}),
	}
	reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if d != nil {
		if d.Dialect() == db.SQLite {
			reg.MustRegister(collectors.NewDBStatsCollector(d.SQLWriter(), "sqlite_writer"),
				collectors.NewDBStatsCollector(d.SQLReader(), "sqlite_reader"))
		} else {
			reg.MustRegister(&pgxPoolCollector{d: d})
		}
		reg.MustRegister(&jobCollector{d: d})
	}
	return m
}

func (m *Metrics) observe(method, route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, method, code).Inc()
	m.duration.WithLabelValues(route, method, code).Observe(d.Seconds())
}

// Handler serves /metrics; with a token, only to "Authorization: Bearer <token>".
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	want := "Bearer " + token
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !constantTimeEqual(r.Header.Get("Authorization"), want) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

var (
	poolDesc = prometheus.NewDesc("radnice_db_pool_connections", "PostgreSQL pool connections by state.", []string{"state"}, nil)
	poolMax  = prometheus.NewDesc("radnice_db_pool_max_connections", "PostgreSQL pool size.", nil, nil)
	poolWait = prometheus.NewDesc("radnice_db_pool_wait_seconds_total", "Time spent waiting for a PostgreSQL connection.", nil, nil)
	jobsDesc = prometheus.NewDesc("radnice_jobs", "Jobs in the queue by state.", []string{"state"}, nil)
)

type pgxPoolCollector struct{ d *db.DB }

func (c *pgxPoolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- poolDesc
	ch <- poolMax
	ch <- poolWait
}

func (c *pgxPoolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.d.Pool().Stat()
	ch <- prometheus.MustNewConstMetric(poolDesc, prometheus.GaugeValue, float64(s.AcquiredConns()), "acquired")
	ch <- prometheus.MustNewConstMetric(poolDesc, prometheus.GaugeValue, float64(s.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(poolDesc, prometheus.GaugeValue, float64(s.ConstructingConns()), "constructing")
	ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(poolWait, prometheus.CounterValue, s.AcquireDuration().Seconds())
}

// jobCollector counts jobs by state when scraped, with a short deadline so a
// slow database cannot hang the scrape.
type jobCollector struct{ d *db.DB }

func (c *jobCollector) Describe(ch chan<- *prometheus.Desc) { ch <- jobsDesc }

func (c *jobCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := c.d.Read().Query(ctx, `SELECT state, count(*) FROM river_job GROUP BY state`)
	if err != nil {
		return
	}
	defer rows.Close()
	// Every state is reported, zero included, so alerts see a series.
	counts := map[string]int64{"available": 0, "cancelled": 0, "completed": 0, "discarded": 0,
		"pending": 0, "retryable": 0, "running": 0, "scheduled": 0}
	for rows.Next() {
		var state string
		var n int64
		if rows.Scan(&state, &n) == nil {
			counts[state] = n
		}
	}
	if rows.Err() != nil {
		return
	}
	for state, n := range counts {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(n), state)
	}
}
