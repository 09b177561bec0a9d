package bank

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from what the parsers give")

// parseFile parses a test file the way its name says: files named
// "*permuted*" are GPC from a bank with the internal account order (and
// the bank code 0100), everything else goes through Parse.
func parseFile(name string, data []byte) (*Statement, error) {
	if strings.Contains(name, "permuted") {
		return ParseGPCWith(bytes.NewReader(data), ParseGPCOptions{PermutedAccounts: true, BankCode: "0100"})
	}
	return Parse(bytes.NewReader(data))
}

// TestGolden parses every statement in testdata and compares it with its
// golden JSON (go test -update rewrites them); XML is also parsed through
// encoding/xml, which must give the same statement.
func TestGolden(t *testing.T) {
	var files []string
	for _, pattern := range []string{"testdata/*.xml", "testdata/*.gpc"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 5 {
		t.Fatalf("only %d test files", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			st, err := parseFile(f, data)
			if err != nil {
				t.Fatal(err)
			}
			checkStatement(t, st)
			if strings.HasSuffix(f, ".xml") {
				std, err := parseCamtStd(data)
				if err != nil {
					t.Fatalf("encoding/xml: %v", err)
				}
				if !reflect.DeepEqual(st, std) {
					t.Errorf("the scanner and encoding/xml disagree:\n%+v\n%+v", st, std)
				}
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(st); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			golden := strings.TrimSuffix(f, filepath.Ext(f)) + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
				for i := 0; i < len(gl) || i < len(wl); i++ {
					var g, w string
					if i < len(gl) {
						g = gl[i]
					}
					if i < len(wl) {
						w = wl[i]
					}
					if g != w {
						t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s", golden, i+1, g, w)
					}
				}
			}
		})
	}
}

// checkStatement asserts what holds for every statement a parser returns.
func checkStatement(t *testing.T, st *Statement) {
	t.Helper()
	if st.Format == "" || st.Account == "" {
		t.Errorf("format %q, account %q", st.Format, st.Account)
	}
	var sum int64
	refs := map[string]bool{}
	for i, tx := range st.Transactions {
		sum += tx.Amount
		if tx.Ref == "" || refs[tx.Ref] {
			t.Errorf("transaction %d: reference %q empty or repeated", i+1, tx.Ref)
		}
		refs[tx.Ref] = true
		if tx.Booked.IsZero() || tx.Booked.Location() != time.UTC || tx.Booked.Truncate(24*time.Hour) != tx.Booked {
			t.Errorf("transaction %d: booked %v is not a UTC midnight", i+1, tx.Booked)
		}
		if tx.VS < 0 || tx.SS < 0 || tx.KS < 0 || tx.VS > 9_999_999_999 || tx.SS > 9_999_999_999 || tx.KS > 9_999_999_999 {
			t.Errorf("transaction %d: symbols %d/%d/%d", i+1, tx.VS, tx.SS, tx.KS)
		}
	}
	if st.HasBalances && st.Opening+sum != st.Closing {
		t.Errorf("opening %d + %d != closing %d", st.Opening, sum, st.Closing)
	}
	if !st.HasBalances && (st.Opening != 0 || st.Closing != 0) {
		t.Errorf("balances %d, %d without HasBalances", st.Opening, st.Closing)
	}
}

