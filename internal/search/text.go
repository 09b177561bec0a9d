package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold lower-cases s and strips its diacritics: Unicode NFD, then every
// combining mark is dropped ("Občanský" → "obcansky").
func Fold(s string) string {
	// Fast path for Latin text (Czech, English): a table made with the slow
	// path below at start.
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < 0x80:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
		case r < latinEnd:
			b.WriteString(latinFold[r])
		default:
			return foldSlow(s)
		}
	}
	return b.String()
}

// latinFold folds each rune below latinEnd (Latin-1, Latin Extended-A
// and -B), so that Fold need not normalise Czech text rune by rune.
const latinEnd = 0x250

var latinFold [latinEnd]string

func init() {
	for r := rune(0); r < latinEnd; r++ {
		latinFold[r] = foldSlow(string(r))
	}
}

func foldSlow(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// token is one word of a text: its place in the original string and its
// folded form.
type token struct {
	start, end int
	folded     string
}

// wordRune reports whether r belongs to a word: letters, digits and the
// combining marks of decomposed input.
func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// tokenize splits s on everything that is not a letter or a digit.
func tokenize(s string) []token {
	var out []token
	start := -1
	for i, r := range s {
		if wordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, token{start: start, end: i, folded: Fold(s[start:i])})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, token{start: start, end: len(s), folded: Fold(s[start:])})
	}
	return out
}

// stopWords are Czech and English function words: they are not indexed,
// and dropped from queries (unless a query has nothing else), because they
// occur in nearly every document and say nothing about it.
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a i k o s u v z na za do po pro se si je to ze ve ke od ani ale nebo jak jako ten ta by bez pri pred nad pod mezi tak
		the an of in for and or is on at by it be as with`) {
		stopWords[w] = true
	}
}

// suffixes are the Czech endings the stemmer strips, longest first, in
// folded form (so "-ů" is "-u"). The first one that leaves a stem of at
// least minStem letters wins. There is no "-ově"/"-ovi": stripping it
// would part "hřbitov" from "hřbitově" and "Jizerov" from "Jizerově"
// (place names in -ov are everywhere), a worse loss than "Novákovi".
var suffixes = []string{
	"ech", "ach", "ami", "emi", "ymi", "imi", "ich", "ych", "eho", "emu", "imu", "ymu",
	"ym", "im", "em", "om", "um", "am", "ou", "mi",
	"a", "e", "i", "o", "u", "y",
}

const minStem = 3

// Stem reduces a folded word to a light Czech stem: it strips one common
// case or number ending, keeping at least three letters, and then drops the
// mobile e of -ek and -ec ("poplatek", "poplatku" → "poplatk"; "obec",
// "obce" → "obc"). It is deliberately light: forms that change their root
// ("pes", "psa", "psů") or their last consonant ("kniha", "knize") are not
// unified; prefix matching and typo tolerance cover part of that.
func Stem(w string) string {
	n := utf8.RuneCountInString(w)
	if n <= minStem {
		return w
	}
	for _, s := range suffixes {
		if strings.HasSuffix(w, s) && n-len(s) >= minStem && !digitsOnly(w) {
			w = w[:len(w)-len(s)]
			n -= len(s)
			break
		}
	}
	if n > minStem && (strings.HasSuffix(w, "ek") || strings.HasSuffix(w, "ec")) {
		w = w[:len(w)-2] + w[len(w)-1:]
	}
	return w
}

func digitsOnly(w string) bool {
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// termsOf counts the indexed terms of a title and a body.
func termsOf(title, body string) map[string]*termStat {
	out := map[string]*termStat{}
	add := func(text string, inTitle bool) {
		for _, t := range tokenize(text) {
			if stopWords[t.folded] {
				continue
			}
			term := Stem(t.folded)
			if len(term) > maxTermBytes {
				continue
			}
			st := out[term]
			if st == nil {
				st = &termStat{}
				out[term] = st
			}
			st.count++
			st.inTitle = st.inTitle || inTitle
		}
	}
	add(title, true)
	add(body, false)
	return out
}

// maxTermBytes leaves out "words" no one searches for (long numbers,
// identifiers, garbage), keeping the index small.
const maxTermBytes = 64

type termStat struct {
	inTitle bool
	count   int
}

// editDistance is the optimal string alignment distance between a and b
// (insertions, deletions, substitutions and swaps of neighbours each cost
// one), computed on runes; it stops early once it exceeds limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			best = min(best, v)
		}
		if best > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// nextPrefix is the smallest valid UTF-8 string greater than every string
// that starts with p (for the range term >= p AND term < nextPrefix(p)):
// p with its last rune raised by one, since UTF-8 sorts bytewise in code
// point order. "" when there is none.
func nextPrefix(p string) string {
	for p != "" {
		r, size := utf8.DecodeLastRuneInString(p)
		p = p[:len(p)-size]
		switch {
		case r == utf8.RuneError || r >= unicode.MaxRune:
			continue
		case r+1 >= 0xD800 && r+1 <= 0xDFFF:
			return p + string(rune(0xE000))
		default:
			return p + string(r+1)
		}
	}
	return ""
}
