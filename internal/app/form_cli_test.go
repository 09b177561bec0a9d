package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/demo"
	"github.com/radnice/radnice/internal/form"
)

// A town's IT publishes a form from a JSON file: the same file again makes
// no new version, a changed one does, a broken one is refused with every
// problem named, and the list shows the current versions.
func TestFormCommands(t *testing.T) {
	t.Parallel()
	envVars := map[string]string{"RADNICE_DATA_DIR": t.TempDir()}
	if url := dbtest.PostgresURL(); url != "" {
		envVars = map[string]string{"RADNICE_DATABASE_URL": dbtest.Options(t).URL}
	}
	if code, _, errs := runCmd(t, envVars, "migrate"); code != 0 {
		t.Fatalf("migrate: %d %q", code, errs)
	}
	if code, _, errs := runCmd(t, envVars, "tenant", "add", "--slug", "lhota", "--name", "Lhota", "--host", "lhota.test"); code != 0 {
		t.Fatalf("tenant add: %d %q", code, errs)
	}
	// The seed gives the town its dog fee, which the form's price assesses.
	if code, _, errs := runCmd(t, envVars, "seed", "--tenant", "lhota", "--citizens", "20", "--seed", "1"); code != 0 {
		t.Fatalf("seed: %d %q", code, errs)
	}
	dir := t.TempDir()
	write := func(name string, def form.Definition) string {
		b, err := json.MarshalIndent(form.File{Slug: "prihlaseni-psa", Definition: def}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	_, def, err := demo.Form("forms/jizerov/01-prihlaseni-psa.json")
	if err != nil {
		t.Fatal(err)
	}
	file := write("pes.json", def)
	if code, out, errs := runCmd(t, envVars, "form", "publish", "--tenant", "lhota", file); code != 0 || !strings.Contains(out, "version 1") {
		t.Fatalf("publish: %d %q %q", code, out, errs)
	}
	if code, out, _ := runCmd(t, envVars, "form", "publish", "--tenant", "lhota", file); code != 0 || !strings.Contains(out, "unchanged: still version 1") {
		t.Fatalf("publish again: %d %q", code, out)
	}
	def.Title.CS = "Přihlášení psa"
	if code, out, _ := runCmd(t, envVars, "form", "publish", "--tenant", "lhota", write("pes2.json", def)); code != 0 || !strings.Contains(out, "version 2") {
		t.Fatalf("publish a change: %d %q", code, out)
	}
	broken := def
	broken.Level = "medium"
	broken.Obligation = ""
	broken.Steps = append([]form.Step(nil), def.Steps...)
	broken.Steps[1].Fields = append([]form.Field(nil), def.Steps[1].Fields...)
	broken.Steps[1].Fields[0].Type = "signature"
	code, _, errs := runCmd(t, envVars, "form", "publish", "--tenant", "lhota", write("broken.json", broken))
	for _, want := range []string{"level must be one of", "obligation kind", `unknown type "signature"`} {
		if code != 1 || !strings.Contains(errs, want) {
			t.Errorf("a broken form: %d, no %q in %q", code, want, errs)
		}
	}
	os.WriteFile(filepath.Join(dir, "typo.json"), []byte(`{"slug": "x", "titel": {}}`), 0o600)
	if code, _, errs := runCmd(t, envVars, "form", "publish", "--tenant", "lhota", filepath.Join(dir, "typo.json")); code != 1 || !strings.Contains(errs, "titel") {
		t.Errorf("a misspelt key: %d %q", code, errs)
	}
	if code, _, errs := runCmd(t, envVars, "form", "publish", "--tenant", "lhota"); code != 2 || !strings.Contains(errs, "tenant") {
		t.Errorf("publish without a file: %d %q", code, errs)
	}
	if code, _, errs := runCmd(t, envVars, "form", "list"); code != 2 || !strings.Contains(errs, "--tenant") {
		t.Errorf("list without a town: %d %q", code, errs)
	}
	if code, out, _ := runCmd(t, envVars, "form", "list", "--tenant", "lhota"); code != 0 || !strings.Contains(out, "prihlaseni-psa") ||
		!strings.Contains(out, "v2") || !strings.Contains(out, "Přihlášení psa") || !strings.Contains(out, "substantial") {
		t.Fatalf("list: %d %q", code, out)
	}
}
