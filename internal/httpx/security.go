package httpx

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// CSP allows only the portal's own files: no inline script or style, no
// plug-ins, no framing, forms post only to the portal.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// SecurityHeaders sets the headers every response carries; HSTS only over
// TLS (sent over plain HTTP it would be ignored, and on localhost harmful).
func SecurityHeaders(trustProxy bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(self), payment=()")
		if IsSecure(r, trustProxy) {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// CSRF rejects cross-origin state-changing requests (POST, PUT, DELETE ...)
// with denied's answer, using the browser's Sec-Fetch-Site and Origin
// headers. Signed server-to-server callbacks (payment gateways) are exempted
// by pattern where they are registered, never wholesale.
func CSRF(denied http.Handler, bypass []string, next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	for _, p := range bypass {
		cop.AddInsecureBypassPattern(p)
	}
	cop.SetDenyHandler(denied)
	return cop.Handler(next)
}

// hostPort is a host name or IPv4 address, or a bracketed IPv6 address,
// with an optional port: nothing that could end a CSP directive.
var hostPort = regexp.MustCompile(`^([a-z0-9.-]+|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$`)

// Origin is the origin ("https://host:port") of an absolute http(s) URL,
// when it is safe to write into a CSP directive.
func Origin(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || len(raw) > 2000 {
		return "", false
	}
	host := strings.ToLower(u.Host)
	if !hostPort.MatchString(host) {
		return "", false
	}
	return u.Scheme + "://" + host, true
}

// CSPFormAction is the portal's policy with form-action widened to the
// origins (space-separated, from Origin): for a page whose form's answer
// redirects to another host, such as the demo identity provider's or a
// fake gateway's, since browsers apply form-action to redirects.
func CSPFormAction(origins string) string {
	if origins == "" {
		return CSP
	}
	return strings.Replace(CSP, "form-action 'self'", "form-action 'self' "+origins, 1)
}
