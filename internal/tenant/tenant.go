// Package tenant is the municipality: one town in an installation that may
// host several. A request's Host names its town; every row in the database
// belongs to one town and every query is scoped by it.
//
// This package must never let a caller reach a town by anything but an
// explicit host or slug lookup.
package tenant

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/czid"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/i18n"
)

// Tenant is one municipality and how it presents itself.
type Tenant struct {
	ID           int64
	Slug         string  // short, URL-safe name: "jizerov"
	Name         string  // "Jizerov"
	OfficialName string  // "Statutární město Jizerov"
	ICO          string  // the town's own IČO
	DataBox      string  // ID datové schránky
	CoatOfArms   string  // SVG document, may be empty
	ColorPrimary string  // #rrggbb; white text must be readable on it
	ColorAccent  string  // #rrggbb
	IBAN         string  // the town's account for payments
	Email        string  // podatelna
	Phone        string  // switchboard
	Address      string  // postal address of the town hall
	OfficeHours  []Hours // úřední hodiny
	DefaultLang  i18n.Lang
	Demo         bool     // a demo town: fake data, fake outside systems
	Hosts        []string // host names that serve this town, lower case, no port
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Hours is one opening interval of the town hall.
type Hours struct {
	Day   int    `json:"day"`   // 1 = Monday ... 7 = Sunday
	Open  string `json:"open"`  // "08:00"
	Close string `json:"close"` // "17:00"
}

var (
	slugRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)
	hostRE  = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)
	colorRE = regexp.MustCompile(`^#[0-9a-f]{6}$`)
	clockRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

// Normalize lower-cases and trims what a person may type loosely.
func (t *Tenant) Normalize() {
	t.Slug = strings.ToLower(strings.TrimSpace(t.Slug))
	t.Name = strings.TrimSpace(t.Name)
	t.OfficialName = strings.TrimSpace(t.OfficialName)
	t.ColorPrimary = strings.ToLower(strings.TrimSpace(t.ColorPrimary))
	t.ColorAccent = strings.ToLower(strings.TrimSpace(t.ColorAccent))
	t.IBAN = strings.ToUpper(strings.ReplaceAll(t.IBAN, " ", ""))
	for i, h := range t.Hosts {
		t.Hosts[i] = NormalizeHost(h)
	}
	if t.DefaultLang == "" {
		t.DefaultLang = i18n.CS
	}
}

// Validate checks a town's settings; the message keys are in i18n.
func (t *Tenant) Validate() error {
	var v derr.InvalidError
	if !slugRE.MatchString(t.Slug) {
		v.Add("slug", "tenant.slug.invalid", "use 1-40 lower-case letters, digits and dashes")
	}
	if t.Name == "" || len(t.Name) > 200 {
		v.Add("name", "tenant.name.invalid", "a name of 1-200 characters is required")
	}
	if len(t.Hosts) == 0 {
		v.Add("hosts", "tenant.hosts.missing", "at least one host name is required")
	}
	seen := map[string]bool{}
	for _, h := range t.Hosts {
		if !hostRE.MatchString(h) || len(h) > 253 {
			v.Add("hosts", "tenant.hosts.invalid", fmt.Sprintf("%q is not a host name", h))
		}
		if seen[h] {
			v.Add("hosts", "tenant.hosts.duplicate", fmt.Sprintf("%q is listed twice", h))
		}
		seen[h] = true
	}
	if !colorRE.MatchString(t.ColorPrimary) {
		v.Add("color_primary", "tenant.color.invalid", "use #rrggbb")
	} else if c := Contrast(t.ColorPrimary, "#ffffff"); c < 4.5 {
		// White text sits on the primary colour: WCAG 2.1 AA needs 4.5:1.
		v.Add("color_primary", "tenant.color.contrast", fmt.Sprintf("white text on it has contrast %.1f:1, at least 4.5:1 is needed", c))
	}
	if !colorRE.MatchString(t.ColorAccent) {
		v.Add("color_accent", "tenant.color.invalid", "use #rrggbb")
	}
	if t.IBAN != "" && !czid.ValidIBAN(t.IBAN) {
		v.Add("iban", "tenant.iban.invalid", "not a valid IBAN")
	}
	if t.ICO != "" && !czid.ValidICO(t.ICO) {
		v.Add("ico", "tenant.ico.invalid", "not a valid IČO")
	}
	if _, ok := i18n.Parse(string(t.DefaultLang)); !ok {
		v.Add("default_lang", "tenant.lang.invalid", "use cs or en")
	}
	for _, h := range t.OfficeHours {
		if h.Day < 1 || h.Day > 7 || !clockRE.MatchString(h.Open) || !clockRE.MatchString(h.Close) || h.Open >= h.Close {
			v.Add("office_hours", "tenant.hours.invalid", fmt.Sprintf("day %d %s-%s is not a valid interval", h.Day, h.Open, h.Close))
		}
	}
	if len(t.CoatOfArms) > 200_000 {
		v.Add("coat_of_arms", "tenant.arms.too_big", "the SVG must be under 200 kB")
	}
	return v.Err()
}

// NormalizeHost turns a Host header into the form stored: lower case, no
// port, no trailing dot.
func NormalizeHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if strings.HasPrefix(h, "[") { // IPv6 literal
		if i := strings.Index(h, "]"); i >= 0 {
			return h[:i+1]
		}
		return h
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	return strings.TrimSuffix(h, ".")
}

// OfficeHoursByDay groups the opening intervals per weekday, Monday first,
// skipping closed days.
func (t *Tenant) OfficeHoursByDay() [][]Hours {
	var out [][]Hours
	for day := 1; day <= 7; day++ {
		var d []Hours
		for _, h := range t.OfficeHours {
			if h.Day == day {
				d = append(d, h)
			}
		}
		if len(d) > 0 {
			out = append(out, d)
		}
	}
	return out
}

func (t *Tenant) hoursJSON() string {
	b, _ := json.Marshal(t.OfficeHours)
	if t.OfficeHours == nil {
		return "[]"
	}
	return string(b)
}

// Contrast is the WCAG 2.1 contrast ratio of two #rrggbb colours.
func Contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	var c [3]float64
	for i := range 3 {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.03928 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}
