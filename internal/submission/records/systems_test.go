package records

import (
	"errors"
	"strings"
	"testing"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/derr"
)

// A town's records management is configuration: bad settings are refused
// and change nothing, a change is audited without the token, and a town
// whose system is off has none.
func TestSystems(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	good := func() *Config {
		return &Config{TenantID: r.tn.ID, BaseURL: "https://spisovka.example.cz/api/v1/", Token: "s3cret-token", Enabled: true}
	}
	for name, change := range map[string]func(c *Config){
		"relative url":   func(c *Config) { c.BaseURL = "/api" },
		"ftp":            func(c *Config) { c.BaseURL = "ftp://spisovka.example.cz" },
		"credentials":    func(c *Config) { c.BaseURL = "https://user:pw@spisovka.example.cz" },
		"query":          func(c *Config) { c.BaseURL = "https://spisovka.example.cz/api?x=1" },
		"no token":       func(c *Config) { c.Token = "  " },
		"two-line token": func(c *Config) { c.Token = "a\nb" },
		"no town":        func(c *Config) { c.TenantID = 0 },
	} {
		c := good()
		change(c)
		if err := r.systems.Save(r.ctx, audit.System, c); !errors.Is(err, derr.ErrInvalid) {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	statuses, err := r.systems.Statuses(r.ctx)
	if err != nil || len(statuses) != 1 || !strings.HasPrefix(statuses[0].BaseURL, r.srv.URL) {
		t.Fatalf("a refused change changed something: %+v %v", statuses, err)
	}
	c := good()
	if err := r.systems.Save(r.ctx, audit.Actor{Kind: audit.ActorStaff, ID: 1, Name: "Správce"}, c); err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "https://spisovka.example.cz/api/v1" {
		t.Fatalf("base url %q", c.BaseURL)
	}
	var details string
	if err := r.d.Read().QueryRow(r.ctx, `SELECT details FROM audit_log WHERE tenant_id = $1 AND action = $2 ORDER BY seq DESC LIMIT 1`,
		r.tn.ID, ActionSave).Scan(&details); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(details, `"host":"spisovka.example.cz"`) || strings.Contains(details, "s3cret") {
		t.Fatalf("audit details %s", details)
	}
	if _, err := r.systems.For(r.ctx, r.tn.ID); err != nil {
		t.Fatal(err)
	}
	c.Enabled = false
	if err := r.systems.Save(r.ctx, audit.System, c); err != nil {
		t.Fatal(err)
	}
	if _, err := r.systems.For(r.ctx, r.tn.ID); !errors.Is(err, ErrNotConfigured) {
		t.Fatalf("a system that is off: %v", err)
	}
	if ids, err := r.systems.Enabled(r.ctx); err != nil || len(ids) != 0 {
		t.Fatalf("enabled: %v %v", ids, err)
	}
	if _, err := r.systems.For(r.ctx, r.tn.ID+100); !errors.Is(err, ErrNotConfigured) {
		t.Fatalf("a town without a row: %v", err)
	}
}
