package czid

import (
	"fmt"
	"strings"
)

var (
	prefixWeights = [6]int{10, 5, 8, 4, 2, 1}
	numberWeights = [10]int{6, 3, 7, 9, 10, 5, 8, 4, 2, 1}
)

// splitAccount checks a domestic account "[prefix-]number/bank" and returns
// its parts as written.
func splitAccount(s string) (prefix, number, bank string, ok bool) {
	rest, bank, found := strings.Cut(s, "/")
	if !found || len(bank) != 4 || !allDigits(bank) {
		return "", "", "", false
	}
	if p, n, dash := strings.Cut(rest, "-"); dash {
		prefix, number = p, n
		if len(prefix) < 1 || len(prefix) > 6 || !allDigits(prefix) {
			return "", "", "", false
		}
	} else {
		number = rest
	}
	if len(number) < 2 || len(number) > 10 || !allDigits(number) {
		return "", "", "", false
	}
	if !weightedOK(prefix, prefixWeights[:]) || !weightedOK(number, numberWeights[:]) {
		return "", "", "", false
	}
	// The number must have at least two non-zero digits; with the checksum
	// this only rules out an all-zero number.
	if strings.Trim(number, "0") == "" {
		return "", "", "", false
	}
	return prefix, number, bank, true
}

// weightedOK applies weights right-aligned to the digits s and reports
// whether the weighted sum is divisible by 11. An empty s is fine.
func weightedOK(s string, weights []int) bool {
	off := len(weights) - len(s)
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += int(s[i]-'0') * weights[off+i]
	}
	return sum%11 == 0
}

// ValidAccount reports whether s is a valid Czech domestic account number
// "[prefix-]number/bank": prefix up to 6 digits (weights 10,5,8,4,2,1),
// number 2 to 10 digits (weights 6,3,7,9,10,5,8,4,2,1), both right-aligned
// with weighted sums divisible by 11, and a 4-digit bank code. Spaces are not
// accepted. Whether the bank code exists is not checked.
func ValidAccount(s string) bool {
	_, _, _, ok := splitAccount(s)
	return ok
}

// AccountToIBAN converts a domestic account number (as accepted by
// ValidAccount) to its IBAN in electronic form, without spaces:
// "CZ" + 2 check digits + bank (4) + prefix (6) + number (10).
func AccountToIBAN(s string) (string, error) {
	prefix, number, bank, ok := splitAccount(s)
	if !ok {
		return "", invalid("account", "bad account number")
	}
	bban := bank + zeroPad(prefix, 6) + zeroPad(number, 10)
	check := 98 - mod97(bban+"CZ00")
	return fmt.Sprintf("CZ%02d%s", check, bban), nil
}

func zeroPad(s string, n int) string {
	return strings.Repeat("0", n-len(s)) + s
}

// mod97 computes the ISO 7064 MOD 97-10 remainder of s, an upper-case
// alphanumeric string, with letters A..Z counting as 10..35.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			r = (r*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			r = (r*100 + int(c-'A') + 10) % 97
		}
	}
	return r
}

// compactIBAN trims s, removes spaces and upper-cases ASCII letters (only
// ASCII: strings.ToUpper would turn 'ı' into 'I').
func compactIBAN(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == ' ':
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ValidIBAN reports whether s is a valid IBAN: spaces anywhere and lower-case
// letters are accepted; country code of two letters, check digits 02..98,
// alphanumeric BBAN, total length 15..34, remainder 1 modulo 97. Czech IBANs
// must also have 24 characters and a BBAN of digits only. Other countries'
// lengths are not checked.
func ValidIBAN(s string) bool {
	s = compactIBAN(s)
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		isDigit := c >= '0' && c <= '9'
		isLetter := c >= 'A' && c <= 'Z'
		switch {
		case i < 2 && !isLetter:
			return false
		case i >= 2 && i < 4 && !isDigit:
			return false
		case !isDigit && !isLetter:
			return false
		}
	}
	if kk := atoi(s[2:4]); kk < 2 || kk > 98 {
		return false
	}
	if s[:2] == "CZ" && (len(s) != 24 || !allDigits(s[4:])) {
		return false
	}
	return mod97(s[4:]+s[:4]) == 1
}

// FormatIBAN returns s in print form: without other spaces, upper case, in
// groups of four separated by single spaces. It does not validate.
func FormatIBAN(s string) string {
	var b strings.Builder
	i := 0
	for _, r := range compactIBAN(s) {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
		i++
	}
	return b.String()
}
