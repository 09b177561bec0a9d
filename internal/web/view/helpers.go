package view

import (
	"strconv"
	"strings"

	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/tenant"
)

// A11yStatementDate is when the accessibility statement was last prepared;
// change it whenever the statement's text changes.
const A11yStatementDate = "23. 11. 2026"

// a11yStatementDateEN is the same date written the English way.
const a11yStatementDateEN = "23 November 2026"

// OtherLangs are the languages the page can be switched to.
func (p *Page) OtherLangs() []i18n.Lang {
	var out []i18n.Lang
	for _, l := range i18n.Langs {
		if l != p.Lang {
			out = append(out, l)
		}
	}
	return out
}

// langName is a language's name in that language, as a switch shows it.
func langName(l i18n.Lang) string {
	switch l {
	case i18n.CS:
		return "Čeština"
	case i18n.EN:
		return "English"
	}
	return string(l)
}

// HoursText is one day's opening intervals: "08:00–12:00, 13:00–17:00".
func (p *Page) HoursText(day []tenant.Hours) string {
	parts := make([]string, len(day))
	for i, h := range day {
		parts[i] = p.T("contacts.hours.range", h.Open, h.Close)
	}
	return strings.Join(parts, ", ")
}

// HasHours reports whether the town publishes office hours.
func (p *Page) HasHours() bool {
	return p.Tenant != nil && len(p.Tenant.OfficeHours) > 0
}

// ClosedSomeDays reports whether the office is closed on at least one
// weekday, so the page should say so.
func (p *Page) ClosedSomeDays() bool {
	return p.Tenant != nil && len(p.Tenant.OfficeHoursByDay()) < 7
}

// DayName names a weekday of an hours group.
func (p *Page) DayName(day []tenant.Hours) string {
	if len(day) == 0 {
		return ""
	}
	return i18n.Weekday(p.Lang, day[0].Day)
}

// SiteAddress is the portal's public address, for the accessibility
// statement: the town's first host name.
func (p *Page) SiteAddress() string {
	if p.Tenant == nil || len(p.Tenant.Hosts) == 0 {
		return ""
	}
	return p.Tenant.Hosts[0]
}

// A11yDate is the statement's date in the page's language.
func (p *Page) A11yDate() string {
	if p.Lang == i18n.EN {
		return a11yStatementDateEN
	}
	return A11yStatementDate
}

// telHref makes a tel: link from a phone number as people write it.
func telHref(phone string) string {
	var b strings.Builder
	b.WriteString("tel:")
	for i, r := range phone {
		if (r >= '0' && r <= '9') || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// FormatIBAN groups an IBAN in fours, as it is printed: "CZ65 0800 ...".
func FormatIBAN(iban string) string {
	iban = strings.ToUpper(strings.ReplaceAll(iban, " ", ""))
	var b strings.Builder
	for i, r := range iban {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// errorKey is the suffix of an error page's message keys for status.
func errorKey(status int) string {
	switch status {
	case 400, 403, 404, 405, 413, 429, 500, 503:
		return strconv.Itoa(status)
	}
	return "other"
}

// ErrorTitle is the heading of the error page for d.
func (p *Page) ErrorTitle(d ErrorData) string { return p.T("error.title." + errorKey(d.Status)) }

// ErrorText explains the error in plain words.
func (p *Page) ErrorText(d ErrorData) string { return p.T("error.text." + errorKey(d.Status)) }

// homeTitle greets with the town's name.
func (p *Page) homeTitle() string {
	if p.Tenant == nil {
		return p.T("portal.name")
	}
	return p.T("home.title", p.Tenant.Name)
}

// OfficialName is the town's full name ("Statutární město Jizerov"), or
// its short name when no official one is set.
func (p *Page) OfficialName() string {
	if p.Tenant == nil {
		return ""
	}
	if p.Tenant.OfficialName != "" {
		return p.Tenant.OfficialName
	}
	return p.Tenant.Name
}
