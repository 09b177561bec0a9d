package attach

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/radnice/radnice/internal/pdf"
)

func pngFile(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 6))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegFile(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 9))
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zipFile(t *testing.T, name, content string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create(name)
	w.Write([]byte(content))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func tarFile(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: "a.txt", Mode: 0o644, Size: 5})
	tw.Write([]byte("hello"))
	tw.Close()
	return b.Bytes()
}

// v7tar is a tar without the ustar magic: only its checksum tells.
func v7tar(t *testing.T) []byte {
	t.Helper()
	b := tarFile(t)
	copy(b[257:265], make([]byte, 8))
	var sum int
	for i, c := range b[:512] {
		if i >= 148 && i < 156 {
			c = ' '
		}
		sum += int(c)
	}
	copy(b[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return b
}

func gz(t *testing.T) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte("data"))
	w.Close()
	return b.Bytes()
}

// eicar is the antivirus test file, put together here so that this source
// file is not itself taken for it.
var eicar = `X5O!P%@AP[4\PZX54(P^)7CC)7}$` + "EICAR-STANDARD-" + "ANTIVIRUS-TEST-FILE!$H+H*"

// portalPDF is a receipt as the portal draws it: its own documents (a
// decision attached to a case) must pass.
func portalPDF(t *testing.T) []byte {
	b, err := pdf.RenderSubmission(pdf.Submission{Title: "Potvrzení", Town: "Obec", Answers: []pdf.Answer{{Label: "Jméno", Value: "Žofie"}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const pdfFile = "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

func TestDetect(t *testing.T) {
	t.Parallel()
	png, jpg := pngFile(t), jpegFile(t)
	cases := []struct {
		name string
		data []byte
		want string // a content type, or the refusal's key
	}{
		{"pdf", []byte(pdfFile), PDF},
		{"png", png, PNG},
		{"jpeg", jpg, JPEG},
		{"czech text", []byte("Dobrý den,\r\nžádám o vydání průkazu.\tDěkuji\n"), Text},
		{"text with a bom", []byte("\xef\xbb\xbfŽádost"), Text},
		{"text with a harmless less-than", []byte("cena < 100 Kč, a<b, <3, <jan@example.cz>"), Text},
		// EICAR is printable text: the type check lets it through and
		// the virus scanner refuses it (see submission's tests).
		{"eicar in a .txt", []byte(eicar), Text},

		{"empty", nil, KeyEmpty},
		{"zip", zipFile(t, "a.txt", "x"), KeyArchive},
		{"office document (zip container)", zipFile(t, "word/document.xml", "<w:document/>"), KeyArchive},
		{"rar", []byte("Rar!\x1a\x07\x00\xcf\x90\x73\x00\x00"), KeyArchive},
		{"rar 5", []byte("Rar!\x1a\x07\x01\x00\x33\x92\xb5\xe5"), KeyArchive},
		{"7z", []byte("7z\xbc\xaf\x27\x1c\x00\x04rest"), KeyArchive},
		{"gzip", gz(t), KeyArchive},
		{"bzip2", []byte("BZh91AY&SY\x00\x00\x00"), KeyArchive},
		{"xz", []byte("\xfd7zXZ\x00\x00\x04"), KeyArchive},
		{"tar", tarFile(t), KeyArchive},
		{"old tar without magic", v7tar(t), KeyArchive},
		{"cab", []byte("MSCF\x00\x00\x00\x00\x10\x00"), KeyArchive},
		{"text that starts like bzip2", []byte("BZh9 is not a compressed stream"), Text},
		// A polyglot: a real JPEG with a ZIP appended opens as either.
		{"polyglot jpeg+zip", append(append([]byte{}, jpg...), zipFile(t, "evil.exe", "MZ")...), KeyArchive},
		{"polyglot pdf+zip", append([]byte(pdfFile), zipFile(t, "x.js", "alert(1)")...), KeyArchive},
		// A PDF header further in, after HTML: a browser sees HTML.
		{"polyglot html+pdf", []byte("<html><script>alert(1)</script>\n%PDF-1.4\n%%EOF"), KeyType},

		{"windows executable", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), KeyType},
		{"elf executable", []byte("\x7fELF\x02\x01\x01\x00"), KeyType},
		{"html", []byte("<!DOCTYPE html><html><body>Ahoj</body></html>"), KeyType},
		{"html after some text", []byte("Dobrý den\n\n<a href=\"https://example.org\">klikněte</a>"), KeyType},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>`), KeyType},
		{"svg with script", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>`), KeyType},
		{"svg with a prefix", []byte(`<s:svg xmlns:s="http://www.w3.org/2000/svg" onload="alert(1)"/>`), KeyType},
		{"shell script", []byte("#!/bin/sh\nrm -rf ~\n"), KeyType},
		{"batch script", []byte("@ECHO OFF\r\ndel /q C:\\*\r\n"), KeyType},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), KeyType},
		{"utf-16 text", []byte("\xff\xfeA\x00h\x00o\x00j\x00"), KeyType},
		{"latin-2 text", []byte("\xe8\xe1st"), KeyType},
		{"png header only", png[:40], KeyType},
		{"png without its end", png[:len(png)-12], KeyType},
		{"jpeg magic, garbage after", []byte("\xff\xd8\xff\xe0garbage garbage garbage"), KeyType},
		{"pdf without its end", []byte("%PDF-1.4\n1 0 obj\n"), KeyType},
		{"pdf of a future version", []byte("%PDF-9.9\n%%EOF"), KeyType},
		{"pdf with much after its end", append([]byte(pdfFile), bytes.Repeat([]byte("junk "), 1000)...), KeyType},
		{"pdf padded with zeros", append([]byte(pdfFile), make([]byte, 4096)...), PDF},
		{"a pdf the portal draws", portalPDF(t), PDF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := Detect(c.data)
			var r *Refused
			switch {
			case errors.As(err, &r):
				if r.Key != c.want {
					t.Errorf("refused with %s (%s), want %s", r.Key, r.Reason, c.want)
				}
			case err != nil:
				t.Errorf("error %v", err)
			case got != c.want:
				t.Errorf("detected %q, want %q", got, c.want)
			}
		})
	}
}

