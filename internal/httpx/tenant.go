package httpx

import (
	"errors"
	"net/http"

	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/tenant"
)

// ResolveTenant puts the town named by the request's Host in the context;
// for a host that serves no town it answers with unknown (a plain 404).
func ResolveTenant(reg *tenant.Registry, unknown, failed http.Handler, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, err := reg.ByHost(r.Context(), r.Host)
		if errors.Is(err, derr.ErrNotFound) {
			SetRoute(r.Context(), "unknown-host")
			unknown.ServeHTTP(w, r)
			return
		}
		if err != nil {
			failed.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithTenant(r.Context(), t)))
	})
}
