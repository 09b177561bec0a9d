package backoffice

import (
	"strings"

	"github.com/radnice/radnice/internal/payment"
)

// maxAmount is the most an official may type for one payment or refund at
// the desk (100 000 Kč), in haléře.
const maxAmount = payment.MaxCash

// parseAmount reads crowns as an official types them: "1 234,50",
// "1234.5", "350", "350 Kč", "350,-". Spaces (also non-breaking) may only
// group thousands; the decimal mark is a comma or a dot with one or two
// digits after it. The result is exact, in haléře. problem is the i18n key
// of what is wrong ("" when nothing): empty, not a number, more than two
// decimals, negative, or outside 0,01 to 100 000 Kč.
func parseAmount(s string) (halere int64, problem string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, "bo.pay.amount.required"
	}
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "\u2212") {
		return 0, "bo.pay.amount.negative"
	}
	for _, unit := range []string{"kč", "kc", "czk"} {
		if strings.HasSuffix(strings.ToLower(s), unit) {
			s = strings.TrimSpace(s[:len(s)-len(unit)])
			break
		}
	}
	if t, ok := strings.CutSuffix(s, ",-"); ok { // "350,-": whole crowns
		s = t
	} else if t, ok := strings.CutSuffix(s, ".-"); ok {
		s = t
	}
	whole, frac, hasMark := s, "", false
	if i := strings.IndexAny(s, ",."); i >= 0 {
		whole, frac, hasMark = s[:i], s[i+1:], true
	}
	if hasMark && frac == "" {
		return 0, "bo.pay.amount.format"
	}
	if !allDigits(frac) {
		return 0, "bo.pay.amount.format" // a second mark, a letter, a space
	}
	digits, ok := groupedDigits(whole)
	if !ok {
		return 0, "bo.pay.amount.format"
	}
	if len(frac) > 2 {
		return 0, "bo.pay.amount.decimals"
	}
	digits = strings.TrimLeft(digits, "0")
	if len(digits) > 7 { // more than 9 999 999 Kč, far over the limit
		return 0, "bo.pay.amount.range"
	}
	for _, c := range digits {
		halere = halere*10 + int64(c-'0')
	}
	halere *= 100
	frac += "00"[len(frac):]
	halere += int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	if halere <= 0 || halere > maxAmount {
		return 0, "bo.pay.amount.range"
	}
	return halere, ""
}

// groupedDigits accepts "1234" or "1 234" (ordinary, non-breaking or narrow
// non-breaking spaces between groups of three) and returns the digits.
func groupedDigits(s string) (string, bool) {
	groups := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\u00a0' || r == '\u202f' })
	if len(groups) == 0 {
		return "", false
	}
	for i, g := range groups {
		if !allDigits(g) || (i > 0 && len(g) != 3) || (i == 0 && len(groups) > 1 && len(g) > 3) {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
