package gpwebpay

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/i18n"
)

// Fake is a GP webpay for tests and the demo: the HTTP API's order page
// (order.do) and the WS API (ws), both over real HTTP and signed as GP
// webpay signs, with its own GP key pair. Mount it anywhere; it answers by
// the end of the path (…/order.do, …/ws). Orders live in memory.
//
// The order page checks the request's DIGEST with the merchant's public key
// and refuses a bad signature, another merchant or an order number already
// used (a reload of the very same request shows the page again). Its three
// buttons pay (PRCODE=0), cancel (PRCODE=50, the cardholder cancelled) or
// let the order time out: then the order is UNPAID and the browser is not
// sent back at all, so only the portal's question to the WS API finds out.
type Fake struct {
	// BaseURL is where the handler is mounted, without a trailing slash,
	// e.g. "http://localhost:8080/demo-gw/gpwebpay"; GatewayURL and WSURL
	// derive from it. Set it before use.
	BaseURL string
	// Stylesheet is linked from the order page; "" means /static/site.css.
	Stylesheet string

	merchant    string
	merchantPub *rsa.PublicKey
	key         *rsa.PrivateKey

	mu     sync.Mutex
	orders map[int64]*fakeOrder
}

// FakeOrder is what the fake knows of an order.
type FakeOrder struct {
	OrderNumber int64
	Amount      int64  // haléře
	Currency    string // ISO 4217 numeric, "203"
	DepositFlag string
	ReturnURL   string
	Description string
	Email       string
	MD          string
	MerOrderNum string
	// Status is the WS API's status: PENDING_AUTHORIZATION, CAPTURED,
	// PENDING_CAPTURE or UNPAID.
	Status string
	// PRCode and SRCode are what the browser's return said (or would say).
	PRCode, SRCode int
	// Returns counts the browser returns the fake sent.
	Returns int
}

type fakeOrder struct {
	FakeOrder
	digest string // the request's DIGEST, to tell a reload from a reuse
	token  string // binds the page's form to the order
}

// Statuses of the fake's orders (the WS API's words).
const (
	StatusPendingAuthorization = "PENDING_AUTHORIZATION"
	StatusCaptured             = "CAPTURED"
	StatusPendingCapture       = "PENDING_CAPTURE"
	StatusUnpaid               = "UNPAID"
)

// fakeState numbers the statuses for the WS answer's state element. The
// numbers are the fake's own; the adapter reads status, never state.
var fakeState = map[string]string{
	StatusPendingAuthorization: "1", StatusUnpaid: "3", StatusPendingCapture: "4", StatusCaptured: "7",
}

// Return codes the fake uses.
const (
	prOK              = 0
	prUnknownMerchant = 11
	prDuplicate       = 14
	prWrongDigest     = 31
	prCancelled       = 50
)

// NewFake makes a fake GP webpay for one merchant, whose requests it checks
// with merchantPub. It makes its own GP key pair (GPPublicKey), which
// signs its answers.
func NewFake(merchantNumber string, merchantPub *rsa.PublicKey) *Fake {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic("gpwebpay fake: " + err.Error())
	}
	return &Fake{merchant: merchantNumber, merchantPub: merchantPub, key: key, orders: map[int64]*fakeOrder{}}
}

// GPPublicKey is the fake's GP key, for Config.GPKey.
func (f *Fake) GPPublicKey() *rsa.PublicKey { return &f.key.PublicKey }

// MerchantNumber is the merchant the fake serves.
func (f *Fake) MerchantNumber() string { return f.merchant }

// GatewayURL is the order page, for Config.GatewayURL.
func (f *Fake) GatewayURL() string { return f.BaseURL + "/order.do" }

// WSURL is the WS API endpoint, for Config.WSURL.
func (f *Fake) WSURL() string { return f.BaseURL + "/ws" }

