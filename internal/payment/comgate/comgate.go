// Package comgate is the adapter for the ComGate payment gateway (HTTP POST
// protocol, API v1.0) and a fake of it (fake.go) that speaks the same
// protocol over HTTP for tests and the demo.
//
// A payment is created in the background (POST /create with prepareOnly,
// answered with a transId and the URL to send the person to). ComGate then
// tells the merchant twice, neither signed: the browser comes back to the
// return URL carrying only ids, and ComGate POSTs the result to the push
// URL with the merchant's secret. Both are hints; the truth is POST /status.
//
// ComGate takes the push URL and the default return URLs from the client
// portal (portal.comgate.cz, "Integrace – Nastavení obchodu"), not from the
// payment: set the push URL there to the portal's notify address and the
// return URLs to its return address followed by ?id=${id}&refId=${refId}.
// Create also sends url_paid, url_cancelled and url_pending built from
// GatewayPayment.ReturnURL, so each payment comes back where the portal
// asked; GatewayPayment.NotifyURL is not sent (ComGate has no such field).
package comgate

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/radnice/radnice/internal/payment"
)

// DefaultBaseURL is ComGate's API.
const DefaultBaseURL = "https://payments.comgate.cz/v1.0"

// Config is one shop (merchant) at ComGate.
type Config struct {
	// Merchant is the shop's identifier at ComGate.
	Merchant string
	// Secret is the password for background communication; ComGate also
	// sends it with every push.
	Secret string
	// BaseURL is the API's base, "" means DefaultBaseURL.
	BaseURL string
	// Test creates test payments (and accepts only test payments in
	// answers); false creates real ones and refuses test payments.
	Test bool
	// HTTP calls the API; nil means a client with a 30-second timeout.
	HTTP *http.Client
}

// Client is the ComGate gateway for one shop. It implements
// payment.Gateway.
type Client struct {
	cfg  Config
	http *http.Client
}

var _ payment.Gateway = (*Client)(nil)

// APIError is a ComGate answer with a non-zero code.
type APIError struct {
	Op      string // "create", "status"
	Code    int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("comgate: %s: code %d: %s", e.Op, e.Code, e.Message)
}

// Codes ComGate answers (create and status).
const (
	CodeOK                = 0
	CodeUnknownError      = 1100
	CodeLanguage          = 1102
	CodeMethod            = 1103
	CodePriceNotSupported = 1107
	CodeDatabase          = 1200
	CodeUnknownShop       = 1301
	CodeNoLabel           = 1305
	CodeChooseMethod      = 1306
	CodeAmount            = 1309
	CodeCurrency          = 1310
	CodeBadRequest        = 1400 // also: payment not found, not allowed
	CodeUnexpected        = 1500
)

// transIDPattern is what a ComGate transaction id looks like
// (e.g. "AB12-CD34-EF56").
var transIDPattern = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

