package form

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/radnice/radnice/internal/derr"
)

// Levels of assurance a form may require, weakest first.
var Levels = []string{"low", "substantial", "high"}

// Types lists the field types.
var Types = []string{TypeText, TypeTextarea, TypeNumber, TypeDate, TypeChoice, TypeAddress, TypeHousehold, TypeFile,
	TypeEmail, TypePhone, TypeLocation}

// Prefills are the sources a field may be prefilled from, with the field
// type each needs.
var Prefills = map[string]string{
	"person.name":    TypeText,
	"person.email":   TypeEmail,
	"person.phone":   TypePhone,
	"person.address": TypeAddress,
	"person.self":    TypeHousehold, // the filer, when the household field asks who
}

// Parts of composite answers: an address field answers "<id>.street" ...,
// a location "<id>.lat" ...
var (
	AddressParts  = []string{"street", "number", "city", "zip"}
	LocationParts = []string{"lat", "lon", "text"}
)

// DeclarationsKey is the answer that records which declarations the filer
// confirmed when filing. Field ids cannot start with "_", so it never
// collides with a field.
const DeclarationsKey = "_declarations"

// NameKey is the answer a filed submission keeps beside a household
// field's person id: the person's name as the filer chose it, so the case
// shows what was filed even if the records change later.
func NameKey(fieldID string) string { return fieldID + ".name" }

// Limits of a definition.
const (
	MaxSteps  = 20
	MaxFields = 200
	// A draft holds at most five files altogether (submission.MaxFiles),
	// so no field asks for more.
	MaxFilesField   = 5
	DefaultMaxFiles = 5
)

var (
	idRE   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// ValidSlug tells whether s may name a form in addresses (/formulare/<slug>).
func ValidSlug(s string) bool { return len(s) <= 60 && slugRE.MatchString(s) }

// Keys are the answer keys of a field: its id, or "<id>.<part>" for an
// address or a location.
func (f *Field) Keys() []string {
	switch f.Type {
	case TypeAddress:
		return parts(f.ID, AddressParts)
	case TypeLocation:
		return parts(f.ID, LocationParts)
	}
	return []string{f.ID}
}

func parts(id string, ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = id + "." + p
	}
	return out
}

// Field returns the field with id and the index of its step; nil when the
// form has none.
func (d *Definition) Field(id string) (*Field, int) {
	for i := range d.Steps {
		for j := range d.Steps[i].Fields {
			if d.Steps[i].Fields[j].ID == id {
				return &d.Steps[i].Fields[j], i
			}
		}
	}
	return nil, -1
}

// HasFiles tells whether step i asks for files (its page is then sent as
// multipart/form-data).
func (d *Definition) HasFiles(i int) bool {
	if i < 0 || i >= len(d.Steps) {
		return false
	}
	for _, f := range d.Steps[i].Fields {
		if f.Type == TypeFile {
			return true
		}
	}
	return false
}

