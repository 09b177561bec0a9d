package httpx

import (
	"context"
	"net/http"
	"strings"

	"github.com/radnice/radnice/internal/i18n"
)

// LangCookie holds the language a person chose.
const LangCookie = "lang"

// ChooseLang decides the language: the person's choice (cookie), else the
// first supported language the browser asks for, else the town's default.
func ChooseLang(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := i18n.CS
		if t := Tenant(r.Context()); t != nil && t.DefaultLang != "" {
			lang = t.DefaultLang
		}
		if c, err := r.Cookie(LangCookie); err == nil {
			if l, ok := i18n.Parse(c.Value); ok {
				lang = l
				next.ServeHTTP(w, r.WithContext(WithLang(r.Context(), lang)))
				return
			}
		}
		if l, ok := fromAcceptLanguage(r.Header.Get("Accept-Language")); ok {
			lang = l
		}
		w.Header().Add("Vary", "Accept-Language")
		next.ServeHTTP(w, r.WithContext(WithLang(r.Context(), lang)))
	})
}

// WithLang is for tests and for layers that choose the language themselves.
func WithLang(ctx context.Context, l i18n.Lang) context.Context {
	return context.WithValue(ctx, langKey, l)
}

// fromAcceptLanguage takes the first language in the header we support; the
// order of the header is the browser's preference (q values are rarely out
// of order in practice, and a wrong guess costs one click on the switch).
func fromAcceptLanguage(h string) (i18n.Lang, bool) {
	for part := range strings.SplitSeq(h, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(tag, "-")
		if l, ok := i18n.Parse(base); ok {
			return l, true
		}
	}
	return "", false
}
