package tenant_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/tenant"
)

func valid() *tenant.Tenant {
	return &tenant.Tenant{Slug: "lhota", Name: "Lhota", ColorPrimary: "#1F4E8C", ColorAccent: "#c8102e",
		IBAN: "CZ65 0800 0000 1920 0014 5399", ICO: "00064581", Hosts: []string{"Lhota.Example:443"},
		OfficeHours: []tenant.Hours{{Day: 1, Open: "08:00", Close: "17:00"}}}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tn := valid()
	tn.Normalize()
	if err := tn.Validate(); err != nil {
		t.Fatalf("valid town refused: %v", err)
	}
	if tn.Hosts[0] != "lhota.example" || tn.IBAN != "CZ6508000000192000145399" || tn.ColorPrimary != "#1f4e8c" {
		t.Fatalf("not normalised: %+v", tn)
	}
	cases := []struct {
		field  string
		change func(*tenant.Tenant)
	}{
		{"slug", func(t *tenant.Tenant) { t.Slug = "Bad Slug!" }},
		{"name", func(t *tenant.Tenant) { t.Name = "" }},
		{"hosts", func(t *tenant.Tenant) { t.Hosts = nil }},
		{"hosts", func(t *tenant.Tenant) { t.Hosts = []string{"bad host"} }},
		{"hosts", func(t *tenant.Tenant) { t.Hosts = []string{"a.test", "a.test"} }},
		{"color_primary", func(t *tenant.Tenant) { t.ColorPrimary = "blue" }},
		{"color_primary", func(t *tenant.Tenant) { t.ColorPrimary = "#ffff00" }}, // white text unreadable
		{"color_accent", func(t *tenant.Tenant) { t.ColorAccent = "#12" }},
		{"iban", func(t *tenant.Tenant) { t.IBAN = "CZ6508000000192000145398" }},
		{"ico", func(t *tenant.Tenant) { t.ICO = "12345678" }},
		{"default_lang", func(t *tenant.Tenant) { t.DefaultLang = "de" }},
		{"office_hours", func(t *tenant.Tenant) { t.OfficeHours = []tenant.Hours{{Day: 8, Open: "08:00", Close: "09:00"}} }},
		{"office_hours", func(t *tenant.Tenant) { t.OfficeHours = []tenant.Hours{{Day: 1, Open: "17:00", Close: "08:00"}} }},
		{"office_hours", func(t *tenant.Tenant) { t.OfficeHours = []tenant.Hours{{Day: 1, Open: "8:00", Close: "25:00"}} }},
	}
	for _, c := range cases {
		tn := valid()
		tn.Normalize()
		c.change(tn)
		err := tn.Validate()
		var inv *derr.InvalidError
		if !errors.As(err, &inv) || !errors.Is(err, derr.ErrInvalid) {
			t.Errorf("%s: %v, want an invalid-input error", c.field, err)
			continue
		}
		if inv.Fields[0].Field != c.field || inv.Fields[0].Key == "" {
			t.Errorf("%s: reported %+v", c.field, inv.Fields)
		}
	}
}

func TestNormalizeHost(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Localhost:8080": "localhost", "ves.localhost": "ves.localhost", "example.cz.": "example.cz",
		"[::1]:8080": "[::1]", "127.0.0.1:80": "127.0.0.1", "": "",
	} {
		if got := tenant.NormalizeHost(in); got != want {
			t.Errorf("NormalizeHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestContrast(t *testing.T) {
	t.Parallel()
	if c := tenant.Contrast("#000000", "#ffffff"); c < 20.9 || c > 21.1 {
		t.Errorf("black on white = %.2f, want 21", c)
	}
	if c := tenant.Contrast("#767676", "#ffffff"); c < 4.5 || c > 4.6 {
		t.Errorf("#767676 on white = %.2f, want 4.54", c)
	}
}

func TestStoreAndRegistry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	s := &tenant.Store{DB: d}
	a := valid()
	if err := s.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	// The same slug or a host that serves another town is refused, and
	// nothing of the refused town is written.
	dup := valid()
	dup.Hosts = []string{"other.example"}
	if err := s.Create(ctx, dup); !errors.Is(err, derr.ErrInvalid) || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("duplicate slug: %v", err)
	}
	b := valid()
	b.Slug, b.Hosts = "lhota-2", []string{"b.example", "lhota.example"}
	if err := s.Create(ctx, b); !errors.Is(err, derr.ErrInvalid) || !strings.Contains(err.Error(), "already serves") {
		t.Fatalf("taken host: %v", err)
	}
	if _, err := s.BySlug(ctx, "lhota-2"); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("refused town was stored: %v", err)
	}

	got, err := s.BySlug(ctx, "lhota")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Lhota" || len(got.OfficeHours) != 1 || got.Hosts[0] != "lhota.example" || got.CreatedAt.IsZero() {
		t.Fatalf("BySlug = %+v", got)
	}

	reg, err := tenant.NewRegistry(ctx, s, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if tn, err := reg.ByHost(ctx, "LHOTA.example:8080"); err != nil || tn.ID != a.ID {
		t.Fatalf("ByHost = %v, %v", tn, err)
	}
	if _, err := reg.ByHost(ctx, "nobody.example"); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("unknown host: %v", err)
	}
	// A town added later appears after a reload.
	c := valid()
	c.Slug, c.Hosts = "zlin", []string{"zlin.example"}
	if err := s.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := reg.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if tn, err := reg.ByHost(ctx, "zlin.example"); err != nil || tn.Slug != "zlin" {
		t.Fatalf("after reload: %v, %v", tn, err)
	}
}

// With the database away, the registry keeps answering from what it knows.
func TestRegistrySurvivesDatabaseOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	s := &tenant.Store{DB: d}
	a := valid()
	if err := s.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	reg, err := tenant.NewRegistry(ctx, s, time.Nanosecond)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	for range 3 {
		if tn, err := reg.ByHost(ctx, "lhota.example"); err != nil || tn.ID != a.ID {
			t.Fatalf("during the outage: %v, %v", tn, err)
		}
	}
}
