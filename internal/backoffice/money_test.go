package backoffice

import (
	"testing"

	"github.com/radnice/radnice/internal/i18n"
)

func TestParseAmount(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    int64
		problem string
	}{
		{"350", 35000, ""},
		{"1 234,50", 123450, ""},
		{"1\u00a0234,50", 123450, ""},
		{"1\u202f234,5", 123450, ""},
		{"1234.5", 123450, ""},
		{"1234,05", 123405, ""},
		{"0,01", 1, ""},
		{"0.1", 10, ""},
		{" 12 ", 1200, ""},
		{"350 Kč", 35000, ""},
		{"350 kč", 35000, ""},
		{"350Kc", 35000, ""},
		{"350,-", 35000, ""},
		{"350,- Kč", 35000, ""},
		{"100 000", 10_000_000, ""},
		{"100000,00", 10_000_000, ""},
		{"007", 700, ""},

		{"", 0, "bo.pay.amount.required"},
		{"   ", 0, "bo.pay.amount.required"},
		{"abc", 0, "bo.pay.amount.format"},
		{"12a", 0, "bo.pay.amount.format"},
		{"1,2,3", 0, "bo.pay.amount.format"},
		{"1.234,50", 0, "bo.pay.amount.format"},
		{"1 23", 0, "bo.pay.amount.format"},
		{"1234 567", 0, "bo.pay.amount.format"},
		{"12,", 0, "bo.pay.amount.format"},
		{",50", 0, "bo.pay.amount.format"},
		{"1e3", 0, "bo.pay.amount.format"},
		{"+5", 0, "bo.pay.amount.format"},
		{"Kč", 0, "bo.pay.amount.format"},
		{"1,234", 0, "bo.pay.amount.decimals"},
		{"1.234", 0, "bo.pay.amount.decimals"},
		{"0,001", 0, "bo.pay.amount.decimals"},
		{"-5", 0, "bo.pay.amount.negative"},
		{"\u22125", 0, "bo.pay.amount.negative"},
		{"-0,50", 0, "bo.pay.amount.negative"},
		{"0", 0, "bo.pay.amount.range"},
		{"0,00", 0, "bo.pay.amount.range"},
		{"100 000,01", 0, "bo.pay.amount.range"},
		{"100001", 0, "bo.pay.amount.range"},
		{"99999999999999999999999", 0, "bo.pay.amount.range"},
	}
	for _, c := range cases {
		got, problem := parseAmount(c.in)
		if got != c.want || problem != c.problem {
			t.Errorf("parseAmount(%q) = %d, %q; want %d, %q", c.in, got, problem, c.want, c.problem)
		}
	}
}

// What the portal shows parses back exactly: every amount the desk accepts,
// as i18n.Money writes it in Czech ("1 234,56 Kč").
func TestParseAmountRoundTrip(t *testing.T) {
	t.Parallel()
	for h := int64(1); h <= maxAmount; h += 997 {
		s := i18n.Money(i18n.CS, h)
		if got, problem := parseAmount(s); got != h || problem != "" {
			t.Fatalf("parseAmount(%q) = %d, %q; want %d", s, got, problem, h)
		}
	}
}
