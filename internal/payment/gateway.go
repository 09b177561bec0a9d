// Package payment takes money: card payments through gateways, bank
// transfers matched from statements, cash at the counter. Every payment is
// applied to the obligations' ledger exactly once.
package payment

import (
	"context"
	"errors"
	"net/url"
)

// State of a payment at a gateway.
type State string

const (
	StatePending   State = "pending"   // created, the person has not finished
	StatePaid      State = "paid"      // money taken (captured or authorised for capture)
	StateCancelled State = "cancelled" // refused, cancelled or timed out: no money
)

// GatewayPayment is what the portal asks a gateway to collect.
type GatewayPayment struct {
	OrderNumber int64  // the portal's number for this attempt, unique per town and gateway
	Amount      int64  // haléře
	Currency    string // "CZK"
	Description string // shown to the payer (ASCII-safe, short)
	Email       string // payer's e-mail when known, "" otherwise
	ReturnURL   string // where the gateway sends the person's browser back
	NotifyURL   string // where the gateway pushes a status change (server to server), if it does
}

// Started is what a gateway answers when a payment is created.
type Started struct {
	RedirectURL string // send the person's browser here
	GatewayRef  string // the gateway's id for the payment (ComGate transId); "" when the order number is the id
}

// Status is the gateway's own answer about a payment: the truth, checked
// by the caller against the amount and currency it expects.
type Status struct {
	State    State
	Amount   int64 // haléře, as the gateway reports it
	Currency string
	Detail   string // gateway codes for the log (PRCODE/SRCODE, ComGate status)
}

// Hint is what a return or a push says, after its signature or secret has
// been verified. It is never acted on alone: the caller then asks Status.
type Hint struct {
	OrderNumber int64  // 0 when the gateway identifies the payment by GatewayRef
	GatewayRef  string // "" when the gateway identifies the payment by OrderNumber
	Claimed     State  // what the message claims; informational
	Detail      string
}

// ErrForged is returned by VerifyReturn and VerifyNotify for a message that
// fails its signature, secret or merchant check.
var ErrForged = errors.New("payment: gateway message failed verification")

// Gateway is one card payment gateway. The real adapters and their fakes
// live in payment/gpwebpay and payment/comgate.
type Gateway interface {
	// Name is the gateway's short name: "gpwebpay", "comgate".
	Name() string
	// Create registers the payment with the gateway.
	Create(ctx context.Context, p GatewayPayment) (Started, error)
	// VerifyReturn checks the parameters of the browser's return (query
	// or form values). ErrForged when they fail verification.
	VerifyReturn(values url.Values) (Hint, error)
	// VerifyNotify checks a server-to-server push (form values); gateways
	// without pushes return ErrForged.
	VerifyNotify(values url.Values) (Hint, error)
	// Status asks the gateway for the payment's state.
	Status(ctx context.Context, orderNumber int64, gatewayRef string) (Status, error)
}