// A huge declared image is refused from its header alone.
func TestDetectImageBomb(t *testing.T) {
	t.Parallel()
	b := pngFile(t)
	// IHDR's width and height (CRC is not checked by DecodeConfig).
	copy(b[16:24], []byte{0, 1, 0, 0, 0, 1, 0, 0})
	if _, err := Detect(b); err == nil {
		t.Fatal("a PNG claiming 65536×65536 pixels was accepted")
	}
}

func TestName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("ř", 200) + ".pdf"
	cases := []struct{ in, typ, want string }{
		{"Žádost o průkaz.pdf", PDF, "Žádost o průkaz.pdf"},
		{"C:\\Users\\jan\\Documents\\smlouva.PDF", PDF, "smlouva.pdf"},
		{"../../etc/passwd", Text, "passwd.txt"},
		{"foto.JPEG", JPEG, "foto.jpeg"},
		// A harmless name hiding another type gets the real ending.
		{"faktura.pdf", PNG, "faktura.pdf.png"},
		{"run.bat", Text, "run.bat.txt"},
		// Right-to-left override used to show "invoice_fdp.exe" as "invoice_exe.pdf".
		{"invoice_\u202Efdp.exe", PDF, "invoice_fdp.exe.pdf"},
		{"a\x00b\nc\r.txt", Text, "abc.txt"},
		{"  many   spaces  .png ", PNG, "many spaces.png"},
		{"what?*:<>|\".pdf", PDF, "what_______.pdf"},
		{"", PDF, "priloha.pdf"},
		{"...", Text, "priloha.txt"},
		{".pdf", PDF, "priloha.pdf"},
		{".bashrc", Text, "bashrc.txt"},
		// Decomposed letters (as macOS sends them) are composed.
		{"Z\u030ca\u0301dost.txt", Text, "Žádost.txt"},
	}
	for _, c := range cases {
		if got := Name(c.in, c.typ); got != c.want {
			t.Errorf("Name(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	got := Name(long, PDF)
	if n := len([]rune(got)); n != MaxName || !strings.HasSuffix(got, ".pdf") || !strings.HasPrefix(got, "řřř") {
		t.Errorf("long name: %d characters, %q", n, got)
	}
}
