package app

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// demoDogRegistration is the end-to-end path on the running demo
// server: a Jizerov citizen registers a dog through the form, records
// management gives the case its reference number, the demo official
// approves it in /urad, the dog fee appears on the citizen's /zavazky, and
// the case shows its reference number, timeline and decision on /podani.
func demoDogRegistration(t *testing.T, addr, port string, officialCookie *http.Cookie) {
	t.Helper()
	do := demoBrowser(t, addr)
	town := "http://localhost:" + port
	demoLogin(t, do, port, town, "jizerov-citizen", "Občan")

	code, body, _ := do("GET", town+"/formulare", nil)
	if code != 200 || !strings.Contains(body, "Přihlášení psa k poplatku") {
		t.Fatalf("demo /formulare: %d\n%.1000s", code, body)
	}
	code, _, draft := do("POST", town+"/formulare/prihlaseni-psa", url.Values{})
	if code != 303 || !strings.HasPrefix(draft, town+"/formulare/koncept/") {
		t.Fatalf("start the dog form: %d %s", code, draft)
	}
	code, body, _ = do("GET", draft, nil)
	self := regexp.MustCompile(`name="drzitel" value="(\d+)" checked`).FindStringSubmatch(body)
	token := regexp.MustCompile(`name="token" value="([0-9a-f]{32})"`).FindStringSubmatch(body)
	if code != 200 || self == nil || token == nil || !strings.Contains(body, "Krok 1 ze 2") {
		t.Fatalf("the dog form's first step: %d\n%.2000s", code, body)
	}
	code, _, loc := do("POST", draft, url.Values{"token": {token[1]}, "krok": {"0"}, "akce": {"dalsi"},
		"_shown": {"drzitel", "email", "telefon", "snizeni"}, "drzitel": {self[1]}, "email": {"pejskar@example.cz"}, "snizeni": {"ne"}})
	if code != 303 || loc != draft+"?krok=1" {
		t.Fatalf("the owner's step: %d %s", code, loc)
	}
	code, _, loc = do("POST", draft, url.Values{"token": {token[1]}, "krok": {"1"}, "akce": {"dalsi"},
		"_shown": {"jmeno", "plemeno", "pohlavi", "narozen", "cip", "drzen_od"}, "jmeno": {"Punťa"}, "plemeno": {"jezevčík"},
		"pohlavi": {"pes"}, "narozen": {"1. 3. 2024"}, "cip": {"203098100654321"}, "drzen_od": {time.Now().AddDate(0, 0, -10).Format(time.DateOnly)}})
	if code != 303 || loc != draft+"/kontrola" {
		t.Fatalf("the dog's step: %d %s", code, loc)
	}
	code, body, _ = do("GET", loc, nil)
	if code != 200 || !strings.Contains(body, "Punťa") || !strings.Contains(body, "1\u00a0500,00\u00a0Kč") {
		t.Fatalf("the review: %d\n%.2000s", code, body)
	}
	code, _, caseURL := do("POST", draft+"/podat", url.Values{"token": {token[1]}, "prohlaseni": {"pravdivost", "zmeny"}})
	if code != 303 || !regexp.MustCompile(`/podani/\d+$`).MatchString(caseURL) {
		t.Fatalf("filing: %d %s", code, caseURL)
	}
	id := caseURL[strings.LastIndex(caseURL, "/")+1:]

	// Records management (the demo's fake) gives it a reference number
	// through the job queue; the citizen's page shows it.
	ref := regexp.MustCompile(`[A-Z]+/\d+/\d{4}(/[A-ZÁ-Ž]+)?`)
	var reference string
	for deadline := time.Now().Add(15 * time.Second); reference == "" && time.Now().Before(deadline); {
		code, body, _ = do("GET", caseURL, nil)
		if code != 200 {
			t.Fatalf("the case page: %d", code)
		}
		reference = ref.FindString(body)
		if reference == "" {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if reference == "" {
		t.Fatalf("the case got no reference number:\n%.3000s", body)
	}

	// The demo official approves it.
	official := demoOfficial(t, addr, town, officialCookie)
	code, body = official("GET", town+"/urad/podani/"+id, nil)
	if code != 200 || !strings.Contains(body, "Punťa") || !strings.Contains(body, reference) {
		t.Fatalf("the official's case page: %d\n%.2000s", code, body)
	}
	for _, action := range []string{"take", "approve"} {
		state := regexp.MustCompile(`name="stav" value="([a-z_]+)"`).FindStringSubmatch(body)
		if state == nil {
			t.Fatalf("no action form on the case page:\n%.2000s", body)
		}
		code, _ = official("POST", town+"/urad/podani/"+id, url.Values{"akce": {action}, "stav": {state[1]}, "text": {"V pořádku."}})
		if code != 303 {
			t.Fatalf("%s: %d", action, code)
		}
		code, body = official("GET", town+"/urad/podani/"+id, nil)
		if code != 200 {
			t.Fatalf("the case page after %s: %d", action, code)
		}
	}

	// The dog fee is the citizen's now, and the case shows its timeline
	// and the decision.
	code, body, _ = do("GET", town+"/zavazky", nil)
	if code != 200 || !strings.Contains(body, "Poplatek ze psů") || !strings.Contains(body, "Punťa") || !strings.Contains(body, "1\u00a0500,00\u00a0Kč") {
		t.Fatalf("the dog fee on /zavazky: %d\n%.3000s", code, body)
	}
	code, body, _ = do("GET", caseURL, nil)
	if code != 200 || !strings.Contains(body, reference) || !strings.Contains(body, "Rozhodnuto: vyhověno") || !strings.Contains(body, "/soubory/") {
		t.Fatalf("the decided case: %d\n%.3000s", code, body)
	}
	code, body, _ = do("GET", town+"/podani", nil)
	if code != 200 || !strings.Contains(body, "Přihlášení psa k poplatku") || !strings.Contains(body, reference) {
		t.Fatalf("/podani: %d\n%.3000s", code, body)
	}
}

// demoOfficial returns a function doing requests at town with a demo
// official's session cookie, giving the status and the body.
func demoOfficial(t *testing.T, addr, town string, session *http.Cookie) func(method, u string, form url.Values) (int, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(town + "/")
	jar.SetCookies(u, []*http.Cookie{{Name: session.Name, Value: session.Value}})
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	call := func(method, u string, form url.Values) (int, string) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, u, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", town)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	return call
}