// Validate checks a definition before it is published: ids unique and
// well formed, known types, choices with options, conditions on choices
// asked earlier, prefills that fit their field, a price with an obligation
// kind, a known level. Every problem is one field error (key
// "form.def.invalid", the detail in English for the command line).
func (d *Definition) Validate() error {
	var v derr.InvalidError
	bad := func(where, format string, args ...any) {
		v.Add(where, "form.def.invalid", fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(d.Title.CS) == "" {
		bad("title", "the form needs a Czech title")
	}
	if strings.TrimSpace(d.Department) == "" {
		bad("department", "the form needs the department that handles it")
	}
	if !slices.Contains(Levels, d.Level) {
		bad("level", "level must be one of %s, not %q", strings.Join(Levels, ", "), d.Level)
	}
	if len(d.Steps) == 0 || len(d.Steps) > MaxSteps {
		bad("steps", "a form has 1 to %d steps, this one %d", MaxSteps, len(d.Steps))
	}
	steps := map[string]bool{}
	seen := map[string]*Field{} // fields so far, in form order
	count := 0
	for i := range d.Steps {
		s := &d.Steps[i]
		at := fmt.Sprintf("steps[%d]", i)
		if !idRE.MatchString(s.ID) {
			bad(at+".id", "step id %q: lower-case letters, digits and _, starting with a letter", s.ID)
		} else if steps[s.ID] {
			bad(at+".id", "step id %q is used twice", s.ID)
		}
		steps[s.ID] = true
		if strings.TrimSpace(s.Title.CS) == "" {
			bad(at+".title", "step %q needs a Czech title", s.ID)
		}
		if len(s.Fields) == 0 {
			bad(at+".fields", "step %q asks nothing", s.ID)
		}
		for j := range s.Fields {
			f := &s.Fields[j]
			count++
			fat := fmt.Sprintf("%s.fields[%d]", at, j)
			if !idRE.MatchString(f.ID) {
				bad(fat+".id", "field id %q: lower-case letters, digits and _, starting with a letter", f.ID)
			} else if seen[f.ID] != nil {
				bad(fat+".id", "field id %q is used twice", f.ID)
			}
			checkField(f, fat, seen, bad)
			seen[f.ID] = f
		}
	}
	if count > MaxFields {
		bad("steps", "a form has at most %d fields, this one %d", MaxFields, count)
	}
	decl := map[string]bool{}
	for i, dc := range d.Declarations {
		at := fmt.Sprintf("declarations[%d]", i)
		if !idRE.MatchString(dc.ID) || decl[dc.ID] {
			bad(at+".id", "declaration id %q is malformed or used twice", dc.ID)
		}
		decl[dc.ID] = true
		if strings.TrimSpace(dc.Text.CS) == "" {
			bad(at+".text", "declaration %q needs a Czech text", dc.ID)
		}
	}
	if d.Price != nil {
		if strings.TrimSpace(d.Obligation) == "" {
			bad("obligation", "a form with a price needs the code of the obligation kind it assesses (e.g. \"pes\")")
		}
		if d.Price.Base < 0 {
			bad("price.base", "the price cannot be negative")
		}
		for i, r := range d.Price.Rules {
			at := fmt.Sprintf("price.rules[%d]", i)
			if r.Amount < 0 {
				bad(at+".amount", "the price cannot be negative")
			}
			checkCondition(&r.When, at+".when", seen, bad)
		}
	} else if d.Obligation != "" {
		bad("obligation", "an obligation kind without a price assesses nothing; add a price or drop it")
	}
	if d.DueDays < 0 || d.DueDays > 366 {
		bad("due_days", "due_days must be 0 to 366")
	}
	return v.Err()
}

func checkField(f *Field, at string, earlier map[string]*Field, bad func(string, string, ...any)) {
	if !slices.Contains(Types, f.Type) {
		bad(at+".type", "field %q: unknown type %q (one of %s)", f.ID, f.Type, strings.Join(Types, ", "))
		return
	}
	if strings.TrimSpace(f.Label.CS) == "" {
		bad(at+".label", "field %q needs a Czech label", f.ID)
	}
	if f.Type == TypeChoice {
		if len(f.Options) == 0 {
			bad(at+".options", "choice %q has no options", f.ID)
		}
		vals := map[string]bool{}
		for _, o := range f.Options {
			if strings.TrimSpace(o.Value) == "" || o.Value != strings.TrimSpace(o.Value) || vals[o.Value] {
				bad(at+".options", "choice %q: option value %q is empty, padded or used twice", f.ID, o.Value)
			}
			vals[o.Value] = true
			if strings.TrimSpace(o.Label.CS) == "" {
				bad(at+".options", "choice %q: option %q needs a Czech label", f.ID, o.Value)
			}
		}
	} else if len(f.Options) > 0 || f.Multiple {
		bad(at+".options", "field %q: only a choice has options", f.ID)
	}
	if f.MaxLength < 0 {
		bad(at+".max_length", "field %q: max_length cannot be negative", f.ID)
	}
	if (f.Min != nil || f.Max != nil) && f.Type != TypeNumber && f.Type != TypeDate {
		bad(at+".min", "field %q: min and max are for numbers and dates", f.ID)
	}
	if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
		bad(at+".min", "field %q: min is above max", f.ID)
	}
	if f.Pattern != "" {
		if f.Type != TypeText && f.Type != TypeTextarea && f.Type != TypePhone {
			bad(at+".pattern", "field %q: a pattern is for text and phone fields", f.ID)
		} else if _, err := compile(f.Pattern); err != nil {
			bad(at+".pattern", "field %q: pattern does not compile: %v", f.ID, err)
		}
	}
	if f.MaxFiles != 0 && (f.Type != TypeFile || f.MaxFiles < 0 || f.MaxFiles > MaxFilesField) {
		bad(at+".max_files", "field %q: max_files is for file fields, 1 to %d", f.ID, MaxFilesField)
	}
	if f.Prefill != "" {
		if want, ok := Prefills[f.Prefill]; !ok || want != f.Type {
			bad(at+".prefill", "field %q (%s): cannot be prefilled from %q", f.ID, f.Type, f.Prefill)
		}
	}
	if f.When != nil {
		if f.When.Field == f.ID {
			bad(at+".when", "field %q depends on itself", f.ID)
		} else {
			checkCondition(f.When, at+".when", earlier, bad)
		}
	}
}

// checkCondition: a condition names a choice asked before it, and values
// that choice offers.
func checkCondition(c *Condition, at string, earlier map[string]*Field, bad func(string, string, ...any)) {
	f := earlier[c.Field]
	if f == nil {
		bad(at, "condition on %q, which is not a field asked before it", c.Field)
		return
	}
	if f.Type != TypeChoice {
		bad(at, "condition on %q, which is not a choice", c.Field)
		return
	}
	if len(c.Equals) == 0 {
		bad(at, "condition on %q names no value", c.Field)
	}
	for _, e := range c.Equals {
		if !slices.ContainsFunc(f.Options, func(o Option) bool { return o.Value == e }) {
			bad(at, "condition on %q: %q is not one of its options", c.Field, e)
		}
	}
}

// File is a form as a town's IT keeps it in a file: the definition with
// the slug it is published under.
type File struct {
	Slug string `json:"slug"`
	Definition
}

// ParseFile reads a form file (JSON): unknown keys are refused, so a typo
// does not silently drop a rule; the definition is validated.
func ParseFile(data []byte) (slug string, def Definition, err error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return "", Definition{}, fmt.Errorf("%w: not a form file: %v", derr.ErrInvalid, err)
	}
	if dec.More() {
		return "", Definition{}, fmt.Errorf("%w: not a form file: more than one JSON value", derr.ErrInvalid)
	}
	if !ValidSlug(f.Slug) {
		return "", Definition{}, derr.Invalid("slug", "form.def.invalid",
			fmt.Sprintf("slug %q: lower-case letters, digits and dashes, at most 60", f.Slug))
	}
	if err := f.Definition.Validate(); err != nil {
		return "", Definition{}, err
	}
	return f.Slug, f.Definition, nil
}
