package bank

import (
	"fmt"
	"hash/crc32"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/radnice/radnice/internal/czid"
)

// Payment is what a QR Platba asks the payer's bank to send.
type Payment struct {
	IBAN       string    // ACC: the payee's IBAN, spaces allowed, optionally "+BIC"
	Amount     int64     // AM in haléře; 0 = no AM field (the payer fills it in)
	Currency   string    // CC, ISO 4217; "" means CZK
	VS, SS, KS int64     // X-VS, X-SS, X-KS; 0 = absent; at most 10 digits
	Message    string    // MSG: at most 60 characters as written (see SPAYD)
	Recipient  string    // RN: the payee's name, at most 35 characters as written
	Due        time.Time // DT: the day in Due's own location; zero = absent
}

// The SPAYD header, the only version there is.
const spaydHeader = "SPD*1.0*"

// SPAYD returns the QR Platba string of p: "SPD*1.0*" and the fields
// sorted by key (ACC, AM, CC, DT, MSG, RN, X-KS, X-SS, X-VS, the order in
// which the standard computes the checksum), then CRC32. Absent fields are
// left out; CC is always written.
//
// MSG and RN are transliterated to keep the code small and readable in
// any banking app: Czech (and other Latin) diacritics are dropped, letters
// upper-cased and typographic dashes and quotes written in ASCII
// ("Poplatek za psa – „Žofie“" → `POPLATEK ZA PSA - "ZOFIE"`), so that they
// stay in the QR alphanumeric set where they can. Whatever is left outside
// printable ASCII ("€", "ß") is written as percent-encoded UTF-8; "*" is
// written %2A and "%" %25. The 60 and 35 character limits apply to the
// text as written, escapes included, so no reader can find it too long;
// a longer text is an error, never cut.
func SPAYD(p Payment) (string, error) {
	fields, err := paymentFields(p)
	if err != nil {
		return "", err
	}
	return formatFields(fields), nil
}

func paymentFields(p Payment) (map[string]string, error) {
	f := make(map[string]string, 9)
	acc, err := spaydAccount(p.IBAN)
	if err != nil {
		return nil, err
	}
	f["ACC"] = acc
	switch {
	case p.Amount < 0:
		return nil, spaydErr("AM", "a negative amount")
	case p.Amount > 999_999_999:
		return nil, spaydErr("AM", "more than 9999999.99 (10 characters)")
	case p.Amount > 0:
		f["AM"] = fmt.Sprintf("%d.%02d", p.Amount/100, p.Amount%100)
	}
	cc := p.Currency
	if cc == "" {
		cc = "CZK"
	}
	if !isCurrency(cc) {
		return nil, spaydErr("CC", "not three upper-case letters")
	}
	f["CC"] = cc
	for _, s := range []struct {
		key string
		v   int64
	}{{"X-VS", p.VS}, {"X-SS", p.SS}, {"X-KS", p.KS}} {
		switch {
		case s.v < 0:
			return nil, spaydErr(s.key, "a negative symbol")
		case s.v > 9_999_999_999:
			return nil, spaydErr(s.key, "more than 10 digits")
		case s.v > 0:
			f[s.key] = strconv.FormatInt(s.v, 10)
		}
	}
	if !p.Due.IsZero() {
		y, m, d := p.Due.Date()
		if y < 1 || y > 9999 {
			return nil, spaydErr("DT", "a year outside 1..9999")
		}
		f["DT"] = fmt.Sprintf("%04d%02d%02d", y, int(m), d)
	}
	for _, t := range []struct {
		key, v string
		max    int
	}{{"MSG", p.Message, 60}, {"RN", p.Recipient, 35}} {
		v := transliterate(t.v)
		if v == "" {
			continue
		}
		if n := len(escapeValue(v)); n > t.max {
			return nil, spaydErr(t.key, fmt.Sprintf("%d characters as written, at most %d", n, t.max))
		}
		f[t.key] = v
	}
	return f, nil
}

func spaydErr(key, what string) error {
	return fmt.Errorf("%w: QR Platba %s: %s", ErrFormat, key, what)
}

// spaydAccount checks an "IBAN[+BIC]" and returns it compact and upper case.
func spaydAccount(s string) (string, error) {
	iban, bic, hasBIC := strings.Cut(s, "+")
	iban = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(iban), " ", ""))
	if !czid.ValidIBAN(iban) || !isASCIIAlnum(iban) {
		return "", spaydErr("ACC", "not a valid IBAN")
	}
	if !hasBIC {
		return iban, nil
	}
	bic = strings.ToUpper(strings.TrimSpace(bic))
	if !validBIC(bic) {
		return "", spaydErr("ACC", "not a valid BIC after '+'")
	}
	return iban + "+" + bic, nil
}

func isASCIIAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// validBIC: 4 letters (bank), 2 letters (country), 2 alphanumerics
// (location), optionally 3 alphanumerics (branch).
func validBIC(s string) bool {
	if len(s) != 8 && len(s) != 11 || !isASCIIAlnum(s) {
		return false
	}
	for i := 0; i < 6; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// transliterate is what SPAYD does to MSG and RN: it drops diacritics
// (decomposes, removes combining marks), upper-cases ASCII letters, writes
// typographic dashes, quotes and the ellipsis in ASCII, turns control
// characters and runs of white space into one space and trims the ends.
// Letters without an ASCII base ("ß", "ł") are kept as they are.
func transliterate(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		if ascii, ok := punctuation[r]; ok {
			b.WriteString(ascii)
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// punctuation maps typographic characters to ASCII.
var punctuation = map[rune]string{
	'‐': "-", '‑': "-", '‒': "-", '–': "-", '—': "-", '―': "-", '−': "-",
	'„': `"`, '“': `"`, '”': `"`, '‟': `"`, '«': `"`, '»': `"`,
	'‚': "'", '‘': "'", '’': "'", '‛': "'", '‹': "'", '›': "'",
	'…': "...",
}

// escapeValue writes a field value for SPAYD: printable ASCII as is except
// '*' (%2A) and '%' (%25); everything else as percent-encoded UTF-8.
func escapeValue(v string) string {
	clean := true
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7E || c == '*' || c == '%' {
			clean = false
			break
		}
	}
	if clean {
		return v
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(v) + 8)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 || c > 0x7E || c == '*' || c == '%' {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// unescapeValue undoes escapeValue. A '%' not followed by two hex digits is
// kept as it is (some writers leave a lone percent sign).
func unescapeValue(v string) string {
	if strings.IndexByte(v, '%') < 0 {
		return v
	}
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '%' && i+2 < len(v) {
			hi, ok1 := unhex(v[i+1])
			lo, ok2 := unhex(v[i+2])
			if ok1 && ok2 {
				b = append(b, hi<<4|lo)
				i += 2
				continue
			}
		}
		b = append(b, v[i])
	}
	return string(b)
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// formatFields serialises fields (unescaped values; a CRC32 among them is
// ignored) sorted by key and appends their CRC32.
func formatFields(fields map[string]string) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		if k != "CRC32" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(spaydHeader)
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('*')
		}
		b.WriteString(k)
		b.WriteByte(':')
		b.WriteString(escapeValue(fields[k]))
	}
	sum := crc32.ChecksumIEEE([]byte(b.String()))
	fmt.Fprintf(&b, "*CRC32:%08X", sum)
	return b.String()
}

// spaydKnown lists the keys of SPAYD 1.0 other than the X- extensions,
// which a reader must accept whatever they are.
var spaydKnown = map[string]bool{
	"ACC": true, "ALT-ACC": true, "AM": true, "CC": true, "RF": true, "RN": true,
	"DT": true, "PT": true, "MSG": true, "CRC32": true, "NT": true, "NTA": true,
}

// ParseSPAYD reads a QR Platba string: the "SPD*1.0*" header, then
// KEY:VALUE fields separated by '*' (the final '*' optional). It rejects a
// key that is not upper-case letters, digits and '-', an unknown key that
// does not start with "X-", a repeated key, a field without ':', a missing
// ACC, a value of a known field in the wrong form (IBAN, amount, currency,
// date, symbols, lengths) and a CRC32 that does not match. It returns the
// fields unescaped, the X- ones included, and without CRC32, which it has
// checked.
func ParseSPAYD(s string) (map[string]string, error) {
	if len(s) > 4096 {
		return nil, fmt.Errorf("%w: QR Platba longer than 4096 characters", ErrFormat)
	}
	if !strings.HasPrefix(s, spaydHeader) {
		if strings.HasPrefix(s, "SPD*") {
			return nil, fmt.Errorf("%w: QR Platba version is not 1.0", ErrFormat)
		}
		return nil, fmt.Errorf("%w: not a QR Platba string (no SPD*1.0* header)", ErrFormat)
	}
	body := strings.TrimSuffix(s[len(spaydHeader):], "*")
	if body == "" {
		return nil, spaydErr("ACC", "missing")
	}
	type raw struct{ k, v string }
	parts := strings.Split(body, "*")
	raws := make([]raw, 0, len(parts))
	fields := make(map[string]string, len(parts))
	crc := ""
	for i, part := range parts {
		k, v, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("%w: QR Platba field %d has no ':'", ErrFormat, i+1)
		}
		if !validKey(k) {
			return nil, fmt.Errorf("%w: QR Platba field %d: bad key %q", ErrFormat, i+1, k)
		}
		if !spaydKnown[k] && !strings.HasPrefix(k, "X-") {
			return nil, fmt.Errorf("%w: QR Platba field %d: unknown key %q", ErrFormat, i+1, k)
		}
		if _, dup := fields[k]; dup || (k == "CRC32" && crc != "") {
			return nil, fmt.Errorf("%w: QR Platba key %s twice", ErrFormat, k)
		}
		if k == "CRC32" {
			crc = v
			if crc == "" {
				return nil, spaydErr("CRC32", "empty")
			}
			continue
		}
		u := unescapeValue(v)
		if !utf8.ValidString(u) {
			return nil, spaydErr(k, "not UTF-8 text")
		}
		fields[k] = u
		raws = append(raws, raw{k, v})
	}
	if err := checkFields(fields); err != nil {
		return nil, err
	}
	if crc != "" {
		if len(crc) != 8 || strings.ToUpper(crc) != crc {
			return nil, spaydErr("CRC32", "not 8 upper-case hexadecimal digits")
		}
		want, err := strconv.ParseUint(crc, 16, 32)
		if err != nil {
			return nil, spaydErr("CRC32", "not 8 upper-case hexadecimal digits")
		}
		sort.Slice(raws, func(i, j int) bool { return raws[i].k < raws[j].k })
		var b strings.Builder
		b.WriteString(spaydHeader)
		for i, r := range raws {
			if i > 0 {
				b.WriteByte('*')
			}
			b.WriteString(r.k)
			b.WriteByte(':')
			b.WriteString(r.v)
		}
		if got := crc32.ChecksumIEEE([]byte(b.String())); got != uint32(want) {
			return nil, fmt.Errorf("%w: QR Platba CRC32 is %s, the fields give %08X", ErrFormat, crc, got)
		}
	}
	return fields, nil
}

