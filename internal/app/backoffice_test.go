package app

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/tenant"
)

type browser struct {
	t      *testing.T
	srv    *httptest.Server
	client *http.Client
	host   string
}

func newBrowser(t *testing.T, h http.Handler, host string) *browser {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, srv: srv, host: host, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, path string, form url.Values, header map[string]string) (int, string, http.Header) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.srv.URL+path, body)
	req.Host = b.host
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out), resp.Header
}

func (b *browser) cookie() string {
	// The client keys cookies by the Host it sent, not the dialled address.
	u, _ := url.Parse("http://" + b.host + "/")
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "radnice" {
			return c.Value
		}
	}
	return ""
}

// An invited official sets a password and a second factor, signs in (with a
// new session id), sees the back office, signs out; every step is audited,
// failures say nothing about which part was wrong, and guessing is throttled.
func TestOfficialSignIn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var town *tenant.Tenant
	var token string
	h, p := testPortal(t, func(d *db.DB) {
		town = fixture.Town(t, d, "lhota", 0)
		_, token = fixture.Official(t, d, town, "jana@lhota.test", auth.Grant{Role: auth.FeeClerk},
			auth.Grant{Role: auth.CaseWorker, Department: "Matrika"})
	})
	clk := fixture.NewClock(time.Now().UTC())
	p.office.Staff.Now = clk.Now
	b := newBrowser(t, h, "lhota.test")

	if code, _, hdr := b.do("GET", "/urad/", nil, nil); code != 303 || !strings.HasPrefix(hdr.Get("Location"), "/urad/prihlaseni") {
		t.Fatalf("anonymous /urad: %d %s", code, hdr.Get("Location"))
	}
	if code, body, _ := b.do("GET", "/urad/pozvanka?t="+token, nil, nil); code != 200 || !strings.Contains(body, `value="`+token+`"`) {
		t.Fatalf("invitation form: %d", code)
	}
	if code, body, _ := b.do("POST", "/urad/pozvanka", url.Values{"t": {token}, "password": {"krátké"}}, nil); code != 400 || !strings.Contains(body, "alespoň 12 znaků") {
		t.Fatalf("short password: %d\n%.300s", code, body)
	}
	if code, body, _ := b.do("POST", "/urad/pozvanka", url.Values{"t": {"forged"}, "password": {"dlouhé heslo z vět"}}, nil); code != 400 || !strings.Contains(body, "neplatí") {
		t.Fatalf("forged invitation: %d\n%.300s", code, body)
	}
	code, body, _ := b.do("POST", "/urad/pozvanka", url.Values{"t": {token}, "password": {"dlouhé heslo z vět"}}, nil)
	m := regexp.MustCompile(`<code class="secret">([A-Z2-7]+)</code>`).FindStringSubmatch(body)
	if code != 200 || m == nil {
		t.Fatalf("password set: %d\n%.500s", code, body)
	}
	secret := m[1]
	if code, body, _ := b.do("POST", "/urad/pozvanka/overeni", url.Values{"code": {"000000"}}, nil); code != 400 || !strings.Contains(body, secret) {
		t.Fatalf("wrong confirmation code: %d", code)
	}
	if code, _, hdr := b.do("POST", "/urad/pozvanka/overeni", url.Values{"code": {auth.TOTPCode(secret, clk.Now())}}, nil); code != 303 || hdr.Get("Location") != "/urad/prihlaseni" {
		t.Fatalf("confirmation: %d", code)
	}

	// A wrong password and an unknown e-mail get the same answer.
	clk.Add(30 * time.Second)
	for _, f := range []url.Values{
		{"email": {"jana@lhota.test"}, "password": {"špatné heslo!!"}, "code": {auth.TOTPCode(secret, clk.Now())}},
		{"email": {"nikdo@lhota.test"}, "password": {"dlouhé heslo z vět"}, "code": {"123456"}},
	} {
		if code, body, _ := b.do("POST", "/urad/prihlaseni", f, nil); code != 403 || !strings.Contains(body, "Přihlášení se nepodařilo") {
			t.Fatalf("failed login for %s: %d\n%.300s", f.Get("email"), code, body)
		}
	}
	before := b.cookie()
	clk.Add(30 * time.Second)
	code, _, hdr := b.do("POST", "/urad/prihlaseni", url.Values{"email": {"Jana@Lhota.test"}, "password": {"dlouhé heslo z vět"},
		"code": {auth.TOTPCode(secret, clk.Now())}}, nil)
	if code != 303 || hdr.Get("Location") != "/urad/" {
		t.Fatalf("login: %d %s", code, hdr.Get("Location"))
	}
	if after := b.cookie(); after == "" || after == before {
		t.Fatalf("no new session id at login (before %q, after %q)", before, after)
	}
	code, body, hdr = b.do("GET", "/urad/", nil, nil)
	if code != 200 || !strings.Contains(body, "Úředník Obec lhota") || !strings.Contains(body, "Vyřizování podání – Matrika") || hdr.Get("Cache-Control") != "no-store" {
		t.Fatalf("dashboard: %d %q\n%.500s", code, hdr.Get("Cache-Control"), body)
	}
	// The session of one town is nothing in another, even presented there.
	fixture.Town(t, p.db, "jinde", 0)
	if err := p.tenants.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	b2 := newBrowser(t, h, "jinde.test")
	if code, _, _ := b2.do("GET", "/urad/", nil, map[string]string{"Cookie": "radnice=" + b.cookie()}); code != 303 {
		t.Fatalf("session used in another town: %d", code)
	}

	// A cross-site form post is refused before it reaches the login.
	if code, _, _ := b.do("POST", "/urad/prihlaseni", url.Values{"email": {"x"}}, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.test"}); code != 403 {
		t.Fatalf("cross-site login post: %d", code)
	}

	if code, _, _ := b.do("POST", "/urad/odhlaseni", url.Values{}, nil); code != 303 {
		t.Fatalf("logout: %d", code)
	}
	if code, _, _ := b.do("GET", "/urad/", nil, nil); code != 303 {
		t.Fatalf("after logout: %d", code)
	}

	// Guessing one account is throttled before the database lock is reached.
	var last int
	for range 9 {
		last, _, _ = b.do("POST", "/urad/prihlaseni", url.Values{"email": {"jana@lhota.test"}, "password": {"hádám hádám hádám"}, "code": {"111111"}}, nil)
	}
	if last != 429 {
		t.Fatalf("ninth guess within minutes: %d, want 429", last)
	}

	// The audit log has it all, in an intact chain.
	entries, err := p.office.Audit.Search(ctx, town.ID, audit.Query{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range entries {
		count[e.Action]++
		if e.Action == audit.ActionLogin && (e.IP == "" || e.RequestID == "") {
			t.Errorf("login entry without address or request id: %+v", e)
		}
	}
	if count[audit.ActionLogin] != 1 || count[audit.ActionLogout] != 1 || count[audit.ActionLoginFailed] < 10 || count[audit.ActionRightsGrant] != 1 {
		t.Fatalf("audit actions: %v", count)
	}
	if v, err := p.office.Audit.Verify(ctx, town.ID); err != nil || !v.OK {
		t.Fatalf("audit chain: %+v %v", v, err)
	}
}
