package pdf

import (
	"bytes"
	"fmt"
	"time"

	"golang.org/x/image/font/gofont/gomono"
)

// Submission is what the receipt of a submission says: exactly what was
// filed, so the filer can prove it.
type Submission struct {
	Title     string // "Potvrzení o podání č. 123"
	Town      string // the town's official name
	Address   string
	ICO       string
	Form      string    // the form's title, as on the version filed
	Version   string    // the form's version
	Filed     time.Time // in the zone it is to be shown in
	Reference string    // the číslo jednací; "" when not yet registered
	Filer     string    // who filed it (the party it was filed for)
	Answers   []Answer
	Files     []Attachment
	Labels    SubmissionLabels
	Issued    time.Time
	Note      string // "Vystaveno portálem …"
}

// Answer is one answer as filed; a Section (with no Label or Value) heads
// the answers of one step of the form.
type Answer struct {
	Section string
	Label   string
	Value   string // may hold several lines
}

// Attachment is one file filed with the submission.
type Attachment struct {
	Name   string
	Size   string // formatted
	SHA256 string // hex
}

// SubmissionLabels are the fixed words, in the reader's language.
type SubmissionLabels struct {
	Form, Version, Filed, Reference, Filer, Answers, Files, Size, SHA256, ICO, NoFiles string
}

// RenderSubmission draws a submission's receipt as an A4 PDF.
func RenderSubmission(s Submission) ([]byte, error) {
	f, err := newDoc()
	if err != nil {
		return nil, err
	}
	f.AddUTF8FontFromBytes("gomono", "", gomono.TTF)
	if err := f.Error(); err != nil {
		return nil, err
	}
	f.SetTitle(s.Title, true)
	f.SetAuthor(s.Town, true)
	f.SetCreationDate(s.Issued)
	f.SetModificationDate(s.Issued)
	f.AddPage()
	f.SetFont("go", "B", 12)
	f.CellFormat(0, 6, s.Town, "", 1, "L", false, 0, "")
	f.SetFont("go", "", 10)
	if s.Address != "" {
		f.CellFormat(0, 5, s.Address, "", 1, "L", false, 0, "")
	}
	if s.ICO != "" {
		f.CellFormat(0, 5, s.Labels.ICO+" "+s.ICO, "", 1, "L", false, 0, "")
	}
	f.Ln(8)
	f.SetFont("go", "B", 16)
	f.MultiCell(0, 8, s.Title, "", "L", false)
	f.Ln(3)
	facts := [][2]string{{s.Labels.Form, s.Form}, {s.Labels.Version, s.Version}, {s.Labels.Filed, s.Filed.Format("2. 1. 2006 15:04:05")}}
	if s.Reference != "" {
		facts = append(facts, [2]string{s.Labels.Reference, s.Reference})
	}
	facts = append(facts, [2]string{s.Labels.Filer, s.Filer})
	for _, kv := range facts {
		f.SetFont("go", "B", 10)
		f.CellFormat(45, 6, kv[0], "", 0, "L", false, 0, "")
		f.SetFont("go", "", 10)
		f.MultiCell(0, 6, kv[1], "", "L", false)
	}

	f.Ln(5)
	f.SetFont("go", "B", 13)
	f.CellFormat(0, 8, s.Labels.Answers, "B", 1, "L", false, 0, "")
	f.Ln(2)
	for _, a := range s.Answers {
		if a.Section != "" {
			f.Ln(2)
			f.SetFont("go", "B", 11)
			f.MultiCell(0, 6, a.Section, "", "L", false)
			continue
		}
		f.SetFont("go", "B", 9)
		f.MultiCell(0, 5, a.Label, "", "L", false)
		f.SetFont("go", "", 10)
		f.SetX(f.GetX() + 5)
		f.MultiCell(0, 5, a.Value, "", "L", false)
		f.Ln(1.5)
	}

	f.Ln(4)
	f.SetFont("go", "B", 13)
	f.CellFormat(0, 8, s.Labels.Files, "B", 1, "L", false, 0, "")
	f.Ln(2)
	if len(s.Files) == 0 {
		f.SetFont("go", "", 10)
		f.MultiCell(0, 5, s.Labels.NoFiles, "", "L", false)
	}
	for _, a := range s.Files {
		f.SetFont("go", "B", 10)
		f.MultiCell(0, 5, a.Name, "", "L", false)
		f.SetFont("go", "", 9)
		f.SetX(f.GetX() + 5)
		f.CellFormat(0, 5, s.Labels.Size+": "+a.Size, "", 1, "L", false, 0, "")
		f.SetX(f.GetX() + 5)
		f.CellFormat(20, 5, s.Labels.SHA256+":", "", 0, "L", false, 0, "")
		f.SetFont("gomono", "", 8)
		f.CellFormat(0, 5, a.SHA256, "", 1, "L", false, 0, "")
		f.Ln(1.5)
	}
	f.Ln(8)
	f.SetFont("go", "", 9)
	f.MultiCell(0, 5, s.Note, "", "L", false)
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return b.Bytes(), nil
}
