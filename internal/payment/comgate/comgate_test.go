package comgate

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/payment"
)

const (
	merchant = "123456"
	secret   = "tajne-heslo-na-pozadi"
)

// portal stands in for the town's portal: it takes ComGate's pushes, checks
// them with the client and, as the portal does, asks /status at once.
type portal struct {
	srv    *httptest.Server
	client *Client

	mu       sync.Mutex
	hints    []payment.Hint
	statuses []payment.Status
	refused  int
}

func (p *portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/platba/oznameni/comgate" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	h, err := p.client.VerifyNotify(r.PostForm)
	if err != nil {
		p.mu.Lock()
		p.refused++
		p.mu.Unlock()
		http.Error(w, "forged", http.StatusForbidden)
		return
	}
	st, err := p.client.Status(r.Context(), h.OrderNumber, h.GatewayRef)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	p.mu.Lock()
	p.hints = append(p.hints, h)
	p.statuses = append(p.statuses, st)
	p.mu.Unlock()
	_, _ = io.WriteString(w, "code=0&message=OK")
}

func (p *portal) got() ([]payment.Hint, []payment.Status) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]payment.Hint(nil), p.hints...), append([]payment.Status(nil), p.statuses...)
}

type env struct {
	fake    *Fake
	srv     *httptest.Server
	client  *Client
	portal  *portal
	browser *http.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	p := &portal{}
	p.srv = httptest.NewServer(p)
	t.Cleanup(p.srv.Close)
	fake := NewFake(FakeMerchant{Merchant: merchant, Secret: secret, NotifyURL: p.srv.URL + "/platba/oznameni/comgate",
		ReturnURL: p.srv.URL + "/platba/navrat/comgate?id=${id}&refId=${refId}"})
	mux := http.NewServeMux()
	mux.Handle("/demo-gw/comgate/", fake)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	fake.BaseURL = srv.URL + "/demo-gw/comgate"
	c, err := New(Config{Merchant: merchant, Secret: secret, BaseURL: fake.APIURL(), Test: true, HTTP: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	p.client = c
	browser := srv.Client()
	browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	t.Cleanup(fake.WaitPushes)
	return &env{fake: fake, srv: srv, client: c, portal: p, browser: browser}
}

func (e *env) returnURL() string { return e.portal.srv.URL + "/platba/navrat/comgate" }

func (e *env) pay(order, amount int64) payment.GatewayPayment {
	return payment.GatewayPayment{OrderNumber: order, Amount: amount, Currency: "CZK", Description: "Poplatek ze psů 2026 – Jizerov",
		Email: "jan.novak@example.cz", ReturnURL: e.returnURL(), NotifyURL: e.portal.srv.URL + "/platba/oznameni/comgate"}
}

// open creates the payment and fetches the payer's page; it returns the
// transId, the page and its form token.
func (e *env) open(t *testing.T, p payment.GatewayPayment) (string, string, string) {
	t.Helper()
	st, err := e.client.Create(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if st.GatewayRef == "" || st.RedirectURL != e.fake.BaseURL+"/pay/"+st.GatewayRef {
		t.Fatalf("started = %+v", st)
	}
	resp, err := e.browser.Get(st.RedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("payer's page: %d %s", resp.StatusCode, body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+e.portal.srv.URL+";") {
		t.Errorf("payer's page CSP %q does not let the form end at the portal", csp)
	}
	m := regexp.MustCompile(`name="token" value="([0-9a-f]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no token on the payer's page:\n%s", body)
	}
	return st.GatewayRef, body, m[1]
}

func (e *env) press(t *testing.T, transID, token, action string) *http.Response {
	t.Helper()
	resp, err := e.browser.PostForm(e.fake.BaseURL+"/pay/"+transID, url.Values{"token": {token}, "action": {action}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// returned is what the browser brings back, from the redirect's Location.
func (e *env) returned(t *testing.T, resp *http.Response) url.Values {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, e.returnURL()+"?") {
		t.Fatalf("Location %q does not go back to %s", loc, e.returnURL())
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCreateRegistersAtTheFake(t *testing.T) {
	e := newEnv(t)
	transID, page, _ := e.open(t, e.pay(1001, 123456))
	p, ok := e.fake.Payment(transID)
	if !ok {
		t.Fatal("the fake does not know the payment")
	}
	if p.Merchant != merchant || !p.Test || p.Price != 123456 || p.Curr != "CZK" || p.RefID != "1001" ||
		p.Label != "Poplatek ze psů" || p.Email != "jan.novak@example.cz" || p.Method != "ALL" || p.Status != "PENDING" {
		t.Errorf("payment at the fake = %+v", p)
	}
	if want := e.returnURL() + "?id=${id}&refId=${refId}&result=paid"; p.URLPaid != want {
		t.Errorf("url_paid = %q, want %q", p.URLPaid, want)
	}
	for _, want := range []string{"DEMO platební brána", "1\u00a0234,56\u00a0Kč", transID, "Zaplatit", "Zrušit", "Nechat vypršet"} {
		if !strings.Contains(page, want) {
			t.Errorf("payer's page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "style=") {
		t.Error("payer's page has inline script or style")
	}
	st, err := e.client.Status(context.Background(), 1001, transID)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != payment.StatePending || st.Amount != 123456 || st.Currency != "CZK" {
		t.Errorf("status = %+v, want pending 123456 CZK", st)
	}
}

func TestPayPushesAndReturns(t *testing.T) {
	e := newEnv(t)
	transID, _, token := e.open(t, e.pay(1002, 50000))
	back := e.returned(t, e.press(t, transID, token, "pay"))
	if back.Get("id") != transID || back.Get("refId") != "1002" || back.Get("result") != "paid" {
		t.Errorf("return = %v", back)
	}
	h, err := e.client.VerifyReturn(back)
	if err != nil {
		t.Fatal(err)
	}
	if h.GatewayRef != transID || h.OrderNumber != 1002 || h.Claimed != payment.StatePaid {
		t.Errorf("return hint = %+v", h)
	}
	// The push reached the portal before the browser was sent back.
	hints, statuses := e.portal.got()
	if len(hints) != 1 || hints[0].GatewayRef != transID || hints[0].OrderNumber != 1002 || hints[0].Claimed != payment.StatePaid {
		t.Fatalf("push hints = %+v", hints)
	}
	if statuses[0].State != payment.StatePaid || statuses[0].Amount != 50000 {
		t.Errorf("status after the push = %+v", statuses[0])
	}
	if pushes := e.fake.Pushes(); len(pushes) != 1 || pushes[0].Status != "PAID" || pushes[0].StatusCode != http.StatusOK {
		t.Errorf("pushes = %+v", pushes)
	}
	st, err := e.client.Status(context.Background(), 1002, transID)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != payment.StatePaid || st.Amount != 50000 || st.Currency != "CZK" || !strings.Contains(st.Detail, "PAID") {
		t.Errorf("status = %+v", st)
	}
	if resp := e.press(t, transID, token, "cancel"); resp.StatusCode != http.StatusConflict {
		t.Errorf("second press: %d, want 409", resp.StatusCode)
	}
}

func TestCancelPushesAndReturns(t *testing.T) {
	e := newEnv(t)
	transID, _, token := e.open(t, e.pay(1003, 50000))
	back := e.returned(t, e.press(t, transID, token, "cancel"))
	h, err := e.client.VerifyReturn(back)
	if err != nil {
		t.Fatal(err)
	}
	if h.GatewayRef != transID || h.Claimed != payment.StateCancelled {
		t.Errorf("return hint = %+v", h)
	}
	if hints, _ := e.portal.got(); len(hints) != 1 || hints[0].Claimed != payment.StateCancelled {
		t.Errorf("push hints = %+v", hints)
	}
	st, err := e.client.Status(context.Background(), 1003, transID)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != payment.StateCancelled || st.Amount != 50000 {
		t.Errorf("status = %+v, want cancelled", st)
	}
}

func TestTimeoutPushesButSendsNobodyBack(t *testing.T) {
	e := newEnv(t)
	transID, _, token := e.open(t, e.pay(1004, 50000))
	resp := e.press(t, transID, token, "timeout")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" {
		t.Errorf("timeout answered %d to %q, want a page", resp.StatusCode, resp.Header.Get("Location"))
	}
	if p, _ := e.fake.Payment(transID); p.Returns != 0 || p.Status != "CANCELLED" {
		t.Errorf("payment = %+v", p)
	}
	if hints, _ := e.portal.got(); len(hints) != 1 || hints[0].Claimed != payment.StateCancelled {
		t.Errorf("push hints = %+v", hints)
	}
}

func TestPushVerification(t *testing.T) {
	e := newEnv(t)
	genuine := url.Values{"merchant": {merchant}, "test": {"true"}, "price": {"50000"}, "curr": {"CZK"}, "label": {"Poplatek"},
		"refId": {"1005"}, "transId": {"AB2C-D3EF-GH45"}, "secret": {secret}, "status": {"PAID"}, "email": {"a@b.cz"}}
	h, err := e.client.VerifyNotify(genuine)
	if err != nil {
		t.Fatal(err)
	}
	if h.GatewayRef != "AB2C-D3EF-GH45" || h.OrderNumber != 1005 || h.Claimed != payment.StatePaid {
		t.Errorf("hint = %+v", h)
	}
	edit := func(k, v string) url.Values {
		out := url.Values{}
		for kk, vv := range genuine {
			out[kk] = append([]string(nil), vv...)
		}
		if v == "" {
			out.Del(k)
		} else {
			out.Set(k, v)
		}
		return out
	}
	for name, v := range map[string]url.Values{
		"wrong secret":      edit("secret", "tajne-heslo-na-pozadX"),
		"secret prefix":     edit("secret", secret[:5]),
		"no secret":         edit("secret", ""),
		"another merchant":  edit("merchant", "654321"),
		"no merchant":       edit("merchant", ""),
		"no transId":        edit("transId", ""),
		"transId with junk": edit("transId", "AB2C<script>"),
	} {
		if h, err := e.client.VerifyNotify(v); !errors.Is(err, payment.ErrForged) {
			t.Errorf("%s: %+v %v, want ErrForged", name, h, err)
		}
	}
	// A forged push over HTTP is refused by the portal and changes nothing.
	resp, err := http.PostForm(e.portal.srv.URL+"/platba/oznameni/comgate", edit("secret", "guess"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	e.portal.mu.Lock()
	refused := e.portal.refused
	e.portal.mu.Unlock()
	if resp.StatusCode != http.StatusForbidden || refused != 1 {
		t.Errorf("forged push: %d, refused %d", resp.StatusCode, refused)
	}
}

func TestReturnCarriesOnlyIds(t *testing.T) {
	e := newEnv(t)
	h, err := e.client.VerifyReturn(url.Values{"id": {"AB2C-D3EF-GH45"}, "refId": {"77"}})
	if err != nil || h.GatewayRef != "AB2C-D3EF-GH45" || h.OrderNumber != 77 || h.Claimed != payment.StatePending {
		t.Errorf("hint = %+v, %v", h, err)
	}
	for name, v := range map[string]url.Values{
		"nothing":           {},
		"unfilled template": {"id": {"${id}"}, "refId": {"${refId}"}},
		"junk":              {"id": {"../../x"}},
	} {
		if _, err := e.client.VerifyReturn(v); !errors.Is(err, payment.ErrForged) {
			t.Errorf("%s: %v, want ErrForged", name, err)
		}
	}
}

func TestLostPushIsResolvedByStatus(t *testing.T) {
	e := newEnv(t)
	e.fake.SetPush(PushMode{Drop: true})
	transID, _, token := e.open(t, e.pay(1006, 50000))
	e.returned(t, e.press(t, transID, token, "pay"))
	if hints, _ := e.portal.got(); len(hints) != 0 {
		t.Errorf("a dropped push arrived: %+v", hints)
	}
	if pushes := e.fake.Pushes(); len(pushes) != 1 || !pushes[0].Dropped {
		t.Errorf("pushes = %+v", pushes)
	}
	// What the sweeper does: ask.
	st, err := e.client.Status(context.Background(), 1006, transID)
	if err != nil || st.State != payment.StatePaid {
		t.Errorf("status = %+v %v, want paid", st, err)
	}
	// Push sends it after all.
	if rec, err := e.fake.Push(transID); err != nil || rec.StatusCode != http.StatusOK {
		t.Errorf("Push = %+v %v", rec, err)
	}
	if hints, _ := e.portal.got(); len(hints) != 1 {
		t.Errorf("hints after Push = %+v", hints)
	}
}

func TestDelayedPushArrivesAfterTheBrowser(t *testing.T) {
	e := newEnv(t)
	e.fake.SetPush(PushMode{Delay: 300 * time.Millisecond})
	transID, _, token := e.open(t, e.pay(1007, 50000))
	e.returned(t, e.press(t, transID, token, "pay"))
	if hints, _ := e.portal.got(); len(hints) != 0 {
		t.Errorf("the push came before the browser: %+v", hints)
	}
	e.fake.WaitPushes()
	if hints, statuses := e.portal.got(); len(hints) != 1 || statuses[0].State != payment.StatePaid {
		t.Errorf("after the delay: %+v %+v", hints, statuses)
	}
}

func TestPushToAPortalThatIsDown(t *testing.T) {
	e := newEnv(t)
	e.portal.srv.Close()
	transID, _, token := e.open(t, e.pay(1008, 50000))
	e.press(t, transID, token, "pay")
	if pushes := e.fake.Pushes(); len(pushes) != 1 || pushes[0].Err == "" || pushes[0].StatusCode != 0 {
		t.Errorf("pushes = %+v", pushes)
	}
	if st, err := e.client.Status(context.Background(), 1008, transID); err != nil || st.State != payment.StatePaid {
		t.Errorf("status = %+v %v", st, err)
	}
}

func TestFakeSwitches(t *testing.T) {
	e := newEnv(t)
	st1, err := e.client.Create(context.Background(), e.pay(1009, 100))
	if err != nil {
		t.Fatal(err)
	}
	st2, err := e.client.Create(context.Background(), e.pay(1010, 200))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.fake.Paid(st1.GatewayRef); err != nil {
		t.Fatal(err)
	}
	if err := e.fake.Expire(st2.GatewayRef); err != nil {
		t.Fatal(err)
	}
	if err := e.fake.Paid(st2.GatewayRef); err == nil {
		t.Error("an expired payment was paid")
	}
	if err := e.fake.Paid("NO-SUCH"); err == nil {
		t.Error("an unknown payment was paid")
	}
	if len(e.fake.Pushes()) != 0 {
		t.Error("the switches pushed")
	}
	for ref, want := range map[string]payment.State{st1.GatewayRef: payment.StatePaid, st2.GatewayRef: payment.StateCancelled} {
		st, err := e.client.Status(context.Background(), 0, ref)
		if err != nil || st.State != want {
			t.Errorf("%s: %+v %v, want %s", ref, st, err, want)
		}
	}
	if got := e.fake.Payments(); len(got) != 2 || got[0].TransID != st1.GatewayRef {
		t.Errorf("payments = %+v", got)
	}
}

func TestErrorCodes(t *testing.T) {
	e := newEnv(t)
	apiErr := func(err error) *APIError {
		var a *APIError
		if !errors.As(err, &a) {
			return nil
		}
		return a
	}
	wrongSecret, _ := New(Config{Merchant: merchant, Secret: "spatne", BaseURL: e.fake.APIURL(), Test: true, HTTP: e.srv.Client()})
	unknownShop, _ := New(Config{Merchant: "999999", Secret: secret, BaseURL: e.fake.APIURL(), Test: true, HTTP: e.srv.Client()})
	for name, tc := range map[string]struct {
		c    *Client
		p    payment.GatewayPayment
		code int
	}{
		"wrong secret":  {wrongSecret, e.pay(1, 10000), CodeBadRequest},
		"unknown shop":  {unknownShop, e.pay(1, 10000), CodeUnknownShop},
		"below 1 Kč":    {e.client, e.pay(1, 99), CodePriceNotSupported},
		"unknown money": {e.client, payment.GatewayPayment{OrderNumber: 1, Amount: 100, Currency: "XYZ"}, CodeCurrency},
	} {
		_, err := tc.c.Create(context.Background(), tc.p)
		if a := apiErr(err); a == nil || a.Code != tc.code || a.Op != "create" {
			t.Errorf("%s: %v, want code %d", name, err, tc.code)
		}
	}
	st, err := e.client.Create(context.Background(), e.pay(2, 10000))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrongSecret.Status(context.Background(), 2, st.GatewayRef); apiErr(err) == nil || apiErr(err).Code != CodeBadRequest {
		t.Errorf("status with a wrong secret: %v", err)
	}
	if _, err := e.client.Status(context.Background(), 2, "AAAA-BBBB-CCCC"); apiErr(err) == nil || apiErr(err).Op != "status" {
		t.Errorf("status of an unknown payment: %v", err)
	}
	if _, err := e.client.Status(context.Background(), 2, ""); err == nil {
		t.Error("status without a transId")
	}
	// A transId of another order is not this order's status.
	if _, err := e.client.Status(context.Background(), 3, st.GatewayRef); err == nil || !strings.Contains(err.Error(), "refId") {
		t.Errorf("status of another order's transId: %v", err)
	}
	// A production client refuses a test payment.
	prod, _ := New(Config{Merchant: merchant, Secret: secret, BaseURL: e.fake.APIURL(), HTTP: e.srv.Client()})
	if _, err := prod.Status(context.Background(), 2, st.GatewayRef); err == nil || !strings.Contains(err.Error(), "test payment") {
		t.Errorf("production client and a test payment: %v", err)
	}
	// Broken gateways are errors, never states.
	for name, h := range map[string]http.HandlerFunc{
		"HTTP 500": func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", http.StatusInternalServerError) },
		"no code":  func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "message=OK") },
		"code 1500": func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "code=1500&message=Neocekavana+chyba")
		},
		"bad transId": func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "code=0&message=OK&transId=a%20b&redirect=https://x.cz/")
		},
		"bad redirect": func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "code=0&message=OK&transId=AB&redirect=javascript:x")
		},
		"other transId": func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "code=0&transId=ZZZZ&status=PAID&price=1")
		},
	} {
		srv := httptest.NewServer(h)
		c, _ := New(Config{Merchant: merchant, Secret: secret, BaseURL: srv.URL, Test: true, HTTP: srv.Client()})
		if _, err := c.Create(context.Background(), e.pay(9, 10000)); err == nil {
			t.Errorf("%s: create succeeded", name)
		}
		if st, err := c.Status(context.Background(), 9, "AB12-CD34"); err == nil {
			t.Errorf("%s: status %+v", name, st)
		}
		srv.Close()
	}
}

func TestAmountsRoundTripExactly(t *testing.T) {
	e := newEnv(t)
	for i, amount := range []int64{100, 101, 12345, 123456789, 999_999_999_999} {
		order := int64(3000 + i)
		transID, _, token := e.open(t, e.pay(order, amount))
		e.returned(t, e.press(t, transID, token, "pay"))
		if p, _ := e.fake.Payment(transID); p.Price != amount {
			t.Errorf("the gateway took %d, want %d", p.Price, amount)
		}
		st, err := e.client.Status(context.Background(), order, transID)
		if err != nil {
			t.Fatal(err)
		}
		if st.State != payment.StatePaid || st.Amount != amount {
			t.Errorf("status %+v, want paid %d", st, amount)
		}
	}
	_, statuses := e.portal.got()
	for i, st := range statuses {
		if want := []int64{100, 101, 12345, 123456789, 999_999_999_999}[i]; st.Amount != want {
			t.Errorf("push %d: amount %d, want %d", i, st.Amount, want)
		}
	}
}

func TestLabel(t *testing.T) {
	for in, want := range map[string]string{
		"":                               "Platba",
		"  Poplatek  ze psů ":            "Poplatek ze psů",
		"Poplatek za komunální odpad 26": "Poplatek za komu",
		"Nájem bytu č. 5 – květen":       "Nájem bytu č. 5",
	} {
		if got := Label(in); got != want {
			t.Errorf("Label(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewChecksConfig(t *testing.T) {
	c, err := New(Config{Merchant: merchant, Secret: secret})
	if err != nil || c.cfg.BaseURL != DefaultBaseURL || c.Name() != "comgate" {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	for name, cfg := range map[string]Config{
		"no merchant": {Secret: secret},
		"no secret":   {Merchant: merchant},
		"bad URL":     {Merchant: merchant, Secret: secret, BaseURL: "payments.comgate.cz"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for name, p := range map[string]payment.GatewayPayment{
		"no order":        {Amount: 100, Currency: "CZK"},
		"no amount":       {OrderNumber: 1, Currency: "CZK"},
		"lower currency":  {OrderNumber: 1, Amount: 100, Currency: "czk"},
		"relative return": {OrderNumber: 1, Amount: 100, Currency: "CZK", ReturnURL: "/navrat"},
	} {
		if _, err := c.Create(context.Background(), p); err == nil || strings.Contains(err.Error(), "HTTP") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
