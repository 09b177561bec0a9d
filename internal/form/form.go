// Package form holds a town's forms as data: versioned definitions of
// steps, fields, conditions, declarations and a price. A submission names
// the version it was filed on, so changing a form never changes what was
// filed. The definition is JSON in form_versions.definition.
package form

// Text is a message in Czech and English.
type Text struct {
	CS string `json:"cs"`
	EN string `json:"en,omitempty"`
}

// In returns the text in lang ("cs", "en"), Czech when there is no
// translation.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.CS
}

// Field types.
const (
	TypeText      = "text"      // one line
	TypeTextarea  = "textarea"  // several lines
	TypeNumber    = "number"    // a whole number or a decimal (Czech comma accepted)
	TypeDate      = "date"      // YYYY-MM-DD
	TypeChoice    = "choice"    // one of Options (Multiple: several)
	TypeAddress   = "address"   // street, number, city, postal code: answers "<id>.street" ...
	TypeHousehold = "household" // a person of the filer's household (answer: person id)
	TypeFile      = "file"      // attachments (answer: file ids)
	TypeEmail     = "email"
	TypePhone     = "phone"
	TypeLocation  = "location" // a place: latitude and longitude ("<id>.lat", "<id>.lon") and a description
)

// Definition is one version of a form.
type Definition struct {
	Title      Text   `json:"title"`
	Intro      Text   `json:"intro"`
	Department string `json:"department"`
	// Level is the least level of assurance of the login needed to file it
	// ("low", "substantial", "high").
	Level        string        `json:"level"`
	Steps        []Step        `json:"steps"`
	Declarations []Declaration `json:"declarations,omitempty"`
	// Price, when set, is what the filer will owe when the submission is
	// approved; Obligation is the code of the kind of obligation it
	// assesses (e.g. "pes").
	Price      *Price `json:"price,omitempty"`
	Obligation string `json:"obligation,omitempty"`
	// DueDays is how many days after approval the assessed fee is due.
	DueDays int `json:"due_days,omitempty"`
	// Describe names the fields whose answers describe the assessed fee
	// on the filer's list of what they owe: the first as it is, the rest
	// in brackets ("Alík (jezevčík)"). None: the first text answer.
	Describe []string `json:"describe,omitempty"`
}

// Step is one page of a form.
type Step struct {
	ID     string  `json:"id"`
	Title  Text    `json:"title"`
	Fields []Field `json:"fields"`
}

// Field is one question.
type Field struct {
	ID        string     `json:"id"`
	Type      string     `json:"type"`
	Label     Text       `json:"label"`
	Hint      Text       `json:"hint,omitempty"`
	Required  bool       `json:"required,omitempty"`
	MaxLength int        `json:"max_length,omitempty"`
	Min       *float64   `json:"min,omitempty"` // numbers; dates: days from today
	Max       *float64   `json:"max,omitempty"`
	Pattern   string     `json:"pattern,omitempty"` // a Go regexp the whole answer must match
	Options   []Option   `json:"options,omitempty"`
	Multiple  bool       `json:"multiple,omitempty"`
	MaxFiles  int        `json:"max_files,omitempty"`
	When      *Condition `json:"when,omitempty"`    // asked only when the condition holds
	Prefill   string     `json:"prefill,omitempty"` // "person.email", "person.phone", "person.address", "person.name", "person.self"
}

// Option is one choice.
type Option struct {
	Value string `json:"value"`
	Label Text   `json:"label"`
}

// Condition holds when field Field's answer is one of Equals.
type Condition struct {
	Field  string   `json:"field"`
	Equals []string `json:"equals"`
}

// Declaration is a statement the filer must confirm.
type Declaration struct {
	ID   string `json:"id"`
	Text Text   `json:"text"`
}

// Price is a base amount (haléře) changed by rules, the first rule whose
// condition holds setting the amount.
type Price struct {
	Base  int64       `json:"base"`
	Rules []PriceRule `json:"rules,omitempty"`
}

// PriceRule sets the price to Amount when its condition holds.
type PriceRule struct {
	When   Condition `json:"when"`
	Amount int64     `json:"amount"`
}

// Answers are what the filer answered, by field id (address parts as
// "<id>.street" ...), each a list as HTML forms give them.
type Answers map[string][]string

// Get returns the first answer of key, "" when none.
func (a Answers) Get(key string) string {
	if v := a[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Holds tells whether the condition holds for the answers.
func (c *Condition) Holds(a Answers) bool {
	if c == nil {
		return true
	}
	for _, v := range a[c.Field] {
		for _, e := range c.Equals {
			if v == e {
				return true
			}
		}
	}
	return false
}

// Compute is the price of the answers (haléře); 0 when the form has none.
func (p *Price) Compute(a Answers) int64 {
	if p == nil {
		return 0
	}
	for _, r := range p.Rules {
		if r.When.Holds(a) {
			return r.Amount
		}
	}
	return p.Base
}