// TestInvalidFiles: every file in testdata/invalid fails with ErrFormat,
// and the message says what is wrong.
func TestInvalidFiles(t *testing.T) {
	want := map[string]string{
		"camt-bad-balance.xml":    "closing balance is 1239605.00",
		"camt-bad-cdi.xml":        `CdtDbtInd "CRED"`,
		"camt-bad-date.xml":       `booking date "2026-02-30"`,
		"camt-bad-utf8.xml":       "line 58: a character that XML does not allow",
		"camt-batch-mismatch.xml": "add up to 2800.00, the entry is 2700.00",
		"camt-camt052.xml":        "camt.052.001.02, not a camt.053",
		"camt-control-char.xml":   "line 58: a character that XML does not allow",
		"camt-deep.xml":           "nested deeper than 64",
		"camt-doctype.xml":        "DOCTYPE",
		"camt-duplicate-ref.xml":  "20260302-8012-0000000001 appears twice",
		"camt-float-amount.xml":   `amount "1.2E3"`,
		"camt-mismatched-tag.xml": "</Cdtr> closes <Dbtr>",
		"camt-no-account.xml":     "names no account",
		"camt-no-ref.xml":         "no AcctSvcrRef",
		"camt-no-status.xml":      "entry 1 (20260302-8012-0000000001): no status",
		"camt-not-document.xml":   "not <Document>",
		"camt-other-currency.xml": "entry 3 is in EUR",
		"camt-three-decimals.xml": `amount "1200.001"`,
		"camt-truncated.xml":      "ends inside",
		"camt-two-statements.xml": "more than one statement",
		"camt-unknown-entity.xml": "entity",
		"camt-wrong-count.xml":    "counts 7 entries, the statement has 6",
		"gpc-bad-balance.gpc":     "new balance is 153654.00",
		"gpc-bad-code.gpc":        "line 2: posting code '5'",
		"gpc-bad-date.gpc":        `line 2: value date "300226"`,
		"gpc-bad-symbol.gpc":      "line 2: variable symbol",
		"gpc-bad-turnover.gpc":    "the header says 645.00 and 2301.00",
		"gpc-orphan-message.gpc":  "line 2: a message record",
		"gpc-other-account.gpc":   "line 2: the item's account",
		"gpc-short-line.gpc":      "line 4: 127 characters",
		"gpc-two-headers.gpc":     "line 11: a second statement header",
		"gpc-undefined-byte.gpc":  "line 2: byte 0x98 at column 101",
		"gpc-unknown-record.gpc":  `line 3: unknown record type "077"`,
		"gpc-utf8.gpc":            "line 2: 129 bytes, not 128: it looks like UTF-8",
	}
	files, err := filepath.Glob("testdata/invalid/*")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Errorf("%d invalid files, %d expectations", len(files), len(want))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			st, err := parseFile(f, data)
			if err == nil {
				t.Fatalf("parsed: %+v", st)
			}
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("not ErrFormat: %v", err)
			}
			w, ok := want[name]
			if !ok {
				t.Fatalf("no expectation for %s: %v", name, err)
			}
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		})
	}
}

// TestHugeInput: past the size cap a parser stops with ErrFormat, without
// reading the rest; exactly at the cap it still works.
func TestHugeInput(t *testing.T) {
	cs, err := os.ReadFile("testdata/cs-camt053-v02.xml")
	if err != nil {
		t.Fatal(err)
	}
	fio, err := os.ReadFile("testdata/fio.gpc")
	if err != nil {
		t.Fatal(err)
	}
	const limit = 1 << 20
	// A valid statement followed by endless white space (XML) or blank lines.
	endless := func(head []byte, fill byte) io.Reader {
		return io.MultiReader(bytes.NewReader(head), &repeatReader{b: fill})
	}
	if _, err := parseCamt053(endless(cs, ' '), limit); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("camt.053: %v", err)
	}
	if _, err := parseGPC(endless(fio, '\n'), ParseGPCOptions{}, limit); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("GPC: %v", err)
	}
	// One giant text node, within the cap: refused as too long a token.
	giant := append([]byte("<Document><x>"), bytes.Repeat([]byte("a"), 3<<20)...)
	if _, err := ParseCamt053(bytes.NewReader(giant)); !errors.Is(err, ErrFormat) {
		t.Errorf("giant text: %v", err)
	}
	// Exactly at the limit is fine.
	if _, err := parseCamt053(bytes.NewReader(cs), int64(len(cs))); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	if _, err := parseCamt053(bytes.NewReader(cs), int64(len(cs)-1)); !errors.Is(err, ErrFormat) {
		t.Errorf("one byte over: %v", err)
	}
	// The exported functions use MaxInputSize.
	if MaxInputSize != 256<<20 {
		t.Errorf("MaxInputSize %d", MaxInputSize)
	}
}

type repeatReader struct{ b byte }

func (r *repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.b
	}
	return len(p), nil
}

func TestParseSniffs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"", "empty file"},
		{"   \n", "empty file"},
		{"hello", "neither camt.053"},
		{"\xEF\xBB\xBF  <Document/>", "no statement"},
		{"075", "neither camt.053"}, {"074", "GPC line 1: 3 characters"},
	} {
		_, err := Parse(strings.NewReader(c.in))
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v, want %q", c.in, err, c.want)
		}
	}
}

type failingReader struct{}

var errDisk = errors.New("disk on fire")

func (failingReader) Read([]byte) (int, error) { return 0, errDisk }

// TestReaderErrors: a failing reader's own error comes back, not ErrFormat.
func TestReaderErrors(t *testing.T) {
	if _, err := ParseCamt053(failingReader{}); !errors.Is(err, errDisk) {
		t.Errorf("camt: %v", err)
	}
	if _, err := ParseGPC(failingReader{}); !errors.Is(err, errDisk) {
		t.Errorf("gpc: %v", err)
	}
	if _, err := Parse(failingReader{}); !errors.Is(err, errDisk) {
		t.Errorf("Parse: %v", err)
	}
}

