// Package bank speaks the Czech banks' own formats: QR Platba (SPAYD 1.0)
// to ask for a transfer, and the two statement formats the banks hand back,
// camt.053 (ISO 20022 XML, versions .001.02 to .001.08) and ABO/GPC (fixed
// width, windows-1250). It is a pure library: no database, no network.
//
// Every parser reads a stream, caps its size (MaxInputSize) and either
// returns the whole statement, checked against its own totals, or an error
// wrapping ErrFormat that names the line or the entry at fault. A statement
// is never returned half read.
package bank

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
)

// ErrFormat is wrapped by every error about the content of a file or a
// QR Platba string: test for it with errors.Is.
var ErrFormat = errors.New("bank: bad format")

// MaxInputSize is the largest statement file the parsers read (256 MiB); a
// larger one fails with ErrFormat before it fills memory.
const MaxInputSize = 256 << 20

// maxTransactions bounds the transactions of one statement (either format).
const maxTransactions = 1_000_000

// Statement is one bank statement of one account.
type Statement struct {
	Format   string // "camt.053.001.08" (the version its namespace names; "camt.053" when none), "gpc"
	Account  string // IBAN, or "prefix-number" (+"/bank" when known) as the file gives it
	Currency string // ISO 4217 when the file names it ("" for GPC, which does not)
	Number   string // the statement's number as the bank counts them
	// Opening and Closing balances in haléře, signed; valid only when
	// HasBalances (both were in the file and the entries add up to them).
	Opening, Closing int64
	HasBalances      bool
	Transactions     []Transaction // booked transactions only, in file order
}

// Transaction is one booked movement on the account.
type Transaction struct {
	// Ref is unique per bank account: the AcctSvcrRef of a camt.053 entry
	// (+"/n", n from 1, for each transaction of a batched entry), or for GPC
	// "account/document number/booking date" (+"/n" for the n-th repeat
	// within one file).
	Ref            string
	Booked         time.Time // booking date, UTC midnight
	Amount         int64     // haléře; positive: credit (money in), negative: debit
	Reversal       bool      // the bank reverses an earlier movement
	VS, SS, KS     int64     // 0 = absent; compare numerically (banks drop leading zeros)
	CounterAccount string    // IBAN or "prefix-number/bank"; "" when unknown
	CounterName    string
	Message        string
}

// Parse reads a statement in either format: XML (camt.053) when the first
// non-blank character is '<', GPC when the file starts with a 074 record.
func Parse(r io.Reader) (*Statement, error) {
	br := bufio.NewReaderSize(r, 4096)
	head, err := br.Peek(512)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, err
	}
	trimmed := bytes.TrimPrefix(head, utf8BOM)
	trimmed = bytes.TrimLeft(trimmed, " \t\r\n")
	switch {
	case len(trimmed) > 0 && trimmed[0] == '<':
		return ParseCamt053(br)
	case bytes.HasPrefix(head, []byte("074")):
		return ParseGPC(br)
	case len(trimmed) == 0:
		return nil, fmt.Errorf("%w: empty file", ErrFormat)
	default:
		return nil, fmt.Errorf("%w: neither camt.053 XML nor a GPC file starting with a 074 record", ErrFormat)
	}
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// errTooLarge is what capReader returns past its limit.
var errTooLarge = fmt.Errorf("%w: the file is larger than %d MiB", ErrFormat, MaxInputSize>>20)

// capReader reads at most n bytes of r; one more byte makes it fail with
// errTooLarge, so a file of exactly n bytes is still read.
type capReader struct {
	r io.Reader
	n int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		var one [1]byte
		k, err := c.r.Read(one[:])
		if k > 0 {
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	k, err := c.r.Read(p)
	c.n -= int64(k)
	return k, err
}

// date returns UTC midnight of the given day.
func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// validDate reports whether y-m-d is a day of the calendar.
func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return false
	}
	t := date(y, time.Month(m), d)
	return t.Year() == y && int(t.Month()) == m && t.Day() == d
}

// parseAmount turns a decimal string "1234", "1234.5" or "1234.56" into
// haléře, exactly: no sign, no exponent, at most 2 decimals, at most 15
// integer digits.
func parseAmount(s string) (int64, bool) {
	intPart, frac, dot := cutByte(s, '.')
	if len(intPart) == 0 || len(intPart) > 15 || (dot && (len(frac) == 0 || len(frac) > 2)) {
		return 0, false
	}
	var v int64
	for i := 0; i < len(intPart); i++ {
		c := intPart[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	cents := int64(0)
	for i := 0; i < 2; i++ {
		cents *= 10
		if i < len(frac) {
			c := frac[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			cents += int64(c - '0')
		}
	}
	return v*100 + cents, true
}

func cutByte(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// parseDigits parses 1..maxDigits ASCII digits (leading zeros allowed).
func parseDigits(s string, maxDigits int) (int64, bool) {
	if len(s) == 0 {
		return 0, false
	}
	var v int64
	significant := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if significant > 0 || c != '0' {
			significant++
		}
		v = v*10 + int64(c-'0')
		if significant > maxDigits {
			return 0, false
		}
	}
	return v, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi of a short string of digits known to be valid.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