func validKey(k string) bool {
	if k == "" || k[0] == '-' {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// checkFields checks the values of the fields whose form SPAYD 1.0 fixes.
func checkFields(f map[string]string) error {
	acc, ok := f["ACC"]
	if !ok {
		return spaydErr("ACC", "missing")
	}
	if len(acc) > 46 {
		return spaydErr("ACC", "longer than 46 characters")
	}
	if got, err := spaydAccount(acc); err != nil || got != acc {
		return spaydErr("ACC", "not a valid IBAN[+BIC] (compact, upper case)")
	}
	if alt, ok := f["ALT-ACC"]; ok {
		if len(alt) > 93 {
			return spaydErr("ALT-ACC", "longer than 93 characters")
		}
		list := strings.Split(alt, ",")
		if len(list) > 2 {
			return spaydErr("ALT-ACC", "more than two accounts")
		}
		for _, a := range list {
			if got, err := spaydAccount(a); err != nil || got != a {
				return spaydErr("ALT-ACC", "not a valid IBAN[+BIC]")
			}
		}
	}
	if am, ok := f["AM"]; ok {
		if _, valid := parseAmount(am); !valid || len(am) > 10 {
			return spaydErr("AM", "not a decimal amount with at most 2 decimals and 10 characters")
		}
	}
	if cc, ok := f["CC"]; ok && !isCurrency(cc) {
		return spaydErr("CC", "not three upper-case letters")
	}
	if dt, ok := f["DT"]; ok {
		if len(dt) != 8 || !allDigits(dt) || atoi(dt[:4]) == 0 || !validDate(atoi(dt[:4]), atoi(dt[4:6]), atoi(dt[6:])) {
			return spaydErr("DT", "not a date YYYYMMDD (year 0001 to 9999)")
		}
	}
	for _, k := range []string{"X-VS", "X-SS", "X-KS"} {
		if v, ok := f[k]; ok && (v == "" || len(v) > 10 || !allDigits(v)) {
			return spaydErr(k, "not 1 to 10 digits")
		}
	}
	if v, ok := f["RF"]; ok && (v == "" || len(v) > 16 || !allDigits(v)) {
		return spaydErr("RF", "not 1 to 16 digits")
	}
	if v, ok := f["X-PER"]; ok && (v == "" || len(v) > 2 || !allDigits(v) || atoi(v) > 30) {
		return spaydErr("X-PER", "not a number of days 0 to 30")
	}
	for _, l := range []struct {
		k   string
		max int
	}{{"MSG", 60}, {"RN", 35}, {"X-ID", 20}, {"X-URL", 140}, {"PT", 3}} {
		if v, ok := f[l.k]; ok && utf8.RuneCountInString(v) > l.max {
			return spaydErr(l.k, fmt.Sprintf("longer than %d characters", l.max))
		}
	}
	return nil
}
