// Package gateways turns a town's rows of payment_gateways into card
// gateway clients (payment/gpwebpay, payment/comgate). It sits apart from
// package payment because the adapters import payment: payment keeps the
// rows and caches the clients, this package knows how each adapter is
// configured.
//
// It must never put a secret (a merchant's private key, an API secret, a
// key's password) in an error, a log line or a description.
package gateways

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/payment"
	"github.com/radnice/radnice/internal/payment/comgate"
	"github.com/radnice/radnice/internal/payment/gpwebpay"
)

// GPWebpay is the settings of a town's GP webpay merchant account; the
// merchant's private key (PEM, not encrypted) is the row's secret.
type GPWebpay struct {
	MerchantNumber string `json:"merchant_number"`
	GatewayURL     string `json:"gateway_url"` // the HTTP API's order page (…/pgw/order.do)
	WSURL          string `json:"ws_url"`      // the WS API's SOAP endpoint (…/pay-ws/v1/PaymentService)
	GPKey          string `json:"gp_key"`      // PEM of GP webpay's public key or certificate
	Provider       string `json:"provider,omitempty"`
}

// ComGate is the settings of a town's ComGate shop; the shop's secret is
// the row's secret.
type ComGate struct {
	Merchant string `json:"merchant"`
	APIURL   string `json:"api_url"` // "" means comgate.DefaultBaseURL
	Test     bool   `json:"test"`
}

// GPWebpayConfig is the row of a GP webpay account with the merchant's
// private key in PEM (see MerchantKey).
func GPWebpayConfig(tenantID int64, s GPWebpay, merchantKeyPEM string, active bool) *payment.GatewayConfig {
	b, _ := json.Marshal(s) // strings only: cannot fail
	return &payment.GatewayConfig{TenantID: tenantID, Name: payment.GatewayGPWebpay, Settings: b, Secret: merchantKeyPEM, Active: active}
}

// ComGateConfig is the row of a ComGate shop with its secret.
func ComGateConfig(tenantID int64, s ComGate, secret string, active bool) *payment.GatewayConfig {
	b, _ := json.Marshal(s)
	return &payment.GatewayConfig{TenantID: tenantID, Name: payment.GatewayComGate, Settings: b, Secret: secret, Active: active}
}

// Builder builds the clients.
type Builder struct {
	// HTTP calls the gateways' APIs; nil leaves each adapter's default.
	HTTP *http.Client
}

// NewStore is the towns' gateway store with the default builder.
func NewStore(d *db.DB, a *audit.Store) *payment.GatewayStore {
	return &payment.GatewayStore{DB: d, Audit: a, Build: Builder{}.Build}
}

// Build makes the client of a row. The errors name what is wrong, never a
// secret's content.
func (b Builder) Build(c *payment.GatewayConfig) (payment.Gateway, error) {
	switch c.Name {
	case payment.GatewayGPWebpay:
		var s GPWebpay
		if err := decode(c.Settings, &s); err != nil {
			return nil, err
		}
		mk, err := gpwebpay.ParsePrivateKeyPEM([]byte(c.Secret))
		if err != nil {
			return nil, fmt.Errorf("merchant key: %w", err)
		}
		gk, err := gpwebpay.ParsePublicKeyPEM([]byte(s.GPKey))
		if err != nil {
			return nil, fmt.Errorf("GP webpay's key: %w", err)
		}
		gw, err := gpwebpay.New(gpwebpay.Config{MerchantNumber: s.MerchantNumber, GatewayURL: s.GatewayURL, WSURL: s.WSURL,
			MerchantKey: mk, GPKey: gk, Provider: s.Provider, HTTP: b.HTTP})
		if err != nil {
			return nil, err
		}
		return gw, nil
	case payment.GatewayComGate:
		var s ComGate
		if err := decode(c.Settings, &s); err != nil {
			return nil, err
		}
		gw, err := comgate.New(comgate.Config{Merchant: s.Merchant, Secret: c.Secret, BaseURL: s.APIURL, Test: s.Test, HTTP: b.HTTP})
		if err != nil {
			return nil, err
		}
		return gw, nil
	}
	return nil, fmt.Errorf("unknown gateway %q", c.Name)
}

// decode reads settings strictly, so a misspelt field is an error rather
// than a setting silently left empty.
func decode(settings json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(settings))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	return nil
}

// Describe says what a row configures, on one line, without its secret:
// for `radnice gateway list`.
func Describe(c *payment.GatewayConfig) string {
	state := "inactive"
	if c.Active {
		state = "active"
	}
	var what string
	switch c.Name {
	case payment.GatewayGPWebpay:
		var s GPWebpay
		if err := decode(c.Settings, &s); err != nil {
			what = "unreadable settings"
			break
		}
		what = fmt.Sprintf("merchant %s, %s (WS %s), GP key %s", s.MerchantNumber, s.GatewayURL, s.WSURL, keyFingerprint(s.GPKey))
		if s.Provider != "" {
			what += ", provider " + s.Provider
		}
	case payment.GatewayComGate:
		var s ComGate
		if err := decode(c.Settings, &s); err != nil {
			what = "unreadable settings"
			break
		}
		api := s.APIURL
		if api == "" {
			api = comgate.DefaultBaseURL
		}
		what = fmt.Sprintf("merchant %s, %s", s.Merchant, api)
		if s.Test {
			what += ", test payments"
		}
	}
	return fmt.Sprintf("%-9s %-8s %s (updated %s)", c.Name, state, what, c.UpdatedAt.UTC().Format("2006-01-02 15:04 MST"))
}

// keyFingerprint is the start of the SHA-256 of a public key's DER, to
// compare with what GP webpay publishes without printing the whole key.
func keyFingerprint(pemText string) string {
	k, err := gpwebpay.ParsePublicKeyPEM([]byte(pemText))
	if err != nil {
		return "unreadable"
	}
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return "unreadable"
	}
	sum := sha256.Sum256(der)
	return "SHA-256 " + hex.EncodeToString(sum[:8])
}

// PublicKeyPEM is k in PEM ("PUBLIC KEY").
func PublicKeyPEM(k *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// PrivateKeyPEM is k in PEM, PKCS#8 ("PRIVATE KEY").
func PrivateKeyPEM(k *rsa.PrivateKey) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

// MerchantKey reads a GP webpay merchant's private key from PEM and returns
// it as an unencrypted PKCS#8 PEM, the form the row keeps. A key encrypted
// with a password in the traditional OpenSSL form ("Proc-Type:
// 4,ENCRYPTED", as GP webpay's key generator hands it out) is decrypted
// with password. The password itself is not kept: it would sit in the same
// column as the key, protecting nothing.
func MerchantKey(data, password []byte) (string, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return "", errors.New("no PEM block in the private key")
	}
	switch {
	case block.Type == "ENCRYPTED PRIVATE KEY":
		return "", errors.New("the key is an encrypted PKCS#8 key; decrypt it first (openssl pkcs8 -in key.pem -out plain.pem)")
	case strings.Contains(block.Headers["Proc-Type"], "ENCRYPTED"):
		if len(password) == 0 {
			return "", errors.New("the key is encrypted: give its password")
		}
		//lint:ignore SA1019 GP webpay's keys come in this legacy form; its weakness is moot once the key is decrypted here.
		der, err := x509.DecryptPEMBlock(block, password)
		if err != nil {
			return "", errors.New("the key's password is wrong or its encryption unknown")
		}
		data = pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: der})
	}
	k, err := gpwebpay.ParsePrivateKeyPEM(data)
	if err != nil {
		return "", err
	}
	return PrivateKeyPEM(k)
}
