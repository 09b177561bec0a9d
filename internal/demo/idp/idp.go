// Package idp is the demo identity provider: a real OpenID Connect provider
// (oidc.Provider) whose login page lets a visitor pick one of a town's
// invented people instead of proving who they are. Only demo mode mounts
// it; every page of it says it is not a real NIA or BankID.
//
// Each town is a client with its own personas. The subject is pairwise (it
// differs between towns for the same persona) and stable across logins.
// A BankID-like client also gets the birth number as verified_claims under
// the trust framework cz_aml.
package idp

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/auth/oidc"
	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/web"
)

// Persona is an invented person one can log in as.
type Persona struct {
	Key            string // stable, e.g. "jizerov-rep"; the subject derives from it
	Label, LabelEN string // "Jednatel firmy" / "Company director"
	Note, NoteEN   string // one sentence: what this person shows in the demo
	GivenName      string
	FamilyName     string
	BirthDate      string // YYYY-MM-DD
	BirthNumber    string // rodné číslo or ""
	Email          string
}

// Client is a town's portal as a client of the demo provider.
type Client struct {
	ID, Secret      string
	Name            string // the town, shown on the picker ("Jizerov")
	Personas        func(ctx context.Context) ([]Persona, error)
	RedirectAllowed func(uri string) bool
	// VerifiedClaims makes the provider BankID-like: the ID token carries
	// verified_claims (trust framework cz_aml: given_name, family_name,
	// birthdate, birthnumber) for a persona with a birth number.
	VerifiedClaims bool
}

// Server is the demo identity provider, an http.Handler serving under the
// issuer's path (mount it at "/demo-idp/" for the issuer
// http://host/demo-idp).
type Server struct {
	p       *oidc.Provider
	clients map[string]Client
	action  string // the authorization endpoint's path, where the picker posts
}

// New makes the provider for issuer with the given clients.
func New(issuer string, clients ...Client) (*Server, error) {
	p, err := oidc.NewProvider(issuer)
	if err != nil {
		return nil, fmt.Errorf("demo idp: %w", err)
	}
	u, err := url.Parse(issuer) // NewProvider checked it
	if err != nil {
		return nil, fmt.Errorf("demo idp: %w", err)
	}
	s := &Server{p: p, clients: map[string]Client{}, action: u.Path + "/authorize"}
	for _, c := range clients {
		if c.Name == "" || c.Personas == nil {
			return nil, fmt.Errorf("demo idp: client %q: name and personas are required", c.ID)
		}
		if err := p.AddClient(oidc.ClientReg{ID: c.ID, Secret: c.Secret, RedirectAllowed: c.RedirectAllowed}); err != nil {
			return nil, fmt.Errorf("demo idp: %w", err)
		}
		s.clients[c.ID] = c
	}
	p.Authorize = s.authorize
	return s, nil
}

// Issuer is the issuer URL.
func (s *Server) Issuer() string { return s.p.Issuer() }

// ServeHTTP serves discovery, keys, the picker and the token endpoint.
// Nothing it answers may be cached.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.p.ServeHTTP(w, r)
}

// Subject is the pairwise subject of a persona for a client: the first 16
// bytes of SHA-256(clientID "|" key), base64url.
func Subject(clientID, personaKey string) string {
	h := sha256.Sum256([]byte(clientID + "|" + personaKey))
	return base64.RawURLEncoding.EncodeToString(h[:16])
}

