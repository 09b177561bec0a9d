package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"time"
)

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// Observe is the outermost layer: it gives the request an id (keeping a
// sane X-Request-Id from a trusted proxy), recovers from panics with
// onPanic's page, and when the response is done writes the access log line
// and the metrics.
func Observe(log *slog.Logger, m *Metrics, trustProxy bool, onPanic http.Handler, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		in := &info{id: r.Header.Get("X-Request-Id")}
		if !trustProxy || !requestIDRE.MatchString(in.id) {
			in.id = newRequestID()
		}
		w.Header().Set("X-Request-Id", in.id)
		ctx := context.WithValue(r.Context(), infoKey, in)
		r = r.WithContext(ctx)
		rec := &recorder{ResponseWriter: w}

		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(ctx, "panic", "request_id", in.id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if !rec.wrote {
					onPanic.ServeHTTP(rec, r)
				}
			}
			dur := time.Since(start)
			route := in.pattern
			if route == "" {
				route = "unmatched"
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			m.observe(r.Method, route, status, dur)
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			// The path only: a query string may carry personal data.
			log.LogAttrs(ctx, level, "request",
				slog.String("request_id", in.id),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int64("bytes", rec.bytes),
				slog.Float64("ms", float64(dur.Microseconds())/1000),
				slog.String("tenant", in.tenant),
				slog.String("remote", ClientIP(r, trustProxy)),
			)
		}()
		next.ServeHTTP(rec, r)
	})
}

// Route records the matched ServeMux pattern for logs and metrics; wrap the
// mux with it (the mux sets r.Pattern on the request it was handed).
func Route(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		// An inner mux has named the route already: keep the finer name.
		if in := infoFrom(r.Context()); in.pattern == "" {
			in.pattern = r.Pattern
		}
	})
}

// SetRoute names the route of a request answered outside a mux.
func SetRoute(ctx context.Context, name string) { infoFrom(ctx).pattern = name }

// ClientIP is the address the request came from; X-Forwarded-For is used
// only behind a trusted proxy (its last hop is the proxy's view).
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			last := xff
			for i := len(xff) - 1; i >= 0; i-- {
				if xff[i] == ',' {
					last = xff[i+1:]
					break
				}
			}
			if ip := net.ParseIP(trimSpace(last)); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func trimSpace(s string) string {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return s
}

func newRequestID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.status, r.wrote = http.StatusOK, true
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush lets streaming responses through.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// IsSecure reports whether the client reached us over TLS.
func IsSecure(r *http.Request, trustProxy bool) bool {
	if r.TLS != nil {
		return true
	}
	return trustProxy && r.Header.Get("X-Forwarded-Proto") == "https"
}
