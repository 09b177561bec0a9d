package bank

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// ParseGPCOptions are the per-bank settings of the GPC reader.
type ParseGPCOptions struct {
	// PermutedAccounts: the bank writes the 16-digit account fields in an
	// internal order ("vnitřní formát", the one accounting software
	// documents for Komerční banka's GPC; compare with a known account in
	// the bank's own file before enabling it) instead of prefix (6) +
	// number (10). With internal digits
	// i1 … i16 the account is
	//
	//	prefix = i11 i12 i13 i14 i15 i16
	//	number = i5 i6 i7 i8 i9 i4 i10 i2 i3 i1
	//
	// so 19-2000145399 is written "9394200015000019". It applies to the
	// statement's account and to both accounts of every item.
	PermutedAccounts bool
	// BankCode, when set, is appended to Statement.Account ("…/0100"): a GPC
	// header does not carry the bank's own code.
	BankCode string
}

// ParseGPC reads an ABO/GPC statement in the standard account order; see
// ParseGPCWith.
func ParseGPC(r io.Reader) (*Statement, error) {
	return ParseGPCWith(r, ParseGPCOptions{})
}

// ParseGPCWith reads an ABO/GPC statement: lines of exactly 128 characters
// of windows-1250, each ended by CRLF or LF (the last one may lack it),
// one 074 header first, then 075 items, each optionally followed by 076,
// 078 or 079 message records whose text (trimmed, runs of spaces made one)
// is appended to that item's Message. At most MaxInputSize bytes and
// 1,000,000 items.
//
// 074: 4–19 account, 20–39 short name, 40–45 old balance date, 46–59 old
// balance in haléře and 60 its sign, 61–74 + 75 new balance, 76–89 + 90
// debit turnover, 91–104 + 105 credit turnover (a sign is '+', '-', or '0'
// or a space for plus), 106–108 statement number, 109–114 its date.
//
// 075: 4–19 account, 20–35 counter-account, 36–48 document number, 49–60
// amount in haléře, 61 posting code (1 debit, 2 credit, 3 reversal of a
// debit: money back in, 4 reversal of a credit: money out), 62–71 VS,
// 72–81 the constant symbol field (KS in its last 4 digits, the
// counter-party's bank code in the 4 before), 82–91 SS, 92–97 value date,
// 98–117 counter-party name or note, 123–128 the posting date ("datum
// splatnosti", used as the booking date; the value date, then the
// statement date when it is zero). Dates are ddmmyy, years 70–99 being
// 1970–1999.
//
// Checks: the items' amounts add up to the header's turnovers (reversals
// subtracted from the turnover they reverse, or counted in the opposite
// one: banks do both), old balance − debit + credit turnover = new
// balance, every item names the header's account. Any line that breaks
// the layout (length, a byte that is not windows-1250 text, a field that
// is not digits, an unknown record, a second header) rejects the file with
// an error naming its line.
func ParseGPCWith(r io.Reader, opt ParseGPCOptions) (*Statement, error) {
	return parseGPC(r, opt, MaxInputSize)
}

// cp1250 maps windows-1250 bytes to runes; utf8.RuneError marks a byte the
// code page leaves undefined.
var cp1250 = func() (t [256]rune) {
	for i := range t {
		t[i] = charmap.Windows1250.DecodeByte(byte(i))
	}
	return t
}()

const gpcLine = 128

type gpcParser struct {
	opt      ParseGPCOptions
	line     int
	st       Statement
	acct16   string // the header's account field as written
	date     time.Time
	oldBal   int64
	newBal   int64
	debit    int64 // turnovers from the header, signed
	credit   int64
	sums     [5]int64 // item amounts by posting code
	refs     map[string]int
	haveHead bool
}

func parseGPC(r io.Reader, opt ParseGPCOptions, limit int64) (*Statement, error) {
	br := bufio.NewReaderSize(&capReader{r: r, n: limit}, 4096)
	p := gpcParser{opt: opt, refs: map[string]int{}}
	p.st.Format = "gpc"
	blank := 0 // line number of a blank line seen
	for {
		raw, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return nil, fmt.Errorf("%w: GPC line %d: longer than %d characters", ErrFormat, p.line+1, gpcLine)
		}
		if err != nil && err != io.EOF {
			return nil, err // errTooLarge (ErrFormat) or the reader's own error
		}
		if len(raw) == 0 && err == io.EOF {
			break
		}
		p.line++
		line := bytes.TrimSuffix(raw, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 || (len(line) == 1 && line[0] == 0x1A) { // blank, or DOS end of file
			if blank == 0 {
				blank = p.line
			}
		} else {
			if blank != 0 {
				return nil, fmt.Errorf("%w: GPC line %d: blank line inside the file", ErrFormat, blank)
			}
			if perr := p.record(line); perr != nil {
				return nil, perr
			}
		}
		if err == io.EOF {
			break
		}
	}
	return p.finish()
}

func (p *gpcParser) errf(format string, args ...any) error {
	return fmt.Errorf("%w: GPC line %d: %s", ErrFormat, p.line, fmt.Sprintf(format, args...))
}

