package view

import (
	"strconv"
	"time"

	"github.com/a-h/templ"
)

// FormsData is /formulare: the town's forms, and a signed-in citizen's
// drafts to resume.
type FormsData struct {
	Forms    []FormCard
	SignedIn bool
	// Parties the citizen may file for, when more than one: each form's
	// start button then asks for whom.
	Parties  []PartyOption
	CanFile  bool // a signed-in citizen who may file for somebody
	Drafts   []DraftRow
	Notice   string // i18n key
	ErrorKey string
}

// FormCard is one form in the list.
type FormCard struct {
	Slug       string
	Title      string
	Intro      string
	Department string
	Price      int64 // the least price, haléře
	PriceMax   int64 // the most
	HasPrice   bool
	LevelKey   string
}

// DraftRow is one draft in the list.
type DraftRow struct {
	ID       int64
	Token    string // deleting names the draft's token
	Title    string
	Party    string
	Updated  time.Time
	Step     int // 1-based, of Steps
	Steps    int
	ToReview bool
}

// Href is the draft's page.
func (d DraftRow) Href() string { return DraftHref(d.ID) }

// DraftHref is a draft's page.
func DraftHref(id int64) string { return "/formulare/koncept/" + strconv.FormatInt(id, 10) }

// DraftStepData is one step of a draft.
type DraftStepData struct {
	DraftID   int64
	Token     string // the draft's: a page of another draft is refused
	FormTitle string
	Party     string
	Step      int // 0-based
	Steps     []StepLink
	StepTitle string
	Fields    []FormField
	Errors    []FormError
	Multipart bool
	Notice    string // i18n key
	First     bool
	Last      bool
}

// Action is where the step's form posts.
func (d DraftStepData) Action() string { return DraftHref(d.DraftID) }

// StepLink is one entry of the progress list.
type StepLink struct {
	Title   string
	Href    string // "" when not reachable yet
	Current bool
}

// FormField is one question on a step's page.
type FormField struct {
	ID       string // the field's id: the input's name
	Type     string
	Label    string
	Hint     string
	Required bool
	Value    string
	Options  []FormOption // choices, household members
	Multiple bool
	Parts    []FormPart // address and location parts
	Files    []FormFile
	MaxFiles int
	MaxLen   int
	Error    string // the message, translated
}

// InputID is the id of the field's input (or of its first input).
func (f FormField) InputID() string { return InputID(f.ID) }

// Anchor is where an error summary's link to the field leads.
func (f FormField) Anchor() string {
	switch {
	case len(f.Parts) > 0:
		return f.Parts[0].InputID
	case (f.Type == "choice" || f.Type == "household") && len(f.Options) > 0:
		return f.InputID() + "-0"
	case f.Type == "file":
		return f.InputID() + "-set" // the input is gone when the files are full
	}
	return f.InputID()
}

// InputID makes an element id of an answer key: "adresa.zip" → "f-adresa-zip".
func InputID(key string) string {
	b := []byte("f-" + key)
	for i := range b {
		if b[i] == '.' {
			b[i] = '-'
		}
	}
	return string(b)
}

// describedBy names what describes an input: its hint and its error
// (no attribute when neither).
func describedBy(id string, hint, err bool) templ.Attributes {
	s := ""
	if hint {
		s = id + "-hint"
	}
	if err {
		if s != "" {
			s += " "
		}
		s += id + "-error"
	}
	if s == "" {
		return nil
	}
	return templ.Attributes{"aria-describedby": s}
}

// FormOption is one choice.
type FormOption struct {
	Value   string
	Label   string
	Checked bool
}

// FormPart is one input of an address or a location.
type FormPart struct {
	Name         string // the answer key
	InputID      string
	Label        string
	Value        string
	Error        string
	Autocomplete string
	InputMode    string
	MaxLen       int
	Textarea     bool
}

// FormFile is a file attached to a draft.
type FormFile struct {
	ID   int64
	Name string
	Size int64
}

// RemoveFormID is the id of the small form that removes the file.
func (f FormFile) RemoveFormID() string { return "odebrat-" + strconv.FormatInt(f.ID, 10) }

// FormError is one line of an error summary.
type FormError struct {
	Href string
	Text string
}

// ReviewData is a draft's review page.
type ReviewData struct {
	DraftID      int64
	FormTitle    string
	Party        string
	Department   string
	Token        string
	Steps        []StepLink
	Sections     []ReviewSection
	Declarations []ReviewDeclaration
	Price        int64
	HasPrice     bool
	Errors       []FormError
	// Invalid: answers no longer pass the form's checks; filing is not
	// offered until they are corrected.
	Invalid bool
	// LevelLow: the login's level of assurance is below the form's;
	// Relogin logs in again at the form's level and comes back.
	LevelLow bool
	Relogin  string
}

// Action is where filing posts.
func (d ReviewData) Action() string { return DraftHref(d.DraftID) + "/podat" }

// ReviewSection is one step's answers.
type ReviewSection struct {
	Title string
	Edit  string
	Rows  []ReviewRow
}

// ReviewRow is one answer.
type ReviewRow struct {
	Label string
	Lines []string // the answer, one line each; none: not filled in
	Files []FormFile
}

// ReviewDeclaration is one statement to confirm.
type ReviewDeclaration struct {
	ID      string
	Text    string
	Checked bool
}

// FileSize is a file's size the way people read it.
func (p *Page) FileSize(n int64) string {
	switch {
	case n >= 1<<20:
		return p.decimal(float64(n)/(1<<20)) + " MB"
	case n >= 1<<10:
		return p.decimal(float64(n)/(1<<10)) + " kB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

func (p *Page) decimal(f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	if p.Lang == "cs" {
		b := []byte(s)
		for i := range b {
			if b[i] == '.' {
				b[i] = ','
			}
		}
		s = string(b)
	}
	return s
}

// inputType is the HTML input type of a one-line field. Numbers are text
// with a decimal keyboard, so that a Czech decimal comma is accepted.
func inputType(typ string) string {
	switch typ {
	case "email":
		return "email"
	case "phone":
		return "tel"
	case "date":
		return "date"
	}
	return "text"
}

// inputAttrs are a one-line field's optional attributes.
func inputAttrs(f FormField) templ.Attributes {
	a := templ.Attributes{}
	if f.MaxLen > 0 {
		a["maxlength"] = strconv.Itoa(f.MaxLen)
	}
	switch f.Type {
	case "email":
		a["autocomplete"] = "email"
	case "phone":
		a["autocomplete"] = "tel"
	case "number":
		a["inputmode"] = "decimal"
	}
	return a
}

// partAttrs are an address or location part's optional attributes.
func partAttrs(p FormPart) templ.Attributes {
	a := templ.Attributes{}
	if p.Autocomplete != "" {
		a["autocomplete"] = p.Autocomplete
	}
	if p.InputMode != "" {
		a["inputmode"] = p.InputMode
	}
	return a
}
