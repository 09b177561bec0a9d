package view

import (
	"strconv"
	"time"
)

// CasesData is /podani: the cases of each party the person acts for.
type CasesData struct {
	Groups []CaseGroup
	Limit  int // how many a group shows at most
}

// CaseGroup is one party's cases, newest first.
type CaseGroup struct {
	PartyKey  string
	PartyName string
	ViaKey    string
	Cases     []CaseItem
	More      bool // there are more than Limit
}

// CaseItem is one case in a list.
type CaseItem struct {
	ID        int64
	Title     string
	State     string // a submission.State: the key's suffix and a CSS modifier
	Channel   string // "portal", "paper"
	Reference string // "" until registered
	Submitted time.Time
	Updated   time.Time
}

// Href is the case's page.
func (c CaseItem) Href() string { return "/podani/" + strconv.FormatInt(c.ID, 10) }

// CaseData is /podani/{id}.
type CaseData struct {
	Item        CaseItem
	PartyName   string
	Department  string
	Events      []CaseEvent
	FormTitle   string // "" for a case started on paper
	FormVersion int
	Answers     []CaseSection
	Files       []CaseFile // filed with it (not those of its events)
	Receipt     bool       // a receipt of what was filed can be downloaded
	// CanAnswer: the office waits for the filer's answer; the form is shown.
	CanAnswer  bool
	AnswerText string // what was typed, kept when the answer was refused
	ErrorKey   string
	NoticeKey  string
}

// CaseEvent is one line of the public timeline.
type CaseEvent struct {
	At    time.Time
	Kind  string // a state or an event kind: a CSS modifier
	Label string // what happened, in the page's language
	Text  string // the official's or the filer's words; may have several lines
	Files []CaseFile
}

// CaseSection is the answers of one step of the form (or the
// declarations), as filed.
type CaseSection struct {
	Title string
	Rows  []CaseAnswer
}

// CaseAnswer is one answer as filed, labelled from the form's version.
type CaseAnswer struct {
	Label string
	Value string // may have several lines
}

// CaseFile is a file to download.
type CaseFile struct {
	Href string
	Name string
	Size string // formatted
}
