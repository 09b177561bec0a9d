package view

// BankTxRow is one unmatched transaction of a bank statement.
type BankTxRow struct {
	ID      int64
	Action  string // the assign form's action
	Booked  string
	Amount  int64 // haléře
	VS      string
	SS      string // "" when none
	KS      string // "" when none
	Payer   string // "" when the bank gave no name
	Account string // the payer's account, "" when unknown
	Message string
}

// AssignForm is the form that books an unmatched transaction, as typed.
type AssignForm struct {
	VS     string
	Reason string
}

// CashForm is the counter's cash form, as typed.
type CashForm struct {
	VS     string
	Amount string
}

// RefundForm asks for an overpayment to be paid back, as typed.
type RefundForm struct {
	VS      string
	Amount  string
	Account string
	Reason  string
}

// RefundRow is a refund waiting for a second official's decision.
type RefundRow struct {
	ID        int64
	Action    string // the decision form's action
	VS        string
	Amount    int64 // haléře
	Account   string
	Reason    string
	Requested string // when, as shown
	By        string // who asked
	Own       bool   // the official looking asked for it: somebody else decides
}

// ImportCounts is what a statement upload booked.
type ImportCounts struct {
	Format       string
	Number       string
	Account      string
	Transactions int
	Matched      int
	Unmatched    int
	Ignored      int
	Duplicates   int
}

// Forms of the payment desk, to say which one the errors belong to.
const (
	FormAssign    = "assign"
	FormCash      = "cash"
	FormRefund    = "refund"
	FormDecide    = "decide"
	FormStatement = "statement"
)

// PaymentsData is /urad/platby, the fee clerks' desk.
type PaymentsData struct {
	Notice string // i18n key of a one-time notice
	// Form is the form the errors belong to (Form*); ErrorsFor the
	// transaction or refund of an assign or decide form.
	Form      string
	ErrorsFor int64
	Errors    Errors
	Unmatched []BankTxRow
	Assign    AssignForm // as typed into ErrorsFor's form
	Cash      CashForm
	Refund    RefundForm
	Refunds   []RefundRow
	Imported  *ImportCounts // after a statement upload
	Demo      bool          // offer the demo bank's statement
}

// ReceiptData is the printable receipt of a cash payment.
type ReceiptData struct {
	Town     string // the town's official name
	Address  string
	ICO      string
	Number   int64  // the payment's id
	Received string // date and time in Prague
	Kind     string
	Period   string
	VS       int64
	Amount   int64 // haléře
	Official string
}

// errorsOf are the errors when they belong to form (and, for the forms of
// one row, to the row id).
func (d PaymentsData) errorsOf(form string, id int64) Errors {
	if d.Form == form && d.ErrorsFor == id {
		return d.Errors
	}
	return nil
}

// assignOf is what was typed into transaction id's form, kept after an
// error.
func (d PaymentsData) assignOf(id int64) AssignForm {
	if d.Form == FormAssign && d.ErrorsFor == id {
		return d.Assign
	}
	return AssignForm{}
}
