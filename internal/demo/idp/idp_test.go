package idp

import (
	"context"
	"errors"
	"github.com/radnice/radnice/internal/httpx"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/radnice/radnice/internal/auth/oidc"
	"golang.org/x/net/html"
)

const (
	jizerovRedirect = "http://localhost:8080/prihlaseni/navrat"
	vesRedirect     = "http://ves.localhost:8080/prihlaseni/navrat"
)

var (
	rep = Persona{
		Key: "rep", Label: "Jednatel firmy", LabelEN: "Company director",
		Note: "Vidí poplatky své firmy.", NoteEN: "Sees his company's fees.",
		GivenName: "Karel", FamilyName: "Jizerský", BirthDate: "1978-01-23",
		BirthNumber: "780123/3540", Email: "karel@jizerov.example",
	}
	senior = Persona{
		Key: "senior", Label: "Důchodkyně", LabelEN: "Pensioner",
		Note: "Platí za psa.", NoteEN: "Pays the dog fee.",
		GivenName: "Marie", FamilyName: "Stará", BirthDate: "1941-05-06",
		BirthNumber: "415506123", Email: "",
	}
	foreigner = Persona{
		Key: "foreigner", Label: "Cizinka", LabelEN: "Foreign resident",
		Note: "Nemá rodné číslo.", NoteEN: "Has no birth number.",
		GivenName: "Anna", FamilyName: "Schmidt", BirthDate: "1990-12-01", Email: "anna@example.de",
	}
)

type env struct {
	srv    *httptest.Server
	s      *Server
	issuer string
}

func exactly(u string) func(string) bool { return func(got string) bool { return got == u } }

func setup(t *testing.T) *env {
	t.Helper()
	mux := http.NewServeMux()
	e := &env{srv: httptest.NewServer(mux)}
	t.Cleanup(e.srv.Close)
	e.issuer = e.srv.URL + "/demo-idp"
	s, err := New(e.issuer,
		Client{ID: "jizerov", Secret: "j-secret", Name: "Jizerov", VerifiedClaims: true,
			RedirectAllowed: exactly(jizerovRedirect),
			Personas: func(context.Context) ([]Persona, error) {
				return []Persona{rep, senior, foreigner}, nil
			}},
		Client{ID: "horni-ves", Secret: "v-secret", Name: "Horní Ves",
			RedirectAllowed: exactly(vesRedirect),
			Personas: func(context.Context) ([]Persona, error) {
				return []Persona{rep}, nil
			}},
	)
	if err != nil {
		t.Fatal(err)
	}
	if s.Issuer() != e.issuer {
		t.Fatalf("Issuer() = %q", s.Issuer())
	}
	mux.Handle("/demo-idp/", s)
	e.s = s
	return e
}

func (e *env) rp(t *testing.T, clientID string) *oidc.Client {
	t.Helper()
	secret, redirect := "j-secret", jizerovRedirect
	if clientID == "horni-ves" {
		secret, redirect = "v-secret", vesRedirect
	}
	c, err := oidc.New(context.Background(), oidc.ProviderConfig{
		Name: "Demo BankID", Issuer: e.issuer, ClientID: clientID, ClientSecret: secret,
		RedirectURL: redirect, Profile: oidc.BankID, Scopes: []string{"profile", "email"},
	}, e.srv.Client())
	if err != nil {
		t.Fatalf("oidc.New: %v", err)
	}
	return c
}

func (e *env) do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	hc := *e.srv.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func (e *env) get(t *testing.T, u string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.do(t, req)
}

