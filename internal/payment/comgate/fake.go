package comgate

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/i18n"
)

// Fake is a ComGate for tests and the demo, over real HTTP: the API
// (…/v1.0/create and …/v1.0/status, checking merchant and secret), the
// payer's page (…/pay/{transId}) and the push of each result to the shop's
// push URL. Mount it anywhere; it answers by the end of the path. Payments
// live in memory.
//
// As at ComGate, the push URL belongs to the shop (FakeMerchant.NotifyURL,
// ComGate's client-portal setting), not to the payment. The browser goes
// back to the payment's url_paid/url_cancelled if create gave them, else
// to the shop's ReturnURL; ${id} and ${refId} in either are filled in.
//
// The payer's page pays (PAID), cancels (CANCELLED) or lets the payment
// time out (CANCELLED, pushed, but the browser is not sent back). SetPush
// loses or delays pushes, so tests can show that the sweeper, asking
// /status, resolves what the push did not.
type Fake struct {
	// BaseURL is where the handler is mounted, without a trailing slash,
	// e.g. "http://localhost:8080/demo-gw/comgate"; APIURL and the payer's
	// page derive from it. Set it before use.
	BaseURL string
	// Stylesheet is linked from the payer's page; "" means /static/site.css.
	Stylesheet string
	// HTTP sends the pushes; nil means a client with a 10-second timeout.
	HTTP *http.Client

	mu        sync.Mutex
	merchants map[string]FakeMerchant
	payments  map[string]*fakePayment
	order     []string // transIds in creation order
	push      PushMode
	pushes    []Push
	inflight  sync.WaitGroup
}

// FakeMerchant is a shop at the fake, with what ComGate's client portal
// holds for it.
type FakeMerchant struct {
	Merchant, Secret string
	// NotifyURL receives the pushes ("" sends none).
	NotifyURL string
	// ReturnURL is where the browser goes back when create named no URL;
	// ${id} and ${refId} are filled in.
	ReturnURL string
}

// FakePayment is what the fake knows of a payment.
type FakePayment struct {
	TransID  string
	Merchant string
	Test     bool
	Price    int64 // haléře (cents)
	Curr     string
	Label    string
	RefID    string
	Email    string
	Method   string // the method asked for at create ("ALL")
	Status   string // PENDING, PAID, CANCELLED
	// URLPaid, URLCancelled and URLPending are the return URLs create gave.
	URLPaid, URLCancelled, URLPending string
	// Returns counts the browser returns the fake sent.
	Returns int
}

type fakePayment struct {
	FakePayment
	token string // binds the payer's page to the payment
}

// PushMode says what happens to pushes.
type PushMode struct {
	// Drop loses every push (recorded with Dropped set).
	Drop bool
	// Delay sends each push this long after the result, in the background
	// (WaitPushes waits for them); 0 sends it before the browser is sent
	// back.
	Delay time.Duration
}

// Push records one push.
type Push struct {
	TransID    string
	Status     string
	URL        string
	Dropped    bool
	StatusCode int    // the shop's HTTP answer; 0 when not sent or failed
	Err        string // a transport error
}

// NewFake makes a fake ComGate with the given shops.
func NewFake(merchants ...FakeMerchant) *Fake {
	f := &Fake{merchants: map[string]FakeMerchant{}, payments: map[string]*fakePayment{}}
	for _, m := range merchants {
		f.AddMerchant(m)
	}
	return f
}

// AddMerchant adds or replaces a shop.
func (f *Fake) AddMerchant(m FakeMerchant) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.merchants[m.Merchant] = m
}

// APIURL is the API's base, for Config.BaseURL.
func (f *Fake) APIURL() string { return f.BaseURL + "/v1.0" }

// SetPush changes what happens to pushes from now on.
func (f *Fake) SetPush(m PushMode) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.push = m
}

// Pushes lists the pushes so far, in order.
func (f *Fake) Pushes() []Push {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Push(nil), f.pushes...)
}

// WaitPushes waits until delayed pushes have been sent.
func (f *Fake) WaitPushes() { f.inflight.Wait() }

// Payment returns what the fake knows of a payment.
func (f *Fake) Payment(transID string) (FakePayment, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.payments[transID]
	if !ok {
		return FakePayment{}, false
	}
	return p.FakePayment, true
}

// Payments lists the payments in the order they were created.
func (f *Fake) Payments() []FakePayment {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]FakePayment, 0, len(f.order))
	for _, id := range f.order {
		out = append(out, f.payments[id].FakePayment)
	}
	return out
}

