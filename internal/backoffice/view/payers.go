package view

// FormFind is the desk's form that finds a payer.
const FormFind = "find"

// Choice is an option of a select whose label is data, not a message.
type Choice struct {
	Value string
	Label string
}

// PayerLine is one obligation on a payer's page.
type PayerLine struct {
	ID          int64
	Kind        string
	Period      string
	Description string
	VS          string
	Due         string
	Amount      int64 // as assessed, haléře
	Balance     int64 // still owed; negative when overpaid
	StatusKey   string
	Status      string // CSS modifier
	Household   string // the owing household, "" when the payer's own
	Instalments int    // how many, 0 when none
	NextDue     string // the next unsettled part's date, "" when nothing is owed
	NextAmount  int64
}

// TransferForm moves an overpayment, as typed.
type TransferForm struct {
	From, To, Amount, Reason string
}

// PayerData is a payer's page on the fee clerks' desk.
type PayerData struct {
	Notice     string
	Name       string
	Born       string // a person's date of birth
	ICO        string // a company's IČO
	Address    string
	Households []string // a person's households
	Lines      []PayerLine
	Total      int64 // still owed, haléře
	Overpaid   int64 // overpaid, haléře
	From, To   []Choice
	Action     string // the transfer form's action
	Transfer   TransferForm
	Errors     Errors
}
