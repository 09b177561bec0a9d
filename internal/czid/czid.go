// Package czid validates and generates Czech identifiers: the birth number
// (rodné číslo), the company identification number (IČO), domestic bank
// account numbers and IBANs.
//
// Validation functions never echo the input in their errors: a birth number is
// personal data and must not end up in logs. Errors returned by this package
// wrap ErrInvalid and carry a short English reason.
//
// The generators (NewBirthNumber, NewICO) exist for tests and for the
// synthetic town in package seed; every value they return passes the
// corresponding validator.
package czid

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every validation error of this package.
var ErrInvalid = errors.New("czid: invalid")

func invalid(what, reason string) error {
	return fmt.Errorf("%w %s: %s", ErrInvalid, what, reason)
}

// allDigits reports whether s is non-empty and consists of ASCII digits only.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi converts a string of ASCII digits (checked by the caller) to an int.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
