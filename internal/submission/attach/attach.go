// Package attach decides what an uploaded file is from its bytes, never
// from its name or the browser's Content-Type, and makes a safe name to
// store it under. The portal accepts what an office can open safely: PDF,
// JPEG, PNG and plain UTF-8 text. Archives are refused (what is inside
// cannot be checked), and so is everything else: executables, HTML, SVG
// (which can carry script), scripts, and whatever is not recognised.
//
// The checks look past the first bytes where that is cheap: a PDF must end
// with %%EOF, an image must decode its header, text must be valid UTF-8
// without control characters or markup, and no accepted file may end with
// a ZIP directory (a polyglot: a picture that is also an archive).
//
// It must never execute, render or fully decode what it checks: it reads
// headers and scans bytes, so a hostile file costs no more than reading it.
package attach

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The content types of accepted files, as they are stored and served.
const (
	PDF  = "application/pdf"
	JPEG = "image/jpeg"
	PNG  = "image/png"
	Text = "text/plain; charset=utf-8"
)

// The keys (i18n messages) of refusals.
const (
	KeyEmpty   = "file.empty"
	KeyType    = "file.type"
	KeyArchive = "file.archive"
)

// MaxPixels bounds an image's size as its header declares it: a photo from
// a phone has tens of millions of pixels; a header claiming billions is a
// decompression bomb aimed at whoever opens it.
const MaxPixels = 200_000_000

// Refused says why a file is not accepted: Key is the message to show,
// Reason what was found, for the log (it never quotes the file's name or
// content).
type Refused struct {
	Key    string
	Reason string
}

func (r *Refused) Error() string { return "attachment refused: " + r.Reason }

func refuse(key, reason string) (string, error) { return "", &Refused{Key: key, Reason: reason} }

// Detect returns the content type of data, or a *Refused.
func Detect(data []byte) (string, error) {
	if len(data) == 0 {
		return refuse(KeyEmpty, "empty file")
	}
	if what := archive(data); what != "" {
		return refuse(KeyArchive, what)
	}
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return checkPDF(data)
	case bytes.HasPrefix(data, []byte{0xff, 0xd8, 0xff}):
		return checkImage(data, JPEG, jpeg.DecodeConfig)
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		if !bytes.Contains(tail(data, 1024), []byte("IEND\xaeB`\x82")) {
			return refuse(KeyType, "png without its end chunk")
		}
		return checkImage(data, PNG, png.DecodeConfig)
	}
	return checkText(data)
}

// magic are the signatures of archives and compressed files at offset 0.
// ZIP covers its containers too (office documents, JAR, APK, EPUB).
var magic = []struct {
	sig  string
	what string
}{
	{"PK\x03\x04", "zip"},
	{"PK\x05\x06", "zip (empty)"},
	{"PK\x07\x08", "zip (spanned)"},
	{"Rar!\x1a\x07\x00", "rar"},
	{"Rar!\x1a\x07\x01\x00", "rar 5"},
	{"7z\xbc\xaf\x27\x1c", "7z"},
	{"\x1f\x8b", "gzip"},
	{"\x1f\x9d", "compress (.Z)"},
	{"\xfd7zXZ\x00", "xz"},
	{"\x28\xb5\x2f\xfd", "zstd"},
	{"\x04\x22\x4d\x18", "lz4"},
	{"LZIP", "lzip"},
	{"MSCF\x00\x00\x00\x00", "cab"},
	{"ISc(", "installshield cab"},
}

// archive names the kind of archive data is, or "" when it is none.
func archive(data []byte) string {
	for _, m := range magic {
		if bytes.HasPrefix(data, []byte(m.sig)) {
			return m.what
		}
	}
	// bzip2: "BZh", the block size, then a block or the end of the stream
	// (the two 48-bit magics), so text starting "BZh9" is not taken for it.
	if len(data) >= 10 && bytes.HasPrefix(data, []byte("BZh")) && data[3] >= '1' && data[3] <= '9' &&
		(bytes.Equal(data[4:10], []byte{0x31, 0x41, 0x59, 0x26, 0x53, 0x59}) || bytes.Equal(data[4:10], []byte{0x17, 0x72, 0x45, 0x38, 0x50, 0x90})) {
		return "bzip2"
	}
	if isTar(data) {
		return "tar"
	}
	// A ZIP is read from its end: a file whose last bytes are a ZIP's
	// directory is an archive whatever it starts with (a JPEG or a PDF
	// with a ZIP appended opens as either).
	if zipAtEnd(data) {
		return "zip appended to another file"
	}
	return ""
}

// isTar recognises a tar header: POSIX and GNU ones by their magic, old
// ones by the header's checksum (which text cannot match by chance).
func isTar(data []byte) bool {
	if len(data) < 512 {
		return false
	}
	h := data[:512]
	if bytes.Equal(h[257:262], []byte("ustar")) {
		return true
	}
	field := strings.TrimRight(strings.TrimLeft(string(h[148:156]), " "), " \x00")
	want, err := strconv.ParseUint(field, 8, 32)
	if err != nil || field == "" {
		return false
	}
	var sum uint64
	for i, b := range h {
		if i >= 148 && i < 156 {
			b = ' '
		}
		sum += uint64(b)
	}
	return sum == want
}

// zipAtEnd finds a ZIP end-of-central-directory record whose comment runs
// exactly to the end of data, as ZIP readers require.
func zipAtEnd(data []byte) bool {
	const eocd = 22
	if len(data) < eocd {
		return false
	}
	lo := max(0, len(data)-eocd-0xffff)
	for i := len(data) - eocd; i >= lo; i-- {
		if data[i] == 'P' && data[i+1] == 'K' && data[i+2] == 5 && data[i+3] == 6 &&
			int(binary.LittleEndian.Uint16(data[i+20:])) == len(data)-i-eocd {
			return true
		}
	}
	return false
}

