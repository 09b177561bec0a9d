package bank

import (
	"strings"

	"github.com/radnice/radnice/internal/czid"
)

// SameAccount tells whether a statement's account (an IBAN, or
// "prefix-number/bank") is the town's IBAN. An account given without its
// bank cannot be compared and counts as the same. (A town with no IBAN
// configured is not compared at all.)
func SameAccount(account, iban string) bool {
	norm := func(s string) string { return strings.ToUpper(strings.ReplaceAll(s, " ", "")) }
	if strings.HasPrefix(norm(account), "CZ") {
		return norm(account) == norm(iban)
	}
	if !strings.Contains(account, "/") {
		return true
	}
	converted, err := czid.AccountToIBAN(account)
	return err == nil && converted == norm(iban)
}
