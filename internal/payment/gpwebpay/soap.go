package gpwebpay

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/radnice/radnice/internal/payment"
)

// The WS API (SOAP 1.1, document/literal) of GP webpay, version 1. Status
// calls getPaymentDetail rather than getPaymentStatus because only the
// detail carries the amounts, which the caller checks.
//
// Request (signature = RSA-SHA1 over "messageId|provider|merchantNumber|
// paymentNumber"; paymentNumber is the HTTP API's ORDERNUMBER):
//
//	<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
//	 <soapenv:Body>
//	  <v1:getPaymentDetail xmlns:v1="http://gpe.cz/pay/pay-ws/proc/v1">
//	   <v1:paymentDetailRequest xmlns:type="http://gpe.cz/pay/pay-ws/proc/v1/type">
//	    <type:messageId/><type:provider/><type:merchantNumber/><type:paymentNumber/><type:signature/>
//
// Answer: getPaymentDetailResponse/paymentDetailResponse with messageId,
// state, status, subStatus, paymentAmount, approveAmount, captureAmount, …,
// signature; or a SOAP fault whose detail is a serviceException (messageId,
// primaryReturnCode, secondaryReturnCode, signature).
//
// Simplification, to be confirmed against GP's test environment before
// production: the answer's signature is checked over the text of its simple
// (leaf) elements in document order, joined by "|", signature excluded;
// nested structures (additionalInfoResponse, simpleValueHolder, which this
// request never asks for) are left out. A signature that does not verify is
// an error, never a state.
const (
	nsSOAP = "http://schemas.xmlsoap.org/soap/envelope/"
	nsProc = "http://gpe.cz/pay/pay-ws/proc/v1"
	nsType = "http://gpe.cz/pay/pay-ws/proc/v1/type"
)

// prObjectNotFound is the WS API's primary return code for an unknown
// payment number.
const prObjectNotFound = 15

// node is any XML element with its text and children, namespaces kept.
type node struct {
	XMLName xml.Name
	Text    string `xml:",chardata"`
	Nodes   []node `xml:",any"`
}

func (n *node) child(space, local string) *node {
	for i := range n.Nodes {
		if n.Nodes[i].XMLName.Space == space && n.Nodes[i].XMLName.Local == local {
			return &n.Nodes[i]
		}
	}
	return nil
}

// leafText is the trimmed text of the child element local (in the type
// namespace), and whether it is there.
func (n *node) leafText(local string) (string, bool) {
	c := n.child(nsType, local)
	if c == nil {
		return "", false
	}
	return strings.TrimSpace(c.Text), true
}

// signedText joins the text of n's leaf children in document order,
// leaving out the signature.
func (n *node) signedText() string {
	var parts []string
	for _, c := range n.Nodes {
		if len(c.Nodes) > 0 || c.XMLName.Local == "signature" {
			continue
		}
		parts = append(parts, strings.TrimSpace(c.Text))
	}
	return strings.Join(parts, "|")
}

// parseEnvelope returns the SOAP body's first element.
func parseEnvelope(data []byte) (*node, error) {
	var env node
	if err := xml.Unmarshal(data, &env); err != nil {
		return nil, err
	}
	if env.XMLName.Space != nsSOAP || env.XMLName.Local != "Envelope" {
		return nil, errors.New("not a SOAP envelope")
	}
	body := env.child(nsSOAP, "Body")
	if body == nil || len(body.Nodes) == 0 {
		return nil, errors.New("empty SOAP body")
	}
	return &body.Nodes[0], nil
}

