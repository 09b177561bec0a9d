package app

import (
	"net/http"
	"strings"
	"testing"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/httpx"
)

func TestShell(t *testing.T) {
	t.Parallel()
	h, _ := testPortal(t, func(d *db.DB) { fixture.Town(t, d, "lhota", 0) })
	const host = "lhota.test"

	cases := []struct {
		name       string
		method     string
		host, path string
		header     map[string]string
		wantStatus int
		wantText   string
		wantHeader map[string]string
	}{
		{"home", "GET", host, "/", nil, 200, "Obec lhota", map[string]string{"Content-Security-Policy": httpx.CSP}},
		{"home with port", "GET", host + ":8080", "/", nil, 200, "Obec lhota", nil},
		{"host is case-insensitive", "GET", "LHOTA.TEST", "/", nil, 200, "Obec lhota", nil},
		{"contacts", "GET", host, "/kontakty", nil, 200, "lhota@example.org", nil},
		{"accessibility statement", "GET", host, "/prohlaseni-o-pristupnosti", nil, 200, "99/2019", nil},
		{"unknown page", "GET", host, "/neexistuje", nil, 404, "<h1", nil},
		{"unknown page in English", "GET", host, "/neexistuje", map[string]string{"Accept-Language": "en-GB,en;q=0.9"}, 404, `lang="en"`, nil},
		{"unknown host", "GET", "evil.test", "/", nil, 404, "<h1", nil},
		{"unknown host, health still answers", "GET", "10.0.0.1", "/healthz", nil, 200, `"ok"`, nil},
		{"readyz", "GET", "10.0.0.1", "/readyz", nil, 200, `"ok"`, nil},
		{"metrics", "GET", host, "/metrics", nil, 200, "radnice_http_requests_total", nil},
		{"static", "GET", host, "/static/site.css", nil, 200, "", map[string]string{"Content-Type": "text/css; charset=utf-8"}},
		{"static folder is not listed", "GET", host, "/static/", nil, 404, "", nil},
		{"static traversal is cleaned away", "GET", host, "/static/../../go.mod", nil, 307, "", map[string]string{"Location": "/go.mod"}},
		{"static encoded traversal", "GET", host, "/static/%2e%2e/%2e%2e/go.mod", nil, 404, "", nil},
		{"static missing file", "GET", host, "/static/nope.css", nil, 404, "", nil},
		{"town colours", "GET", host, "/barvy.css", nil, 200, "--primary:#1f4e8c", nil},
		{"coat of arms has its own CSP", "GET", host, "/erb.svg", nil, 200, "<svg", map[string]string{"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox"}},
		{"language switch", "GET", host, "/jazyk/en?next=/kontakty", nil, 303, "", map[string]string{"Location": "/kontakty"}},
		{"language switch refuses other sites", "GET", host, "/jazyk/en?next=//evil.test/x", nil, 303, "", map[string]string{"Location": "/"}},
		{"language switch refuses backslash", "GET", host, "/jazyk/en?next=/%5Cevil.test", nil, 303, "", map[string]string{"Location": "/"}},
		{"unknown language", "GET", host, "/jazyk/xx", nil, 404, "", nil},
		{"cross-origin POST refused", "POST", host, "/", map[string]string{"Origin": "https://evil.test", "Sec-Fetch-Site": "cross-site"}, 403, "<h1", nil},
		{"request id comes back", "GET", host, "/", map[string]string{"X-Request-Id": "spoofed-by-client"}, 200, "", nil},
	}
	for _, c := range cases {
		w := get(t, h, c.method, c.host, c.path, c.header)
		if w.Code != c.wantStatus {
			t.Errorf("%s: status %d, want %d\n%.300s", c.name, w.Code, c.wantStatus, w.Body.String())
			continue
		}
		if c.wantText != "" && !strings.Contains(w.Body.String(), c.wantText) {
			t.Errorf("%s: body lacks %q\n%.300s", c.name, c.wantText, w.Body.String())
		}
		for k, v := range c.wantHeader {
			if got := w.Header().Get(k); got != v {
				t.Errorf("%s: header %s = %q, want %q", c.name, k, got, v)
			}
		}
		// Every response carries the security headers and a request id.
		for _, k := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Request-Id"} {
			if w.Header().Get(k) == "" {
				t.Errorf("%s: no %s header", c.name, k)
			}
		}
		if w.Header().Get("X-Request-Id") == "spoofed-by-client" {
			t.Errorf("%s: a client's request id was trusted without a trusted proxy", c.name)
		}
		if w.Header().Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP", c.name)
		}
	}

	// The chosen language sticks.
	w := get(t, h, "GET", host, "/", map[string]string{"Cookie": "lang=en"})
	if !strings.Contains(w.Body.String(), `<html lang="en"`) {
		t.Errorf("lang cookie ignored:\n%.200s", w.Body.String())
	}
	// HSTS over TLS (as a trusted proxy would report it, the cookie test below too).
	r := httptestRequestTLS(host)
	rec := newRecorder()
	h.ServeHTTP(rec, r)
	if rec.Header().Get("Strict-Transport-Security") == "" {
		t.Errorf("no HSTS over TLS")
	}
}

// A page that panics answers with the localised 500 page, logs, and the
// server goes on.
func TestPanicRecovery(t *testing.T) {
	t.Parallel()
	_, p := testPortal(t, func(d *db.DB) { fixture.Town(t, d, "lhota", 0) })
	boom := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	h := httpx.Observe(p.log, p.metrics, false, p.web.ErrorHandler(500), boom)
	w := get(t, h, "GET", "lhota.test", "/", nil)
	if w.Code != 500 || !strings.Contains(w.Body.String(), w.Header().Get("X-Request-Id")) {
		t.Fatalf("panic: %d\n%.300s", w.Code, w.Body.String())
	}
}

// Metrics name routes by their pattern, not by the path (ids in paths would
// explode the label set).
func TestMetricsByRoute(t *testing.T) {
	t.Parallel()
	h, _ := testPortal(t, func(d *db.DB) { fixture.Town(t, d, "lhota", 0) })
	get(t, h, "GET", "lhota.test", "/", nil)
	get(t, h, "GET", "lhota.test", "/jazyk/en", nil)
	get(t, h, "GET", "lhota.test", "/missing/123", nil)
	body := get(t, h, "GET", "lhota.test", "/metrics", nil).Body.String()
	for _, want := range []string{
		`radnice_http_requests_total{method="GET",route="GET /{$}",status="200"} 1`,
		`radnice_http_requests_total{method="GET",route="GET /jazyk/{lang}",status="303"} 1`,
		`radnice_http_requests_total{method="GET",route="/",status="404"} 1`,
		`radnice_http_request_duration_seconds_bucket{method="GET",route="GET /{$}"`,
		`radnice_jobs{state=`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "/missing/123") {
		t.Error("a raw path became a metric label")
	}
}
