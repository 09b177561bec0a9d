package catalog

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Sort orders situations by their title in lang: Czech collation for
// Czech ("ch" after "h", "č" after "c", "ř" after "r", "š" after "s", "ž"
// after "z"), English otherwise. Ties are broken by slug, so the order is
// stable.
func Sort(s []Situation, lang string) {
	c := collator(lang)
	slices.SortStableFunc(s, func(a, b Situation) int {
		ta, _ := a.Title.In(lang)
		tb, _ := b.Title.In(lang)
		if r := c.CompareString(ta, tb); r != 0 {
			return r
		}
		return strings.Compare(a.Slug, b.Slug)
	})
}

// SortStrings orders strings as Sort orders titles.
func SortStrings(s []string, lang string) {
	c := collator(lang)
	slices.SortStableFunc(s, func(a, b string) int { return c.CompareString(a, b) })
}

// collator is not safe for concurrent use, so each sort makes its own.
func collator(lang string) *collate.Collator {
	tag := language.Czech
	if lang == "en" {
		tag = language.English
	}
	return collate.New(tag, collate.IgnoreCase)
}

// Letter is the letter a title is filed under in the A–Z index. In Czech
// "Ch" is a letter of its own and so are Č, Ř, Š and Ž; other accented
// letters are filed under their base letter (Á under A, Ů under U). In
// English every accent is dropped. Anything that does not start with a
// letter is filed under "#".
func Letter(title, lang string) string {
	title = strings.TrimLeftFunc(title, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	r, size := utf8.DecodeRuneInString(title)
	if r == utf8.RuneError || !unicode.IsLetter(r) {
		return "#"
	}
	r = unicode.ToLower(r)
	if lang != "en" {
		if r == 'c' {
			if next, _ := utf8.DecodeRuneInString(title[size:]); next == 'h' || next == 'H' {
				return "Ch"
			}
		}
		switch r {
		case 'č', 'ř', 'š', 'ž':
			return string(unicode.ToUpper(r))
		}
	}
	if b, ok := baseLetter[r]; ok {
		r = b
	}
	return string(unicode.ToUpper(r))
}

// baseLetter folds the accented letters of Czech (and a few neighbours)
// to their base letter.
var baseLetter = map[rune]rune{
	'á': 'a', 'ä': 'a', 'č': 'c', 'ď': 'd', 'é': 'e', 'ě': 'e', 'ë': 'e', 'í': 'i', 'ľ': 'l', 'ĺ': 'l',
	'ň': 'n', 'ó': 'o', 'ô': 'o', 'ö': 'o', 'ř': 'r', 'ŕ': 'r', 'š': 's', 'ť': 't', 'ú': 'u', 'ů': 'u',
	'ü': 'u', 'ý': 'y', 'ž': 'z',
}

// Group is one letter of the A–Z index with its situations.
type Group struct {
	Letter     string
	Situations []Situation
}

// ByLetter groups situations already in Sort order by their title's
// letter, in that order.
func ByLetter(s []Situation, lang string) []Group {
	var out []Group
	for _, st := range s {
		t, _ := st.Title.In(lang)
		l := Letter(t, lang)
		if n := len(out); n > 0 && out[n-1].Letter == l {
			out[n-1].Situations = append(out[n-1].Situations, st)
			continue
		}
		out = append(out, Group{Letter: l, Situations: []Situation{st}})
	}
	return out
}

// MapQuery picks the street address out of a "where" text, for a map
// search: the first part that ends with a house number, with the town
// that follows it ("Magistrát, Radniční náměstí 1, Jizerov, přízemí" gives
// "Radniční náměstí 1, Jizerov"). It is "" when there is no such part.
func MapQuery(where string) string {
	parts := strings.Split(where, ",")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		fields := strings.Fields(p)
		if len(fields) < 2 {
			continue
		}
		last := fields[len(fields)-1]
		if !unicode.IsDigit(rune(last[0])) || !unicode.IsLetter([]rune(fields[0])[0]) {
			continue
		}
		if i+1 < len(parts) {
			town := strings.TrimSpace(parts[i+1])
			town, _, _ = strings.Cut(town, " (")
			town = strings.TrimRight(town, ".;")
			if town != "" && len(strings.Fields(town)) <= 3 {
				return p + ", " + town
			}
		}
		return p
	}
	return ""
}
