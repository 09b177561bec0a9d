package bank

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
)

// The vector of STANDARDS.md: these three fields give CRC32 AAD80227.
func TestSPAYDVector(t *testing.T) {
	got, err := SPAYD(Payment{IBAN: "CZ58 5500 0000 0012 6509 8001", Amount: 10000, Currency: "CZK"})
	if err != nil {
		t.Fatal(err)
	}
	const want = "SPD*1.0*ACC:CZ5855000000001265098001*AM:100.00*CC:CZK*CRC32:AAD80227"
	if got != want {
		t.Errorf("SPAYD = %s\nwant   %s", got, want)
	}
	m, err := ParseSPAYD(want)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, map[string]string{"ACC": "CZ5855000000001265098001", "AM": "100.00", "CC": "CZK"}) {
		t.Errorf("ParseSPAYD = %v", m)
	}
	// The same fields in another order, with a final '*', check the same.
	if _, err := ParseSPAYD("SPD*1.0*CC:CZK*AM:100.00*CRC32:AAD80227*ACC:CZ5855000000001265098001*"); err != nil {
		t.Errorf("reordered: %v", err)
	}
	if _, err := ParseSPAYD(strings.Replace(want, "AAD80227", "AAD80228", 1)); !errors.Is(err, ErrFormat) {
		t.Errorf("wrong CRC32 accepted: %v", err)
	}
}

func TestSPAYDFull(t *testing.T) {
	p := Payment{
		IBAN:      "CZ6508000000192000145399",
		Amount:    123456,
		VS:        2026000123,
		SS:        77,
		KS:        308,
		Message:   "Poplatek za psa – Žofie * 100% (Horní Ves)",
		Recipient: "Město Jizerov",
		Due:       time.Date(2026, 3, 31, 23, 30, 0, 0, time.FixedZone("CEST", 2*3600)),
	}
	s, err := SPAYD(p)
	if err != nil {
		t.Fatal(err)
	}
	body := "SPD*1.0*ACC:CZ6508000000192000145399*AM:1234.56*CC:CZK*DT:20260331" +
		"*MSG:POPLATEK ZA PSA - ZOFIE %2A 100%25 (HORNI VES)*RN:MESTO JIZEROV*X-KS:308*X-SS:77*X-VS:2026000123"
	want := body + "*CRC32:" + crcHex(body)
	if s != want {
		t.Errorf("SPAYD =\n%s\nwant\n%s", s, want)
	}
	m, err := ParseSPAYD(s)
	if err != nil {
		t.Fatal(err)
	}
	if m["MSG"] != "POPLATEK ZA PSA - ZOFIE * 100% (HORNI VES)" || m["X-VS"] != "2026000123" || m["DT"] != "20260331" {
		t.Errorf("fields %v", m)
	}
	// Absent fields stay absent; BIC is kept.
	s, err = SPAYD(Payment{IBAN: "cz65 0800 0000 1920 0014 5399+gibaczpx"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, "SPD*1.0*ACC:CZ6508000000192000145399+GIBACZPX*CC:CZK*CRC32:") {
		t.Errorf("minimal: %s", s)
	}
}

func crcHex(s string) string {
	const hex = "0123456789ABCDEF"
	v := crc32.ChecksumIEEE([]byte(s))
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = hex[v&15]
		v >>= 4
	}
	return string(b)
}