// Order returns what the fake knows of an order.
func (f *Fake) Order(orderNumber int64) (FakeOrder, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[orderNumber]
	if !ok {
		return FakeOrder{}, false
	}
	return o.FakeOrder, true
}

// Orders lists the fake's orders by number.
func (f *Fake) Orders() []FakeOrder {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]FakeOrder, 0, len(f.orders))
	for _, o := range f.orders {
		out = append(out, o.FakeOrder)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OrderNumber < out[j].OrderNumber })
	return out
}

// Paid marks an order opened at the gateway as paid without any browser
// return, as when the person paid and closed the window: only the WS API
// tells. An order must have been opened (its redirect URL fetched) first.
func (f *Fake) Paid(orderNumber int64) error {
	return f.finish(orderNumber, true)
}

// Expire makes an open order UNPAID without any browser return, as when
// the person walks away and the payment window closes.
func (f *Fake) Expire(orderNumber int64) error {
	return f.finish(orderNumber, false)
}

func (f *Fake) finish(orderNumber int64, paid bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[orderNumber]
	if !ok {
		return fmt.Errorf("gpwebpay fake: order %d was never opened", orderNumber)
	}
	if o.Status != StatusPendingAuthorization {
		return fmt.Errorf("gpwebpay fake: order %d is already %s", orderNumber, o.Status)
	}
	if paid {
		o.setPaid()
	} else {
		o.Status, o.PRCode, o.SRCode = StatusUnpaid, prCancelled, 0
	}
	return nil
}

func (o *fakeOrder) setPaid() {
	o.Status, o.PRCode, o.SRCode = StatusCaptured, prOK, 0
	if o.DepositFlag == "0" {
		o.Status = StatusPendingCapture
	}
}

// ServeHTTP serves the order page (GET and POST …/order.do) and the WS API
// (POST …/ws).
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	switch {
	case strings.HasSuffix(r.URL.Path, "/order.do") && r.Method == http.MethodGet:
		f.open(w, r)
	case strings.HasSuffix(r.URL.Path, "/order.do") && r.Method == http.MethodPost:
		f.decide(w, r)
	case strings.HasSuffix(r.URL.Path, "/ws") && r.Method == http.MethodPost:
		f.ws(w, r)
	case strings.HasSuffix(r.URL.Path, "/order.do") || strings.HasSuffix(r.URL.Path, "/ws"):
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	default:
		http.NotFound(w, r)
	}
}

// open checks a CREATE_ORDER request and shows the order page.
func (f *Fake) open(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	o, code, problem := f.parseRequest(q)
	if problem != "" {
		slog.WarnContext(r.Context(), "gpwebpay fake: request refused", "prcode", code, "problem", problem)
		f.page(w, http.StatusBadRequest, pageData{Title: "Chyba", Message: "Platbu nelze založit: " + problem})
		return
	}
	f.mu.Lock()
	if old, ok := f.orders[o.OrderNumber]; ok {
		same := old.digest == o.digest && old.Status == StatusPendingAuthorization
		view := old.FakeOrder
		token := old.token
		f.mu.Unlock()
		if !same {
			f.page(w, http.StatusBadRequest, pageData{Title: "Chyba",
				Message: fmt.Sprintf("Platbu nelze založit: číslo objednávky %d už bylo použito (PRCODE=%d).", o.OrderNumber, prDuplicate)})
			return
		}
		f.orderPage(w, &view, token)
		return
	}
	o.token = randomHex(16)
	f.orders[o.OrderNumber] = o
	view := o.FakeOrder
	f.mu.Unlock()
	f.orderPage(w, &view, o.token)
}

