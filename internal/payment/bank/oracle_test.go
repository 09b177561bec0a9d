package bank

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// stdXML is an xmlSource over encoding/xml's RawToken: the reference the
// scanner is compared with (TestGolden, FuzzParseCamt053).
type stdXML struct {
	d *xml.Decoder
}

func newStdXML(r io.Reader) *stdXML {
	d := xml.NewDecoder(r)
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "utf8":
			return in, nil
		case "windows-1250", "cp1250", "x-cp1250":
			return charmap.Windows1250.NewDecoder().Reader(in), nil
		case "iso-8859-2", "iso8859-2", "latin2":
			return charmap.ISO8859_2.NewDecoder().Reader(in), nil
		}
		return nil, fmt.Errorf("encoding %q", label)
	}
	return &stdXML{d: d}
}

func (s *stdXML) line() int {
	l, _ := s.d.InputPos()
	return l
}

func joinName(n xml.Name) []byte {
	if n.Space == "" {
		return []byte(n.Local)
	}
	return []byte(n.Space + ":" + n.Local)
}

func (s *stdXML) next() (xmlTok, error) {
	for {
		tok, err := s.d.RawToken()
		if err == io.EOF {
			return xmlTok{kind: xmlEOF}, nil
		}
		if err != nil {
			return xmlTok{}, fmt.Errorf("%w: %v", ErrFormat, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			attrs := make([]xmlAttr, len(t.Attr))
			for i, a := range t.Attr {
				attrs[i] = xmlAttr{space: []byte(a.Name.Space), local: []byte(a.Name.Local), value: []byte(a.Value)}
			}
			return xmlTok{kind: xmlStart, name: joinName(t.Name), space: []byte(t.Name.Space), local: []byte(t.Name.Local), attrs: attrs}, nil
		case xml.EndElement:
			return xmlTok{kind: xmlEnd, name: joinName(t.Name), space: []byte(t.Name.Space), local: []byte(t.Name.Local)}, nil
		case xml.CharData:
			return xmlTok{kind: xmlText, text: t}, nil
		}
	}
}

// parseCamtStd parses with encoding/xml instead of the scanner.
func parseCamtStd(data []byte) (*Statement, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	return parseCamtTokens(newStdXML(bytes.NewReader(data)))
}