func (e *env) post(t *testing.T, action string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+action, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// What a browser sends for a same-origin form.
	req.Header.Set("Origin", e.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return e.do(t, req)
}

// form is what the picker offers a browser.
type form struct {
	method, action string
	hidden         url.Values
	radios         map[string]string // value -> label text
	buttons        []string          // "name=value"
}

// parseForm reads the picker's form the way a browser would.
func parseForm(t *testing.T, page string) form {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	f := form{hidden: url.Values{}, radios: map[string]string{}}
	labels := map[string]string{} // for -> text
	radioIDs := map[string]string{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			a := map[string]string{}
			for _, at := range n.Attr {
				a[at.Key] = at.Val
			}
			switch n.Data {
			case "form":
				f.method, f.action = a["method"], a["action"]
			case "input":
				switch a["type"] {
				case "hidden":
					f.hidden.Add(a["name"], a["value"])
				case "radio":
					if a["name"] == "persona" {
						radioIDs[a["id"]] = a["value"]
						if _, ok := a["required"]; !ok {
							t.Errorf("radio %s is not required", a["id"])
						}
					}
				}
			case "label":
				labels[a["for"]] = text(n)
			case "button":
				f.buttons = append(f.buttons, a["name"]+"="+a["value"])
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for id, v := range radioIDs {
		l, ok := labels[id]
		if !ok {
			t.Errorf("radio %s has no <label for>", id)
		}
		f.radios[v] = l
	}
	return f
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// start begins a login at the relying party and fetches the picker.
func (e *env) start(t *testing.T, c *oidc.Client) (*oidc.Attempt, form, string) {
	t.Helper()
	a, to, err := c.Start(oidc.LevelSubstantial)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(to, e.issuer+"/authorize?") {
		t.Fatalf("authorization URL %q", to)
	}
	resp, page := e.get(t, to)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("picker: %d %s", resp.StatusCode, page)
	}
	return a, parseForm(t, page), page
}

// choose posts the picker's form with the persona and returns the callback
// query.
func (e *env) choose(t *testing.T, f form, persona, action string) (*http.Response, string) {
	t.Helper()
	v := url.Values{}
	for k, vv := range f.hidden {
		v[k] = vv
	}
	if persona != "" {
		v.Set("persona", persona)
	}
	v.Set("action", action)
	return e.post(t, f.action, v)
}

func callback(t *testing.T, resp *http.Response, redirect string) url.Values {
	t.Helper()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, redirect+"?") {
		t.Fatalf("status %d Location %q, want a redirect to %s", resp.StatusCode, loc, redirect)
	}
	u, _ := url.Parse(loc)
	return u.Query()
}

func TestPickerAndLogin(t *testing.T) {
	e := setup(t)
	c := e.rp(t, "jizerov")
	a, f, page := e.start(t, c)

	// The page: a DEMO provider, Czech, the town's people with masked birth
	// numbers, a real form, nothing the CSP would block.
	for _, want := range []string{"<main", "<h1>Demonstrační poskytovatel identity</h1>", "není skutečná",
		"BankID", "<fieldset>", "<legend>", "Jizerov", "Přihlásit se", "Zrušit", "/static/site.css?v="} {
		if !strings.Contains(page, want) {
			t.Errorf("picker lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "style=", "<style", "780123", "7801233540", "415506", "onclick"} {
		if strings.Contains(page, bad) {
			t.Errorf("picker contains %q", bad)
		}
	}
	if f.method != "post" || f.action != "/demo-idp/authorize" {
		t.Errorf("form method %q action %q", f.method, f.action)
	}
	wantLabels := map[string][]string{
		"rep":       {"Jednatel firmy", "Karel Jizerský", "23.\u00a01.\u00a01978", "******/3540"},
		"senior":    {"Důchodkyně", "Marie Stará", "6.\u00a05.\u00a01941", "******/123"},
		"foreigner": {"Cizinka", "Anna Schmidt", "1.\u00a012.\u00a01990"},
	}
	if len(f.radios) != len(wantLabels) {
		t.Errorf("radios %v", f.radios)
	}
	for key, parts := range wantLabels {
		for _, p := range parts {
			if !strings.Contains(f.radios[key], p) {
				t.Errorf("label of %s = %q, lacks %q", key, f.radios[key], p)
			}
		}
	}
	if strings.Contains(f.radios["foreigner"], "rodné číslo") {
		t.Errorf("a person without a birth number shows one: %q", f.radios["foreigner"])
	}
	if !strings.Contains(page, "Vidí poplatky své firmy.") {
		t.Error("the persona's note is missing")
	}
	if f.hidden.Get("state") != a.State || f.hidden.Get("nonce") != a.Nonce || f.hidden.Get("client_id") != "jizerov" ||
		f.hidden.Get("redirect_uri") != jizerovRedirect || f.hidden.Get("acr_values") != oidc.ACRBankIDLoA3 {
		t.Errorf("hidden fields %v", f.hidden)
	}
	if strings.Join(f.buttons, " ") != "action=login action=cancel" {
		t.Errorf("buttons %v", f.buttons)
	}

	// Log in as the company director.
	resp, _ := e.choose(t, f, "rep", "login")
	q := callback(t, resp, jizerovRedirect)
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	id, err := c.Finish(context.Background(), a, q.Get("state"), q.Get("code"))
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if id.Issuer != e.issuer || id.Subject != Subject("jizerov", "rep") || id.Subject == "" {
		t.Errorf("login identity (%q, %q)", id.Issuer, id.Subject)
	}
	if id.GivenName != "Karel" || id.FamilyName != "Jizerský" || id.Name != "Karel Jizerský" ||
		id.BirthDate != "1978-01-23" || id.Email != "karel@jizerov.example" || !id.EmailVerified {
		t.Errorf("claims %+v", id)
	}
	if id.ACR != oidc.ACRBankIDLoA3 || id.Level != oidc.LevelSubstantial {
		t.Errorf("acr %q level %v", id.ACR, id.Level)
	}
	if id.VerifiedBirthNumber != "7801233540" {
		t.Errorf("verified birth number %q", id.VerifiedBirthNumber)
	}

	// Again: the same subject. A person without birth number: none verified.
	a, f, _ = e.start(t, c)
	q = callback(t, first(e.choose(t, f, "rep", "login")), jizerovRedirect)
	id2, err := c.Finish(context.Background(), a, q.Get("state"), q.Get("code"))
	if err != nil || id2.Subject != id.Subject {
		t.Fatalf("second login: %v, subject %q vs %q", err, id2.Subject, id.Subject)
	}
	a, f, _ = e.start(t, c)
	q = callback(t, first(e.choose(t, f, "foreigner", "login")), jizerovRedirect)
	id3, err := c.Finish(context.Background(), a, q.Get("state"), q.Get("code"))
	if err != nil || id3.VerifiedBirthNumber != "" || id3.Subject == id.Subject || id3.GivenName != "Anna" {
		t.Fatalf("foreigner: %v, %+v", err, id3)
	}
}

func first(r *http.Response, _ string) *http.Response { return r }

func TestPairwiseAndVerifiedClaimsPerClient(t *testing.T) {
	e := setup(t)
	c := e.rp(t, "horni-ves")
	a, f, page := e.start(t, c)
	if !strings.Contains(page, "Horní Ves") || len(f.radios) != 1 {
		t.Fatalf("Horní Ves picker: radios %v", f.radios)
	}
	q := callback(t, first(e.choose(t, f, "rep", "login")), vesRedirect)
	id, err := c.Finish(context.Background(), a, q.Get("state"), q.Get("code"))
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if id.Subject != Subject("horni-ves", "rep") || id.Subject == Subject("jizerov", "rep") {
		t.Errorf("subject %q must be pairwise", id.Subject)
	}
	if id.VerifiedBirthNumber != "" {
		t.Errorf("a client without VerifiedClaims got birth number %q", id.VerifiedBirthNumber)
	}
	if id.GivenName != "Karel" || id.FamilyName != "Jizerský" {
		t.Errorf("names %+v", id)
	}
}

func TestCSP(t *testing.T) {
	e := setup(t)
	for client, origin := range map[string]string{"jizerov": "http://localhost:8080", "horni-ves": "http://ves.localhost:8080"} {
		_, to, _ := e.rp(t, client).Start(oidc.LevelLow)
		resp, _ := e.get(t, to)
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"form-action 'self' " + origin + ";", "default-src 'self'", "script-src 'self';",
			"style-src 'self';", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", client, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") {
			t.Errorf("CSP %q", csp)
		}
		if resp.Header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("headers %v", resp.Header)
		}
	}
}

func TestCancel(t *testing.T) {
	e := setup(t)
	c := e.rp(t, "jizerov")
	a, f, _ := e.start(t, c)
	resp, _ := e.choose(t, f, "", "cancel")
	q := callback(t, resp, jizerovRedirect)
	if q.Get("error") != "access_denied" || q.Get("state") != a.State || q.Has("code") {
		t.Fatalf("cancel callback %v", q)
	}
}

func TestRefusals(t *testing.T) {
	e := setup(t)
	c := e.rp(t, "jizerov")
	_, f, _ := e.start(t, c)

	refused := func(t *testing.T) func(*http.Response, string) {
		return func(resp *http.Response, body string) {
			t.Helper()
			noCode(t, resp, body)
		}
	}
	tamper := func(k, v string) form {
		g := f
		g.hidden = url.Values{}
		for kk, vv := range f.hidden {
			g.hidden[kk] = vv
		}
		g.hidden.Set(k, v)
		return g
	}
	t.Run("unknown persona", func(t *testing.T) {
		refused(t)(e.choose(t, f, "nobody", "login"))
	})
	t.Run("persona of another town", func(t *testing.T) {
		vf := func() form { _, vf, _ := e.start(t, e.rp(t, "horni-ves")); return vf }()
		refused(t)(e.choose(t, vf, "senior", "login"))
	})
	t.Run("no persona chosen", func(t *testing.T) {
		resp, body := e.choose(t, f, "", "login")
		noCode(t, resp, body)
		if !strings.Contains(body, "Vyberte osobu") || !strings.Contains(body, "<form") {
			t.Error("the picker must come back with a message")
		}
	})
	t.Run("unknown action", func(t *testing.T) {
		refused(t)(e.choose(t, f, "rep", "steal"))
	})
	t.Run("tampered redirect_uri", func(t *testing.T) {
		for _, u := range []string{"https://evil.example/prihlaseni/navrat", vesRedirect, jizerovRedirect + "?x=1"} {
			refused(t)(e.choose(t, tamper("redirect_uri", u), "rep", "login"))
			refused(t)(e.choose(t, tamper("redirect_uri", u), "", "cancel"))
		}
	})
	t.Run("tampered client_id", func(t *testing.T) {
		refused(t)(e.choose(t, tamper("client_id", "evil"), "rep", "login"))
		// Horní Ves with Jizerov's redirect URI: not allowed.
		refused(t)(e.choose(t, tamper("client_id", "horni-ves"), "rep", "login"))
	})
	t.Run("PKCE removed", func(t *testing.T) {
		refused(t)(e.choose(t, tamper("code_challenge_method", "plain"), "rep", "login"))
	})
	t.Run("unknown client on GET", func(t *testing.T) {
		_, to, _ := c.Start(oidc.LevelLow)
		u, _ := url.Parse(to)
		q := u.Query()
		q.Set("client_id", "evil")
		u.RawQuery = q.Encode()
		resp, body := e.get(t, u.String())
		noCode(t, resp, body)
		if strings.Contains(body, "<form") {
			t.Error("the picker was shown for an unknown client")
		}
	})
	t.Run("redirect not allowed on GET", func(t *testing.T) {
		_, to, _ := c.Start(oidc.LevelLow)
		to = strings.Replace(to, url.QueryEscape(jizerovRedirect), url.QueryEscape("https://evil.example/"), 1)
		resp, body := e.get(t, to)
		noCode(t, resp, body)
	})
}

// noCode checks a plain 400: no redirect, no code, not cached.
func noCode(t *testing.T, resp *http.Response, body string) {
	t.Helper()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" || strings.Contains(body, "code=") {
		t.Errorf("status %d (want 400), Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
}

func TestEnglish(t *testing.T) {
	e := setup(t)
	_, to, _ := e.rp(t, "jizerov").Start(oidc.LevelLow)
	for name, get := range map[string]func() (*http.Response, string){
		"?lang=en":        func() (*http.Response, string) { return e.get(t, to+"&lang=en") },
		"Accept-Language": func() (*http.Response, string) { return e.get(t, to, "Accept-Language", "en-GB,en;q=0.8,cs;q=0.5") },
	} {
		resp, page := get()
		if resp.StatusCode != 200 || !strings.Contains(page, `<html lang="en">`) || !strings.Contains(page, "Demo identity provider") ||
			!strings.Contains(page, "Sign in") || !strings.Contains(page, "Company director") || !strings.Contains(page, "23 Jan 1978") {
			t.Errorf("%s: English page expected, got %d", name, resp.StatusCode)
		}
		if f := parseForm(t, page); f.hidden.Get("lang") != "en" {
			t.Errorf("%s: the form does not keep the language: %v", name, f.hidden)
		}
	}
	// The default is Czech, with a link to English carrying the request.
	_, page := e.get(t, to)
	if !strings.Contains(page, `<html lang="cs">`) || !strings.Contains(page, "lang=en") {
		t.Error("Czech page with a link to English expected")
	}
}

func TestNewRefuses(t *testing.T) {
	ok := Client{ID: "a", Secret: "s", Name: "A", RedirectAllowed: exactly("http://a/cb"),
		Personas: func(context.Context) ([]Persona, error) { return nil, nil }}
	bad := map[string][]Client{
		"duplicate id":     {ok, ok},
		"no secret":        {func() Client { c := ok; c.Secret = ""; return c }()},
		"no name":          {func() Client { c := ok; c.Name = ""; return c }()},
		"no personas":      {func() Client { c := ok; c.Personas = nil; return c }()},
		"no redirect fn":   {func() Client { c := ok; c.RedirectAllowed = nil; return c }()},
		"no id":            {func() Client { c := ok; c.ID = ""; return c }()},
		"issuer with tail": nil,
	}
	for name, cs := range bad {
		iss := "http://localhost:8080/demo-idp"
		if cs == nil {
			iss += "/"
		}
		if _, err := New(iss, cs...); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestPersonasFailure(t *testing.T) {
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	s, err := New(srv.URL+"/demo-idp", Client{ID: "a", Secret: "s", Name: "A", RedirectAllowed: exactly("http://a/cb"),
		Personas: func(context.Context) ([]Persona, error) { return nil, errors.New("database away") }})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/demo-idp/", s)
	e := &env{srv: srv, s: s, issuer: srv.URL + "/demo-idp"}
	c, err := oidc.New(context.Background(), oidc.ProviderConfig{Issuer: e.issuer, ClientID: "a", ClientSecret: "s",
		RedirectURL: "http://a/cb", Profile: oidc.BankID}, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	_, to, _ := c.Start(oidc.LevelLow)
	resp, body := e.get(t, to)
	if resp.StatusCode != http.StatusInternalServerError || strings.Contains(body, "database away") {
		t.Errorf("status %d body %q", resp.StatusCode, body)
	}
}

func TestMasking(t *testing.T) {
	for in, want := range map[string]string{
		"780123/3540": "******/3540",
		"7801233540":  "******/3540",
		"415506/123":  "******/123",
		"12":          "******",
	} {
		if got := maskBirthNumber(in); got != want {
			t.Errorf("mask(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"http://ves.localhost:8080/x?y": "http://ves.localhost:8080",
		"https://Portal.Example/cb":     "https://portal.example",
		"http://[::1]:8080/cb":          "http://[::1]:8080",
		"http://a;b/cb":                 "",
		"javascript:alert(1)":           "",
	} {
		got, _ := httpx.Origin(in)
		if got != want {
			t.Errorf("origin(%q) = %q, want %q", in, got, want)
		}
	}
}