// parseRequest checks the request's fields and DIGEST.
func (f *Fake) parseRequest(q url.Values) (*fakeOrder, int, string) {
	if q.Get("MERCHANTNUMBER") != f.merchant {
		return nil, prUnknownMerchant, "neznámý obchodník (MERCHANTNUMBER)."
	}
	if !verify(f.merchantPub, digestText(requestOrder, q), q.Get("DIGEST")) {
		return nil, prWrongDigest, "podpis požadavku (DIGEST) nesouhlasí."
	}
	if q.Get("OPERATION") != "CREATE_ORDER" {
		return nil, 3, "neznámá operace."
	}
	n, err := strconv.ParseInt(q.Get("ORDERNUMBER"), 10, 64)
	if err != nil || n <= 0 || n > maxOrderNumber {
		return nil, 3, "chybné číslo objednávky."
	}
	amount, err := strconv.ParseInt(q.Get("AMOUNT"), 10, 64)
	if err != nil || amount <= 0 {
		return nil, 3, "chybná částka."
	}
	if q.Get("CURRENCY") != currencyCZK {
		return nil, 3, "brána přijímá jen CZK (203)."
	}
	dep := q.Get("DEPOSITFLAG")
	if dep != "0" && dep != "1" {
		return nil, 3, "chybný DEPOSITFLAG."
	}
	if _, ok := httpx.Origin(q.Get("URL")); !ok || len(q.Get("URL")) > 300 {
		return nil, 3, "chybná adresa pro návrat (URL)."
	}
	if len(q.Get("DESCRIPTION")) > 255 || !isPrintableASCII(q.Get("DESCRIPTION")) {
		return nil, 3, "popis smí mít jen 255 znaků ASCII."
	}
	return &fakeOrder{FakeOrder: FakeOrder{OrderNumber: n, Amount: amount, Currency: q.Get("CURRENCY"), DepositFlag: dep,
		ReturnURL: q.Get("URL"), Description: q.Get("DESCRIPTION"), Email: q.Get("EMAIL"), MD: q.Get("MD"),
		MerOrderNum: q.Get("MERORDERNUM"), Status: StatusPendingAuthorization}, digest: q.Get("DIGEST")}, prOK, ""
}

// decide handles the order page's buttons.
func (f *Fake) decide(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		f.page(w, http.StatusBadRequest, pageData{Title: "Chyba", Message: "Chybný formulář."})
		return
	}
	n, _ := strconv.ParseInt(r.PostForm.Get("ORDERNUMBER"), 10, 64)
	f.mu.Lock()
	o, ok := f.orders[n]
	if !ok || subtle.ConstantTimeCompare([]byte(o.token), []byte(r.PostForm.Get("token"))) != 1 {
		f.mu.Unlock()
		f.page(w, http.StatusBadRequest, pageData{Title: "Chyba", Message: "Neznámá objednávka."})
		return
	}
	if o.Status != StatusPendingAuthorization {
		f.mu.Unlock()
		f.page(w, http.StatusConflict, pageData{Title: "Chyba", Message: "Tato platba už skončila."})
		return
	}
	switch r.PostForm.Get("action") {
	case "pay":
		o.setPaid()
	case "cancel":
		o.Status, o.PRCode, o.SRCode = StatusUnpaid, prCancelled, 0
	case "timeout":
		o.Status, o.PRCode, o.SRCode = StatusUnpaid, prCancelled, 0
		f.mu.Unlock()
		f.page(w, http.StatusOK, pageData{Title: "Platba vypršela",
			Message: "Platba vypršela a nic se nezaplatilo. Brána vás na portál nevrátí; portál se výsledek dozví sám, až se brány zeptá. Toto okno můžete zavřít."})
		return
	default:
		f.mu.Unlock()
		f.page(w, http.StatusBadRequest, pageData{Title: "Chyba", Message: "Neznámá akce."})
		return
	}
	o.Returns++
	view := o.FakeOrder
	f.mu.Unlock()
	target, err := f.returnURL(view)
	if err != nil {
		f.page(w, http.StatusInternalServerError, pageData{Title: "Chyba", Message: "Odpověď se nepodařilo podepsat."})
		return
	}
	origin, _ := httpx.Origin(view.ReturnURL)
	w.Header().Set("Content-Security-Policy", httpx.CSPFormAction(origin))
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// ReturnValues are the signed fields the browser brings back for the
// order as it stands (DIGEST and DIGEST1 with the fake's GP key).
func (f *Fake) ReturnValues(orderNumber int64) (url.Values, error) {
	o, ok := f.Order(orderNumber)
	if !ok {
		return nil, fmt.Errorf("gpwebpay fake: order %d was never opened", orderNumber)
	}
	return f.returnValues(o)
}

