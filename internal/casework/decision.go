package casework

import (
	"strconv"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/obligation"
	"github.com/radnice/radnice/internal/pdf"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/tenant"
)

// DecisionFacts are what a decision document says.
type DecisionFacts struct {
	Town       *tenant.Tenant
	Official   string
	Submission *submission.Submission
	Filer      string
	Address    string
	Approved   bool
	Reasons    string                 // "" for an approval without reasons
	Fee        *obligation.Obligation // the fee the approval assessed; nil when none
	FeeKind    string                 // its kind's name
	At         time.Time
}

// docLang is the language of decision documents: official documents of a
// Czech town are in Czech (správní řád, § 16).
const docLang = i18n.CS

// RenderDecision draws the decision document (a PDF).
func RenderDecision(f DecisionFacts) ([]byte, error) {
	T := func(key string, args ...any) string { return i18n.T(docLang, key, args...) }
	sub, t := f.Submission, f.Town
	town := t.OfficialName
	if town == "" {
		town = t.Name
	}
	date := i18n.Date(docLang, f.At)
	reference := sub.Reference
	if reference == "" {
		reference = "–"
	}
	d := pdf.Decision{Town: town, Address: t.Address, Title: T("bo.case.doc.title"), Subject: T("bo.case.doc.subject", sub.Title),
		Facts: []pdf.Fact{
			{Label: T("bo.case.doc.reference"), Value: reference},
			{Label: T("bo.case.doc.filed"), Value: i18n.Date(docLang, sub.SubmittedAt)},
			{Label: T("bo.case.doc.filer"), Value: strings.TrimSuffix(f.Filer+", "+f.Address, ", ")},
			{Label: T("bo.case.doc.official"), Value: f.Official},
			{Label: T("bo.case.doc.date"), Value: date},
		},
		Closing: T("bo.case.doc.closing", t.Name, date), Signed: f.Official, Role: T("bo.case.doc.role"),
		Note: T("bo.case.doc.note", date, reference), Issued: f.At}
	if t.ICO != "" {
		d.ICO = T("bo.case.doc.ico", t.ICO)
	}
	verdict := T("bo.case.doc.verdict.rejected")
	if f.Approved {
		verdict = T("bo.case.doc.verdict.approved")
	}
	d.Parts = append(d.Parts, pdf.Part{Heading: T("bo.case.doc.verdict"), Text: verdict})
	if f.Fee != nil {
		what := f.FeeKind
		if f.Fee.Description != "" {
			what += " – " + f.Fee.Description
		}
		text := T("bo.case.doc.fee.text", what, f.Fee.Period, i18n.Money(docLang, f.Fee.Amount), i18n.Date(docLang, f.Fee.DueDate),
			strconv.FormatInt(f.Fee.VS, 10))
		if t.IBAN != "" {
			text += "\n" + T("bo.case.doc.fee.account", t.IBAN)
		}
		d.Parts = append(d.Parts, pdf.Part{Heading: T("bo.case.doc.fee"), Text: text})
	}
	reasons := f.Reasons
	if reasons == "" {
		reasons = T("bo.case.doc.reasons.none")
	}
	d.Parts = append(d.Parts, pdf.Part{Heading: T("bo.case.doc.reasons"), Text: reasons})
	return pdf.RenderDecision(d)
}

// DecisionFileName is the name the decision document is stored under.
func DecisionFileName(sub *submission.Submission) string {
	return "rozhodnuti-" + strconv.FormatInt(sub.ID, 10) + ".pdf"
}
