// Package view holds the officials' (backoffice) page templates. They use
// the citizens' layout and Page, with the backoffice's own navigation.
package view

// LoginData is the officials' login form.
type LoginData struct {
	Email     string
	ErrorKey  string // i18n key of the problem, "" when none
	NoticeKey string // i18n key of a one-time notice (a password changed), "" when none
	Demo      *DemoHint
}

// DemoHint shows a demo town's official and the current code.
type DemoHint struct {
	Email, Password, Code string
}

// InviteData is the form that sets an invited official's password.
type InviteData struct {
	Token    string
	ErrorKey string
}

// EnrolData shows a new second-factor secret and asks for a code.
type EnrolData struct {
	Secret   string
	URL      string // otpauth:// for authenticator apps that take a link
	ErrorKey string
}

// DashboardData is the official's landing page.
type DashboardData struct {
	Name   string
	Email  string
	Grants []string // translated role names, with department
}
