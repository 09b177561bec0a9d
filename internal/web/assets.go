package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"github.com/radnice/radnice/internal/httpx"
)

//go:embed static
var staticFiles embed.FS

// AssetVersion changes whenever a static file does, so browsers may cache
// them for a year.
var AssetVersion = func() string {
	h := sha256.New()
	fs.WalkDir(staticFiles, "static", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := staticFiles.ReadFile(path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:10]
}()

// Static serves the embedded files under /static/ for every host (the
// unknown-host page needs its stylesheet too). Folders are not listed.
func Static() http.Handler {
	sub, _ := fs.Sub(staticFiles, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if st, err := fs.Stat(sub, name); name == "" || err != nil || st.IsDir() {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("v") == AssetVersion {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=300")
		}
		files.ServeHTTP(w, r)
	})
}

// townCSS gives the town's colours as CSS custom properties: the only
// per-town styling, kept out of the HTML so the CSP can forbid inline styles.
func (h *Handlers) townCSS(w http.ResponseWriter, r *http.Request) {
	t := httpx.Tenant(r.Context())
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	fmt.Fprintf(w, ":root{--primary:%s;--primary-dark:%s;--accent:%s}\n", t.ColorPrimary, darken(t.ColorPrimary, 0.25), t.ColorAccent)
}

// coatOfArms serves the town's SVG under a CSP of its own: opened directly,
// an SVG could otherwise run script in the portal's origin.
func (h *Handlers) coatOfArms(w http.ResponseWriter, r *http.Request) {
	t := httpx.Tenant(r.Context())
	svg := t.CoatOfArms
	if svg == "" {
		svg = defaultArms
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write([]byte(svg))
}

const defaultArms = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 120"><path d="M5 5h90v55c0 30-20 45-45 55C25 105 5 90 5 60z" fill="#1f4e8c" stroke="#000" stroke-width="3"/></svg>`

// darken mixes a #rrggbb colour with black.
func darken(hex string, by float64) string {
	if len(hex) != 7 {
		return hex
	}
	out := "#"
	for i := 1; i < 7; i += 2 {
		v, _ := strconv.ParseUint(hex[i:i+2], 16, 8)
		out += fmt.Sprintf("%02x", int(float64(v)*(1-by)))
	}
	return out
}
