package view

import (
	"strings"

	"github.com/a-h/templ"
)

// FieldError is one problem of a form: Field is the id of its input (the
// summary links to it), Key the i18n key of the message.
type FieldError struct {
	Field string
	Key   string
}

// Errors are a form's problems, in the order of its fields.
type Errors []FieldError

// Key is the message key of field's problem, "" when it has none.
func (e Errors) Key(field string) string {
	for _, f := range e {
		if f.Field == field {
			return f.Key
		}
	}
	return ""
}

// Attrs are an input's accessibility attributes: aria-describedby naming
// its hints and, when it has a problem, aria-invalid and the message.
func (e Errors) Attrs(field string, hints ...string) templ.Attributes {
	a := templ.Attributes{}
	if e.Key(field) != "" {
		a["aria-invalid"] = "true"
		hints = append(hints, field+"-error")
	}
	if len(hints) > 0 {
		a["aria-describedby"] = strings.Join(hints, " ")
	}
	return a
}

// Option is one choice of a select or a group of checkboxes.
type Option struct {
	Value   string
	Key     string // i18n key of the label
	Checked bool
}

// IssuedLink is a one-time link (invitation, password reset) shown once to
// the administrator who issued it, to hand over: nothing sends e-mail yet.
type IssuedLink struct {
	URL   string
	For   string // the official's name
	Until string // when it stops working, as shown
}

// StaffRow is one official in the list.
type StaffRow struct {
	Href        string
	Name        string
	Email       string
	Roles       []string // translated, with departments
	HasPassword bool
	TOTP        bool
	Disabled    bool
}

// InviteForm is the invitation form as filled in.
type InviteForm struct {
	Email      string
	Name       string
	Roles      []Option
	Department string
}

// StaffListData is /urad/sprava/urednici.
type StaffListData struct {
	Staff   []StaffRow
	Form    InviteForm
	Errors  Errors
	Invited *IssuedLink // after an invitation
}

// StaffDetailData is /urad/sprava/urednici/{id}.
type StaffDetailData struct {
	Base        string // /urad/sprava/urednici/{id}
	Name        string
	Email       string
	Created     string
	Roles       []string // translated, as held now
	HasPassword bool
	TOTP        bool
	Disabled    bool
	Self        bool // the administrator looking at their own account
	Form        []Option
	Department  string
	Errors      Errors
	Notice      string      // i18n key of a one-time notice
	Reset       *IssuedLink // after issuing a reset link
}

// ResetData is the password-reset form.
type ResetData struct {
	Token   string
	Invalid bool // the link is missing, used or expired: no form, a calm word
	Errors  Errors
}

// AuditFilter is the audit search form as typed.
type AuditFilter struct {
	Action      string
	ActorKind   string
	ActorID     string
	SubjectKind string
	SubjectID   string
	From        string // YYYY-MM-DD, Prague
	To          string
}

// ChainStatus is the result of verifying the town's audit chain.
type ChainStatus struct {
	OK         bool
	Entries    int64
	HeadSeq    int64
	BrokenSeq  int64
	ProblemKey string // i18n key of what is wrong
}

// AuditRow is one audit entry as shown.
type AuditRow struct {
	Seq       int64
	At        string // Prague time
	Actor     string // name
	ActorKind string // translated kind and id: "úředník 12"
	Action    string
	Subject   string // translated kind and id: "osoba 1234"; "" for none
	Reason    string
	RequestID string
}

// AuditData is /urad/audit.
type AuditData struct {
	Filter       AuditFilter
	ActorKinds   []Option
	SubjectKinds []Option
	Errors       Errors
	Chain        *ChainStatus
	Rows         []AuditRow
	Searched     bool   // the filters were valid and the search ran
	Older        string // URL of the next, older page; "" when this is the last
}

// LinkRow is one account waiting to be linked.
type LinkRow struct {
	ID        int64
	Action    string // the form's action
	Name      string
	BirthDate string // as the provider gave it
	Requested string
}

// LinkedInfo confirms a link just made (or one to undo).
type LinkedInfo struct {
	Action      string // the unlink form's action
	AccountName string
	PersonName  string
	PersonBorn  string
	NameDiffers bool // the records name somebody else than the login: check again
}

// LinksData is /urad/propojeni.
type LinksData struct {
	Rows []LinkRow
	// ErrorsFor is the account whose form the errors belong to.
	ErrorsFor int64
	Errors    Errors
	Reason    string // the reason as typed, for the form with errors
	Linked    *LinkedInfo
	Notice    string
}

// SessionRow is one of the official's sessions.
type SessionRow struct {
	Action   string // the form that ends it
	Started  string
	LastSeen string
	Browser  string
	IP       string
	Current  bool
}

// SessionsData is /urad/relace.
type SessionsData struct {
	Rows   []SessionRow
	Notice string
	Others int // how many sessions are not this one
}

// errorsFor are the errors when they belong to account id's form.
func (d LinksData) errorsFor(id int64) Errors {
	if d.Linked == nil && d.ErrorsFor == id {
		return d.Errors
	}
	return nil
}

// reasonFor is the reason typed into account id's form, kept after an error.
func (d LinksData) reasonFor(id int64) string {
	if d.Linked == nil && d.ErrorsFor == id {
		return d.Reason
	}
	return ""
}
