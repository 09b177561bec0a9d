package czid

import (
	"fmt"
	"strings"
	"time"
)

// Sex as encoded in a birth number.
type Sex int

// The zero Sex is not a valid value.
const (
	Male Sex = iota + 1
	Female
)

// String returns "male", "female" or "unknown".
func (s Sex) String() string {
	switch s {
	case Male:
		return "male"
	case Female:
		return "female"
	}
	return "unknown"
}

// BirthNumber is a normalized Czech birth number (rodné číslo): 9 or 10 ASCII
// digits, no slash. Values returned by ParseBirthNumber and NewBirthNumber are
// valid; the methods are safe (they do not panic) on any other value.
//
// A birth number is personal data: show it with Masked, and never put it in a
// URL or a log line.
type BirthNumber string

// Year range covered by birth numbers: 9-digit numbers were issued before
// 1954, 10-digit numbers from 1954; a 10-digit number with YY < 54 is 20YY.
const (
	firstYear      = 1900
	firstTenDigits = 1954
	lastYear       = 2053
	extraMonthsOK  = 2004 // from this year, months may also carry +20 (men) or +70 (women)
)

// ParseBirthNumber validates s and returns it normalized to digits only. It
// accepts "7801233540", "780123/3540" and surrounding white space. Errors wrap
// ErrInvalid and never contain the input.
func ParseBirthNumber(s string) (BirthNumber, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", invalid("birth number", "empty")
	}
	if i := strings.IndexByte(s, '/'); i >= 0 {
		if i != 6 {
			return "", invalid("birth number", "slash in the wrong place")
		}
		s = s[:6] + s[7:]
	}
	if !allDigits(s) {
		return "", invalid("birth number", "not digits")
	}
	if len(s) != 9 && len(s) != 10 {
		return "", invalid("birth number", "must have 9 or 10 digits")
	}
	if _, _, err := decode(s); err != nil {
		return "", err
	}
	return BirthNumber(s), nil
}

// decode checks the digits s (9 or 10 ASCII digits) and returns the birth
// date and sex.
func decode(s string) (time.Time, Sex, error) {
	yy, mm, dd := atoi(s[0:2]), atoi(s[2:4]), atoi(s[4:6])
	var year int
	if len(s) == 9 {
		if yy >= firstTenDigits%100 {
			return time.Time{}, 0, invalid("birth number", "9 digits only before 1954")
		}
		year = 1900 + yy
	} else {
		if yy < firstTenDigits%100 {
			year = 2000 + yy
		} else {
			year = 1900 + yy
		}
		want := atoi(s[:9]) % 11 % 10 // remainder 10 gives check digit 0
		if int(s[9]-'0') != want {
			return time.Time{}, 0, invalid("birth number", "bad check digit")
		}
	}
	sex := Male
	if mm > 50 {
		sex = Female
		mm -= 50
	}
	if mm > 20 {
		if year < extraMonthsOK {
			return time.Time{}, 0, invalid("birth number", "month +20 only from 2004")
		}
		mm -= 20
	}
	if mm < 1 || mm > 12 {
		return time.Time{}, 0, invalid("birth number", "bad month")
	}
	d := time.Date(year, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if dd < 1 || d.Day() != dd || d.Month() != time.Month(mm) {
		return time.Time{}, 0, invalid("birth number", "no such date")
	}
	return d, sex, nil
}

func (b BirthNumber) valid() bool {
	if (len(b) != 9 && len(b) != 10) || !allDigits(string(b)) {
		return false
	}
	_, _, err := decode(string(b))
	return err == nil
}

// BirthDate returns the date of birth at midnight UTC, or the zero time if b
// is not valid.
func (b BirthNumber) BirthDate() time.Time {
	if (len(b) != 9 && len(b) != 10) || !allDigits(string(b)) {
		return time.Time{}
	}
	d, _, err := decode(string(b))
	if err != nil {
		return time.Time{}
	}
	return d
}

// Sex returns the sex encoded in the month, or 0 if b is not valid.
func (b BirthNumber) Sex() Sex {
	if !b.valid() {
		return 0
	}
	if atoi(string(b[2:4])) > 50 {
		return Female
	}
	return Male
}

// String returns the conventional form "YYMMDD/XXXX" ("YYMMDD/XXX" for a
// 9-digit number). An invalid value is returned unchanged.
func (b BirthNumber) String() string {
	if !b.valid() {
		return string(b)
	}
	return string(b[:6]) + "/" + string(b[6:])
}

// Masked returns the number with the part after the slash hidden, e.g.
// "780123/****", for display. An invalid value is masked entirely.
func (b BirthNumber) Masked() string {
	if !b.valid() {
		return strings.Repeat("*", len(b))
	}
	return string(b[:6]) + "/" + strings.Repeat("*", len(b)-6)
}

// NewBirthNumber builds the birth number for a person born on the calendar
// date of birth (taken in birth's own location), of the given sex, with the
// serial number serial (0..999) of that day. Births before 1954 get 9 digits
// without a check digit; later births get 10 digits with the check digit
// (first nine digits mod 11, remainder 10 giving 0). Women have 50 added to
// the month; the +20 months used when a day's serials run out are never
// generated. Birth numbers exist for years 1900..2053 only.
func NewBirthNumber(birth time.Time, sex Sex, serial int) (BirthNumber, error) {
	year, month, day := birth.Date()
	if year < firstYear || year > lastYear {
		return "", invalid("birth number", "year out of range 1900..2053")
	}
	if sex != Male && sex != Female {
		return "", invalid("birth number", "unknown sex")
	}
	if serial < 0 || serial > 999 {
		return "", invalid("birth number", "serial out of range 0..999")
	}
	mm := int(month)
	if sex == Female {
		mm += 50
	}
	s := fmt.Sprintf("%02d%02d%02d%03d", year%100, mm, day, serial)
	if year >= firstTenDigits {
		s += string(rune('0' + atoi(s)%11%10))
	}
	// Defensive: whatever we build must parse back.
	if _, _, err := decode(s); err != nil {
		return "", err
	}
	return BirthNumber(s), nil
}
