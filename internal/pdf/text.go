package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Text returns the text a PDF drawn by this package shows, one line per
// text operator, page after page: what a reader sees, read back from the
// pages' content streams (inflated, strings decoded from the UTF-16 the
// embedded fonts are addressed in). It is for checks and tests of the
// documents the portal makes, not a reader of PDFs in general: it knows
// the structure fpdf writes and nothing else.
func Text(doc []byte) (string, error) {
	var out strings.Builder
	pages := contentsRe.FindAllSubmatch(doc, -1)
	if len(pages) == 0 {
		return "", fmt.Errorf("pdf: no pages")
	}
	for _, m := range pages {
		content, err := object(doc, string(m[1]))
		if err != nil {
			return "", err
		}
		showText(content, &out)
	}
	return out.String(), nil
}

var contentsRe = regexp.MustCompile(`/Contents (\d+) 0 R`)

// object returns the (inflated) stream of object number n.
func object(doc []byte, n string) ([]byte, error) {
	loc := regexp.MustCompile(`(?m)^` + n + ` 0 obj\b`).FindIndex(doc)
	if loc == nil {
		return nil, fmt.Errorf("pdf: object %s not found", n)
	}
	rest := doc[loc[1]:]
	s := bytes.Index(rest, []byte("stream"))
	e := bytes.Index(rest, []byte("endstream"))
	if s < 0 || e < s {
		return nil, fmt.Errorf("pdf: object %s has no stream", n)
	}
	dict := rest[:s]
	data := rest[s+len("stream") : e]
	data = bytes.TrimPrefix(data, []byte("\r"))
	data = bytes.TrimPrefix(data, []byte("\n"))
	if !bytes.Contains(dict, []byte("/FlateDecode")) {
		return data, nil
	}
	r, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("pdf: object %s: %w", n, err)
	}
	out, err := io.ReadAll(r)
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("pdf: object %s: %w", n, err)
	}
	return out, nil
}

// showText writes the strings shown by Tj and TJ, a line each.
func showText(c []byte, out *strings.Builder) {
	var pending []string
	for i := 0; i < len(c); {
		switch ch := c[i]; {
		case ch == '(':
			s, n := literal(c[i:])
			pending = append(pending, decode(s))
			i += n
		case ch == '<' && i+1 < len(c) && c[i+1] != '<':
			j := bytes.IndexByte(c[i:], '>')
			if j < 0 {
				return
			}
			h := strings.Map(func(r rune) rune {
				if strings.ContainsRune("0123456789abcdefABCDEF", r) {
					return r
				}
				return -1
			}, string(c[i+1:i+j]))
			var b []byte
			for k := 0; k+1 < len(h); k += 2 {
				v, _ := strconv.ParseUint(h[k:k+2], 16, 8)
				b = append(b, byte(v))
			}
			pending = append(pending, decode(b))
			i += j + 1
		case ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch == '\'' || ch == '"':
			j := i
			for j < len(c) && (c[j] >= 'a' && c[j] <= 'z' || c[j] >= 'A' && c[j] <= 'Z' || c[j] == '*' || c[j] == '\'' || c[j] == '"') {
				j++
			}
			switch string(c[i:j]) {
			case "Tj", "TJ", "'", `"`:
				out.WriteString(strings.Join(pending, ""))
				out.WriteByte('\n')
			}
			pending = pending[:0]
			i = j
		default:
			i++
		}
	}
}

// literal reads a PDF literal string at the start of c (at its "("),
// returning its bytes and how much of c it took.
func literal(c []byte) ([]byte, int) {
	var b []byte
	depth := 0
	for i := 0; i < len(c); i++ {
		ch := c[i]
		switch {
		case ch == '\\' && i+1 < len(c):
			i++
			switch e := c[i]; e {
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case '\n':
			case '\r':
				if i+1 < len(c) && c[i+1] == '\n' {
					i++
				}
			default:
				if e >= '0' && e <= '7' {
					j := i
					for j < len(c) && j < i+3 && c[j] >= '0' && c[j] <= '7' {
						j++
					}
					v, _ := strconv.ParseUint(string(c[i:j]), 8, 16)
					b = append(b, byte(v))
					i = j - 1
				} else {
					b = append(b, e)
				}
			}
		case ch == '(':
			if depth > 0 {
				b = append(b, ch)
			}
			depth++
		case ch == ')':
			depth--
			if depth == 0 {
				return b, i + 1
			}
			b = append(b, ch)
		default:
			b = append(b, ch)
		}
	}
	return b, len(c)
}

// decode reads a shown string: UTF-16 (big-endian, as fpdf addresses its
// UTF-8 fonts), or bytes as Latin-1 when it cannot be that.
func decode(b []byte) string {
	if len(b)%2 == 0 {
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
		return string(utf16.Decode(u))
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}
