package czid

import "fmt"

// ValidICO reports whether s is a valid IČO: exactly 8 ASCII digits (no
// spaces; leading zeros written out) whose last digit is the check digit
// computed by icoCheck.
func ValidICO(s string) bool {
	if len(s) != 8 || !allDigits(s) {
		return false
	}
	return int(s[7]-'0') == icoCheck(s[:7])
}

// icoCheck computes the check digit of the first seven digits: weights 8..2,
// a = sum mod 11, check = (11 - a) mod 10.
func icoCheck(first7 string) int {
	sum := 0
	for i := 0; i < 7; i++ {
		sum += int(first7[i]-'0') * (8 - i)
	}
	return (11 - sum%11) % 10
}

// NewICO returns the 8-digit IČO whose first seven digits are base,
// zero-padded, followed by the check digit. It panics if base is outside
// 0..9999999.
func NewICO(base int) string {
	if base < 0 || base > 9999999 {
		panic(fmt.Sprintf("czid.NewICO: base %d out of range 0..9999999", base))
	}
	s := fmt.Sprintf("%07d", base)
	return s + string(rune('0'+icoCheck(s)))
}