// authorize is the provider's hook, called only for a validated request:
// GET shows the picker, POST logs in as the chosen persona or cancels.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, req *oidc.AuthRequest) {
	c := s.clients[req.ClientID]
	lang := chooseLang(r)
	origin, ok := httpx.Origin(req.RedirectURI)
	if !ok {
		plainError(w, http.StatusBadRequest, "Neplatná adresa pro návrat.", "Invalid redirect address.")
		return
	}
	if r.Method != http.MethodPost {
		s.picker(w, r, c, req, lang, origin, "", http.StatusOK)
		return
	}
	switch r.PostForm.Get("action") {
	case "cancel":
		if err := s.p.Deny(w, r, req); err != nil {
			slog.WarnContext(r.Context(), "demo idp: deny", "client", c.ID, "err", err)
		}
		return
	case "login":
	default:
		plainError(w, http.StatusBadRequest, "Neznámá akce.", "Unknown action.")
		return
	}
	key := r.PostForm.Get("persona")
	if key == "" {
		s.picker(w, r, c, req, lang, origin, texts[lang].Choose, http.StatusBadRequest)
		return
	}
	personas, err := c.Personas(r.Context())
	if err != nil {
		slog.ErrorContext(r.Context(), "demo idp: personas", "client", c.ID, "err", err)
		plainError(w, http.StatusInternalServerError, "Demo osoby se nepodařilo načíst.", "Could not load the demo people.")
		return
	}
	var chosen *Persona
	for i := range personas {
		if personas[i].Key != "" && personas[i].Key == key {
			chosen = &personas[i]
			break
		}
	}
	if chosen == nil {
		plainError(w, http.StatusBadRequest, "Neznámá osoba.", "Unknown person.")
		return
	}
	if err := s.p.Approve(w, r, req, Subject(c.ID, chosen.Key), claimsOf(c, chosen)); err != nil {
		slog.ErrorContext(r.Context(), "demo idp: approve", "client", c.ID, "err", err)
	}
}

