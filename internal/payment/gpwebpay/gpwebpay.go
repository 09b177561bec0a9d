// Package gpwebpay is the adapter for GP webpay, the card gateway of Global
// Payments Europe, and a fake of it (fake.go) that speaks the same protocol
// over HTTP for tests and the demo.
//
// The payment itself goes through GP webpay's HTTP API: the person's browser
// is sent to the gateway with a signed request (CREATE_ORDER) and comes back
// with a signed answer (PRCODE, SRCODE, DIGEST, DIGEST1). Both signatures are
// RSA-SHA1, PKCS#1 v1.5, base64, over the values joined by "|" in the order
// the specification lists the fields, only those sent. The answer is a hint:
// the truth comes from the WS API (SOAP), asked by Status.
//
// GP webpay never pushes: VerifyNotify refuses everything.
package gpwebpay

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/radnice/radnice/internal/payment"
)

// Config is one merchant account at GP webpay.
type Config struct {
	// MerchantNumber is the merchant's number at GP webpay (MERCHANTNUMBER).
	MerchantNumber string
	// GatewayURL is the HTTP API's order page, e.g.
	// https://test.3dsecure.gpwebpay.com/pgw/order.do (production:
	// https://3dsecure.gpwebpay.com/pgw/order.do).
	GatewayURL string
	// WSURL is the WS API's SOAP endpoint, e.g.
	// https://test.3dsecure.gpwebpay.com/pay-ws/v1/PaymentService.
	WSURL string
	// MerchantKey signs requests; its public half is registered at GP.
	MerchantKey *rsa.PrivateKey
	// GPKey is GP webpay's public key, which signs the answers.
	GPKey *rsa.PublicKey
	// HTTP calls the WS API; nil means a client with a 30-second timeout.
	HTTP *http.Client
	// Provider is the WS API's provider code from the contract (four
	// digits, the acquiring bank); "" means "0100".
	Provider string
}

// Client is the GP webpay gateway for one merchant account. It implements
// payment.Gateway.
type Client struct {
	cfg  Config
	http *http.Client
}

var _ payment.Gateway = (*Client)(nil)

// DefaultProvider is the WS provider code used when Config.Provider is "".
const DefaultProvider = "0100"

// currencyCZK is the ISO 4217 numeric code GP webpay wants for CZK.
const currencyCZK = "203"

// maxOrderNumber: ORDERNUMBER (the WS API's paymentNumber) has at most 15
// digits.
const maxOrderNumber = 999_999_999_999_999

// New checks the configuration and returns the client.
func New(cfg Config) (*Client, error) {
	var problems []string
	if cfg.MerchantNumber == "" || len(cfg.MerchantNumber) > 10 {
		problems = append(problems, "merchant number must have 1 to 10 characters")
	}
	for name, raw := range map[string]string{"gateway URL": cfg.GatewayURL, "WS URL": cfg.WSURL} {
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
			problems = append(problems, name+" must be an absolute http(s) URL without a query")
		}
	}
	if cfg.MerchantKey == nil {
		problems = append(problems, "merchant key is required")
	}
	if cfg.GPKey == nil {
		problems = append(problems, "GP webpay's public key is required")
	}
	if cfg.Provider == "" {
		cfg.Provider = DefaultProvider
	}
	if len(cfg.Provider) != 4 || strings.Trim(cfg.Provider, "0123456789") != "" {
		problems = append(problems, "provider must be four digits")
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("gpwebpay: %s", strings.Join(problems, "; "))
	}
	hc := cfg.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{cfg: cfg, http: hc}, nil
}

// Name is "gpwebpay".
func (c *Client) Name() string { return "gpwebpay" }