// Paid marks a pending payment PAID with neither a push nor a browser
// return, as when both were lost: only /status tells (Push sends the push
// afterwards if wanted).
func (f *Fake) Paid(transID string) error { return f.finish(transID, "PAID") }

// Expire marks a pending payment CANCELLED (expired) with neither a push
// nor a browser return.
func (f *Fake) Expire(transID string) error { return f.finish(transID, "CANCELLED") }

func (f *Fake) finish(transID, status string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.payments[transID]
	if !ok {
		return fmt.Errorf("comgate fake: no payment %q", transID)
	}
	if p.Status != "PENDING" {
		return fmt.Errorf("comgate fake: payment %s is already %s", transID, p.Status)
	}
	p.Status = status
	return nil
}

// Push sends the payment's current status to its shop's push URL now,
// whatever the push mode, and returns what happened.
func (f *Fake) Push(transID string) (Push, error) {
	f.mu.Lock()
	p, ok := f.payments[transID]
	if !ok {
		f.mu.Unlock()
		return Push{}, fmt.Errorf("comgate fake: no payment %q", transID)
	}
	view, m := p.FakePayment, f.merchants[p.Merchant]
	f.mu.Unlock()
	rec := f.send(view, m)
	if rec.Err != "" {
		return rec, fmt.Errorf("comgate fake: push: %s", rec.Err)
	}
	return rec, nil
}

// ServeHTTP serves the API and the payer's page.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	path := r.URL.Path
	switch {
	case strings.HasSuffix(path, "/v1.0/create"), strings.HasSuffix(path, "/v1.0/status"):
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if err := r.ParseForm(); err != nil {
			answer(w, url.Values{"code": {strconv.Itoa(CodeBadRequest)}, "message": {"unreadable form"}})
			return
		}
		if strings.HasSuffix(path, "/create") {
			answer(w, f.create(r.PostForm))
		} else {
			answer(w, f.status(r.PostForm))
		}
	case strings.Contains(path, "/pay/"):
		transID := path[strings.LastIndex(path, "/pay/")+len("/pay/"):]
		switch r.Method {
		case http.MethodGet:
			f.payerPage(w, transID)
		case http.MethodPost:
			f.decide(w, r, transID)
		default:
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	default:
		http.NotFound(w, r)
	}
}

// answer writes an API answer, form-encoded as ComGate's.
func answer(w http.ResponseWriter, v url.Values) {
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	_, _ = io.WriteString(w, v.Encode())
}

func failure(code int, message string) url.Values {
	return url.Values{"code": {strconv.Itoa(code)}, "message": {message}}
}

// shop checks merchant and secret.
func (f *Fake) shop(form url.Values) (FakeMerchant, url.Values) {
	f.mu.Lock()
	m, ok := f.merchants[form.Get("merchant")]
	f.mu.Unlock()
	if !ok {
		return m, failure(CodeUnknownShop, "Neznámý e-shop")
	}
	if subtle.ConstantTimeCompare([]byte(m.Secret), []byte(form.Get("secret"))) != 1 {
		return m, failure(CodeBadRequest, "Chybné heslo (secret)")
	}
	return m, nil
}

var (
	currencies = map[string]bool{"CZK": true, "EUR": true, "PLN": true, "HUF": true, "USD": true, "GBP": true, "RON": true, "NOK": true, "SEK": true}
	languages  = map[string]bool{"cs": true, "sk": true, "en": true, "es": true, "it": true, "pl": true, "fr": true, "ro": true, "de": true, "hu": true, "si": true, "hr": true, "no": true, "sv": true}
)

