// Package i18n holds the user interface's words in Czech (first) and
// English, and formats money, dates and numbers the Czech way.
package i18n

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Lang is a user interface language.
type Lang string

const (
	CS Lang = "cs"
	EN Lang = "en"
)

// Langs lists the supported languages, Czech first.
var Langs = []Lang{CS, EN}

// Parse returns the language for a code, and false for an unsupported one.
func Parse(s string) (Lang, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "cs", "cz":
		return CS, true
	case "en":
		return EN, true
	}
	return "", false
}

// T returns the message for key in lang, formatted with args like
// fmt.Sprintf. A key missing in English falls back to Czech; a key missing
// everywhere returns the key itself (and a test fails on it).
func T(lang Lang, key string, args ...any) string {
	msg, ok := catalog[lang][key]
	if !ok {
		msg, ok = catalog[CS][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Has reports whether key exists in the catalogue.
func Has(key string) bool {
	_, ok := catalog[CS][key]
	return ok
}

// Keys lists the keys of one language (for tests).
func Keys(lang Lang) []string {
	out := make([]string, 0, len(catalog[lang]))
	for k := range catalog[lang] {
		out = append(out, k)
	}
	return out
}

// Prague is the time zone every time is shown in.
var Prague = mustLoad("Europe/Prague")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// The binary embeds tzdata (see cmd/radnice), so this cannot fail there.
		panic(err)
	}
	return loc
}

// Money formats haléře as Czech crowns: 123456 -> "1 234,56 Kč" (cs) or
// "CZK 1,234.56" (en). A non-breaking space keeps the amount on one line.
func Money(lang Lang, halere int64) string {
	neg := halere < 0
	if neg {
		halere = -halere
	}
	crowns, hal := halere/100, halere%100
	sep, dec := "\u00a0", ","
	if lang == EN {
		sep, dec = ",", "."
	}
	s := group(strconv.FormatInt(crowns, 10), sep)
	if hal != 0 {
		s += dec + fmt.Sprintf("%02d", hal)
	} else if lang == CS {
		s += ",00"
	} else {
		s += ".00"
	}
	if neg {
		s = "−" + s
	}
	if lang == EN {
		return "CZK\u00a0" + s
	}
	return s + "\u00a0Kč"
}

func group(digits, sep string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	first := len(digits) % 3
	if first > 0 {
		b.WriteString(digits[:first])
	}
	for i := first; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// Date formats a date as "23. 11. 2026" (cs) or "23 Nov 2026" (en), in Prague time.
func Date(lang Lang, t time.Time) string {
	t = t.In(Prague)
	if lang == EN {
		return t.Format("2 Jan 2006")
	}
	return fmt.Sprintf("%d.\u00a0%d.\u00a0%d", t.Day(), int(t.Month()), t.Year())
}

// Weekday names a day of the week (1 = Monday ... 7 = Sunday).
func Weekday(lang Lang, day int) string {
	return T(lang, "weekday."+strconv.Itoa(day))
}

// FileSize is a size as people read it: "830 B", "12 kB", "1,4 MB" (a
// decimal point in English).
func FileSize(lang Lang, n int64) string {
	dec := ","
	if lang == EN {
		dec = "."
	}
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + "\u00a0B"
	case n < 1000*1000:
		return strconv.FormatInt((n+500)/1000, 10) + "\u00a0kB"
	}
	tenths := (n + 50_000) / 100_000
	return strconv.FormatInt(tenths/10, 10) + dec + strconv.FormatInt(tenths%10, 10) + "\u00a0MB"
}