// claimsOf are the ID token claims for a persona.
func claimsOf(c Client, p *Persona) map[string]any {
	cl := map[string]any{}
	set := func(k, v string) {
		if v != "" {
			cl[k] = v
		}
	}
	set("given_name", p.GivenName)
	set("family_name", p.FamilyName)
	set("name", strings.TrimSpace(p.GivenName+" "+p.FamilyName))
	set("birthdate", p.BirthDate)
	if p.Email != "" {
		cl["email"] = p.Email
		cl["email_verified"] = true
	}
	if c.VerifiedClaims && p.BirthNumber != "" {
		verified := map[string]any{"birthnumber": digits(p.BirthNumber)} // BankID sends digits only
		for k, v := range map[string]string{"given_name": p.GivenName, "family_name": p.FamilyName, "birthdate": p.BirthDate} {
			if v != "" {
				verified[k] = v
			}
		}
		cl["verified_claims"] = map[string]any{
			"verification": map[string]any{"trust_framework": oidc.TrustFrameworkCZAML},
			"claims":       verified,
		}
	}
	return cl
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// maskBirthNumber shows only the part after the slash: "******/1234".
func maskBirthNumber(s string) string {
	d := digits(s)
	if len(d) <= 6 {
		return "******"
	}
	return "******/" + d[6:]
}

// chooseLang: the lang parameter (kept in the form), else the browser's
// first supported language, else Czech.
func chooseLang(r *http.Request) i18n.Lang {
	v := r.URL.Query().Get("lang")
	if r.Method == http.MethodPost {
		v = r.PostForm.Get("lang")
	}
	if l, ok := i18n.Parse(v); ok {
		return l
	}
	for part := range strings.SplitSeq(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(tag, "-")
		if l, ok := i18n.Parse(base); ok {
			return l
		}
	}
	return i18n.CS
}

// pageTexts are the picker's words in one language.
type pageTexts struct {
	Title, Banner, Heading, NotReal, Explain, For, Legend, Born, BirthNumber,
	Submit, Cancel, Choose, NoPersonas, Switch string
}

var texts = map[i18n.Lang]pageTexts{
	i18n.CS: {
		Title:       "Demo přihlášení",
		Banner:      "DEMO – nejde o skutečné přihlášení",
		Heading:     "Demonstrační poskytovatel identity",
		NotReal:     "Toto není skutečná Národní identitní autorita (NIA) ani BankID.",
		Explain:     "Slouží jen k předvedení portálu: vyberte si vymyšlenou osobu a přihlaste se za ni. Nic se tu nezadává ani neověřuje.",
		For:         "Přihlášení do portálu:",
		Legend:      "Za koho se chcete přihlásit?",
		Born:        "datum narození",
		BirthNumber: "rodné číslo",
		Submit:      "Přihlásit se",
		Cancel:      "Zrušit",
		Choose:      "Vyberte osobu, za kterou se chcete přihlásit.",
		NoPersonas:  "Pro tento portál nejsou připraveny žádné demo osoby.",
		Switch:      "English",
	},
	i18n.EN: {
		Title:       "Demo sign-in",
		Banner:      "DEMO – not a real sign-in",
		Heading:     "Demo identity provider",
		NotReal:     "This is not the real National Identity Authority (NIA) or BankID.",
		Explain:     "It only demonstrates the portal: pick an invented person and sign in as them. Nothing is entered or checked here.",
		For:         "Signing in to the portal of",
		Legend:      "Who do you want to sign in as?",
		Born:        "born",
		BirthNumber: "birth number",
		Submit:      "Sign in",
		Cancel:      "Cancel",
		Choose:      "Choose the person you want to sign in as.",
		NoPersonas:  "No demo people are prepared for this portal.",
		Switch:      "Česky",
	},
}

//go:embed picker.html
var pickerHTML string

var pickerTmpl = template.Must(template.New("picker").Parse(pickerHTML))

type hiddenField struct{ Name, Value string }

type personaView struct {
	ID, Key, Label, Note, Name, BirthDate, BirthNumber string
}

type pickerData struct {
	Lang       i18n.Lang
	T          pageTexts
	Town       string
	Stylesheet string
	Action     string
	Hidden     []hiddenField
	Personas   []personaView
	Error      string
	Other      i18n.Lang
	OtherHref  string
}

// picker renders the persona picker for a validated request.
func (s *Server) picker(w http.ResponseWriter, r *http.Request, c Client, req *oidc.AuthRequest, lang i18n.Lang, origin, errMsg string, status int) {
	personas, err := c.Personas(r.Context())
	if err != nil {
		slog.ErrorContext(r.Context(), "demo idp: personas", "client", c.ID, "err", err)
		plainError(w, http.StatusInternalServerError, "Demo osoby se nepodařilo načíst.", "Could not load the demo people.")
		return
	}
	other := i18n.EN
	if lang == i18n.EN {
		other = i18n.CS
	}
	params := req.Values()
	otherParams := req.Values()
	otherParams.Set("lang", string(other))
	d := pickerData{
		Lang:       lang,
		T:          texts[lang],
		Town:       c.Name,
		Stylesheet: "/static/site.css?v=" + web.AssetVersion,
		Action:     s.action,
		Error:      errMsg,
		Other:      other,
		OtherHref:  s.action + "?" + otherParams.Encode(),
	}
	for _, k := range []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce",
		"code_challenge", "code_challenge_method", "acr_values"} {
		if params.Has(k) {
			d.Hidden = append(d.Hidden, hiddenField{k, params.Get(k)})
		}
	}
	d.Hidden = append(d.Hidden, hiddenField{"lang", string(lang)})
	for i, p := range personas {
		if p.Key == "" {
			continue
		}
		v := personaView{ID: "osoba-" + strconv.Itoa(i), Key: p.Key, Label: p.Label, Note: p.Note,
			Name: strings.TrimSpace(p.GivenName + " " + p.FamilyName), BirthDate: showDate(lang, p.BirthDate)}
		if lang == i18n.EN {
			v.Label, v.Note = orElse(p.LabelEN, p.Label), orElse(p.NoteEN, p.Note)
		}
		if p.BirthNumber != "" {
			v.BirthNumber = maskBirthNumber(p.BirthNumber)
		}
		d.Personas = append(d.Personas, v)
	}
	var buf bytes.Buffer
	if err := pickerTmpl.Execute(&buf, d); err != nil {
		slog.ErrorContext(r.Context(), "demo idp: picker", "err", err)
		plainError(w, http.StatusInternalServerError, "Stránku se nepodařilo zobrazit.", "The page could not be shown.")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", httpx.CSPFormAction(origin))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func orElse(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// showDate formats YYYY-MM-DD the portal's way; anything else as given.
func showDate(lang i18n.Lang, s string) string {
	t, err := time.ParseInLocation(time.DateOnly, s, i18n.Prague)
	if err != nil {
		return s
	}
	return i18n.Date(lang, t)
}

// plainError is a short page in both languages, Czech first.
func plainError(w http.ResponseWriter, status int, cs, en string) {
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, cs+"\n"+en, status)
}
