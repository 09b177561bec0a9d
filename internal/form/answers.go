package form

import (
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/radnice/radnice/internal/derr"
)

// Facts are what checking answers needs besides the answers: the filer's
// today, the people of their households (a household field may name only
// them) and the files attached to the draft, by field.
type Facts struct {
	Today     time.Time // a date in the filer's time zone
	Household []Member
	Files     map[string][]string // file ids by field id, in upload order
}

// Member is a person of the filer's household.
type Member struct {
	ID   string // the person's id
	Name string
}

// Default lengths of text answers when a field names none.
const (
	DefaultMaxText     = 200
	DefaultMaxTextarea = 4000
	maxEmail           = 254
	maxPhone           = 25
	maxPart            = 100 // an address part
	maxPlace           = 500 // a location's description
	maxCoordinate      = 30  // a number, a date, a coordinate as typed
)

// Visible tells which fields are asked, given the answers: a field whose
// condition does not hold is not asked, nor is one whose condition names
// a field that is not asked.
func (d *Definition) Visible(a Answers) map[string]bool {
	vis := map[string]bool{}
	for i := range d.Steps {
		for _, f := range d.Steps[i].Fields {
			vis[f.ID] = f.When == nil || (vis[f.When.Field] && f.When.Holds(a))
		}
	}
	return vis
}

// Normalize returns the answers the form keeps: trimmed, of known fields
// only, without the answers of fields that are not asked, with dates,
// numbers and postal codes in one canonical form where they can be read.
// File fields are answered by facts.Files, never by what a page posted.
func (d *Definition) Normalize(a Answers, facts Facts) Answers {
	out := Answers{}
	for i := range d.Steps {
		for j := range d.Steps[i].Fields {
			f := &d.Steps[i].Fields[j]
			// A condition holds only on an answer kept so far: a field that
			// depends on one not asked is not asked either.
			if f.When != nil && !f.When.Holds(out) {
				continue
			}
			if f.Type == TypeFile {
				if ids := facts.Files[f.ID]; len(ids) > 0 {
					out[f.ID] = slices.Clone(ids)
				}
				continue
			}
			for _, k := range f.Keys() {
				if vs := normalize(f, k, a[k]); len(vs) > 0 {
					out[k] = vs
				}
			}
		}
	}
	return out
}

func normalize(f *Field, key string, vs []string) []string {
	if f.Type == TypeChoice {
		var out []string
		for _, v := range vs {
			if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	if len(vs) == 0 {
		return nil
	}
	v := strings.TrimSpace(vs[0])
	switch {
	case f.Type == TypeTextarea:
		v = strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\r", "\n")
	case f.Type == TypeNumber || strings.HasSuffix(key, ".lat") || strings.HasSuffix(key, ".lon"):
		if n, ok := ParseNumber(v); ok {
			v = strconv.FormatFloat(n, 'f', -1, 64)
		}
	case f.Type == TypeDate:
		if t, ok := ParseDate(v); ok {
			v = t.Format(time.DateOnly)
		}
	case strings.HasSuffix(key, ".zip"):
		if z := strings.Join(strings.Fields(v), ""); len(z) == 5 && allDigits(z) {
			v = z[:3] + " " + z[3:]
		}
	case f.Type == TypePhone || f.Type == TypeText:
		v = strings.Join(strings.Fields(v), " ")
	}
	if v == "" {
		return nil
	}
	return []string{v}
}

// ParseNumber reads a number as people type it: "1 234,5", "1234.5",
// "-3". Exponents, NaN and infinities are not numbers here.
func ParseNumber(s string) (float64, bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' {
			return -1
		}
		if r == '−' { // the typographic minus
			return '-'
		}
		return r
	}, s)
	if !numberRE.MatchString(s) {
		return 0, false
	}
	n, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0, false
	}
	return n, true
}

var numberRE = regexp.MustCompile(`^[+-]?[0-9]{1,15}([.,][0-9]{1,10})?$`)

// ParseDate reads a date as a browser sends it (2026-03-01) or as people
// type it (1. 3. 2026, 1.3.2026).
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	m := czDateRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	day, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	year, _ := strconv.Atoi(m[3])
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day || int(t.Month()) != month { // 31. 2. does not exist
		return time.Time{}, false
	}
	return t, true
}

var czDateRE = regexp.MustCompile(`^([0-9]{1,2})\.\s*([0-9]{1,2})\.\s*([0-9]{4})$`)

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// patterns caches compiled field patterns: a form is checked at every
// step, and its patterns are few.
var patterns sync.Map // string -> *regexp.Regexp

// compile compiles a field's pattern, anchored: the whole answer must
// match.
func compile(p string) (*regexp.Regexp, error) {
	if re, ok := patterns.Load(p); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(`^(?:` + p + `)$`)
	if err != nil {
		return nil, err
	}
	patterns.Store(p, re)
	return re, nil
}

// Mode says how strictly a step is checked.
type Mode int

const (
	// Complete: every asked field of the step is checked, required ones
	// must be answered (Next, Review, File).
	Complete Mode = iota
	// Partial: what is answered must be well formed, but nothing is
	// required yet (Save for later, an upload).
	Partial
)