func (p *gpcParser) record(line []byte) error {
	if len(line) != gpcLine {
		if utf8.Valid(line) && utf8.RuneCount(line) == gpcLine {
			return p.errf("%d bytes, not %d: it looks like UTF-8, and GPC is windows-1250", len(line), gpcLine)
		}
		return p.errf("%d characters, not %d", len(line), gpcLine)
	}
	for i, c := range line {
		if c < 0x20 || c == 0x7F || cp1250[c] == utf8.RuneError {
			return p.errf("byte 0x%02X at column %d is not windows-1250 text", c, i+1)
		}
	}
	switch string(line[:3]) {
	case "074":
		return p.header(line)
	case "075":
		return p.item(line)
	case "076", "078", "079":
		return p.message(line)
	}
	return p.errf("unknown record type %q", decode1250(line[:3]))
}

func (p *gpcParser) header(l []byte) error {
	if p.haveHead {
		return p.errf("a second statement header (074): one statement per file")
	}
	p.haveHead = true
	acct := string(l[3:19])
	if !allDigits(acct) {
		return p.errf("account %q is not 16 digits", acct)
	}
	p.acct16 = acct
	p.st.Account = formatAccount(p.standard(acct))
	if p.opt.BankCode != "" {
		p.st.Account += "/" + p.opt.BankCode
	}
	var err error
	for _, f := range []struct {
		dst  *int64
		from int
		what string
	}{{&p.oldBal, 45, "old balance"}, {&p.newBal, 60, "new balance"}, {&p.debit, 75, "debit turnover"}, {&p.credit, 90, "credit turnover"}} {
		if *f.dst, err = p.signed(l[f.from:f.from+14], l[f.from+14], f.what); err != nil {
			return err
		}
	}
	num := string(l[105:108])
	if !allDigits(num) {
		return p.errf("statement number %q is not 3 digits", num)
	}
	p.st.Number = strings.TrimLeft(num, "0")
	if p.st.Number == "" {
		p.st.Number = "0"
	}
	if p.date, err = p.ddmmyy(l[108:114], "statement date"); err != nil {
		return err
	}
	if _, err = p.ddmmyy(l[39:45], "old balance date"); err != nil {
		return err
	}
	p.st.Opening, p.st.Closing, p.st.HasBalances = p.oldBal, p.newBal, true
	return nil
}

func (p *gpcParser) signed(digits []byte, sign byte, what string) (int64, error) {
	v, ok := parseDigits(string(digits), 18)
	if !ok || len(digits) == 0 {
		return 0, p.errf("%s %q is not digits", what, digits)
	}
	switch sign {
	case '+', '0', ' ':
		return v, nil
	case '-':
		return -v, nil
	}
	return 0, p.errf("%s has the sign %q", what, sign)
}

// ddmmyy reads a date; "000000" and blanks are no date (the zero time).
func (p *gpcParser) ddmmyy(b []byte, what string) (time.Time, error) {
	s := string(b)
	if s == "000000" || strings.TrimSpace(s) == "" {
		return time.Time{}, nil
	}
	if !allDigits(s) {
		return time.Time{}, p.errf("%s %q is not ddmmyy", what, s)
	}
	d, m, y := atoi(s[:2]), atoi(s[2:4]), atoi(s[4:])
	if y >= 70 {
		y += 1900
	} else {
		y += 2000
	}
	if !validDate(y, m, d) {
		return time.Time{}, p.errf("%s %q is not a date", what, s)
	}
	return date(y, time.Month(m), d), nil
}

// number reads a right-aligned numeric field; blanks are 0.
func (p *gpcParser) number(b []byte, what string) (int64, error) {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return 0, nil
	}
	v, ok := parseDigits(s, 18)
	if !ok {
		return 0, p.errf("%s %q is not digits", what, b)
	}
	return v, nil
}