// create handles POST /create (in the background only: prepareOnly=true).
func (f *Fake) create(form url.Values) url.Values {
	m, fail := f.shop(form)
	if fail != nil {
		return fail
	}
	if form.Get("prepareOnly") != "true" {
		return failure(CodeBadRequest, "The fake creates payments in the background only (prepareOnly=true)")
	}
	price, err := strconv.ParseInt(form.Get("price"), 10, 64)
	if err != nil || price <= 0 {
		return failure(CodeAmount, "Nesprávná částka")
	}
	curr := form.Get("curr")
	if !currencies[curr] {
		return failure(CodeCurrency, "Neznámá měna")
	}
	if curr == "CZK" && price < 100 {
		return failure(CodePriceNotSupported, "Částka platby není podporována (nejméně 1 Kč)")
	}
	label := form.Get("label")
	if label == "" {
		return failure(CodeNoLabel, "Chybí popis produktu")
	}
	if utf8.RuneCountInString(label) > maxLabel {
		return failure(CodeBadRequest, "Popis produktu je delší než 16 znaků")
	}
	if form.Get("refId") == "" {
		return failure(CodeBadRequest, "Chybí refId")
	}
	if form.Get("method") == "" {
		return failure(CodeChooseMethod, "Vyberte správnou metodu")
	}
	if l := form.Get("lang"); l != "" && !languages[l] {
		return failure(CodeLanguage, "Zadaný jazyk není podporován")
	}
	for _, k := range []string{"url_paid", "url_cancelled", "url_pending"} {
		if v := form.Get(k); v != "" {
			if _, ok := httpx.Origin(fill(v, "X", "X")); !ok {
				return failure(CodeBadRequest, "Chybná adresa "+k)
			}
		}
	}
	p := &fakePayment{FakePayment: FakePayment{TransID: newTransID(), Merchant: m.Merchant, Test: form.Get("test") == "true",
		Price: price, Curr: curr, Label: label, RefID: form.Get("refId"), Email: form.Get("email"), Method: form.Get("method"),
		Status: "PENDING", URLPaid: form.Get("url_paid"), URLCancelled: form.Get("url_cancelled"), URLPending: form.Get("url_pending")},
		token: randomHex(16)}
	f.mu.Lock()
	f.payments[p.TransID] = p
	f.order = append(f.order, p.TransID)
	f.mu.Unlock()
	return url.Values{"code": {"0"}, "message": {"OK"}, "transId": {p.TransID}, "redirect": {f.BaseURL + "/pay/" + p.TransID}}
}

// status handles POST /status.
func (f *Fake) status(form url.Values) url.Values {
	m, fail := f.shop(form)
	if fail != nil {
		return fail
	}
	p, ok := f.Payment(form.Get("transId"))
	if !ok || p.Merchant != m.Merchant {
		return failure(CodeBadRequest, "Platba nenalezena")
	}
	v := url.Values{"code": {"0"}, "message": {"OK"}}
	for k, val := range p.fields(m) {
		v.Set(k, val)
	}
	return v
}

// fields are what /status and the push say of a payment.
func (p FakePayment) fields(m FakeMerchant) map[string]string {
	out := map[string]string{"merchant": p.Merchant, "test": strconv.FormatBool(p.Test), "price": strconv.FormatInt(p.Price, 10),
		"curr": p.Curr, "label": p.Label, "refId": p.RefID, "email": p.Email, "transId": p.TransID, "secret": m.Secret,
		"status": p.Status}
	if p.Status == "PAID" {
		out["method"] = "CARD_CZ_COMGATE"
	}
	return out
}

// decide handles the payer's page's buttons.
func (f *Fake) decide(w http.ResponseWriter, r *http.Request, transID string) {
	if err := r.ParseForm(); err != nil {
		f.page(w, http.StatusBadRequest, "", pageData{Title: "Chyba", Message: "Chybný formulář."})
		return
	}
	f.mu.Lock()
	p, ok := f.payments[transID]
	if !ok || subtle.ConstantTimeCompare([]byte(p.token), []byte(r.PostForm.Get("token"))) != 1 {
		f.mu.Unlock()
		f.page(w, http.StatusBadRequest, "", pageData{Title: "Chyba", Message: "Neznámá platba."})
		return
	}
	if p.Status != "PENDING" {
		f.mu.Unlock()
		f.page(w, http.StatusConflict, "", pageData{Title: "Chyba", Message: "Tato platba už skončila."})
		return
	}
	action := r.PostForm.Get("action")
	switch action {
	case "pay":
		p.Status = "PAID"
	case "cancel", "timeout":
		p.Status = "CANCELLED"
	default:
		f.mu.Unlock()
		f.page(w, http.StatusBadRequest, "", pageData{Title: "Chyba", Message: "Neznámá akce."})
		return
	}
	if action != "timeout" {
		p.Returns++
	}
	view, m, mode := p.FakePayment, f.merchants[p.Merchant], f.push
	f.mu.Unlock()

	f.pushResult(view, m, mode)
	if action == "timeout" {
		f.page(w, http.StatusOK, "", pageData{Title: "Platba vypršela",
			Message: "Platba vypršela a nic se nezaplatilo. Brána vás na portál nevrátí; výsledek mu oznámila na pozadí. Toto okno můžete zavřít."})
		return
	}
	target := view.URLCancelled
	if view.Status == "PAID" {
		target = view.URLPaid
	}
	if target == "" {
		target = m.ReturnURL
	}
	if target == "" {
		f.page(w, http.StatusOK, "", pageData{Title: "Hotovo", Message: "Platba skončila; obchod nemá nastavenou adresu pro návrat."})
		return
	}
	target = fill(target, view.TransID, view.RefID)
	origin, _ := httpx.Origin(target)
	w.Header().Set("Content-Security-Policy", httpx.CSPFormAction(origin))
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// pushResult pushes now, later or never, as the mode says.
func (f *Fake) pushResult(p FakePayment, m FakeMerchant, mode PushMode) {
	if m.NotifyURL == "" {
		return
	}
	switch {
	case mode.Drop:
		f.record(Push{TransID: p.TransID, Status: p.Status, URL: m.NotifyURL, Dropped: true})
	case mode.Delay > 0:
		f.inflight.Add(1)
		go func() {
			defer f.inflight.Done()
			time.Sleep(mode.Delay)
			f.send(p, m)
		}()
	default:
		f.send(p, m)
	}
}

// send POSTs the payment's fields to the shop's push URL.
func (f *Fake) send(p FakePayment, m FakeMerchant) Push {
	rec := Push{TransID: p.TransID, Status: p.Status, URL: m.NotifyURL}
	defer func() { f.record(rec) }()
	if m.NotifyURL == "" {
		rec.Err = "the shop has no push URL"
		return rec
	}
	form := url.Values{}
	for k, v := range p.fields(m) {
		form.Set(k, v)
	}
	hc := f.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.NotifyURL, strings.NewReader(form.Encode()))
	if err != nil {
		rec.Err = err.Error()
		return rec
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		rec.Err = err.Error()
		slog.Warn("comgate fake: push failed", "transId", p.TransID, "err", err)
		return rec
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	rec.StatusCode = resp.StatusCode
	if resp.StatusCode != http.StatusOK {
		slog.Warn("comgate fake: push refused", "transId", p.TransID, "status", resp.StatusCode)
	}
	return rec
}

func (f *Fake) record(p Push) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pushes = append(f.pushes, p)
}