// requestOrder is the documented order of the request's fields in DIGEST;
// LANG is never signed. The adapter sends MERCHANTNUMBER, OPERATION,
// ORDERNUMBER, AMOUNT, CURRENCY, DEPOSITFLAG, URL, DESCRIPTION and EMAIL.
var requestOrder = []string{"MERCHANTNUMBER", "OPERATION", "ORDERNUMBER", "AMOUNT", "CURRENCY",
	"DEPOSITFLAG", "MERORDERNUM", "URL", "DESCRIPTION", "MD", "USERPARAM1", "VRCODE", "FASTPAYID",
	"PAYMETHOD", "DISABLEPAYMETHOD", "PAYMETHODS", "EMAIL", "REFERENCENUMBER", "ADDINFO",
	"PANPATTERN", "TOKEN", "FASTTOKEN"}

// responseOrder is the documented order of the answer's fields in DIGEST;
// DIGEST1 signs the same followed by the merchant number.
var responseOrder = []string{"OPERATION", "ORDERNUMBER", "MERORDERNUM", "MD", "PRCODE", "SRCODE",
	"RESULTTEXT", "USERPARAM1", "ADDINFO", "TOKEN", "EXPIRY", "ACSRES", "ACCODE", "PANPATTERN",
	"DAYTOCAPTURE", "TOKENREGSTATUS", "ACRC", "RRN", "PAR", "TRACEID"}

// digestText joins the values of the fields present in values, in order.
func digestText(order []string, values url.Values) string {
	parts := make([]string, 0, len(order))
	for _, k := range order {
		if values.Has(k) {
			parts = append(parts, values.Get(k))
		}
	}
	return strings.Join(parts, "|")
}

// sign is base64(RSA-SHA1 PKCS#1 v1.5) of text.
func sign(key *rsa.PrivateKey, text string) (string, error) {
	h := sha1.Sum([]byte(text))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA1, h[:])
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// verify checks a base64 RSA-SHA1 signature of text.
func verify(key *rsa.PublicKey, text, digest string) bool {
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(digest))
	if err != nil || len(sig) == 0 {
		return false
	}
	h := sha1.Sum([]byte(text))
	return rsa.VerifyPKCS1v15(key, crypto.SHA1, h[:], sig) == nil
}