// CheckStep checks the asked fields of step i and returns the normalized
// answers of the whole form. only, when not nil, limits the check to the
// fields it names (those the page showed: a field that a choice on the
// same page has just made asked is asked next, not refused).
func (d *Definition) CheckStep(a Answers, i int, facts Facts, mode Mode, only map[string]bool) (Answers, error) {
	if i < 0 || i >= len(d.Steps) {
		return nil, fmt.Errorf("%w: no step %d", derr.ErrInvalid, i)
	}
	out := d.Normalize(a, facts)
	var v derr.InvalidError
	d.checkStep(out, i, facts, mode, only, &v)
	return out, v.Err()
}

// Check checks every step, as before filing, and returns the normalized
// answers.
func (d *Definition) Check(a Answers, facts Facts) (Answers, error) {
	out := d.Normalize(a, facts)
	var v derr.InvalidError
	for i := range d.Steps {
		d.checkStep(out, i, facts, Complete, nil, &v)
	}
	return out, v.Err()
}

// FirstInvalid is the index of the first step with a problem in err (a
// check's error), or -1.
func (d *Definition) FirstInvalid(err error) int {
	inv, ok := err.(*derr.InvalidError)
	if !ok {
		return -1
	}
	first := -1
	for _, fe := range inv.Fields {
		id, _, _ := strings.Cut(fe.Field, ".")
		if _, i := d.Field(id); i >= 0 && (first < 0 || i < first) {
			first = i
		}
	}
	return first
}

func (d *Definition) checkStep(a Answers, i int, facts Facts, mode Mode, only map[string]bool, v *derr.InvalidError) {
	vis := d.Visible(a)
	for j := range d.Steps[i].Fields {
		f := &d.Steps[i].Fields[j]
		if !vis[f.ID] || (only != nil && !only[f.ID]) {
			continue
		}
		required := f.Required && mode == Complete
		switch f.Type {
		case TypeAddress:
			checkAddress(f, a, required, v)
		case TypeLocation:
			checkLocation(f, a, required, v)
		case TypeFile:
			n, max := len(a[f.ID]), f.MaxFiles
			if max == 0 {
				max = DefaultMaxFiles
			}
			if n == 0 && required {
				v.Add(f.ID, "form.file.required", "attach at least one file")
			} else if n > max {
				v.Add(f.ID, "form.file.max", fmt.Sprintf("at most %d files", max))
			}
		default:
			vs := a[f.ID]
			if len(vs) == 0 {
				if required {
					key := "form.required"
					if f.Type == TypeChoice || f.Type == TypeHousehold {
						key = "form.choose"
					}
					v.Add(f.ID, key, "an answer is required")
				}
				continue
			}
			checkValue(f, vs, facts, v)
		}
	}
}

func checkValue(f *Field, vs []string, facts Facts, v *derr.InvalidError) {
	val := vs[0]
	switch f.Type {
	case TypeChoice:
		if !f.Multiple && len(vs) > 1 {
			v.Add(f.ID, "form.choice", "one answer only")
			return
		}
		for _, x := range vs {
			if !slices.ContainsFunc(f.Options, func(o Option) bool { return o.Value == x }) {
				v.Add(f.ID, "form.choice", "not one of the options")
				return
			}
		}
		return
	case TypeHousehold:
		if !slices.ContainsFunc(facts.Household, func(m Member) bool { return m.ID == val }) {
			v.Add(f.ID, "form.household", "not a person of the filer's household")
		}
		return
	case TypeNumber:
		n, ok := ParseNumber(val)
		switch {
		case !ok:
			v.Add(f.ID, "form.number", "not a number")
		case f.Min != nil && n < *f.Min:
			v.Add(f.ID, "form.number.min", fmt.Sprintf("at least %g", *f.Min))
		case f.Max != nil && n > *f.Max:
			v.Add(f.ID, "form.number.max", fmt.Sprintf("at most %g", *f.Max))
		}
		return
	case TypeDate:
		t, ok := ParseDate(val)
		today := facts.Today
		day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
		switch {
		case !ok:
			v.Add(f.ID, "form.date", "not a date")
		case t.Year() < 1900 || t.Year() > 2200:
			v.Add(f.ID, "form.date", "a date out of range")
		case f.Min != nil && t.Before(day.AddDate(0, 0, int(*f.Min))):
			key := "form.date.min"
			if *f.Min == 0 {
				key = "form.date.past"
			}
			v.Add(f.ID, key, fmt.Sprintf("not before today%+d days", int(*f.Min)))
		case f.Max != nil && t.After(day.AddDate(0, 0, int(*f.Max))):
			key := "form.date.max"
			if *f.Max == 0 {
				key = "form.date.future"
			}
			v.Add(f.ID, key, fmt.Sprintf("not after today%+d days", int(*f.Max)))
		}
		return
	case TypeEmail:
		addr, err := mail.ParseAddress(val)
		if utf8.RuneCountInString(val) > maxEmail || err != nil || addr.Address != val || addr.Name != "" ||
			!strings.Contains(val[strings.LastIndexByte(val, '@')+1:], ".") {
			v.Add(f.ID, "form.email", "not an e-mail address")
		}
		return
	case TypePhone:
		digits := strings.ReplaceAll(val, " ", "")
		if len(val) > maxPhone || !phoneRE.MatchString(digits) {
			v.Add(f.ID, "form.phone", "not a phone number")
			return
		}
	}
	// Text, textarea, phone: length and pattern.
	if limit := f.MaxLen(f.ID); utf8.RuneCountInString(val) > limit {
		v.Add(f.ID, "form.toolong", fmt.Sprintf("at most %d characters", limit))
		return
	}
	if f.Pattern != "" {
		if re, err := compile(f.Pattern); err != nil || !re.MatchString(val) {
			v.Add(f.ID, "form.pattern", "does not match the pattern")
		}
	}
}

