package httpx

import "net/http"

// LimitBody caps request bodies at limit bytes, except on the routes of mux
// named in own (by pattern, "POST /urad/platby/vypis"), which get their own
// limit instead: a larger upload is allowed where a route expects one and
// nowhere else. Reading past the limit fails with *http.MaxBytesError.
//
// The pattern is known only once mux has matched the route, so a request
// that may carry a body and when own names any routes asks mux first;
// GET and HEAD never do.
func LimitBody(mux *http.ServeMux, limit int64, own map[string]int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := limit
		if len(own) > 0 && r.Method != http.MethodGet && r.Method != http.MethodHead {
			if _, pattern := mux.Handler(r); own[pattern] > 0 {
				n = own[pattern]
			}
		}
		// MaxBytesHandler copies the request: a handler that wants the
		// pattern the mux sets must sit inside it (see Route).
		http.MaxBytesHandler(next, n).ServeHTTP(w, r)
	})
}