// New checks the configuration and returns the client.
func New(cfg Config) (*Client, error) {
	var problems []string
	if cfg.Merchant == "" {
		problems = append(problems, "merchant is required")
	}
	if cfg.Secret == "" {
		problems = append(problems, "secret is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if u, err := url.Parse(cfg.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
		problems = append(problems, "base URL must be an absolute http(s) URL without a query")
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("comgate: %s", strings.Join(problems, "; "))
	}
	hc := cfg.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{cfg: cfg, http: hc}, nil
}

// Name is "comgate".
func (c *Client) Name() string { return "comgate" }

// maxLabel is ComGate's limit on label (1–16 characters).
const maxLabel = 16

// returnQuery is what ComGate fills into a return URL: ${id} becomes the
// transId, ${refId} the reference given at create.
const returnQuery = "id=${id}&refId=${refId}"

// withQuery appends raw query text to u.
func withQuery(u, q string) string {
	if strings.Contains(u, "?") {
		return u + "&" + q
	}
	return u + "?" + q
}

// Create registers the payment in the background (prepareOnly) and
// returns ComGate's payment page and transId.
func (c *Client) Create(ctx context.Context, p payment.GatewayPayment) (payment.Started, error) {
	var problems []string
	if p.OrderNumber <= 0 {
		problems = append(problems, "order number must be positive")
	}
	if p.Amount <= 0 {
		problems = append(problems, "amount must be positive")
	}
	if len(p.Currency) != 3 || strings.ToUpper(p.Currency) != p.Currency {
		problems = append(problems, "currency must be an ISO 4217 code")
	}
	if p.ReturnURL != "" {
		if u, err := url.Parse(p.ReturnURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			problems = append(problems, "return URL must be an absolute http(s) URL")
		}
	}
	if len(problems) > 0 {
		return payment.Started{}, fmt.Errorf("comgate: %s", strings.Join(problems, "; "))
	}
	f := url.Values{}
	f.Set("merchant", c.cfg.Merchant)
	f.Set("test", strconv.FormatBool(c.cfg.Test))
	f.Set("country", "CZ")
	f.Set("price", strconv.FormatInt(p.Amount, 10))
	f.Set("curr", p.Currency)
	f.Set("label", Label(p.Description))
	f.Set("refId", strconv.FormatInt(p.OrderNumber, 10))
	f.Set("method", "ALL")
	if e := strings.TrimSpace(p.Email); e != "" {
		f.Set("email", e)
	}
	f.Set("lang", "cs")
	f.Set("prepareOnly", "true")
	f.Set("secret", c.cfg.Secret)
	if p.ReturnURL != "" {
		for field, result := range map[string]string{"url_paid": "paid", "url_cancelled": "cancelled", "url_pending": "pending"} {
			f.Set(field, withQuery(p.ReturnURL, returnQuery+"&result="+result))
		}
	}
	ans, err := c.post(ctx, "create", f)
	if err != nil {
		return payment.Started{}, err
	}
	transID, redirect := ans.Get("transId"), ans.Get("redirect")
	if !transIDPattern.MatchString(transID) {
		return payment.Started{}, fmt.Errorf("comgate: create answered an invalid transId %q", transID)
	}
	if u, err := url.Parse(redirect); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return payment.Started{}, fmt.Errorf("comgate: create answered an invalid redirect %q", redirect)
	}
	return payment.Started{RedirectURL: redirect, GatewayRef: transID}, nil
}

// post sends a form to the API and returns the answer, an *APIError for a
// non-zero code.
func (c *Client) post(ctx context.Context, op string, form url.Values) (url.Values, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.BaseURL+"/"+op, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("comgate: %s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("comgate: %s: %w", op, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("comgate: %s: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("comgate: %s: HTTP %d", op, resp.StatusCode)
	}
	ans, err := url.ParseQuery(strings.TrimSpace(string(body)))
	if err != nil {
		return nil, fmt.Errorf("comgate: %s: unreadable answer: %w", op, err)
	}
	code, err := strconv.Atoi(ans.Get("code"))
	if err != nil {
		return nil, fmt.Errorf("comgate: %s: answer without a code", op)
	}
	if code != CodeOK {
		return nil, &APIError{Op: op, Code: code, Message: clip(ans.Get("message"), 200)}
	}
	return ans, nil
}