func (p *gpcParser) item(l []byte) error {
	if !p.haveHead {
		return p.errf("an item (075) before the statement header (074)")
	}
	if len(p.st.Transactions) >= maxTransactions {
		return p.errf("more than %d items", maxTransactions)
	}
	if string(l[3:19]) != p.acct16 {
		return p.errf("the item's account %q is not the statement's %q", l[3:19], p.acct16)
	}
	counter := string(l[19:35])
	if strings.TrimSpace(counter) != "" && !allDigits(counter) {
		return p.errf("counter-account %q is not 16 digits", counter)
	}
	amount, ok := parseDigits(string(l[48:60]), 12)
	if !ok {
		return p.errf("amount %q is not 12 digits", l[48:60])
	}
	code := l[60]
	if code < '1' || code > '4' {
		return p.errf("posting code %q is not 1, 2, 3 or 4", code)
	}
	var t Transaction
	var err error
	if t.VS, err = p.number(l[61:71], "variable symbol"); err != nil {
		return err
	}
	if t.KS, err = p.number(l[77:81], "constant symbol"); err != nil {
		return err
	}
	if _, err = p.number(l[71:77], "constant symbol field"); err != nil {
		return err
	}
	bank := strings.TrimSpace(string(l[73:77]))
	if t.SS, err = p.number(l[81:91], "specific symbol"); err != nil {
		return err
	}
	valueDate, err := p.ddmmyy(l[91:97], "value date")
	if err != nil {
		return err
	}
	due, err := p.ddmmyy(l[122:128], "posting date")
	if err != nil {
		return err
	}
	t.Booked = due
	if t.Booked.IsZero() {
		t.Booked = valueDate
	}
	if t.Booked.IsZero() {
		t.Booked = p.date
	}
	if t.Booked.IsZero() {
		return p.errf("the item has no date, nor has the statement")
	}
	p.sums[code-'0'] += amount
	switch code {
	case '1':
		t.Amount = -amount
	case '2':
		t.Amount = amount
	case '3':
		t.Amount, t.Reversal = amount, true
	case '4':
		t.Amount, t.Reversal = -amount, true
	}
	if strings.Trim(counter, "0 ") != "" {
		t.CounterAccount = formatAccount(p.standard(counter))
		if bank != "" && strings.Trim(bank, "0") != "" {
			t.CounterAccount += "/" + bank
		}
	}
	t.CounterName = strings.TrimSpace(decode1250(l[97:117]))
	doc := strings.TrimSpace(decode1250(l[35:48]))
	if doc == "" {
		doc = "0"
	}
	ref := formatAccount(p.standard(p.acct16)) + "/" + doc + "/" + t.Booked.Format("20060102")
	p.refs[ref]++
	if n := p.refs[ref]; n > 1 {
		ref += "/" + strconv.Itoa(n)
	}
	t.Ref = ref
	p.st.Transactions = append(p.st.Transactions, t)
	return nil
}

func (p *gpcParser) message(l []byte) error {
	n := len(p.st.Transactions)
	if n == 0 {
		return p.errf("a message record (%s) before any item", l[:3])
	}
	text := strings.Join(strings.Fields(decode1250(l[3:])), " ")
	if text == "" {
		return nil
	}
	t := &p.st.Transactions[n-1]
	if t.Message != "" {
		t.Message += " "
	}
	t.Message += text
	return nil
}

func (p *gpcParser) finish() (*Statement, error) {
	if !p.haveHead {
		return nil, fmt.Errorf("%w: GPC: no statement header (074)", ErrFormat)
	}
	s := p.sums
	plain := s[1]-s[3] == p.debit && s[2]-s[4] == p.credit
	crossed := s[1]+s[4] == p.debit && s[2]+s[3] == p.credit
	if !plain && !crossed {
		return nil, fmt.Errorf("%w: GPC: the items add up to debits %s and credits %s (reversals %s and %s), the header says %s and %s",
			ErrFormat, formatHalere(s[1]), formatHalere(s[2]), formatHalere(s[3]), formatHalere(s[4]),
			formatHalere(p.debit), formatHalere(p.credit))
	}
	if p.oldBal-p.debit+p.credit != p.newBal {
		return nil, fmt.Errorf("%w: GPC: old balance %s − debits %s + credits %s = %s, but the new balance is %s",
			ErrFormat, formatHalere(p.oldBal), formatHalere(p.debit), formatHalere(p.credit),
			formatHalere(p.oldBal-p.debit+p.credit), formatHalere(p.newBal))
	}
	if p.st.Transactions == nil {
		p.st.Transactions = []Transaction{}
	}
	return &p.st, nil
}

// standard returns a 16-digit account field in the standard order,
// prefix (6) + number (10), undoing the bank's permutation when it uses one.
func (p *gpcParser) standard(acct16 string) string {
	if !p.opt.PermutedAccounts {
		return acct16
	}
	return unpermute(acct16)
}

// gpcPermutation lists, for each digit of the standard order, the
// 1-based position of that digit in the internal order.
var gpcPermutation = [16]int{11, 12, 13, 14, 15, 16, 5, 6, 7, 8, 9, 4, 10, 2, 3, 1}

func unpermute(internal string) string {
	var b [16]byte
	for i, from := range gpcPermutation {
		b[i] = internal[from-1]
	}
	return string(b[:])
}

// permute is unpermute's inverse: what a bank with internal order writes.
func permute(standard string) string {
	var b [16]byte
	for i, to := range gpcPermutation {
		b[to-1] = standard[i]
	}
	return string(b[:])
}

// formatAccount writes a standard 16-digit field as "prefix-number" without
// leading zeros ("number" when the prefix is zero).
func formatAccount(acct16 string) string {
	prefix := strings.TrimLeft(acct16[:6], "0")
	number := strings.TrimLeft(acct16[6:], "0")
	if number == "" {
		number = "0"
	}
	if prefix == "" {
		return number
	}
	return prefix + "-" + number
}

// decode1250 converts windows-1250 text (already checked) to UTF-8.
func decode1250(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	var s strings.Builder
	s.Grow(len(b) + 8)
	for _, c := range b {
		s.WriteRune(cp1250[c])
	}
	return s.String()
}