// requestValues are the signed fields of a CREATE_ORDER request.
func (c *Client) requestValues(p payment.GatewayPayment) (url.Values, error) {
	var problems []string
	if p.OrderNumber <= 0 || p.OrderNumber > maxOrderNumber {
		problems = append(problems, "order number must be 1 to 15 digits")
	}
	if p.Amount <= 0 {
		problems = append(problems, "amount must be positive")
	}
	if p.Currency != "CZK" {
		problems = append(problems, "only CZK is supported")
	}
	if u, err := url.Parse(p.ReturnURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(p.ReturnURL) > 300 {
		problems = append(problems, "return URL must be an absolute http(s) URL of at most 300 characters")
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("gpwebpay: %s", strings.Join(problems, "; "))
	}
	v := url.Values{}
	v.Set("MERCHANTNUMBER", c.cfg.MerchantNumber)
	v.Set("OPERATION", "CREATE_ORDER")
	v.Set("ORDERNUMBER", strconv.FormatInt(p.OrderNumber, 10))
	v.Set("AMOUNT", strconv.FormatInt(p.Amount, 10))
	v.Set("CURRENCY", currencyCZK)
	v.Set("DEPOSITFLAG", "1") // capture at once
	v.Set("URL", p.ReturnURL)
	if d := ASCII(p.Description, 255); d != "" {
		v.Set("DESCRIPTION", d)
	}
	if e := strings.TrimSpace(p.Email); e != "" && len(e) <= 255 && isPrintableASCII(e) && strings.Contains(e, "@") {
		v.Set("EMAIL", e)
	}
	return v, nil
}

// Create builds the signed redirect to the gateway's order page. Nothing is
// sent: the browser carries the request. GatewayRef is "" (the order
// number is GP webpay's id too).
func (c *Client) Create(_ context.Context, p payment.GatewayPayment) (payment.Started, error) {
	v, err := c.requestValues(p)
	if err != nil {
		return payment.Started{}, err
	}
	digest, err := sign(c.cfg.MerchantKey, digestText(requestOrder, v))
	if err != nil {
		return payment.Started{}, fmt.Errorf("gpwebpay: sign: %w", err)
	}
	v.Set("DIGEST", digest)
	v.Set("LANG", "CZ") // not signed
	return payment.Started{RedirectURL: c.cfg.GatewayURL + "?" + v.Encode()}, nil
}

// VerifyReturn checks the browser's return: DIGEST over the answer's
// fields and DIGEST1 over the same plus this merchant's number, both with
// GP webpay's key. Anything else is payment.ErrForged. The claim is paid
// only for PRCODE=0 and SRCODE=0.
func (c *Client) VerifyReturn(values url.Values) (payment.Hint, error) {
	if values.Get("OPERATION") != "CREATE_ORDER" || !values.Has("PRCODE") || !values.Has("SRCODE") {
		return payment.Hint{}, payment.ErrForged
	}
	order, err := strconv.ParseInt(values.Get("ORDERNUMBER"), 10, 64)
	if err != nil || order <= 0 {
		return payment.Hint{}, payment.ErrForged
	}
	text := digestText(responseOrder, values)
	if !verify(c.cfg.GPKey, text, values.Get("DIGEST")) ||
		!verify(c.cfg.GPKey, text+"|"+c.cfg.MerchantNumber, values.Get("DIGEST1")) {
		return payment.Hint{}, payment.ErrForged
	}
	pr, sr := values.Get("PRCODE"), values.Get("SRCODE")
	h := payment.Hint{OrderNumber: order, Claimed: payment.StateCancelled,
		Detail: clip(fmt.Sprintf("PRCODE=%s SRCODE=%s %s", pr, sr, values.Get("RESULTTEXT")), 200)}
	if pr == "0" && sr == "0" {
		h.Claimed = payment.StatePaid
	}
	return h, nil
}

// VerifyNotify: GP webpay has no server-to-server push.
func (c *Client) VerifyNotify(url.Values) (payment.Hint, error) {
	return payment.Hint{}, payment.ErrForged
}

// ASCII makes s fit GP webpay's text fields (printable ASCII, 0x20–0x7E):
// Czech letters lose their diacritics, dashes and quotes become ASCII ones,
// anything else is dropped; spaces are collapsed and the result is cut to
// max bytes.
func ASCII(s string, max int) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == '–' || r == '—' || r == '‑':
			r = '-'
		case r == '„' || r == '“' || r == '”':
			r = '"'
		case r == '‚' || r == '‘' || r == '’':
			r = '\''
		case unicode.IsSpace(r):
			r = ' '
		}
		if r < 0x20 || r > 0x7e {
			continue
		}
		if r == ' ' {
			if space || b.Len() == 0 {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteRune(r)
	}
	out := strings.TrimRight(b.String(), " ")
	if len(out) > max {
		out = strings.TrimRight(out[:max], " ")
	}
	return out
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}

// ParsePrivateKeyPEM reads the merchant's RSA private key from PEM (PKCS#1
// "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY"). An encrypted key must be
// decrypted first (openssl rsa -in key.pem -out plain.pem).
func ParsePrivateKeyPEM(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("gpwebpay: no PEM block in the private key")
	}
	if strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED") || block.Type == "ENCRYPTED PRIVATE KEY" {
		return nil, errors.New("gpwebpay: the private key is encrypted; decrypt it first")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("gpwebpay: %w", err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("gpwebpay: the private key is not RSA")
		}
		return rk, nil
	}
	return nil, fmt.Errorf("gpwebpay: unexpected PEM block %q for a private key", block.Type)
}

// ParsePublicKeyPEM reads an RSA public key from PEM: "PUBLIC KEY",
// "RSA PUBLIC KEY" or a "CERTIFICATE" (GP webpay publishes its key as a
// certificate).
func ParsePublicKeyPEM(data []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("gpwebpay: no PEM block in the public key")
	}
	var key any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		cert, err = x509.ParseCertificate(block.Bytes)
		if err == nil {
			key = cert.PublicKey
		}
	default:
		return nil, fmt.Errorf("gpwebpay: unexpected PEM block %q for a public key", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("gpwebpay: %w", err)
	}
	rk, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("gpwebpay: the public key is not RSA")
	}
	return rk, nil
}