var (
	phoneRE       = regexp.MustCompile(`^\+?[0-9]{9,15}$`)
	zipRE         = regexp.MustCompile(`^[0-9]{3} [0-9]{2}$`)
	houseNumberRE = regexp.MustCompile(`^[0-9]{1,5}[a-zA-Z]?(/[0-9]{1,5}[a-zA-Z]?)?$`)
)

func checkAddress(f *Field, a Answers, required bool, v *derr.InvalidError) {
	any := false
	for _, k := range f.Keys() {
		any = any || a.Get(k) != ""
	}
	if !any && !required {
		return
	}
	// A street is optional: many villages number their houses without one.
	for _, p := range AddressParts {
		val := a.Get(f.ID + "." + p)
		k := f.ID + "." + p
		switch {
		case utf8.RuneCountInString(val) > f.MaxLen(k):
			v.Add(k, "form.toolong", fmt.Sprintf("at most %d characters", f.MaxLen(k)))
		case p == "street":
		case val == "":
			v.Add(k, "form.address."+p, "required")
		case p == "number" && !houseNumberRE.MatchString(val):
			v.Add(k, "form.address.number", "not a house number")
		case p == "zip" && !zipRE.MatchString(val):
			v.Add(k, "form.address.zip", "not a postal code")
		}
	}
}

func checkLocation(f *Field, a Answers, required bool, v *derr.InvalidError) {
	lat, lon, text := a.Get(f.ID+".lat"), a.Get(f.ID+".lon"), a.Get(f.ID+".text")
	if utf8.RuneCountInString(text) > f.MaxLen(f.ID+".text") {
		v.Add(f.ID+".text", "form.toolong", fmt.Sprintf("at most %d characters", f.MaxLen(f.ID+".text")))
	}
	if lat == "" && lon == "" {
		if required && text == "" {
			v.Add(f.ID+".text", "form.location.required", "describe the place or give its coordinates")
		}
		return
	}
	if (lat == "") != (lon == "") {
		k := f.ID + ".lat"
		if lon == "" {
			k = f.ID + ".lon"
		}
		v.Add(k, "form.location.pair", "both coordinates or none")
		return
	}
	if n, ok := ParseNumber(lat); !ok || n < -90 || n > 90 {
		v.Add(f.ID+".lat", "form.location.lat", "latitude is -90 to 90")
	}
	if n, ok := ParseNumber(lon); !ok || n < -180 || n > 180 {
		v.Add(f.ID+".lon", "form.location.lon", "longitude is -180 to 180")
	}
}

// MaxLen is the most characters the answer key of the field may have.
func (f *Field) MaxLen(key string) int {
	switch f.Type {
	case TypeAddress:
		return maxPart
	case TypeLocation:
		if strings.HasSuffix(key, ".text") {
			return maxPlace
		}
		return maxCoordinate
	case TypeEmail:
		return maxEmail
	case TypePhone:
		return maxPhone
	case TypeNumber, TypeDate:
		return maxCoordinate
	case TypeTextarea:
		if f.MaxLength > 0 {
			return f.MaxLength
		}
		return DefaultMaxTextarea
	}
	if f.MaxLength > 0 {
		return f.MaxLength
	}
	return DefaultMaxText
}

// Profile is what the town's records say of the filer, for prefilling.
type Profile struct {
	PersonID           string // "" for a company
	Name, Email, Phone string
	Street, Number     string
	City, Zip          string
}

// Prefill returns the answers a new draft starts with: the fields that
// name a source in Prefill, from the filer's record.
func (d *Definition) Prefill(p Profile) Answers {
	a := Answers{}
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			a[k] = []string{v}
		}
	}
	for i := range d.Steps {
		for _, f := range d.Steps[i].Fields {
			switch f.Prefill {
			case "person.name":
				set(f.ID, p.Name)
			case "person.email":
				set(f.ID, p.Email)
			case "person.phone":
				set(f.ID, p.Phone)
			case "person.self":
				set(f.ID, p.PersonID)
			case "person.address":
				set(f.ID+".street", p.Street)
				set(f.ID+".number", p.Number)
				set(f.ID+".city", p.City)
				set(f.ID+".zip", p.Zip)
			}
		}
	}
	return a
}