func TestSPAYDRejects(t *testing.T) {
	ok := Payment{IBAN: "CZ6508000000192000145399"}
	for name, mod := range map[string]func(*Payment){
		"bad IBAN":         func(p *Payment) { p.IBAN = "CZ6508000000192000145398" },
		"no IBAN":          func(p *Payment) { p.IBAN = "" },
		"bad BIC":          func(p *Payment) { p.IBAN += "+GIBA" },
		"negative amount":  func(p *Payment) { p.Amount = -1 },
		"amount too large": func(p *Payment) { p.Amount = 1_000_000_000 },
		"currency":         func(p *Payment) { p.Currency = "Kč" },
		"VS 11 digits":     func(p *Payment) { p.VS = 10_000_000_000 },
		"negative KS":      func(p *Payment) { p.KS = -308 },
		"message too long": func(p *Payment) { p.Message = strings.Repeat("a", 61) },
		"escapes too long": func(p *Payment) { p.Message = strings.Repeat("€", 7) }, // 7 × 9 characters
		"recipient too long": func(p *Payment) {
			p.Recipient = strings.Repeat("b", 36)
		},
		"year 10000": func(p *Payment) { p.Due = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
	} {
		p := ok
		mod(&p)
		if s, err := SPAYD(p); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: %q, %v", name, s, err)
		}
	}
	// At the limits it works.
	p := ok
	p.Amount, p.VS, p.Message, p.Recipient = 999_999_999, 9_999_999_999, strings.Repeat("a", 60), strings.Repeat("b", 35)
	s, err := SPAYD(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s, "AM:9999999.99*") {
		t.Errorf("%s", s)
	}
	if _, err := ParseSPAYD(s); err != nil {
		t.Error(err)
	}
}

func TestParseSPAYDRejects(t *testing.T) {
	const acc = "ACC:CZ6508000000192000145399"
	for _, c := range []struct{ in, want string }{
		{"", "no SPD*1.0* header"},
		{"SPD*2.0*" + acc, "version"},
		{"spd*1.0*" + acc, "header"},
		{"SPD*1.0*", "ACC: missing"},
		{"SPD*1.0*AM:100.00", "ACC: missing"},
		{"SPD*1.0*" + acc + "*AM", "has no ':'"},
		{"SPD*1.0*" + acc + "*am:100", "bad key"},
		{"SPD*1.0*" + acc + "*FOO:1", `unknown key "FOO"`},
		{"SPD*1.0*" + acc + "*" + acc, "ACC twice"},
		{"SPD*1.0*" + acc + "*CRC32:00000000*CRC32:00000000", "CRC32 twice"},
		{"SPD*1.0*" + acc + "**AM:1", "has no ':'"},
		{"SPD*1.0*ACC:CZ6508000000192000145398", "ACC"},
		{"SPD*1.0*ACC:cz6508000000192000145399", "ACC"},
		{"SPD*1.0*" + acc + "*AM:1.234", "AM"},
		{"SPD*1.0*" + acc + "*AM:12345678.00", "AM"},
		{"SPD*1.0*" + acc + "*CC:czk", "CC"},
		{"SPD*1.0*" + acc + "*DT:20260230", "DT"},
		{"SPD*1.0*" + acc + "*DT:00000101", "DT"},
		{"SPD*1.0*" + acc + "*X-VS:12a", "X-VS"},
		{"SPD*1.0*" + acc + "*X-VS:", "X-VS"},
		{"SPD*1.0*" + acc + "*X-PER:31", "X-PER"},
		{"SPD*1.0*" + acc + "*MSG:" + strings.Repeat("x", 61), "MSG"},
		{"SPD*1.0*" + acc + "*MSG:%FF", "not UTF-8"},
		{"SPD*1.0*" + acc + "*CRC32:aad80227", "CRC32"},
		{"SPD*1.0*" + acc + "*CRC32:AAD8022", "CRC32"},
		{"SPD*1.0*" + acc + "*ALT-ACC:CZ6508000000192000145399,CZ6508000000192000145399,CZ6508000000192000145399", "ALT-ACC"},
	} {
		m, err := ParseSPAYD(c.in)
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseSPAYD(%q) = %v, %v; want an error saying %q", c.in, m, err, c.want)
		}
	}
}

func TestParseSPAYDLenient(t *testing.T) {
	// Unknown X- keys are returned; raw UTF-8 and a lone '%' are read as
	// they are; escapes in lower case too.
	m, err := ParseSPAYD("SPD*1.0*ACC:CZ6508000000192000145399*X-FOO:bar*MSG:Žluťoučký kůň 50% %2a%c3%a1*X-VS:0012")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ACC": "CZ6508000000192000145399", "X-FOO": "bar", "MSG": "Žluťoučký kůň 50% *á", "X-VS": "0012"}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got %v", m)
	}
	// Written back, it reads the same.
	m2, err := ParseSPAYD(formatFields(m))
	if err != nil || !reflect.DeepEqual(m, m2) {
		t.Errorf("round trip: %v %v", m2, err)
	}
}

