// Package pdf draws the documents the portal hands out on paper or as
// files: payment receipts now, letters later. Text is set in the Go fonts
// (embedded, with every Czech letter), so a PDF looks the same everywhere.
package pdf

import (
	"bytes"
	"fmt"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Receipt is what a payment receipt says.
type Receipt struct {
	Title      string // "Potvrzení o platbě č. 123"
	Town       string // the town's official name
	Address    string
	ICO        string
	Number     int64
	Paid       time.Time // in the zone it is to be shown in
	Payer      string
	Channel    string // "platební karta", "převod", "hotovost"
	Lines      []ReceiptLine
	Total      string // formatted money
	Labels     ReceiptLabels
	Issued     time.Time
	IssuedNote string // "Vystaveno portálem …"
}

// ReceiptLine is one paid obligation.
type ReceiptLine struct {
	What   string
	VS     string
	Amount string
}

// ReceiptLabels are the fixed words, in the reader's language.
type ReceiptLabels struct {
	Payer, Date, Channel, What, VS, Amount, Total, ICO string
}

func newDoc() (*fpdf.Fpdf, error) {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(true)
	f.AddUTF8FontFromBytes("go", "", goregular.TTF)
	f.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	if err := f.Error(); err != nil {
		return nil, err
	}
	f.SetMargins(20, 20, 20)
	f.SetAutoPageBreak(true, 20)
	return f, nil
}

// RenderReceipt draws the receipt as an A4 PDF.
func RenderReceipt(r Receipt) ([]byte, error) {
	f, err := newDoc()
	if err != nil {
		return nil, err
	}
	f.SetTitle(r.Title, true)
	f.SetAuthor(r.Town, true)
	f.SetCreationDate(r.Issued)
	f.SetModificationDate(r.Issued)
	f.AddPage()
	f.SetFont("go", "B", 12)
	f.CellFormat(0, 6, r.Town, "", 1, "L", false, 0, "")
	f.SetFont("go", "", 10)
	f.CellFormat(0, 5, r.Address, "", 1, "L", false, 0, "")
	if r.ICO != "" {
		f.CellFormat(0, 5, r.Labels.ICO+" "+r.ICO, "", 1, "L", false, 0, "")
	}
	f.Ln(10)
	f.SetFont("go", "B", 16)
	f.CellFormat(0, 9, r.Title, "", 1, "L", false, 0, "")
	f.Ln(4)
	f.SetFont("go", "", 11)
	for _, kv := range [][2]string{{r.Labels.Payer, r.Payer}, {r.Labels.Date, r.Paid.Format("2. 1. 2006 15:04")}, {r.Labels.Channel, r.Channel}} {
		f.SetFont("go", "B", 11)
		f.CellFormat(45, 7, kv[0], "", 0, "L", false, 0, "")
		f.SetFont("go", "", 11)
		f.CellFormat(0, 7, kv[1], "", 1, "L", false, 0, "")
	}
	f.Ln(6)
	f.SetFont("go", "B", 10)
	f.SetFillColor(230, 230, 230)
	f.CellFormat(95, 8, r.Labels.What, "1", 0, "L", true, 0, "")
	f.CellFormat(35, 8, r.Labels.VS, "1", 0, "L", true, 0, "")
	f.CellFormat(40, 8, r.Labels.Amount, "1", 1, "R", true, 0, "")
	f.SetFont("go", "", 10)
	for _, l := range r.Lines {
		f.CellFormat(95, 8, l.What, "1", 0, "L", false, 0, "")
		f.CellFormat(35, 8, l.VS, "1", 0, "L", false, 0, "")
		f.CellFormat(40, 8, l.Amount, "1", 1, "R", false, 0, "")
	}
	f.SetFont("go", "B", 11)
	f.CellFormat(130, 9, r.Labels.Total, "1", 0, "L", false, 0, "")
	f.CellFormat(40, 9, r.Total, "1", 1, "R", false, 0, "")
	f.Ln(10)
	f.SetFont("go", "", 9)
	f.MultiCell(0, 5, r.IssuedNote, "", "L", false)
	var b bytes.Buffer
	if err := f.Output(&b); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return b.Bytes(), nil
}