func (f *Fake) returnValues(o FakeOrder) (url.Values, error) {
	v := url.Values{}
	v.Set("OPERATION", "CREATE_ORDER")
	v.Set("ORDERNUMBER", strconv.FormatInt(o.OrderNumber, 10))
	if o.MerOrderNum != "" {
		v.Set("MERORDERNUM", o.MerOrderNum)
	}
	if o.MD != "" {
		v.Set("MD", o.MD)
	}
	v.Set("PRCODE", strconv.Itoa(o.PRCode))
	v.Set("SRCODE", strconv.Itoa(o.SRCode))
	switch o.PRCode {
	case prOK:
		v.Set("RESULTTEXT", "OK")
	case prCancelled:
		v.Set("RESULTTEXT", "Cardholder cancelled the payment")
	default:
		v.Set("RESULTTEXT", "Declined")
	}
	text := digestText(responseOrder, v)
	d, err := sign(f.key, text)
	if err != nil {
		return nil, err
	}
	d1, err := sign(f.key, text+"|"+f.merchant)
	if err != nil {
		return nil, err
	}
	v.Set("DIGEST", d)
	v.Set("DIGEST1", d1)
	return v, nil
}

func (f *Fake) returnURL(o FakeOrder) (string, error) {
	v, err := f.returnValues(o)
	if err != nil {
		return "", err
	}
	sep := "?"
	if strings.Contains(o.ReturnURL, "?") {
		sep = "&"
	}
	return o.ReturnURL + sep + v.Encode(), nil
}

// ws answers getPaymentDetail and getPaymentStatus.
func (f *Fake) ws(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	op, err := parseEnvelope(data)
	if err != nil || op.XMLName.Space != nsProc {
		f.soapFault(w, "", 3, 0, "Malformed request")
		return
	}
	var reqName, respName, respChild string
	switch op.XMLName.Local {
	case "getPaymentDetail":
		reqName, respName, respChild = "paymentDetailRequest", "getPaymentDetailResponse", "paymentDetailResponse"
	case "getPaymentStatus":
		reqName, respName, respChild = "paymentStatusRequest", "getPaymentStatusResponse", "paymentStatusResponse"
	default:
		f.soapFault(w, "", 3, 0, "Unsupported operation "+op.XMLName.Local)
		return
	}
	req := op.child(nsProc, reqName)
	if req == nil {
		f.soapFault(w, "", 5, 0, "Missing "+reqName)
		return
	}
	get := func(k string) string { s, _ := req.leafText(k); return s }
	msgID := get("messageId")
	if !validMessageID(msgID) {
		f.soapFault(w, "", 3, 0, "Invalid messageId")
		return
	}
	signed := strings.Join([]string{msgID, get("provider"), get("merchantNumber"), get("paymentNumber")}, "|")
	if !verify(f.merchantPub, signed, get("signature")) {
		f.soapFault(w, msgID, prWrongDigest, 0, "Invalid signature")
		return
	}
	if get("merchantNumber") != f.merchant {
		f.soapFault(w, msgID, prUnknownMerchant, 0, "Unknown merchant")
		return
	}
	n, err := strconv.ParseInt(get("paymentNumber"), 10, 64)
	if err != nil {
		f.soapFault(w, msgID, 3, 0, "Invalid paymentNumber")
		return
	}
	o, ok := f.Order(n)
	if !ok {
		f.soapFault(w, msgID, prObjectNotFound, 0, "Object not found")
		return
	}
	fields := [][2]string{{"messageId", msgID}, {"state", fakeState[o.Status]}, {"status", o.Status}}
	if op.XMLName.Local == "getPaymentDetail" {
		if o.Status == StatusCaptured || o.Status == StatusPendingCapture {
			fields = append(fields, [2]string{"paymentMethod", "CRD"})
		}
		fields = append(fields, [2]string{"paymentAmount", strconv.FormatInt(o.Amount, 10)})
		if o.Status == StatusCaptured || o.Status == StatusPendingCapture {
			fields = append(fields, [2]string{"approveAmount", strconv.FormatInt(o.Amount, 10)})
		}
		if o.Status == StatusCaptured {
			fields = append(fields, [2]string{"captureAmount", strconv.FormatInt(o.Amount, 10)})
		}
	}
	f.soapAnswer(w, respName, respChild, fields)
}

