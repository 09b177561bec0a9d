package pdf_test

import (
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/pdf"
)

func TestRenderSubmission(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 10, 30, 15, 0, time.UTC)
	s := pdf.Submission{Title: "Potvrzení o podání č. 7", Town: "Statutární město Jizerov", Address: "nám. Dr. E. Beneše 1/1, 460 01 Jizerov",
		ICO: "12345679", Form: "Přihlášení psa k poplatku", Version: "2", Filed: at, Reference: "MMJ/1234/2026", Filer: "Žofie Řeháková",
		Answers: []pdf.Answer{{Section: "Pes"}, {Label: "Jméno psa", Value: "Alík (kříženec)"}, {Label: "Plemeno", Value: "Knírač \\ malý"},
			{Label: "Poznámka", Value: "První řádek\nDruhý řádek, který je tak dlouhý, že se na stránce musí zalomit, aby se vešel celý, i s diakritikou: ěščřžýáíé"}},
		Files:  []pdf.Attachment{{Name: "očkovací průkaz.pdf", Size: "1,2 MB", SHA256: strings.Repeat("ab", 32)}},
		Issued: at, Note: "Vystaveno portálem Radnice.",
		Labels: pdf.SubmissionLabels{Form: "Formulář", Version: "Verze", Filed: "Podáno", Reference: "Číslo jednací", Filer: "Podatel",
			Answers: "Odpovědi", Files: "Přílohy", Size: "Velikost", SHA256: "SHA-256", ICO: "IČO", NoFiles: "Bez příloh"}}
	b, err := pdf.RenderSubmission(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "%PDF-") || !strings.Contains(string(b[len(b)-100:]), "%%EOF") {
		t.Fatal("not a PDF")
	}
	text, err := pdf.Text(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Potvrzení o podání č. 7", "Statutární město Jizerov", "Přihlášení psa k poplatku", "23. 11. 2026 10:30:15",
		"MMJ/1234/2026", "Žofie Řeháková", "Jméno psa", "Alík (kříženec)", "Knírač \\ malý", "První řádek", "ěščřžýáíé",
		"očkovací průkaz.pdf", "1,2 MB", strings.Repeat("ab", 32), "Vystaveno portálem Radnice."} {
		if !strings.Contains(text, want) {
			t.Errorf("the receipt does not say %q:\n%s", want, text)
		}
	}
	// The extractor is not vacuous: what was not drawn is not found.
	if strings.Contains(text, "Bez příloh") || strings.Contains(text, "Alík (kříženec) ") {
		t.Errorf("the text shows what was not drawn:\n%s", text)
	}
	// No reference yet, no files: neither is invented.
	s.Reference, s.Files = "", nil
	b, _ = pdf.RenderSubmission(s)
	text, _ = pdf.Text(b)
	if strings.Contains(text, "Číslo jednací") || !strings.Contains(text, "Bez příloh") {
		t.Errorf("without reference and files:\n%s", text)
	}
}
