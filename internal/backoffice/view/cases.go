package view

// StateLink is one state filter of the case workers' queue, with its count.
type StateLink struct {
	Href    string
	Key     string // i18n key of the label
	Count   int
	More    bool // there are more than Count
	Current bool
}

// CaseRow is one case in the queue.
type CaseRow struct {
	Href       string
	Reference  string // "" until registered
	Title      string
	Filer      string
	Department string
	StateKey   string
	Status     string // CSS modifier
	Submitted  string
	Paper      bool // filed on paper at the filing office
	Mine       bool // the official looking took it
	Assigned   bool // somebody took it
}

// CasesData is /urad/podani, a case worker's queue.
type CasesData struct {
	Departments []string
	States      []StateLink
	Rows        []CaseRow
	Prev, Next  string // links to the neighbouring pages, "" when none
	Page        int
	Errors      Errors
}

// Fact is a labelled value whose label is a message and whose value is
// data.
type Fact struct {
	Key   string
	Value string
}

// AnswerGroup is one step of a form with its answers.
type AnswerGroup struct {
	Title   string
	Answers []Answer
}

// Answer is one question of the form as it was filed, with the answer.
type Answer struct {
	Label string
	Lines []string   // the answer, a line each; none: not answered
	Files []CaseFile // a file field's files
}

// CaseFile is a file of a case, to download.
type CaseFile struct {
	Href string
	Name string
	Size string
	Type string
}

// CaseEvent is one line of a case's timeline.
type CaseEvent struct {
	At       string
	KindKey  string // i18n key of what happened
	Status   string // CSS modifier of a state change, "" for other events
	Actor    string // who, as shown
	ActorKey string // i18n key of who when there is no name
	Lines    []string
	Internal bool // an official's note, never shown to the filer
	Files    []CaseFile
}

// CaseAction is a change the case worker may make now.
type CaseAction struct {
	Action    string // the form's akce value
	TitleKey  string
	SubmitKey string
	// TextKey, when set, labels the text the action takes; TextRequired
	// says it must be filled in.
	TextKey      string
	HintKey      string
	TextRequired bool
	Text         string // as typed, when the page is shown again after a problem
	Danger       bool   // a secondary-looking button (reject)
}

// CaseData is /urad/podani/{id}, one case.
type CaseData struct {
	ID          int64
	Action      string // the action forms' URL
	Title       string
	State       string // the state shown, sent back with every change
	StateKey    string
	Status      string
	Notice      string
	Errors      Errors
	Facts       []Fact
	FilerFacts  []Fact
	Answers     []AnswerGroup
	Declared    []string // declarations the filer confirmed
	Files       []CaseFile
	Events      []CaseEvent
	Actions     []CaseAction
	FeeNoticeOn bool   // an approval assesses a fee
	FeeNotice   string // how much, as shown
}