func TestParseAmount(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"0.5", 50, true}, {"1200.00", 120000, true}, {"1200", 120000, true},
		{"0.01", 1, true}, {"999999999999999.99", 99999999999999999, true},
		{"1200.001", 0, false}, {"1.2E3", 0, false}, {"-5", 0, false}, {"+5", 0, false},
		{"", 0, false}, {".5", 0, false}, {"5.", 0, false}, {"1,5", 0, false}, {" 5", 0, false},
		{"1000000000000000", 0, false}, {"12.3a", 0, false},
	} {
		got, ok := parseAmount(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("parseAmount(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestParseSymbols(t *testing.T) {
	for _, c := range []struct {
		in         string
		vs, ss, ks int64
		ok         bool
	}{
		{"/VS1001/SS/KS", 1001, 0, 0, true},
		{"/VS2026000123/SS/KS0308", 2026000123, 0, 308, true},
		{"/VS/SS777/KS0558", 0, 777, 558, true},
		{"/KS0308/VS12", 12, 0, 308, true},
		{"/VS0000001005", 1005, 0, 0, true},
		{"NOTPROVIDED", 0, 0, 0, false},
		{"", 0, 0, 0, false},
		{"/VS12345678901", 0, 0, 0, false},
		{"/VS1/VS2", 0, 0, 0, false},
		{"/XX1", 0, 0, 0, false},
		{"/VS12a", 0, 0, 0, false},
		{"/VS1//SS", 0, 0, 0, false},
		{"INV-2026/04", 0, 0, 0, false},
	} {
		vs, ss, ks, ok := parseSymbols(c.in)
		if vs != c.vs || ss != c.ss || ks != c.ks || ok != c.ok {
			t.Errorf("parseSymbols(%q) = %d %d %d %v", c.in, vs, ss, ks, ok)
		}
	}
}

// TestGPCPermutation: the internal order round-trips, and the example in
// the documentation holds.
func TestGPCPermutation(t *testing.T) {
	if got := permute("0000192000145399"); got != "9394200015000019" {
		t.Errorf("permute = %s", got)
	}
	if got := formatAccount(unpermute("9394200015000019")); got != "19-2000145399" {
		t.Errorf("unpermute = %s", got)
	}
	for _, s := range []string{"0000000000000000", "1234567890123456", "0000357123456798"} {
		if unpermute(permute(s)) != s {
			t.Errorf("round trip of %s", s)
		}
	}
	// The same statement written both ways parses to the same accounts.
	data, err := os.ReadFile("testdata/kb-permuted.gpc")
	if err != nil {
		t.Fatal(err)
	}
	st, err := ParseGPCWith(bytes.NewReader(data), ParseGPCOptions{PermutedAccounts: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.Account != "35-7123456798" || st.Transactions[0].CounterAccount != "86-1234567899/0100" {
		t.Errorf("account %s, counter-account %s", st.Account, st.Transactions[0].CounterAccount)
	}
	lines := strings.Split(string(data), "\n")
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "074"):
			lines[i] = l[:3] + unpermute(l[3:19]) + l[19:]
		case strings.HasPrefix(l, "075"):
			lines[i] = l[:3] + unpermute(l[3:19]) + unpermute(l[19:35]) + l[35:]
		}
	}
	plain, err := ParseGPC(strings.NewReader(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st, plain) {
		t.Errorf("permuted and standard order differ:\n%+v\n%+v", st, plain)
	}
	// Read without the option, the accounts come out scrambled.
	wrong, err := ParseGPC(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if wrong.Account == st.Account {
		t.Error("the option changes nothing")
	}
}

// TestGPCDetails covers what the golden files do not: negative balances,
// the '-' sign of a turnover, blank trailing lines, a missing final newline.
func TestGPCDetails(t *testing.T) {
	head := func(old, new, debit, credit string) string {
		l := "074" + "0000002801234578" + pad("Test", 20) + "010126" + old + new + debit + credit + "001" + "020126" + strings.Repeat(" ", 14)
		return l
	}
	item := "075" + "0000002801234578" + "0000001002003007" + pad("1", 13) + "000000010000" + "1" + "0000000000" + "0020100000" + "0000000000" + "020126" + pad("", 20) + "0" + "0203" + "020126"
	h := head("00000000005000-", "00000000015000-", "00000000010000+", "00000000000000+")
	for name, file := range map[string]string{
		"no final newline":   h + "\r\n" + item,
		"blank lines at end": h + "\n" + item + "\n\n\n",
		"DOS end of file":    h + "\r\n" + item + "\r\n\x1A",
	} {
		st, err := ParseGPC(strings.NewReader(file))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if st.Opening != -5000 || st.Closing != -15000 || len(st.Transactions) != 1 || st.Transactions[0].Amount != -10000 {
			t.Errorf("%s: %+v", name, st)
		}
		if tx := st.Transactions[0]; tx.CounterAccount != "1002003007/2010" || tx.KS != 0 || tx.Ref != "2801234578/1/20260102" {
			t.Errorf("%s: %+v", name, tx)
		}
	}
	if _, err := ParseGPC(strings.NewReader(h + "\n\n" + item + "\n")); err == nil || !strings.Contains(err.Error(), "line 2: blank line") {
		t.Errorf("blank line inside: %v", err)
	}
	if _, err := ParseGPC(strings.NewReader(item + "\n")); err == nil || !strings.Contains(err.Error(), "before the statement header") {
		t.Errorf("item first: %v", err)
	}
	if _, err := ParseGPC(strings.NewReader("")); err == nil || !strings.Contains(err.Error(), "no statement header") {
		t.Errorf("empty: %v", err)
	}
	if _, err := ParseGPC(strings.NewReader(strings.Repeat("x", 5000))); err == nil || !strings.Contains(err.Error(), "line 1: longer than") {
		t.Errorf("long line: %v", err)
	}
	// The same item twice gets a distinct reference.
	st, err := ParseGPC(strings.NewReader(head("00000000005000-", "00000000025000-", "00000000020000+", "00000000000000+") + "\n" + item + "\n" + item + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Transactions[0].Ref == st.Transactions[1].Ref || st.Transactions[1].Ref != "2801234578/1/20260102/2" {
		t.Errorf("refs %q %q", st.Transactions[0].Ref, st.Transactions[1].Ref)
	}
	// BankCode completes the account.
	st, err = ParseGPCWith(strings.NewReader(h+"\n"+item), ParseGPCOptions{BankCode: "2010"})
	if err != nil || st.Account != "2801234578/2010" {
		t.Errorf("bank code: %v %+v", err, st)
	}
}

func pad(s string, n int) string { return s + strings.Repeat(" ", n-len(s)) }

// TestCamtDetails covers versions, namespaces and encodings beyond the
// golden files.
func TestCamtDetails(t *testing.T) {
	doc := func(ns, entries string) string {
		return `<?xml version="1.0"?><Document` + ns + `><BkToCstmrStmt><Stmt><Id>S1</Id>` +
			`<Acct><Id><Othr><Id>2801234578/2010</Id></Othr></Id></Acct>` + entries + `</Stmt></BkToCstmrStmt></Document>`
	}
	entry := `<Ntry><Amt Ccy="CZK">10</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><ValDt><Dt>2026-01-02+01:00</Dt></ValDt><NtryRef>N1</NtryRef></Ntry>`
	st, err := ParseCamt053(strings.NewReader(doc("", entry)))
	if err != nil {
		t.Fatal(err)
	}
	if st.Format != "camt.053" || st.Account != "2801234578/2010" || st.Number != "S1" || st.HasBalances || st.Currency != "CZK" {
		t.Errorf("%+v", st)
	}
	if tx := st.Transactions[0]; tx.Ref != "N1" || tx.Amount != 1000 || !tx.Booked.Equal(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("%+v", tx)
	}
	for _, v := range []string{"02", "04", "08"} {
		st, err := ParseCamt053(strings.NewReader(doc(` xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.`+v+`"`, entry)))
		if err != nil || st.Format != "camt.053.001."+v {
			t.Errorf("version %s: %v %+v", v, err, st)
		}
	}
	// A self-closing empty statement has no transactions but a list.
	st, err = ParseCamt053(strings.NewReader(doc("", "")))
	if err != nil || st.Transactions == nil || len(st.Transactions) != 0 {
		t.Errorf("empty: %v %+v", err, st)
	}
	// An entry without a booking or value date is refused.
	noDate := strings.Replace(entry, `<ValDt><Dt>2026-01-02+01:00</Dt></ValDt>`, "", 1)
	if _, err := ParseCamt053(strings.NewReader(doc("", noDate))); !errors.Is(err, ErrFormat) {
		t.Errorf("no date: %v", err)
	}
	// ISO 8859-2 declared.
	latin2 := []byte(doc("", strings.Replace(entry, "<NtryRef>N1</NtryRef>", "<NtryRef>N1</NtryRef><AddtlNtryInf>\xa9koda</AddtlNtryInf>", 1)))
	latin2 = bytes.Replace(latin2, []byte(`version="1.0"?>`), []byte(`version="1.0" encoding="ISO-8859-2"?>`), 1)
	st, err = ParseCamt053(bytes.NewReader(latin2))
	if err != nil || st.Transactions[0].Message != "Škoda" {
		t.Errorf("latin2: %v %+v", err, st)
	}
	if _, err := ParseCamt053(strings.NewReader(`<?xml version="1.0" encoding="UTF-16"?><Document/>`)); err == nil {
		t.Error("UTF-16 accepted")
	}
}
