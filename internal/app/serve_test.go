package app

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/demo"
)

// The demo starts from nothing: it migrates, creates both towns with their
// people, serves the city on localhost and the village on ves.localhost, and
// on SIGTERM (ctx cancelled) lets a request in flight finish before it stops.
func TestDemoServer(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	var stdout, stderr syncBuffer
	e := &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	ready := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	slowStarted := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, e, cfg, newLogger(e, cfg, true), serveOptions{migrate: true, demo: true, ready: ready,
			wrap: func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/test-slow" {
						close(slowStarted)
						time.Sleep(700 * time.Millisecond)
						io.WriteString(w, "finished")
						return
					}
					h.ServeHTTP(w, r)
				})
			}})
	}()
	var addr string
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v\n%s", err, stderr.String())
	case <-time.After(3 * time.Minute):
		t.Fatal("demo did not start")
	}
	_, port, _ := net.SplitHostPort(addr)

	// Dial the listener whatever the host name says: the Host header picks the town.
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	}}, Timeout: 10 * time.Second}
	fetch := func(host, path string) (int, string) {
		t.Helper()
		resp, err := client.Get("http://" + host + ":" + port + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := fetch("localhost", "/"); code != 200 || !strings.Contains(body, "Jizerov") || !strings.Contains(body, "DEMO") {
		t.Fatalf("city home: %d\n%.400s", code, body)
	}
	if code, body := fetch("ves.localhost", "/"); code != 200 || !strings.Contains(body, "Horní Ves") || strings.Contains(body, "Jizerov") {
		t.Fatalf("village home: %d\n%.400s", code, body)
	}
	if code, _ := fetch("elsewhere.example", "/"); code != 404 {
		t.Fatalf("unknown host: %d", code)
	}
	if code, body := fetch("localhost", "/readyz"); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Fatalf("readyz: %d %s", code, body)
	}
	if !strings.Contains(stdout.String(), "http://localhost:"+port+"/") || !strings.Contains(stdout.String(), "http://ves.localhost:"+port+"/") {
		t.Fatalf("demo did not print the URLs:\n%s", stdout.String())
	}

	// The demo official signs in with what the demo login page shows.
	if code, body := fetch("localhost", "/urad/prihlaseni"); code != 200 || !strings.Contains(body, "urednik@jizerov.example.cz") ||
		!strings.Contains(body, demo.OfficialPassword) {
		t.Fatalf("demo login page: %d\n%.500s", code, body)
	}
	form := url.Values{"email": {"urednik@jizerov.example.cz"}, "password": {demo.OfficialPassword},
		"code": {auth.TOTPCode(demo.OfficialSecret, time.Now())}}
	noFollow := *client
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noFollow.PostForm("http://localhost:"+port+"/urad/prihlaseni", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || len(resp.Cookies()) == 0 {
		t.Fatalf("demo official login: %d", resp.StatusCode)
	}
	// A code is good for one login: later steps reuse this session.
	officialCookie := resp.Cookies()[0]
	req, _ := http.NewRequest("GET", "http://localhost:"+port+"/urad/", nil)
	req.AddCookie(resp.Cookies()[0])
	resp, err = noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "Jana Úřednická") {
		t.Fatalf("demo official dashboard: %d\n%.400s", resp.StatusCode, b)
	}
	// The demo official is a case worker of the departments the demo's
	// forms go to.
	req, _ = http.NewRequest("GET", "http://localhost:"+port+"/urad/podani", nil)
	req.AddCookie(resp.Request.Cookies()[0])
	if resp, err = noFollow.Do(req); err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, dep := range []string{"Odbor ekonomiky", "Odbor dopravy", "Odbor správy majetku", "Podatelna"} {
		if resp.StatusCode != 200 || !strings.Contains(string(b), dep) {
			t.Fatalf("demo official's cases: %d, no %s\n%.400s", resp.StatusCode, dep, b)
		}
	}

	// A citizen of Horní Ves logs in through the demo identity provider
	// (served by the same process at localhost) as the company director,
	// and pays by card through the village's fake ComGate and by transfer;
	// one of Jizerov pays by card through the city's fake GP webpay.
	demoCitizenLogin(t, addr, port)
	demoCardJizerov(t, addr, port)
	demoPaperCases(t, addr, port) // records_test.go
	demoDogRegistration(t, addr, port, officialCookie)

	// Malformed requests on the wire get a 4xx from the server, never a 5xx.
	for _, raw := range []string{
		"GARBAGE\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: bad host name\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + strings.Repeat("a", 70<<10) + "\r\n\r\n",
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(conn, raw)
		status := make([]byte, 12)
		io.ReadFull(conn, status)
		conn.Close()
		if !strings.HasPrefix(string(status), "HTTP/1.1 4") {
			t.Errorf("malformed request %.30q: got %q", raw, status)
		}
	}

	// Graceful shutdown: a request in flight is finished, then serve returns.
	slow := make(chan string, 1)
	go func() {
		resp, err := client.Get("http://localhost:" + port + "/test-slow")
		if err != nil {
			slow <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		slow <- string(b)
	}()
	<-slowStarted
	cancel()
	if got := <-slow; got != "finished" {
		t.Fatalf("request in flight during shutdown: %q", got)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Fatalf("no clean stop in the log:\n%s", stderr.String())
	}

	// A second start finds the towns there and creates nothing twice.
	ctx2, cancel2 := context.WithCancel(context.Background())
	ready2 := make(chan string, 1)
	done2 := make(chan error, 1)
	go func() {
		done2 <- serve(ctx2, e, cfg, newLogger(e, cfg, true), serveOptions{migrate: true, demo: true, ready: ready2})
	}()
	select {
	case <-ready2:
	case err := <-done2:
		t.Fatalf("second start: %v", err)
	}
	cancel2()
	if err := <-done2; err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(stderr.String(), "demo town created"); n != 2 {
		t.Fatalf("demo towns created %d times, want 2 in all", n)
	}
}

// demoDo does one request of a browser that dials the demo server whatever
// the host name says, keeps cookies and follows no redirect; it returns the
// status, the body and the absolute Location.
type demoDo func(method, u string, form url.Values) (int, string, string)

func demoBrowser(t *testing.T, addr string) demoDo {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return func(method, u string, form url.Values) (int, string, string) {
		t.Helper()
		var resp *http.Response
		var err error
		if method == "POST" {
			req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", strings.Join(strings.SplitN(u, "/", 4)[:3], "/"))
			resp, err = c.Do(req)
		} else {
			resp, err = c.Get(u)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		loc := resp.Header.Get("Location")
		if loc != "" && strings.HasPrefix(loc, "/") {
			loc = strings.Join(strings.SplitN(u, "/", 4)[:3], "/") + loc
		}
		return resp.StatusCode, string(b), loc
	}
}

// demoLogin logs in at town through the demo identity provider (served by
// the same process at localhost) as persona, by BankID, and accepts the
// terms; it returns the persona picker's page.
func demoLogin(t *testing.T, do demoDo, port, town, persona, label string) string {
	t.Helper()
	code, _, loc := do("GET", town+"/prihlaseni/bankid?next=/muj-ucet", nil)
	idp := "http://localhost:" + port + "/demo-idp/authorize?"
	if code != 303 || !strings.HasPrefix(loc, idp) {
		t.Fatalf("demo login start: %d %s", code, loc)
	}
	code, picker, _ := do("GET", loc, nil)
	if code != 200 || !strings.Contains(picker, label) || !strings.Contains(picker, "DEMO") {
		t.Fatalf("demo picker: %d\n%.800s", code, picker)
	}
	form := url.Values{"persona": {persona}, "action": {"login"}}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(picker, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	code, perr, loc := do("POST", "http://localhost:"+port+"/demo-idp/authorize", form)
	if code != 302 || !strings.HasPrefix(loc, town+"/prihlaseni/navrat?") {
		t.Fatalf("demo picker post: %d %s %v\n%s", code, loc, form, perr)
	}
	code, _, loc = do("GET", loc, nil)
	if code != 303 || loc != town+"/muj-ucet" {
		t.Fatalf("demo callback: %d %s", code, loc)
	}
	code, _, loc = do("GET", loc, nil)
	if code != 303 || !strings.HasPrefix(loc, town+"/souhlas") {
		t.Fatalf("first visit: %d %s", code, loc)
	}
	code, _, loc = do("POST", town+"/souhlas", url.Values{"version": {"1"}, "agree": {"yes"}, "next": {"/muj-ucet"}})
	if code != 303 || loc != town+"/muj-ucet" {
		t.Fatalf("consent: %d %s", code, loc)
	}
	return picker
}

// demoOpenFee is the first party and its first open fee on /zavazky, and
// whether the page offers a card.
func demoOpenFee(t *testing.T, do demoDo, town string) (party, id string, card bool) {
	t.Helper()
	code, body, _ := do("GET", town+"/zavazky", nil)
	pick := regexp.MustCompile(`(?s)name="party" value="([^"]+)".*?name="id" value="(\d+)"`).FindStringSubmatch(body)
	if code != 200 || pick == nil {
		t.Fatalf("demo %s/zavazky: %d\n%.2000s", town, code, body)
	}
	return pick[1], pick[2], strings.Contains(body, `name="method" value="card"`)
}

// A citizen of Horní Ves logs in as the company director, accepts the
// terms, lands on /muj-ucet with their name, and the header offers to act
// for the company. They pay a fee by card through the village's gateway, a
// fake ComGate, and another by transfer, booked from the demo bank's
// statement on the official's desk.
func demoCitizenLogin(t *testing.T, addr, port string) {
	t.Helper()
	do := demoBrowser(t, addr)
	town := "http://ves.localhost:" + port
	picker := demoLogin(t, do, port, town, "horni-ves-rep", "Jednatel firmy")
	code, body, _ := do("GET", town+"/muj-ucet", nil)
	if code != 200 || !strings.Contains(body, `id="acting"`) || !strings.Contains(body, "statutární zástupce") {
		t.Fatalf("demo account page: %d\n%.3000s", code, body)
	}
	m := regexp.MustCompile(`Jste přihlášeni jako ([^.<]+)\.`).FindStringSubmatch(body)
	if m == nil || !strings.Contains(picker, m[1]) {
		t.Fatalf("the account page does not name the person picked: %v", m)
	}

	// By card: the village's gateway is ComGate (a fake speaking its
	// protocol: background create, the payer's page, a push with the
	// secret, the status API).
	party, id, card := demoOpenFee(t, do, town)
	if !card {
		t.Fatalf("the village offers no card payment")
	}
	code, _, loc := do("POST", town+"/zavazky/zaplatit", url.Values{"party": {party}, "id": {id}, "method": {"card"}})
	if code != 303 || !strings.HasPrefix(loc, "http://localhost:"+port+"/demo-gw/comgate/pay/") {
		t.Fatalf("card payment start: %d %s", code, loc)
	}
	code, page, _ := do("GET", loc, nil)
	tok := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(page)
	if code != 200 || tok == nil || !strings.Contains(page, "DEMO") {
		t.Fatalf("ComGate page: %d\n%.1000s", code, page)
	}
	code, _, loc = do("POST", loc, url.Values{"token": {tok[1]}, "action": {"pay"}})
	ret := regexp.MustCompile(`^` + regexp.QuoteMeta(town+"/platba/comgate/navrat?") + `.*refId=(\d+)`).FindStringSubmatch(loc)
	if code != 303 || ret == nil {
		t.Fatalf("ComGate pay: %d %s", code, loc)
	}
	paid := town + "/platba/" + ret[1]
	// The push reached the village's notify URL before the browser came
	// back: the payment is paid already.
	if code, body, _ := do("GET", paid, nil); code != 200 || !strings.Contains(body, "Zaplaceno") {
		t.Fatalf("payment page after the push: %d\n%.1500s", code, body)
	}
	code, _, loc = do("GET", loc, nil)
	if code != 303 || loc != paid {
		t.Fatalf("ComGate return: %d %s", code, loc)
	}
	if code, body, _ = do("GET", loc, nil); code != 200 || !strings.Contains(body, "Zaplaceno") {
		t.Fatalf("payment page: %d\n%.1500s", code, body)
	}
	if code, body, _ = do("GET", town+"/zavazky/"+id, nil); code != 200 || !strings.Contains(body, "zaplaceno") {
		t.Fatalf("obligation after paying: %d", code)
	}

	// Another fee by transfer: a basket with its QR Platba code. The
	// village's official downloads the demo bank's statement on the desk and
	// uploads it; the basket turns paid.
	code, body, _ = do("GET", town+"/zavazky", nil)
	m = regexp.MustCompile(`(?s)name="party" value="([^"]+)".*?name="id" value="(\d+)"`).FindStringSubmatch(body)
	if code != 200 || m == nil {
		t.Fatalf("no second open fee for the demo director: %d\n%.2000s", code, body)
	}
	id = m[2]
	code, _, loc = do("POST", town+"/zavazky/zaplatit", url.Values{"party": {m[1]}, "id": {id}, "method": {"transfer"}})
	if code != 303 || !strings.HasPrefix(loc, town+"/platba/") {
		t.Fatalf("transfer basket: %d %s", code, loc)
	}
	basket := loc
	if code, body, _ = do("GET", basket, nil); code != 200 || !strings.Contains(body, "SPD*1.0*ACC:") || !strings.Contains(body, "<svg") {
		t.Fatalf("basket page: %d\n%.1500s", code, body)
	}
	official := officialSession(t, addr, town, "starosta@hornives.example.cz")
	statement := official("GET", town+"/urad/platby/demo-vypis", nil, "")
	if !strings.Contains(statement, "camt.053") {
		t.Fatalf("demo statement: %.300s", statement)
	}
	var upload bytes.Buffer
	mw := multipart.NewWriter(&upload)
	fw, _ := mw.CreateFormFile("statement", "vypis-demo.xml")
	fw.Write([]byte(statement))
	mw.Close()
	if page := official("POST", town+"/urad/platby/vypis", &upload, mw.FormDataContentType()); !strings.Contains(page, "Výpis je načtený") {
		t.Fatalf("statement upload: %.1500s", page)
	}
	if code, body, _ = do("GET", basket, nil); code != 200 || !strings.Contains(body, "dorazila") {
		t.Fatalf("basket after the statement: %d\n%.1500s", code, body)
	}
	if code, body, _ = do("GET", town+"/zavazky/"+id, nil); code != 200 || !strings.Contains(body, "zaplaceno") {
		t.Fatalf("the fee paid by transfer: %d", code)
	}
}

// In Jizerov a citizen pays a fee by card through the city's gateway, a
// fake GP webpay (the protocol with real signatures: the signed redirect,
// its page, the signed return, the WS status call), and sees it paid.
func demoCardJizerov(t *testing.T, addr, port string) {
	t.Helper()
	do := demoBrowser(t, addr)
	town := "http://localhost:" + port
	demoLogin(t, do, port, town, "jizerov-rep", "Jednatel firmy")
	party, id, card := demoOpenFee(t, do, town)
	if !card {
		t.Fatalf("the city offers no card payment")
	}
	code, _, loc := do("POST", town+"/zavazky/zaplatit", url.Values{"party": {party}, "id": {id}, "method": {"card"}})
	if code != 303 || !strings.HasPrefix(loc, "http://localhost:"+port+"/demo-gw/gpwebpay/order.do?") {
		t.Fatalf("card payment start: %d %s", code, loc)
	}
	code, page, _ := do("GET", loc, nil)
	order := regexp.MustCompile(`name="ORDERNUMBER" value="(\d+)"`).FindStringSubmatch(page)
	tok := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(page)
	if code != 200 || order == nil || tok == nil {
		t.Fatalf("gateway page: %d\n%.1000s", code, page)
	}
	code, _, loc = do("POST", "http://localhost:"+port+"/demo-gw/gpwebpay/order.do",
		url.Values{"ORDERNUMBER": {order[1]}, "token": {tok[1]}, "action": {"pay"}})
	if code != 303 || !strings.HasPrefix(loc, town+"/platba/gpwebpay/navrat?") {
		t.Fatalf("gateway pay: %d %s", code, loc)
	}
	code, _, loc = do("GET", loc, nil)
	if code != 303 || loc != town+"/platba/"+order[1] {
		t.Fatalf("gateway return: %d %s", code, loc)
	}
	if code, body, _ := do("GET", loc, nil); code != 200 || !strings.Contains(body, "Zaplaceno") {
		t.Fatalf("payment page: %d\n%.1500s", code, body)
	}
	if code, body, _ := do("GET", town+"/zavazky/"+id, nil); code != 200 || !strings.Contains(body, "zaplaceno") {
		t.Fatalf("obligation after paying: %d", code)
	}
	// The village's gateway is not the city's: a GP webpay return at the
	// village is refused (Horní Ves has no GP webpay at all).
	if code, _, _ := do("GET", "http://ves.localhost:"+port+"/platba/gpwebpay/navrat?ORDERNUMBER="+order[1], nil); code != 400 {
		t.Fatalf("GP webpay return at the village: %d", code)
	}
}

// officialSession signs a demo official in at town and returns a function
// doing requests with their session (failing the test on a non-200 answer).
func officialSession(t *testing.T, addr, town, email string) func(method, u string, body io.Reader, contentType string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"email": {email}, "password": {demo.OfficialPassword}, "code": {auth.TOTPCode(demo.OfficialSecret, time.Now())}}
	req, _ := http.NewRequest("POST", town+"/urad/prihlaseni", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", town)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 {
		t.Fatalf("official login at %s: %d", town, resp.StatusCode)
	}
	return func(method, u string, body io.Reader, contentType string) string {
		t.Helper()
		req, _ := http.NewRequest(method, u, body)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
			req.Header.Set("Origin", town)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s %s as an official: %d\n%.800s", method, u, resp.StatusCode, b)
		}
		return string(b)
	}
}