// fill puts the transId and refId into a return URL.
func fill(u, transID, refID string) string {
	return strings.NewReplacer("${id}", url.QueryEscape(transID), "${refId}", url.QueryEscape(refID)).Replace(u)
}

//go:embed fakepage.html
var fakePageHTML string

var fakePage = template.Must(template.New("page").Parse(fakePageHTML))

type pageData struct {
	Title, Message, Stylesheet, Amount, Token string
	Payment                                   *FakePayment
}

// payerPage shows a pending payment's page.
func (f *Fake) payerPage(w http.ResponseWriter, transID string) {
	f.mu.Lock()
	p, ok := f.payments[transID]
	var view FakePayment
	var token, fallback string
	if ok {
		view, token, fallback = p.FakePayment, p.token, f.merchants[p.Merchant].ReturnURL
	}
	f.mu.Unlock()
	if !ok {
		f.page(w, http.StatusNotFound, "", pageData{Title: "Chyba", Message: "Neznámá platba."})
		return
	}
	if view.Status != "PENDING" {
		f.page(w, http.StatusConflict, "", pageData{Title: "Chyba", Message: "Tato platba už skončila."})
		return
	}
	// The form may end at either return URL (or the shop's own).
	var origins []string
	for _, u := range []string{view.URLPaid, view.URLCancelled, fallback} {
		if o, ok := httpx.Origin(fill(u, "X", "X")); ok && !contains(origins, o) {
			origins = append(origins, o)
		}
	}
	amount := fmt.Sprintf("%d.%02d %s", view.Price/100, view.Price%100, view.Curr)
	if view.Curr == "CZK" {
		amount = i18n.Money(i18n.CS, view.Price)
	}
	f.page(w, http.StatusOK, strings.Join(origins, " "), pageData{Title: "Platba", Amount: amount, Token: token, Payment: &view})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (f *Fake) page(w http.ResponseWriter, status int, origins string, d pageData) {
	d.Stylesheet = f.Stylesheet
	if d.Stylesheet == "" {
		d.Stylesheet = "/static/site.css"
	}
	var buf bytes.Buffer
	if err := fakePage.Execute(&buf, d); err != nil {
		http.Error(w, "page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", httpx.CSPFormAction(origins))
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

const transIDAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newTransID is a ComGate-like transaction id, e.g. "AB2C-D3EF-GH45".
func newTransID() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic("comgate fake: no randomness")
	}
	var s strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(transIDAlphabet[int(c)%len(transIDAlphabet)])
	}
	return s.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("comgate fake: no randomness")
	}
	return hex.EncodeToString(b)
}
