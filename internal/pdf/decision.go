package pdf

import (
	"bytes"
	"fmt"
	"time"
)

// Decision is what a decision document on a case says (rozhodnutí,
// vyrozumění): the town's heading, the case's facts (reference number,
// who handles it, the date), a title, the parts of the decision and the
// official who signs it. Words are given by the caller, in the document's
// language.
type Decision struct {
	Town    string // the town's official name
	Address string
	ICO     string // with its label: "IČO 12345679"
	Facts   []Fact // reference number, official, date, the filer ...
	Title   string // "Rozhodnutí"
	Subject string // "ve věci: Přihlášení psa k poplatku"
	Parts   []Part // the verdict, the fee, the reasons
	Closing string // "V Jizerově dne 23. 11. 2026"
	Signed  string // the official's name
	Role    string // under the name: "oprávněná úřední osoba"
	Note    string // at the foot: how it was issued
	Issued  time.Time
}

// Fact is one labelled line of the heading.
type Fact struct {
	Label, Value string
}

// Part is one headed part of the decision; Text may have several lines.
type Part struct {
	Heading string
	Text    string
}

// RenderDecision draws the decision as an A4 PDF.
func RenderDecision(d Decision) ([]byte, error) {
	f, err := newDoc()
	if err != nil {
		return nil, err
	}
	f.SetTitle(d.Title+" "+d.Subject, true)
	f.SetAuthor(d.Town, true)
	f.SetCreationDate(d.Issued)
	f.SetModificationDate(d.Issued)
	f.AddPage()
	f.SetFont("go", "B", 12)
	f.MultiCell(0, 6, d.Town, "", "L", false)
	f.SetFont("go", "", 10)
	f.MultiCell(0, 5, d.Address, "", "L", false)
	if d.ICO != "" {
		f.CellFormat(0, 5, d.ICO, "", 1, "L", false, 0, "")
	}
	f.Ln(6)
	f.SetFont("go", "", 10)
	for _, fact := range d.Facts {
		f.SetFont("go", "B", 10)
		f.CellFormat(45, 6, fact.Label, "", 0, "L", false, 0, "")
		f.SetFont("go", "", 10)
		f.MultiCell(0, 6, fact.Value, "", "L", false)
	}
	f.Ln(8)
	f.SetFont("go", "B", 18)
	f.CellFormat(0, 10, d.Title, "", 1, "C", false, 0, "")
	if d.Subject != "" {
		f.SetFont("go", "", 11)
		f.MultiCell(0, 6, d.Subject, "", "C", false)
	}
	f.Ln(4)
	for _, p := range d.Parts {
		f.Ln(3)
		if p.Heading != "" {
			f.SetFont("go", "B", 12)
			f.CellFormat(0, 8, p.Heading, "", 1, "L", false, 0, "")
		}
		f.SetFont("go", "", 11)
		f.MultiCell(0, 6, p.Text, "", "L", false)
	}
	f.Ln(10)
	f.SetFont("go", "", 11)
	f.MultiCell(0, 6, d.Closing, "", "L", false)
	f.Ln(12)
	f.SetFont("go", "B", 11)
	f.CellFormat(0, 6, d.Signed, "", 1, "L", false, 0, "")
	if d.Role != "" {
		f.SetFont("go", "", 10)
		f.CellFormat(0, 5, d.Role, "", 1, "L", false, 0, "")
	}
	if d.Note != "" {
		f.Ln(10)
		f.SetFont("go", "", 9)
		f.MultiCell(0, 5, d.Note, "", "L", false)
	}
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return b.Bytes(), nil
}
