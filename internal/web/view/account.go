package view

import (
	"strings"
	"time"
)

// LoginData is /prihlaseni: the town's identity providers.
type LoginData struct {
	Providers []ProviderLink
	ErrorKey  string // why the last attempt failed, when it did
	LevelKey  string // the page asked for a higher level: its name
}

// ProviderLink is one way to sign in.
type ProviderLink struct {
	Name    string
	Href    string
	TextKey string // i18n key of the description (by profile)
}

// ConsentData is /souhlas: the town's current terms.
type ConsentData struct {
	Version  int
	Terms    []string // paragraphs
	Privacy  []string
	Next     string
	ErrorKey string
	Again    bool // a newer version than the one accepted
}

// Paragraphs splits a plain text at blank lines.
func Paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// AccountData is /muj-ucet.
type AccountData struct {
	Name          string
	Linked        bool
	LinkRequested time.Time
	Person        *PersonFacts // the linked person, as the town's records have it
	Logins        []LoginFact
	Acting        PartyFact // whom the person acts for now
	Parties       []PartyFact
	Obligations   []ObligationRow // of the acting party, when its agenda allows
	ObligationsOK bool            // false: the acting party may not be shown obligations
	Notice        string          // i18n key of a one-time notice
}

// PersonFacts are the records' data shown to the person themselves.
type PersonFacts struct {
	Name      string
	BirthDate time.Time
	Address   string
}

// LoginFact is one login path.
type LoginFact struct {
	Provider string
	Since    time.Time
	Last     time.Time
}

// PartyFact is somebody the person may act for.
type PartyFact struct {
	Key     string
	Name    string
	ViaKey  string // i18n key: "party.via.self" ...
	Until   time.Time
	Agendas []string // i18n keys; nil: all
	Current bool
}

// ObligationRow is one obligation in the overview.
type ObligationRow struct {
	Kind    string
	Period  string
	Amount  int64 // haléře
	Balance int64 // haléře still owed
	Due     time.Time
	VS      int64
}

// MandatesData is /muj-ucet/zmocneni.
type MandatesData struct {
	Given    []MandateRow
	Received []MandateRow
	Grantors []PartyFact // whom the person may give a mandate for
	Agendas  []AgendaOption
	Form     MandateForm
	Errors   map[string]string // field → i18n key
	Notice   string
	Linked   bool
}

// MandateRow is one mandate in a list.
type MandateRow struct {
	ID      int64
	Grantor string
	Agent   string
	Agendas []string // i18n keys
	From    time.Time
	Until   time.Time
	Revoked time.Time
	Active  bool
}

// AgendaOption is one agenda checkbox.
type AgendaOption struct {
	Value   string
	Key     string
	Checked bool
}

// MandateForm is what was typed into the grant form.
type MandateForm struct {
	Grantor     string
	BirthNumber string
	FamilyName  string
	Until       string // YYYY-MM-DD
}

// SessionsData is /muj-ucet/relace.
type SessionsData struct {
	Sessions []SessionRow
	Notice   string
}

// SessionRow is one active session.
type SessionRow struct {
	Handle   string
	Browser  string
	IP       string
	Started  time.Time
	LastSeen time.Time
	Current  bool
}

// MessageData is a simple page with a heading, a message and a link.
type MessageData struct {
	TitleKey string
	TextKey  string
	LinkKey  string
	Href     string
}
