package httpx_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/radnice/radnice/internal/httpx"
)

// Bodies are capped at the portal's limit, except on the routes that name
// their own: only there, and only with that route's method, is more read.
func TestLimitBody(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	read := func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		io.WriteString(w, strconv.FormatInt(n, 10))
	}
	mux.HandleFunc("POST /upload/{id}", read)
	mux.HandleFunc("PUT /upload/{id}", read)
	mux.HandleFunc("POST /form", read)
	h := httpx.LimitBody(mux, 10, map[string]int64{"POST /upload/{id}": 100}, httpx.Route(mux))
	cases := []struct {
		method, path string
		size         int
		want         int
	}{
		{"POST", "/form", 10, 200},
		{"POST", "/form", 11, 413},
		{"POST", "/upload/7", 100, 200},
		{"POST", "/upload/7", 101, 413},
		{"PUT", "/upload/7", 11, 413}, // the same path, another route
		{"POST", "/upload/7/", 50, 404},
	}
	for _, c := range cases {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(c.method, c.path, strings.NewReader(strings.Repeat("x", c.size))))
		if w.Code != c.want {
			t.Errorf("%s %s with %d bytes: %d, want %d", c.method, c.path, c.size, w.Code, c.want)
		}
	}
}