// equal compares secrets in constant time (lengths included).
func equal(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// claimed maps a ComGate status to what a message claims.
func claimed(status string) payment.State {
	switch status {
	case "PAID", "AUTHORIZED":
		return payment.StatePaid
	case "CANCELLED":
		return payment.StateCancelled
	}
	return payment.StatePending
}

// VerifyNotify checks a push: the merchant and the secret must be this
// shop's (compared in constant time), else payment.ErrForged. The hint
// names the payment by transId (and refId, the order number).
func (c *Client) VerifyNotify(values url.Values) (payment.Hint, error) {
	okMerchant := equal(values.Get("merchant"), c.cfg.Merchant)
	okSecret := equal(values.Get("secret"), c.cfg.Secret)
	transID := values.Get("transId")
	if !okMerchant || !okSecret || !transIDPattern.MatchString(transID) {
		return payment.Hint{}, payment.ErrForged
	}
	order, _ := strconv.ParseInt(values.Get("refId"), 10, 64)
	status := values.Get("status")
	return payment.Hint{OrderNumber: max(order, 0), GatewayRef: transID, Claimed: claimed(status),
		Detail: clip("push status="+status, 200)}, nil
}

// VerifyReturn reads the browser's return: id (the transId) and refId, as
// the return URL asks ComGate to fill in, and result, which Create puts in
// each of the three URLs. Nothing in it can be verified; it only says
// which payment to ask about. Without a usable id it is payment.ErrForged.
func (c *Client) VerifyReturn(values url.Values) (payment.Hint, error) {
	transID := values.Get("id")
	if transID == "" {
		transID = values.Get("transId")
	}
	if !transIDPattern.MatchString(transID) { // also refuses an unfilled "${id}"
		return payment.Hint{}, payment.ErrForged
	}
	order, _ := strconv.ParseInt(values.Get("refId"), 10, 64)
	h := payment.Hint{OrderNumber: max(order, 0), GatewayRef: transID, Claimed: payment.StatePending, Detail: "return"}
	switch values.Get("result") {
	case "paid":
		h.Claimed, h.Detail = payment.StatePaid, "return result=paid"
	case "cancelled":
		h.Claimed, h.Detail = payment.StateCancelled, "return result=cancelled"
	}
	return h, nil
}

// Status asks ComGate (POST /status) for the payment's state. PAID is
// paid; AUTHORIZED (a card pre-authorisation, money blocked for capture;
// this adapter never asks for one) counts as paid as well; CANCELLED
// (refused, cancelled or expired) is cancelled; PENDING and anything
// unknown are pending. The answer must name this shop and this transId
// (and this order number, when it carries a refId), and a test payment is
// refused unless the client is in test mode.
func (c *Client) Status(ctx context.Context, orderNumber int64, gatewayRef string) (payment.Status, error) {
	if !transIDPattern.MatchString(gatewayRef) {
		return payment.Status{}, fmt.Errorf("comgate: status of order %d needs its transId", orderNumber)
	}
	ans, err := c.post(ctx, "status", url.Values{"merchant": {c.cfg.Merchant}, "transId": {gatewayRef}, "secret": {c.cfg.Secret}})
	if err != nil {
		return payment.Status{}, err
	}
	if m := ans.Get("merchant"); m != "" && m != c.cfg.Merchant {
		return payment.Status{}, fmt.Errorf("comgate: status answered for merchant %q", m)
	}
	if ans.Get("transId") != gatewayRef {
		return payment.Status{}, fmt.Errorf("comgate: status answered for transId %q, asked %q", ans.Get("transId"), gatewayRef)
	}
	if ref := ans.Get("refId"); ref != "" && orderNumber > 0 && ref != strconv.FormatInt(orderNumber, 10) {
		return payment.Status{}, fmt.Errorf("comgate: transId %s belongs to refId %q, not order %d", gatewayRef, ref, orderNumber)
	}
	if ans.Get("test") == "true" && !c.cfg.Test {
		return payment.Status{}, fmt.Errorf("comgate: transId %s is a test payment", gatewayRef)
	}
	price, err := strconv.ParseInt(ans.Get("price"), 10, 64)
	if err != nil {
		return payment.Status{}, fmt.Errorf("comgate: status answered no price: %w", err)
	}
	status := ans.Get("status")
	detail := "status=" + status
	if m := ans.Get("method"); m != "" {
		detail += " method=" + m
	}
	return payment.Status{State: claimed(status), Amount: price, Currency: ans.Get("curr"), Detail: clip(detail, 200)}, nil
}

// Label is ComGate's label for a description: 1 to 16 characters, "Platba"
// when there is nothing to say.
func Label(description string) string {
	s := strings.Join(strings.Fields(description), " ")
	if utf8.RuneCountInString(s) > maxLabel {
		s = strings.TrimSpace(string([]rune(s)[:maxLabel]))
	}
	if s == "" {
		return "Platba"
	}
	return s
}

func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}