func tail(data []byte, n int) []byte { return data[max(0, len(data)-n):] }

// checkPDF: the header at the very start (readers accept it anywhere in the
// first kilobyte, which is how polyglots are made) and the end marker near
// the end.
func checkPDF(data []byte) (string, error) {
	if !bytes.HasPrefix(data, []byte("%PDF-1.")) && !bytes.HasPrefix(data, []byte("%PDF-2.")) {
		return refuse(KeyType, "pdf header of an unknown version")
	}
	// Some producers pad the end with white space or zero bytes.
	if !bytes.Contains(tail(bytes.TrimRight(data, "\x00 \t\r\n\f"), 1024), []byte("%%EOF")) {
		return refuse(KeyType, "pdf without %%EOF at its end")
	}
	return PDF, nil
}

func checkImage(data []byte, typ string, decode func(io.Reader) (image.Config, error)) (string, error) {
	cfg, err := decode(bytes.NewReader(data))
	if err != nil {
		return refuse(KeyType, typ+" header does not decode")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return refuse(KeyType, typ+" of impossible dimensions")
	}
	return typ, nil
}

// markup are the tags that make a browser or a viewer treat text as a
// document that can run script or fetch things: HTML, SVG, XML.
var markup = map[string]bool{"script": true, "svg": true, "html": true, "body": true, "head": true, "iframe": true,
	"frame": true, "frameset": true, "object": true, "embed": true, "img": true, "image": true, "a": true, "meta": true,
	"link": true, "style": true, "form": true, "input": true, "button": true, "math": true, "base": true,
	"template": true, "video": true, "audio": true, "source": true, "details": true, "marquee": true, "xml": true,
	"?xml": true, "!doctype": true, "!entity": true, "!element": true, "![cdata[": true, "!--": true}

// checkText accepts plain UTF-8 text (a byte order mark is allowed): no
// control characters but tab, line and page breaks, no markup, no script
// interpreter line.
func checkText(data []byte) (string, error) {
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		return refuse(KeyType, "utf-16 text")
	}
	body := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	for i := 0; i < len(body); {
		c := body[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f {
				return refuse(KeyType, "unknown binary format")
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(body[i:])
		if r == utf8.RuneError && n <= 1 || unicode.IsControl(r) {
			return refuse(KeyType, "unknown binary format")
		}
		i += n
	}
	start := bytes.TrimLeft(body, " \t\r\n\f")
	if bytes.HasPrefix(start, []byte("#!")) {
		return refuse(KeyType, "script (interpreter line)")
	}
	if len(start) >= 9 && strings.EqualFold(string(start[:9]), "@echo off") {
		return refuse(KeyType, "batch script")
	}
	for rest := body; ; {
		i := bytes.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
		if tag := tagName(rest); markup[tag] || markup[tag[strings.LastIndexByte(tag, ':')+1:]] {
			return refuse(KeyType, "markup (html, svg or xml)")
		}
	}
	return Text, nil
}

// tagName reads the name of a tag that follows "<" (with its "/", "?" or
// "!" before it), lower-cased; "" when what follows cannot be a tag ("<3",
// "a <b", "x<y" in a formula are text).
func tagName(s []byte) string {
	s = bytes.TrimPrefix(s, []byte("/"))
	if bytes.HasPrefix(s, []byte("!--")) {
		return "!--"
	}
	if len(s) >= 8 && strings.EqualFold(string(s[:8]), "![cdata[") {
		return "![cdata["
	}
	n := 0
	if len(s) > 0 && (s[0] == '?' || s[0] == '!') {
		n = 1
	}
	for n < len(s) && n < 32 && (s[n] >= 'a' && s[n] <= 'z' || s[n] >= 'A' && s[n] <= 'Z' || s[n] >= '0' && s[n] <= '9' || s[n] == '-' || s[n] == ':') {
		n++
	}
	if n == len(s) || s[n] == ' ' || s[n] == '\t' || s[n] == '\r' || s[n] == '\n' || s[n] == '\f' || s[n] == '>' || s[n] == '/' {
		return strings.ToLower(string(s[:n]))
	}
	return ""
}

// MaxName is the longest stored name, in characters.
const MaxName = 120

// extensions are the endings a stored name may have for each type; the
// first is added to a name that has none of them.
var extensions = map[string][]string{
	PDF:  {".pdf"},
	JPEG: {".jpg", ".jpeg"},
	PNG:  {".png"},
	Text: {".txt"},
}

// Name makes the name a file of content type typ is stored and offered
// under: the base name only (no folders, whichever separator the browser
// sent), in NFC, without control or bidirectional formatting characters
// (which can disguise an ending) or characters file systems refuse, with
// the ending of its real type (a text sent as "run.bat" is kept as
// "run.bat.txt"), and at most MaxName characters. Czech letters stay.
func Name(name, typ string) string {
	name = norm.NFC.String(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		case strings.ContainsRune(`"*:<>?|`, r):
			r = '_'
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	name = strings.TrimRight(b.String(), ". ")
	ext := strings.ToLower(path.Ext(name))
	stem := name
	if exts := extensions[typ]; len(exts) > 0 {
		if slices.Contains(exts, ext) {
			stem = strings.TrimSuffix(name, path.Ext(name))
		} else {
			ext = exts[0]
		}
	} else {
		ext = ""
	}
	stem = strings.Trim(stem, ". ")
	if stem == "" {
		stem = "priloha"
	}
	if r := []rune(stem); len(r)+len([]rune(ext)) > MaxName {
		stem = strings.TrimRight(string(r[:MaxName-len([]rune(ext))]), ". ")
	}
	return stem + ext
}
