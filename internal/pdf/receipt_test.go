package pdf_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/pdf"
)

func TestReceipt(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)
	b, err := pdf.RenderReceipt(pdf.Receipt{Title: "Potvrzení o platbě č. 42", Town: "Statutární město Jizerov",
		Address: "nám. Dr. E. Beneše 1/1, 460 01 Jizerov", ICO: "12345679", Number: 42, Paid: at, Payer: "Žofie Řeháková",
		Channel: "platební karta", Lines: []pdf.ReceiptLine{{What: "Poplatek za psa 2026", VS: "2260000001", Amount: "1 500,00 Kč"}},
		Total: "1 500,00 Kč", Issued: at, IssuedNote: "Vystaveno portálem Radnice.",
		Labels: pdf.ReceiptLabels{Payer: "Plátce", Date: "Datum", Channel: "Způsob", What: "Za co", VS: "VS", Amount: "Částka", Total: "Celkem", ICO: "IČO"}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("%%EOF")) || len(b) < 2000 {
		t.Fatalf("not a PDF: %d bytes", len(b))
	}
}
