package i18n

import (
	"testing"
	"time"
)

func TestMoney(t *testing.T) {
	t.Parallel()
	cases := []struct {
		lang Lang
		h    int64
		want string
	}{
		{CS, 0, "0,00\u00a0Kč"},
		{CS, 90000, "900,00\u00a0Kč"},
		{CS, 123456, "1\u00a0234,56\u00a0Kč"},
		{CS, 100000000, "1\u00a0000\u00a0000,00\u00a0Kč"},
		{CS, -5, "−0,05\u00a0Kč"},
		{EN, 123456, "CZK\u00a01,234.56"},
	}
	for _, c := range cases {
		if got := Money(c.lang, c.h); got != c.want {
			t.Errorf("Money(%s, %d) = %q, want %q", c.lang, c.h, got, c.want)
		}
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	// 23:30 UTC on 31 May is already 1 June in Prague (summer time).
	d := time.Date(2026, 5, 31, 23, 30, 0, 0, time.UTC)
	if got := Date(CS, d); got != "1.\u00a06.\u00a02026" {
		t.Errorf("Date(cs) = %q", got)
	}
	if got := Date(EN, d); got != "1 Jun 2026" {
		t.Errorf("Date(en) = %q", got)
	}
}

func TestParseAndT(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Lang{"cs": CS, "CZ": CS, " en ": EN} {
		if got, ok := Parse(in); !ok || got != want {
			t.Errorf("Parse(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := Parse("de"); ok {
		t.Error("Parse(de) accepted")
	}
	if T(EN, "weekday.1") != "Monday" || T(CS, "weekday.1") != "pondělí" {
		t.Error("weekday names")
	}
	if T(CS, "no.such.key") != "no.such.key" {
		t.Error("missing key should come back as itself")
	}
}
