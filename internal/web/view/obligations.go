package view

import "time"

// ObligationsData is /zavazky: what each party the person acts for owes.
type ObligationsData struct {
	Groups   []ObligationGroup
	Total    int64 // haléře still owed, all parties
	NextDue  time.Time
	NextName string
	ErrorKey string
	Card     bool // the town has a card gateway: offer paying by card
}

// ObligationGroup is one party's obligations.
type ObligationGroup struct {
	PartyKey  string
	PartyName string
	ViaKey    string
	Open      []ObligationItem
	History   []ObligationItem
	Total     int64
}

// ObligationItem is one obligation in a list.
type ObligationItem struct {
	ID        int64
	Kind      string
	Period    string
	Amount    int64
	Balance   int64
	Due       time.Time
	VS        int64
	StatusKey string // i18n key
	Status    string // CSS modifier
	Household string // the owing household's name, "" when not a household's
	// Description says which one it is (the dog's name, the flat's address).
	Description string
	// NextAmount is what is due on Due: the next instalment's rest, or the balance.
	NextAmount  int64
	Instalments []InstalmentRow // the schedule, when paid in instalments
}

// InstalmentRow is one instalment of a schedule.
type InstalmentRow struct {
	Seq     int
	Due     time.Time
	Amount  int64
	Settled bool // paid (or written off) in full
}

// ObligationData is /zavazky/{id}.
type ObligationData struct {
	Item      ObligationItem
	PartyKey  string
	PartyName string
	Entries   []LedgerRow
	IBAN      string
	Account   string // the IBAN grouped for reading
	Payable   bool
	Card      bool // the town has a card gateway: offer paying by card
	QR        *QRPayment
}

// LedgerRow is one ledger entry.
type LedgerRow struct {
	KindKey string
	Amount  int64
	Booked  time.Time
}

// QRPayment is a QR Platba code and what it says.
type QRPayment struct {
	SPAYD string
	SVG   string // inline SVG, made by the portal (trusted)
}

// PaymentData is /platba/{id}.
type PaymentData struct {
	ID       int64
	Channel  string
	State    string
	Amount   int64
	VS       int64
	IBAN     string
	Account  string
	Items    []ObligationItem
	QR       *QRPayment
	Created  time.Time
	Resolved time.Time
}
