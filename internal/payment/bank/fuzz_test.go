package bank

import (
	"bytes"
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// The seed corpora are in testdata/fuzz/<FuzzName>/: the statements of
// testdata (valid and invalid) and QR Platba strings.

// FuzzParseSPAYD: no panic; errors wrap ErrFormat; what parses, written
// back, parses to the same fields; and what fits a Payment makes, through
// SPAYD, a string that parses to the same values (MSG and RN
// transliterated, numbers compared as numbers).
func FuzzParseSPAYD(f *testing.F) {
	f.Add("SPD*1.0*ACC:CZ5855000000001265098001*AM:100.00*CC:CZK*CRC32:AAD80227")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseSPAYD(s)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error without ErrFormat: %v", err)
			}
			return
		}
		m2, err := ParseSPAYD(formatFields(m))
		if err != nil {
			t.Fatalf("written back %q: %v", formatFields(m), err)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip: %v != %v", m, m2)
		}
		p, ok := paymentOf(m)
		if !ok {
			return
		}
		out, err := SPAYD(p)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("SPAYD error without ErrFormat: %v", err)
			}
			if p.Amount <= 999_999_999 && len(escapeValue(transliterate(p.Message))) <= 60 &&
				len(escapeValue(transliterate(p.Recipient))) <= 35 {
				t.Fatalf("SPAYD(%+v): %v", p, err)
			}
			return
		}
		m3, err := ParseSPAYD(out)
		if err != nil {
			t.Fatalf("SPAYD gave %q: %v", out, err)
		}
		back, ok := paymentOf(m3)
		if !ok {
			t.Fatalf("SPAYD gave %q", out)
		}
		want := p
		want.Message, want.Recipient = transliterate(p.Message), transliterate(p.Recipient)
		if want.Currency == "" {
			want.Currency = "CZK"
		}
		if !reflect.DeepEqual(back, want) {
			t.Fatalf("typed round trip:\n%+v\n%+v", back, want)
		}
	})
}

// paymentOf turns fields into a Payment when they are only fields a
// Payment has.
func paymentOf(m map[string]string) (Payment, bool) {
	var p Payment
	for k, v := range m {
		var ok bool
		switch k {
		case "ACC":
			p.IBAN, ok = v, true
		case "AM":
			p.Amount, ok = parseAmount(v)
		case "CC":
			p.Currency, ok = v, true
		case "MSG":
			p.Message, ok = v, true
		case "RN":
			p.Recipient, ok = v, true
		case "DT":
			d, err := time.Parse("20060102", v)
			p.Due, ok = d, err == nil
		case "X-VS", "X-SS", "X-KS":
			n, err := strconv.ParseInt(v, 10, 64)
			ok = err == nil
			switch k {
			case "X-VS":
				p.VS = n
			case "X-SS":
				p.SS = n
			case "X-KS":
				p.KS = n
			}
		}
		if !ok {
			return Payment{}, false
		}
	}
	return p, true
}

// FuzzParseCamt053: no panic; errors wrap ErrFormat; a statement that
// parses is consistent, and encoding/xml, given the same bytes, accepts
// them and gives the same statement; and, below the statement, whatever
// the scanner tokenizes to the end encoding/xml tokenizes the same way
// (the scanner is never more lenient than encoding/xml).
func FuzzParseCamt053(f *testing.F) {
	f.Add([]byte(`<Document><BkToCstmrStmt><Stmt><Acct><Id><IBAN>X</IBAN></Id></Acct></Stmt></BkToCstmrStmt></Document>`))
	f.Add([]byte(`<?xml version="1.0" encoding="windows-1250"?><a x='1' y="&lt;&#x41;&#66;"><![CDATA[<>&]]><!-- c --><b/>t&amp;\r\n</a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		body := bytes.TrimPrefix(data, utf8BOM)
		if toks, err := tokens(newXMLScanner(bytes.NewReader(body))); err == nil {
			std, err := tokens(newStdXML(bytes.NewReader(body)))
			if err != nil {
				t.Fatalf("the scanner tokenizes what encoding/xml refuses: %v\n%q", err, toks)
			}
			if !reflect.DeepEqual(toks, std) {
				t.Fatalf("tokens differ:\n%q\n%q", toks, std)
			}
		} else if !errors.Is(err, ErrFormat) {
			t.Fatalf("scanner error without ErrFormat: %v", err)
		}
		st, err := ParseCamt053(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error without ErrFormat: %v", err)
			}
			return
		}
		checkStatement(t, st)
		std, err := parseCamtStd(data)
		if err != nil {
			t.Fatalf("the scanner accepts what encoding/xml refuses: %v", err)
		}
		if !reflect.DeepEqual(st, std) {
			t.Fatalf("the scanner and encoding/xml disagree:\n%+v\n%+v", st, std)
		}
	})
}

// tokens lists a source's tokens, adjacent text merged (encoding/xml
// splits text around comments and CDATA sections).
func tokens(src xmlSource) ([]string, error) {
	var out []string
	text := false
	for len(out) < 100_000 {
		tok, err := src.next()
		if err != nil {
			return nil, err
		}
		var s string
		switch tok.kind {
		case xmlEOF:
			return out, nil
		case xmlText:
			if text {
				out[len(out)-1] += string(tok.text)
				continue
			}
			s = "T" + string(tok.text)
		case xmlStart:
			s = "S" + string(tok.name) + "|" + string(tok.space) + "|" + string(tok.local)
			for _, a := range tok.attrs {
				s += " " + string(a.space) + ":" + string(a.local) + "=" + string(a.value)
			}
		case xmlEnd:
			s = "E" + string(tok.name) + "|" + string(tok.space) + "|" + string(tok.local)
		}
		text = tok.kind == xmlText
		out = append(out, s)
	}
	return out, nil
}

// FuzzParseGPC: no panic; errors wrap ErrFormat; a statement that parses
// is consistent and its items add up to its balances.
func FuzzParseGPC(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, permuted bool) {
		st, err := ParseGPCWith(bytes.NewReader(data), ParseGPCOptions{PermutedAccounts: permuted})
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error without ErrFormat: %v", err)
			}
			return
		}
		checkStatement(t, st)
		if !st.HasBalances {
			t.Fatal("a GPC statement always has balances")
		}
	})
}