func TestTransliterate(t *testing.T) {
	for in, want := range map[string]string{
		"Příliš žluťoučký kůň úpěl ďábelské ódy": "PRILIS ZLUTOUCKY KUN UPEL DABELSKE ODY",
		"  a\tb\n\nc  ": "A B C",
		"Straße €":      "STRAßE €",
		"ŁÓDŹ":          "ŁODZ",
		"":              "",
	} {
		if got := transliterate(in); got != want {
			t.Errorf("transliterate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestQRPNG(t *testing.T) {
	s, err := SPAYD(Payment{IBAN: "CZ6508000000192000145399", Amount: 50000, VS: 1001, Message: "Poplatek ze psa"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := QRPNG(s, 300)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("not a PNG: % x", data[:8])
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 300 || b.Dy() != 300 {
		t.Errorf("size %v", b)
	}
	// A QR decoder reads the SPAYD back.
	if got := decodeQR(t, img); got != s {
		t.Errorf("decoded %q, want %q", got, s)
	}
	for _, size := range []int{0, -1, 10, 5000} {
		if _, err := QRPNG(s, size); !errors.Is(err, ErrFormat) {
			t.Errorf("size %d: %v", size, err)
		}
	}
	if _, err := QRPNG("", 300); !errors.Is(err, ErrFormat) {
		t.Errorf("empty: %v", err)
	}
	if _, err := QRPNG(strings.Repeat("x", 5000), 300); !errors.Is(err, ErrFormat) {
		t.Errorf("too long for a QR code: %v", err)
	}
}

func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.GetText()
}

func TestQRSVG(t *testing.T) {
	s, err := SPAYD(Payment{IBAN: "CZ6508000000192000145399", Amount: 50000, VS: 1001})
	if err != nil {
		t.Fatal(err)
	}
	svg, err := QRSVG(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(svg, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 `) || !strings.HasSuffix(svg, "</svg>") {
		t.Errorf("svg: %.120s", svg)
	}
	// No script, no style attribute, no link, no event handler, no id.
	for _, bad := range []string{"<script", "style=", "href", " on", "id="} {
		if strings.Contains(svg, bad) {
			t.Errorf("svg contains %q", bad)
		}
	}
	if !strings.Contains(svg, `fill="#000"`) || !strings.Contains(svg, `role="img"`) {
		t.Errorf("svg: %.200s", svg)
	}
	// The SVG draws the same modules as the PNG: rasterise it and decode.
	m, err := qrModules(s)
	if err != nil {
		t.Fatal(err)
	}
	img := rasterSVGPath(t, svg, len(m), 6)
	if got := decodeQR(t, img); got != s {
		t.Errorf("SVG decodes to %q", got)
	}
}

// rasterSVGPath draws the "M x yh nv1h-nz" rectangles of QRSVG's path at
// scale pixels a module.
func rasterSVGPath(t *testing.T, svg string, n, scale int) image.Image {
	t.Helper()
	_, d, ok := strings.Cut(svg, ` d="`)
	if !ok {
		t.Fatal("no path")
	}
	d, _, _ = strings.Cut(d, `"`)
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	for _, rect := range strings.Split(strings.TrimSuffix(d, "z"), "z") {
		var x, y, w, w2 int
		if _, err := fmt.Sscanf(rect, "M%d %dh%dv1h-%d", &x, &y, &w, &w2); err != nil || w != w2 {
			t.Fatalf("path part %q: %v", rect, err)
		}
		for py := y * scale; py < (y+1)*scale; py++ {
			for px := x * scale; px < (x+w)*scale; px++ {
				img.Pix[py*img.Stride+px] = 0
			}
		}
	}
	return img
}