// xmlText escapes s for element content.
func xmlText(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// envelope wraps an operation element (in the proc namespace) holding one
// request element whose fields are in the type namespace.
func envelope(operation, request string, fields [][2]string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="` + nsSOAP + `" xmlns:v1="` + nsProc + `" xmlns:type="` + nsType + `">`)
	b.WriteString(`<soapenv:Header/><soapenv:Body>`)
	b.WriteString(`<v1:` + operation + `><v1:` + request + `>`)
	for _, f := range fields {
		b.WriteString(`<type:` + f[0] + `>` + xmlText(f[1]) + `</type:` + f[0] + `>`)
	}
	b.WriteString(`</v1:` + request + `></v1:` + operation + `>`)
	b.WriteString(`</soapenv:Body></soapenv:Envelope>`)
	return b.Bytes()
}

// faultEnvelope is a SOAP fault with a signed serviceException.
func faultEnvelope(message string, fields [][2]string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="` + nsSOAP + `"><soapenv:Body><soapenv:Fault>`)
	b.WriteString(`<faultcode>soapenv:Server</faultcode><faultstring>` + xmlText(message) + `</faultstring><detail>`)
	b.WriteString(`<ns2:serviceException xmlns:ns2="` + nsProc + `" xmlns:ns3="` + nsType + `">`)
	for _, f := range fields {
		b.WriteString(`<ns3:` + f[0] + `>` + xmlText(f[1]) + `</ns3:` + f[0] + `>`)
	}
	b.WriteString(`</ns2:serviceException></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`)
	return b.Bytes()
}

func newMessageID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b) // 32 characters of [0-9a-f]: a valid MessageId
}

// WSError is a fault answered by the WS API.
type WSError struct {
	PRCode, SRCode int
	Message        string
}

func (e *WSError) Error() string {
	return fmt.Sprintf("gpwebpay: WS fault PRCODE=%d SRCODE=%d: %s", e.PRCode, e.SRCode, e.Message)
}

