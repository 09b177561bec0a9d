package pdf_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/pdf"
)

func TestDecision(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)
	d := pdf.Decision{Town: "Statutární město Jizerov", Address: "nám. Dr. E. Beneše 1/1, 460 01 Jizerov", ICO: "IČO 12345679",
		Facts: []pdf.Fact{{Label: "Č. j.", Value: "MMJ/2026/000412"}, {Label: "Vyřizuje", Value: "Jana Úřednická"}, {Label: "Datum", Value: "23. 11. 2026"}},
		Title: "Rozhodnutí", Subject: "ve věci: Přihlášení psa k místnímu poplatku",
		Parts: []pdf.Part{{Heading: "Výrok", Text: "Podání se vyhovuje."},
			{Heading: "Poplatek", Text: "1 500,00 Kč, variabilní symbol 2260000412, splatný do 23. 12. 2026"},
			{Heading: "Odůvodnění", Text: "Žadatelka přihlásila psa Alíka.\nVše bylo v pořádku."}},
		Closing: "V Jizerově dne 23. 11. 2026", Signed: "Jana Úřednická", Role: "oprávněná úřední osoba",
		Note: "Vydáno elektronicky portálem Radnice.", Issued: at}
	b, err := pdf.RenderDecision(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("%%EOF")) || len(b) < 2000 {
		t.Fatalf("not a PDF: %d bytes", len(b))
	}
	// Long reasons flow onto further pages instead of being cut.
	d.Parts[2].Text = strings.Repeat("Dlouhé odůvodnění rozhodnutí o přihlášení psa. ", 400)
	long, err := pdf.RenderDecision(d)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(long, []byte("/Type /Page\n")); n < 2 {
		t.Errorf("long reasons on %d pages", n)
	}
}

func BenchmarkDecision(b *testing.B) {
	d := pdf.Decision{Town: "Statutární město Jizerov", Title: "Rozhodnutí", Parts: []pdf.Part{{Heading: "Výrok", Text: "Podání se vyhovuje."}},
		Closing: "V Jizerově dne 23. 11. 2026", Signed: "Jana Úřednická"}
	for b.Loop() {
		if _, err := pdf.RenderDecision(d); err != nil {
			b.Fatal(err)
		}
	}
}