// soapAnswer writes a signed answer.
func (f *Fake) soapAnswer(w http.ResponseWriter, respName, respChild string, fields [][2]string) {
	values := make([]string, len(fields))
	for i, kv := range fields {
		values[i] = kv[1]
	}
	sig, err := sign(f.key, strings.Join(values, "|"))
	if err != nil {
		http.Error(w, "sign: "+err.Error(), http.StatusInternalServerError)
		return
	}
	fields = append(fields, [2]string{"signature", sig})
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="` + nsSOAP + `"><soapenv:Body>`)
	b.WriteString(`<ns2:` + respName + ` xmlns:ns2="` + nsProc + `" xmlns:ns3="` + nsType + `"><ns2:` + respChild + `>`)
	for _, kv := range fields {
		b.WriteString(`<ns3:` + kv[0] + `>` + xmlText(kv[1]) + `</ns3:` + kv[0] + `>`)
	}
	b.WriteString(`</ns2:` + respChild + `></ns2:` + respName + `></soapenv:Body></soapenv:Envelope>`)
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

// soapFault writes a fault; with a message id its serviceException is
// signed as GP webpay signs it.
func (f *Fake) soapFault(w http.ResponseWriter, msgID string, pr, sr int, message string) {
	var fields [][2]string
	if msgID != "" {
		fields = [][2]string{{"messageId", msgID}, {"primaryReturnCode", strconv.Itoa(pr)}, {"secondaryReturnCode", strconv.Itoa(sr)}}
		sig, err := sign(f.key, strings.Join([]string{fields[0][1], fields[1][1], fields[2][1]}, "|"))
		if err != nil {
			http.Error(w, "sign: "+err.Error(), http.StatusInternalServerError)
			return
		}
		fields = append(fields, [2]string{"signature", sig})
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write(faultEnvelope(message, fields))
}

var messageIDPattern = regexp.MustCompile(`^[A-Za-z0-9+/=]{16,256}$`)

func validMessageID(s string) bool { return messageIDPattern.MatchString(s) }

//go:embed fakepage.html
var fakePageHTML string

var fakePage = template.Must(template.New("page").Parse(fakePageHTML))

type pageData struct {
	Title, Message, Stylesheet, Merchant, Amount, Token string
	Order                                               *FakeOrder
}

func (f *Fake) orderPage(w http.ResponseWriter, o *FakeOrder, token string) {
	origin, _ := httpx.Origin(o.ReturnURL)
	w.Header().Set("Content-Security-Policy", httpx.CSPFormAction(origin))
	f.page(w, http.StatusOK, pageData{Title: "Platba kartou", Merchant: f.merchant, Amount: i18n.Money(i18n.CS, o.Amount),
		Token: token, Order: o})
}

func (f *Fake) page(w http.ResponseWriter, status int, d pageData) {
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
	if h.Get("Content-Security-Policy") == "" {
		h.Set("Content-Security-Policy", httpx.CSP)
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(errors.New("gpwebpay fake: no randomness"))
	}
	return hex.EncodeToString(b)
}
