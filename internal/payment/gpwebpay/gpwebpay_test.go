package gpwebpay

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/payment"
)

const merchantNumber = "1234567890"

var (
	keysOnce              sync.Once
	merchantKey, otherKey *rsa.PrivateKey
)

// keys are made once: RSA key generation is slow under -race.
func keys(t *testing.T) (*rsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if merchantKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if otherKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return merchantKey, otherKey
}

// env is a fake GP webpay on a real HTTP server, mounted under a prefix,
// and a client configured for it.
type env struct {
	fake    *Fake
	srv     *httptest.Server
	client  *Client
	browser *http.Client
}

const returnURL = "https://jizerov.example.cz/platba/navrat/gpwebpay?pokus=1"

func newEnv(t *testing.T) *env {
	t.Helper()
	mk, _ := keys(t)
	fake := NewFake(merchantNumber, &mk.PublicKey)
	mux := http.NewServeMux()
	mux.Handle("/demo-gw/gpwebpay/", fake)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	fake.BaseURL = srv.URL + "/demo-gw/gpwebpay"
	c, err := New(Config{MerchantNumber: merchantNumber, GatewayURL: fake.GatewayURL(), WSURL: fake.WSURL(),
		MerchantKey: mk, GPKey: fake.GPPublicKey(), HTTP: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	browser := srv.Client()
	browser.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &env{fake: fake, srv: srv, client: c, browser: browser}
}

func pay(order, amount int64) payment.GatewayPayment {
	return payment.GatewayPayment{OrderNumber: order, Amount: amount, Currency: "CZK",
		Description: "Poplatek ze psů 2026", Email: "jan.novak@example.cz", ReturnURL: returnURL}
}

// open creates the payment and fetches the order page as a browser would;
// it returns the page and its form token.
func (e *env) open(t *testing.T, p payment.GatewayPayment) (string, string) {
	t.Helper()
	st, err := e.client.Create(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if st.GatewayRef != "" {
		t.Errorf("GatewayRef = %q, want empty", st.GatewayRef)
	}
	resp, err := e.browser.Get(st.RedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("order page: %d %s", resp.StatusCode, body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://jizerov.example.cz;") ||
		!strings.Contains(csp, "script-src 'self'") {
		t.Errorf("order page CSP %q", csp)
	}
	m := regexp.MustCompile(`name="token" value="([0-9a-f]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no token on the order page:\n%s", body)
	}
	return body, m[1]
}

// press submits the order page with one of its buttons.
func (e *env) press(t *testing.T, order int64, token, action string) *http.Response {
	t.Helper()
	resp, err := e.browser.PostForm(e.fake.GatewayURL(), url.Values{
		"ORDERNUMBER": {strconv.FormatInt(order, 10)}, "token": {token}, "action": {action}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// returned is what the browser brings back after a button, from the
// redirect's Location.
func (e *env) returned(t *testing.T, resp *http.Response) url.Values {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, returnURL+"&") {
		t.Fatalf("Location %q does not go back to %q", loc, returnURL)
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

func TestRequestSignatureOverDocumentedFields(t *testing.T) {
	mk, _ := keys(t)
	c, err := New(Config{MerchantNumber: merchantNumber, GatewayURL: "https://test.3dsecure.gpwebpay.com/pgw/order.do",
		WSURL: "https://test.3dsecure.gpwebpay.com/pay-ws/v1/PaymentService", MerchantKey: mk, GPKey: &mk.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Create(context.Background(), payment.GatewayPayment{OrderNumber: 42, Amount: 123456, Currency: "CZK",
		Description: "Poplatek ze psů – Jizerov „2026“", Email: "jan.novak@example.cz",
		ReturnURL: "https://jizerov.example.cz/platba/navrat/gpwebpay"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(st.RedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != "https://test.3dsecure.gpwebpay.com/pgw/order.do" {
		t.Errorf("redirect goes to %s", got)
	}
	q := u.Query()
	const golden = "1234567890|CREATE_ORDER|42|123456|203|1|https://jizerov.example.cz/platba/navrat/gpwebpay|" +
		`Poplatek ze psu - Jizerov "2026"|jan.novak@example.cz`
	if got := digestText(requestOrder, q); got != golden {
		t.Errorf("signed text\n got %q\nwant %q", got, golden)
	}
	if !verify(&mk.PublicKey, golden, q.Get("DIGEST")) {
		t.Error("DIGEST does not verify over the golden text")
	}
	// The same values in another order, or with LANG, are another text.
	if verify(&mk.PublicKey, "CREATE_ORDER|1234567890|42|123456|203|1|https://jizerov.example.cz/platba/navrat/gpwebpay|"+
		`Poplatek ze psu - Jizerov "2026"|jan.novak@example.cz`, q.Get("DIGEST")) {
		t.Error("DIGEST verifies over fields in the wrong order")
	}
	if q.Get("LANG") != "CZ" || strings.Contains(golden, "CZ|") {
		t.Errorf("LANG = %q; it is sent but never signed", q.Get("LANG"))
	}
	for _, k := range []string{"MERORDERNUM", "MD", "USERPARAM1"} {
		if q.Has(k) {
			t.Errorf("%s sent, want not", k)
		}
	}
	// Without an e-mail and a description the text only has what is sent.
	st, err = c.Create(context.Background(), payment.GatewayPayment{OrderNumber: 7, Amount: 100, Currency: "CZK",
		ReturnURL: "https://jizerov.example.cz/n"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ = url.Parse(st.RedirectURL)
	if got, want := digestText(requestOrder, u.Query()), "1234567890|CREATE_ORDER|7|100|203|1|https://jizerov.example.cz/n"; got != want {
		t.Errorf("minimal signed text %q, want %q", got, want)
	}
}

func TestCreateRefusesWhatGPWebpayCannotTake(t *testing.T) {
	e := newEnv(t)
	for name, p := range map[string]payment.GatewayPayment{
		"zero amount":       {OrderNumber: 1, Amount: 0, Currency: "CZK", ReturnURL: returnURL},
		"euro":              {OrderNumber: 1, Amount: 100, Currency: "EUR", ReturnURL: returnURL},
		"16-digit order":    {OrderNumber: 1_000_000_000_000_000, Amount: 100, Currency: "CZK", ReturnURL: returnURL},
		"relative return":   {OrderNumber: 1, Amount: 100, Currency: "CZK", ReturnURL: "/platba/navrat"},
		"no order number":   {Amount: 100, Currency: "CZK", ReturnURL: returnURL},
		"too long a return": {OrderNumber: 1, Amount: 100, Currency: "CZK", ReturnURL: "https://x.cz/" + strings.Repeat("a", 300)},
	} {
		if _, err := e.client.Create(context.Background(), p); err == nil {
			t.Errorf("%s: created", name)
		}
	}
}

func TestASCII(t *testing.T) {
	for in, want := range map[string]string{
		"Poplatek ze psů":             "Poplatek ze psu",
		"Žluťoučký kůň úpěl ďábelské": "Zlutoucky kun upel dabelske",
		"  a\t\nb  ":                  "a b",
		"Nájem – byt č. 5":            "Najem - byt c. 5",
		"€ 5 ☺":                       "5",
	} {
		if got := ASCII(in, 255); got != want {
			t.Errorf("ASCII(%q) = %q, want %q", in, got, want)
		}
	}
	if got := ASCII(strings.Repeat("ab ", 100), 255); len(got) > 255 {
		t.Errorf("ASCII longer than 255: %d", len(got))
	}
}

func TestPaidReturnAndStatus(t *testing.T) {
	e := newEnv(t)
	page, token := e.open(t, pay(1001, 123456))
	for _, want := range []string{"DEMO platební brána", "1\u00a0234,56\u00a0Kč", "Poplatek ze psu 2026", "Zaplatit", "Zrušit", "Nechat vypršet"} {
		if !strings.Contains(page, want) {
			t.Errorf("order page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "style=") {
		t.Error("order page has inline script or style")
	}
	st, err := e.client.Status(context.Background(), 1001, "")
	if err != nil {
		t.Fatal(err)
	}
	if st.State != payment.StatePending || st.Amount != 123456 {
		t.Errorf("before paying: %+v, want pending 123456", st)
	}

	resp := e.press(t, 1001, token, "pay")
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "form-action 'self' https://jizerov.example.cz;") {
		t.Errorf("CSP %q does not let the form end at the portal", csp)
	}
	back := e.returned(t, resp)
	if back.Get("PRCODE") != "0" || back.Get("SRCODE") != "0" || back.Get("DIGEST") == "" || back.Get("DIGEST1") == "" {
		t.Errorf("return = %v", back)
	}
	h, err := e.client.VerifyReturn(back)
	if err != nil {
		t.Fatal(err)
	}
	if h.OrderNumber != 1001 || h.GatewayRef != "" || h.Claimed != payment.StatePaid {
		t.Errorf("hint = %+v", h)
	}
	st, err = e.client.Status(context.Background(), 1001, "")
	if err != nil {
		t.Fatal(err)
	}
	if st.State != payment.StatePaid || st.Amount != 123456 || st.Currency != "CZK" || !strings.Contains(st.Detail, "CAPTURED") {
		t.Errorf("status = %+v, want paid 123456 CZK", st)
	}
	if o, _ := e.fake.Order(1001); o.Status != StatusCaptured || o.Returns != 1 {
		t.Errorf("fake order = %+v", o)
	}
	// The page cannot be used twice.
	if resp := e.press(t, 1001, token, "cancel"); resp.StatusCode != http.StatusConflict {
		t.Errorf("second press: %d, want 409", resp.StatusCode)
	}
}

func TestCancelReturn(t *testing.T) {
	e := newEnv(t)
	_, token := e.open(t, pay(1002, 50000))
	back := e.returned(t, e.press(t, 1002, token, "cancel"))
	if back.Get("PRCODE") != "50" {
		t.Errorf("PRCODE = %q, want 50", back.Get("PRCODE"))
	}
	h, err := e.client.VerifyReturn(back)
	if err != nil {
		t.Fatal(err)
	}
	if h.OrderNumber != 1002 || h.Claimed != payment.StateCancelled || !strings.Contains(h.Detail, "PRCODE=50") {
		t.Errorf("hint = %+v", h)
	}
	st, err := e.client.Status(context.Background(), 1002, "")
	if err != nil {
		t.Fatal(err)
	}
	if st.State != payment.StateCancelled || st.Amount != 50000 {
		t.Errorf("status = %+v, want cancelled 50000", st)
	}
}

func TestTimeoutSendsNobodyBack(t *testing.T) {
	e := newEnv(t)
	_, token := e.open(t, pay(1003, 50000))
	resp := e.press(t, 1003, token, "timeout")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" {
		t.Errorf("timeout answered %d to %q, want a page and no return", resp.StatusCode, resp.Header.Get("Location"))
	}
	if o, _ := e.fake.Order(1003); o.Returns != 0 {
		t.Errorf("returns = %d", o.Returns)
	}
	st, err := e.client.Status(context.Background(), 1003, "")
	if err != nil {
		t.Fatal(err)
	}
	if st.State != payment.StateCancelled {
		t.Errorf("status = %+v, want cancelled", st)
	}
}

func TestForgedReturns(t *testing.T) {
	e := newEnv(t)
	_, other := keys(t)
	_, tok1 := e.open(t, pay(2001, 10000))
	paid := e.returned(t, e.press(t, 2001, tok1, "pay"))
	_, tok2 := e.open(t, pay(2002, 10000))
	cancelled := e.returned(t, e.press(t, 2002, tok2, "cancel"))
	if _, err := e.client.VerifyReturn(paid); err != nil {
		t.Fatalf("genuine return refused: %v", err)
	}

	resign := func(v url.Values, key *rsa.PrivateKey, merchant string) url.Values {
		v = cloneValues(v)
		text := digestText(responseOrder, v)
		d, _ := sign(key, text)
		d1, _ := sign(key, text+"|"+merchant)
		v.Set("DIGEST", d)
		v.Set("DIGEST1", d1)
		return v
	}
	edit := func(v url.Values, k, val string) url.Values {
		v = cloneValues(v)
		v.Set(k, val)
		return v
	}
	// DIGEST genuine, DIGEST1 signed by GP for another merchant.
	otherMerchant := cloneValues(paid)
	d1, _ := sign(e.fake.key, digestText(responseOrder, paid)+"|9999999999")
	otherMerchant.Set("DIGEST1", d1)
	noDigest1 := cloneValues(paid)
	noDigest1.Del("DIGEST1")

	for name, v := range map[string]url.Values{
		"cancel turned into success":   edit(cancelled, "PRCODE", "0"),
		"SRCODE changed":               edit(paid, "SRCODE", "1"),
		"result text changed":          edit(paid, "RESULTTEXT", "Zaplaceno"),
		"another (unknown) order":      edit(paid, "ORDERNUMBER", "2999"),
		"DIGEST1 for another merchant": otherMerchant,
		"signed by another key":        resign(paid, other, merchantNumber),
		"field added":                  edit(paid, "MD", "x"),
		"no DIGEST1":                   noDigest1,
		"DIGEST not base64":            edit(paid, "DIGEST", "%%%"),
		"order number not a number":    resign(edit(paid, "ORDERNUMBER", "abc"), e.fake.key, merchantNumber),
		"another operation":            resign(edit(paid, "OPERATION", "CREATE_TOKEN"), e.fake.key, merchantNumber),
		"empty":                        {},
	} {
		if h, err := e.client.VerifyReturn(v); !errors.Is(err, payment.ErrForged) {
			t.Errorf("%s: hint %+v, err %v, want ErrForged", name, h, err)
		}
	}
	// A genuine return is forged for a portal configured as another merchant.
	mk, _ := keys(t)
	c2, err := New(Config{MerchantNumber: "9999999999", GatewayURL: e.fake.GatewayURL(), WSURL: e.fake.WSURL(),
		MerchantKey: mk, GPKey: e.fake.GPPublicKey()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.VerifyReturn(paid); !errors.Is(err, payment.ErrForged) {
		t.Errorf("another merchant accepted the return: %v", err)
	}
	// Re-signing with the fake's own key as if for this merchant is genuine.
	if _, err := e.client.VerifyReturn(resign(paid, e.fake.key, merchantNumber)); err != nil {
		t.Errorf("re-signed genuine return refused: %v", err)
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func TestOrderPageRefusesBadRequests(t *testing.T) {
	e := newEnv(t)
	_, other := keys(t)
	st, err := e.client.Create(context.Background(), pay(3001, 10000))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(st.RedirectURL)
	q := u.Query()
	get := func(v url.Values) (int, string) {
		resp, err := e.browser.Get(e.fake.GatewayURL() + "?" + v.Encode())
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readAll(t, resp)
	}
	tampered := cloneValues(q)
	tampered.Set("AMOUNT", "100")
	otherKey := cloneValues(q)
	d, _ := sign(other, digestText(requestOrder, q))
	otherKey.Set("DIGEST", d)
	otherMerchant := cloneValues(q)
	otherMerchant.Set("MERCHANTNUMBER", "9999999999")
	d, _ = sign(e.fake.key, digestText(requestOrder, otherMerchant)) // a valid signature, but not the merchant's key
	otherMerchant.Set("DIGEST", d)
	for name, v := range map[string]url.Values{
		"amount changed":   tampered,
		"another key":      otherKey,
		"another merchant": otherMerchant,
	} {
		code, body := get(v)
		if code != http.StatusBadRequest || strings.Contains(body, `name="token"`) {
			t.Errorf("%s: %d, want 400 without a form", name, code)
		}
	}
	if _, ok := e.fake.Order(3001); ok {
		t.Fatal("a refused request created the order")
	}
	// The genuine request opens it; a reload shows it again.
	for range 2 {
		if code, body := get(q); code != http.StatusOK || !strings.Contains(body, "Nechat vypršet") {
			t.Fatalf("genuine request: %d", code)
		}
	}
	// Another request with the same order number is a duplicate.
	st2, err := e.client.Create(context.Background(), pay(3001, 20000))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := e.browser.Get(st2.RedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "už bylo použito") {
		t.Errorf("duplicate order number: %d %s", resp.StatusCode, body)
	}
	if o, _ := e.fake.Order(3001); o.Amount != 10000 {
		t.Errorf("duplicate changed the order: %+v", o)
	}
	// A made-up token cannot drive the page.
	if resp := e.press(t, 3001, strings.Repeat("0", 32), "pay"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("wrong token: %d", resp.StatusCode)
	}
}

func TestStatusOfUnknownOrderIsPending(t *testing.T) {
	e := newEnv(t)
	st, err := e.client.Status(context.Background(), 4001, "")
	if err != nil {
		t.Fatal(err)
	}
	if st.State != payment.StatePending || !strings.Contains(st.Detail, "unknown") {
		t.Errorf("status = %+v, want pending, unknown", st)
	}
}

func TestStatusChecksTheAnswer(t *testing.T) {
	e := newEnv(t)
	mk, other := keys(t)
	e.open(t, pay(5001, 10000))
	if err := e.fake.Paid(5001); err != nil {
		t.Fatal(err)
	}
	// An answer that GP's key did not sign is an error, never a state.
	c, err := New(Config{MerchantNumber: merchantNumber, GatewayURL: e.fake.GatewayURL(), WSURL: e.fake.WSURL(),
		MerchantKey: mk, GPKey: &other.PublicKey, HTTP: e.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.Status(context.Background(), 5001, ""); err == nil {
		t.Errorf("unverified answer accepted: %+v", st)
	}
	// A request signed with the wrong merchant key gets a signed fault.
	c, err = New(Config{MerchantNumber: merchantNumber, GatewayURL: e.fake.GatewayURL(), WSURL: e.fake.WSURL(),
		MerchantKey: other, GPKey: e.fake.GPPublicKey(), HTTP: e.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	var wsErr *WSError
	if _, err := c.Status(context.Background(), 5001, ""); !errors.As(err, &wsErr) || wsErr.PRCode != prWrongDigest {
		t.Errorf("wrong merchant key: %v, want a WS fault PRCODE=31", err)
	}
	// An answer to another question (a replayed answer) is refused.
	replay := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fields := [][2]string{{"messageId", "00000000000000000000000000000000"}, {"state", "7"}, {"status", StatusCaptured},
			{"paymentAmount", "10000"}, {"captureAmount", "10000"}}
		e.fake.soapAnswer(w, "getPaymentDetailResponse", "paymentDetailResponse", fields)
	}))
	defer replay.Close()
	c, err = New(Config{MerchantNumber: merchantNumber, GatewayURL: e.fake.GatewayURL(), WSURL: replay.URL,
		MerchantKey: mk, GPKey: e.fake.GPPublicKey(), HTTP: replay.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.Status(context.Background(), 5001, ""); err == nil {
		t.Errorf("replayed answer accepted: %+v", st)
	}
	// A dead service is an error.
	replay.Close()
	if _, err := c.Status(context.Background(), 5001, ""); err == nil {
		t.Error("no error from a closed server")
	}
}

func TestFakeSwitches(t *testing.T) {
	e := newEnv(t)
	if err := e.fake.Paid(6001); err == nil {
		t.Error("Paid of an order never opened succeeded")
	}
	e.open(t, pay(6001, 777))
	e.open(t, pay(6002, 888))
	if err := e.fake.Paid(6001); err != nil {
		t.Fatal(err)
	}
	if err := e.fake.Expire(6002); err != nil {
		t.Fatal(err)
	}
	if err := e.fake.Paid(6002); err == nil {
		t.Error("an expired order was paid")
	}
	for n, want := range map[int64]payment.State{6001: payment.StatePaid, 6002: payment.StateCancelled} {
		st, err := e.client.Status(context.Background(), n, "")
		if err != nil {
			t.Fatal(err)
		}
		if st.State != want {
			t.Errorf("order %d: %+v, want %s", n, st, want)
		}
	}
	if got := e.fake.Orders(); len(got) != 2 || got[0].OrderNumber != 6001 || got[0].Returns != 0 {
		t.Errorf("orders = %+v", got)
	}
	// ReturnValues is what a browser would bring back: genuine.
	v, err := e.fake.ReturnValues(6001)
	if err != nil {
		t.Fatal(err)
	}
	if h, err := e.client.VerifyReturn(v); err != nil || h.Claimed != payment.StatePaid {
		t.Errorf("ReturnValues: %+v %v", h, err)
	}
}

func TestAmountsRoundTripExactly(t *testing.T) {
	e := newEnv(t)
	for i, amount := range []int64{1, 99, 100, 12345, 123456789, 999_999_999_999} {
		n := int64(7000 + i)
		_, token := e.open(t, pay(n, amount))
		e.returned(t, e.press(t, n, token, "pay"))
		if o, _ := e.fake.Order(n); o.Amount != amount {
			t.Errorf("the gateway took %d, want %d", o.Amount, amount)
		}
		st, err := e.client.Status(context.Background(), n, "")
		if err != nil {
			t.Fatal(err)
		}
		if st.State != payment.StatePaid || st.Amount != amount {
			t.Errorf("status %+v, want paid %d", st, amount)
		}
	}
}

func TestNoPushes(t *testing.T) {
	e := newEnv(t)
	if _, err := e.client.VerifyNotify(url.Values{"ORDERNUMBER": {"1"}}); !errors.Is(err, payment.ErrForged) {
		t.Errorf("VerifyNotify = %v, want ErrForged", err)
	}
	if e.client.Name() != "gpwebpay" {
		t.Errorf("Name = %q", e.client.Name())
	}
}

func TestNewChecksConfig(t *testing.T) {
	mk, _ := keys(t)
	good := Config{MerchantNumber: merchantNumber, GatewayURL: "https://gw.example/pgw/order.do",
		WSURL: "https://gw.example/pay-ws/v1/PaymentService", MerchantKey: mk, GPKey: &mk.PublicKey}
	if c, err := New(good); err != nil || c.cfg.Provider != DefaultProvider {
		t.Fatalf("good config: %v", err)
	}
	for name, edit := range map[string]func(*Config){
		"no merchant":     func(c *Config) { c.MerchantNumber = "" },
		"relative URL":    func(c *Config) { c.GatewayURL = "/pgw/order.do" },
		"URL with query":  func(c *Config) { c.WSURL = "https://gw.example/ws?x=1" },
		"no merchant key": func(c *Config) { c.MerchantKey = nil },
		"no GP key":       func(c *Config) { c.GPKey = nil },
		"bad provider":    func(c *Config) { c.Provider = "01" },
	} {
		c := good
		edit(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseKeysPEM(t *testing.T) {
	mk, _ := keys(t)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(mk)
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range []*pem.Block{
		{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(mk)},
		{Type: "PRIVATE KEY", Bytes: pkcs8},
	} {
		k, err := ParsePrivateKeyPEM(pem.EncodeToMemory(block))
		if err != nil || !k.Equal(mk) {
			t.Errorf("%s: %v", block.Type, err)
		}
	}
	if _, err := ParsePrivateKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY",
		Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: []byte{1}})); err == nil {
		t.Error("encrypted key accepted")
	}
	pub, err := x509.MarshalPKIXPublicKey(&mk.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkixName("GP webpay test"),
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &mk.PublicKey, mk)
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range []*pem.Block{
		{Type: "PUBLIC KEY", Bytes: pub},
		{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&mk.PublicKey)},
		{Type: "CERTIFICATE", Bytes: cert},
	} {
		k, err := ParsePublicKeyPEM(pem.EncodeToMemory(block))
		if err != nil || !k.Equal(&mk.PublicKey) {
			t.Errorf("%s: %v", block.Type, err)
		}
	}
	if _, err := ParsePublicKeyPEM([]byte("not pem")); err == nil {
		t.Error("garbage accepted")
	}
}

func pkixName(cn string) pkix.Name { return pkix.Name{CommonName: cn} }