// Status asks the WS API (getPaymentDetail) for the order's state and
// amount. The answer's signature and message id are checked. Mapping of
// the status: CAPTURED, PENDING_CAPTURE (authorised, waiting for capture)
// and PARTIAL_PAYMENT are paid; UNPAID, REVERSED and REFUNDED are
// cancelled (no money kept); PENDING_AUTHORIZATION and anything unknown
// are pending. An order GP webpay does not know (the person never reached
// the gateway) is pending too, so the sweeper gives it up in time. The
// amount is the captured one, else the approved one, else the order's;
// the currency is CZK, the only one this adapter creates orders in (the
// WS API does not report it).
func (c *Client) Status(ctx context.Context, orderNumber int64, _ string) (payment.Status, error) {
	if orderNumber <= 0 || orderNumber > maxOrderNumber {
		return payment.Status{}, fmt.Errorf("gpwebpay: order number %d out of range", orderNumber)
	}
	msgID := newMessageID()
	paymentNumber := strconv.FormatInt(orderNumber, 10)
	sig, err := sign(c.cfg.MerchantKey, strings.Join([]string{msgID, c.cfg.Provider, c.cfg.MerchantNumber, paymentNumber}, "|"))
	if err != nil {
		return payment.Status{}, fmt.Errorf("gpwebpay: sign: %w", err)
	}
	body := envelope("getPaymentDetail", "paymentDetailRequest", [][2]string{
		{"messageId", msgID}, {"provider", c.cfg.Provider}, {"merchantNumber", c.cfg.MerchantNumber},
		{"paymentNumber", paymentNumber}, {"signature", sig}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.WSURL, bytes.NewReader(body))
	if err != nil {
		return payment.Status{}, fmt.Errorf("gpwebpay: %w", err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `""`)
	resp, err := c.http.Do(req)
	if err != nil {
		return payment.Status{}, fmt.Errorf("gpwebpay: WS: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return payment.Status{}, fmt.Errorf("gpwebpay: WS: %w", err)
	}
	el, err := parseEnvelope(data)
	if err != nil {
		return payment.Status{}, fmt.Errorf("gpwebpay: WS answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if el.XMLName.Space == nsSOAP && el.XMLName.Local == "Fault" {
		return c.fault(el, msgID, orderNumber)
	}
	if resp.StatusCode != http.StatusOK {
		return payment.Status{}, fmt.Errorf("gpwebpay: WS answered HTTP %d", resp.StatusCode)
	}
	if el.XMLName.Space != nsProc || el.XMLName.Local != "getPaymentDetailResponse" {
		return payment.Status{}, fmt.Errorf("gpwebpay: unexpected WS answer %s", el.XMLName.Local)
	}
	d := el.child(nsProc, "paymentDetailResponse")
	if d == nil {
		return payment.Status{}, errors.New("gpwebpay: WS answer without paymentDetailResponse")
	}
	sigText, _ := d.leafText("signature")
	if !verify(c.cfg.GPKey, d.signedText(), sigText) {
		return payment.Status{}, errors.New("gpwebpay: WS answer signature does not verify")
	}
	if got, _ := d.leafText("messageId"); got != msgID {
		return payment.Status{}, errors.New("gpwebpay: WS answer for another message")
	}
	state, _ := d.leafText("state")
	status, _ := d.leafText("status")
	sub, _ := d.leafText("subStatus")
	amount := func(names ...string) (int64, error) {
		for _, n := range names {
			if s, ok := d.leafText(n); ok && s != "" {
				return strconv.ParseInt(s, 10, 64)
			}
		}
		return 0, nil
	}
	st := payment.Status{Currency: "CZK", Detail: clip(fmt.Sprintf("status=%s subStatus=%s state=%s", status, sub, state), 200)}
	switch status {
	case "CAPTURED", "PARTIAL_PAYMENT":
		st.State = payment.StatePaid
		st.Amount, err = amount("captureAmount", "approveAmount", "paymentAmount")
	case "PENDING_CAPTURE":
		st.State = payment.StatePaid
		st.Amount, err = amount("approveAmount", "paymentAmount")
	case "UNPAID", "REVERSED", "REFUNDED":
		st.State = payment.StateCancelled
		st.Amount, err = amount("paymentAmount")
	default:
		st.State = payment.StatePending
		st.Amount, err = amount("paymentAmount")
	}
	if err != nil {
		return payment.Status{}, fmt.Errorf("gpwebpay: WS answer amount: %w", err)
	}
	return st, nil
}

// fault reads a signed serviceException: an unknown order is pending,
// anything else an error.
func (c *Client) fault(f *node, msgID string, orderNumber int64) (payment.Status, error) {
	msg := ""
	if fs := f.child("", "faultstring"); fs != nil {
		msg = strings.TrimSpace(fs.Text)
	}
	detail := f.child("", "detail")
	var ex *node
	if detail != nil {
		ex = detail.child(nsProc, "serviceException")
	}
	if ex == nil {
		return payment.Status{}, fmt.Errorf("gpwebpay: WS fault: %s", msg)
	}
	sigText, _ := ex.leafText("signature")
	if !verify(c.cfg.GPKey, ex.signedText(), sigText) {
		return payment.Status{}, errors.New("gpwebpay: WS fault signature does not verify")
	}
	if got, _ := ex.leafText("messageId"); got != msgID {
		return payment.Status{}, errors.New("gpwebpay: WS fault for another message")
	}
	prs, _ := ex.leafText("primaryReturnCode")
	srs, _ := ex.leafText("secondaryReturnCode")
	pr, err1 := strconv.Atoi(prs)
	sr, err2 := strconv.Atoi(srs)
	if err1 != nil || err2 != nil {
		return payment.Status{}, fmt.Errorf("gpwebpay: WS fault without return codes: %s", msg)
	}
	if pr == prObjectNotFound {
		return payment.Status{State: payment.StatePending, Currency: "CZK",
			Detail: fmt.Sprintf("order %d unknown at GP webpay (PRCODE=%d SRCODE=%d)", orderNumber, pr, sr)}, nil
	}
	return payment.Status{}, &WSError{PRCode: pr, SRCode: sr, Message: msg}
}
