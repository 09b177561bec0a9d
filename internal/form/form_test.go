package form_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/db/dbtest"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/submission"
)

func num(f float64) *float64 { return &f }

// dogForm is a small form with every kind of rule.
func dogForm() form.Definition {
	return form.Definition{
		Title: form.Text{CS: "Přihlášení psa", EN: "Registering a dog"}, Department: "Odbor ekonomiky", Level: "substantial",
		Obligation: "pes", Price: &form.Price{Base: 150000, Rules: []form.PriceRule{
			{When: form.Condition{Field: "snizeni", Equals: []string{"duchod"}}, Amount: 20000}}},
		Steps: []form.Step{
			{ID: "drzitel", Title: form.Text{CS: "Držitel"}, Fields: []form.Field{
				{ID: "drzitel", Type: form.TypeHousehold, Label: form.Text{CS: "Kdo psa drží"}, Required: true, Prefill: "person.self"},
				{ID: "email", Type: form.TypeEmail, Label: form.Text{CS: "E-mail"}, Prefill: "person.email"},
				{ID: "telefon", Type: form.TypePhone, Label: form.Text{CS: "Telefon"}},
				{ID: "snizeni", Type: form.TypeChoice, Label: form.Text{CS: "Snížení"}, Required: true, Options: []form.Option{
					{Value: "ne", Label: form.Text{CS: "ne"}}, {Value: "duchod", Label: form.Text{CS: "důchod"}}}},
				{ID: "doklad", Type: form.TypeFile, Label: form.Text{CS: "Doklad"}, Required: true, MaxFiles: 2,
					When: &form.Condition{Field: "snizeni", Equals: []string{"duchod"}}},
			}},
			{ID: "pes", Title: form.Text{CS: "Pes"}, Fields: []form.Field{
				{ID: "jmeno", Type: form.TypeText, Label: form.Text{CS: "Jméno"}, Required: true, MaxLength: 10},
				{ID: "cip", Type: form.TypeText, Label: form.Text{CS: "Čip"}, Required: true, Pattern: "[0-9]{15}"},
				{ID: "narozen", Type: form.TypeDate, Label: form.Text{CS: "Narozen"}, Required: true, Min: num(-3650), Max: num(0)},
				{ID: "vaha", Type: form.TypeNumber, Label: form.Text{CS: "Váha"}, Min: num(0.5), Max: num(120)},
				{ID: "adresa", Type: form.TypeAddress, Label: form.Text{CS: "Adresa"}, Prefill: "person.address"},
				{ID: "misto", Type: form.TypeLocation, Label: form.Text{CS: "Místo"}},
			}},
		},
		Declarations: []form.Declaration{{ID: "pravda", Text: form.Text{CS: "Je to pravda."}}},
	}
}

func fieldKeys(err error) []string {
	var inv *derr.InvalidError
	if !errors.As(err, &inv) {
		return nil
	}
	var out []string
	for _, f := range inv.Fields {
		out = append(out, f.Field+"="+f.Key)
	}
	slices.Sort(out)
	return out
}

func TestValidateDefinition(t *testing.T) {
	t.Parallel()
	if err := (&form.Definition{}).Validate(); err == nil {
		t.Fatal("an empty definition passed")
	}
	good := dogForm()
	if err := good.Validate(); err != nil {
		t.Fatalf("the dog form: %v", err)
	}
	for _, c := range []struct {
		name   string
		change func(d *form.Definition)
		want   string // in the error's message
	}{
		{"duplicate field", func(d *form.Definition) { d.Steps[1].Fields[0].ID = "email" }, `"email" is used twice`},
		{"duplicate step", func(d *form.Definition) { d.Steps[1].ID = "drzitel" }, "used twice"},
		{"unknown type", func(d *form.Definition) { d.Steps[0].Fields[1].Type = "signature" }, "unknown type"},
		{"choice without options", func(d *form.Definition) { d.Steps[0].Fields[3].Options = nil }, "has no options"},
		{"options on a text", func(d *form.Definition) {
			d.Steps[1].Fields[0].Options = []form.Option{{Value: "a", Label: form.Text{CS: "a"}}}
		}, "only a choice has options"},
		{"condition on a later field", func(d *form.Definition) {
			d.Steps[0].Fields[1].When = &form.Condition{Field: "jmeno", Equals: []string{"x"}}
		}, "not a field asked before it"},
		{"condition on itself", func(d *form.Definition) {
			d.Steps[0].Fields[3].When = &form.Condition{Field: "snizeni", Equals: []string{"ne"}}
		}, "depends on itself"},
		{"condition on a text", func(d *form.Definition) {
			d.Steps[1].Fields[1].When = &form.Condition{Field: "jmeno", Equals: []string{"Rex"}}
		}, "not a choice"},
		{"condition on an unknown value", func(d *form.Definition) {
			d.Steps[0].Fields[4].When.Equals = []string{"snad"}
		}, "not one of its options"},
		{"price without an obligation", func(d *form.Definition) { d.Obligation = "" }, "needs the code of the obligation kind"},
		{"price rule on nothing", func(d *form.Definition) { d.Price.Rules[0].When.Field = "nic" }, "not a field asked before it"},
		{"negative price", func(d *form.Definition) { d.Price.Base = -1 }, "cannot be negative"},
		{"unknown level", func(d *form.Definition) { d.Level = "medium" }, "level must be one of"},
		{"no title", func(d *form.Definition) { d.Title.CS = " " }, "Czech title"},
		{"no department", func(d *form.Definition) { d.Department = "" }, "department"},
		{"bad pattern", func(d *form.Definition) { d.Steps[1].Fields[1].Pattern = "([0-9]" }, "does not compile"},
		{"min above max", func(d *form.Definition) { d.Steps[1].Fields[2].Min = num(5) }, "min is above max"},
		{"wrong prefill", func(d *form.Definition) { d.Steps[0].Fields[2].Prefill = "person.email" }, "cannot be prefilled"},
		{"bad id", func(d *form.Definition) { d.Steps[1].Fields[0].ID = "_x" }, "lower-case letters"},
		{"empty step", func(d *form.Definition) { d.Steps[1].Fields = nil }, "asks nothing"},
		{"max files on a text", func(d *form.Definition) { d.Steps[1].Fields[0].MaxFiles = 2 }, "max_files"},
	} {
		d := dogForm()
		c.change(&d)
		err := d.Validate()
		if !errors.Is(err, derr.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	// A form file: strict JSON with a slug.
	body, _ := json.Marshal(form.File{Slug: "pes", Definition: good})
	if slug, def, err := form.ParseFile(body); err != nil || slug != "pes" || def.Title.CS != good.Title.CS {
		t.Fatalf("form file: %q %v", slug, err)
	}
	if _, _, err := form.ParseFile([]byte(`{"slug": "pes", "titel": {"cs": "x"}}`)); err == nil || !strings.Contains(err.Error(), "titel") {
		t.Errorf("a misspelt key: %v", err)
	}
	if _, _, err := form.ParseFile([]byte(strings.Replace(string(body), `"slug":"pes"`, `"slug":"Pes Psovitý"`, 1))); err == nil {
		t.Errorf("a bad slug passed")
	}
}

func TestAnswers(t *testing.T) {
	t.Parallel()
	d := dogForm()
	today := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	facts := form.Facts{Today: today, Household: []form.Member{{ID: "12", Name: "Jan"}, {ID: "13", Name: "Eva"}}}
	good := form.Answers{"drzitel": {"12"}, "email": {" jan@example.cz "}, "snizeni": {"ne"}, "neznamy": {"x"},
		"jmeno": {"Rex"}, "cip": {"123456789012345"}, "narozen": {"1. 2. 2020"}, "vaha": {"12,5"},
		"adresa.street": {"Husova"}, "adresa.number": {"12/3"}, "adresa.city": {"Jizerov"}, "adresa.zip": {"46001"},
		"misto.lat": {"50,7"}, "misto.lon": {"15.05"}}
	out, err := d.Check(good, facts)
	if err != nil {
		t.Fatalf("good answers: %v", err)
	}
	for k, want := range map[string]string{"email": "jan@example.cz", "narozen": "2020-02-01", "vaha": "12.5", "adresa.zip": "460 01",
		"misto.lat": "50.7"} {
		if got := out.Get(k); got != want {
			t.Errorf("normalized %s = %q, want %q", k, got, want)
		}
	}
	if _, ok := out["neznamy"]; ok {
		t.Error("an unknown key was kept")
	}
	if p := d.Price.Compute(out); p != 150000 {
		t.Errorf("price %d", p)
	}

	with := func(change form.Answers, drop ...string) form.Answers {
		a := form.Answers{}
		for k, v := range good {
			a[k] = v
		}
		for k, v := range change {
			a[k] = v
		}
		for _, k := range drop {
			delete(a, k)
		}
		return a
	}
	for _, c := range []struct {
		name string
		a    form.Answers
		want []string
	}{
		{"required missing", with(nil, "jmeno", "cip"), []string{"cip=form.required", "jmeno=form.required"}},
		{"choice not chosen", with(nil, "snizeni"), []string{"snizeni=form.choose"}},
		{"not an option", with(form.Answers{"snizeni": {"bohac"}}), []string{"snizeni=form.choice"}},
		{"two answers to a single choice", with(form.Answers{"snizeni": {"ne", "ano"}}), []string{"snizeni=form.choice"}},
		{"another household's person", with(form.Answers{"drzitel": {"99"}}), []string{"drzitel=form.household"}},
		{"too long", with(form.Answers{"jmeno": {"Maxmilián Veliký"}}), []string{"jmeno=form.toolong"}},
		{"pattern", with(form.Answers{"cip": {"12345 67890"}}), []string{"cip=form.pattern"}},
		{"number", with(form.Answers{"vaha": {"dvanáct"}}), []string{"vaha=form.number"}},
		{"number with two commas", with(form.Answers{"vaha": {"1,2,3"}}), []string{"vaha=form.number"}},
		{"number below min", with(form.Answers{"vaha": {"0,1"}}), []string{"vaha=form.number.min"}},
		{"number above max", with(form.Answers{"vaha": {"1 200"}}), []string{"vaha=form.number.max"}},
		{"NaN", with(form.Answers{"vaha": {"NaN"}}), []string{"vaha=form.number"}},
		{"date", with(form.Answers{"narozen": {"31. 2. 2020"}}), []string{"narozen=form.date"}},
		{"date in the future", with(form.Answers{"narozen": {"2026-03-11"}}), []string{"narozen=form.date.future"}},
		{"date too old", with(form.Answers{"narozen": {"2010-01-01"}}), []string{"narozen=form.date.min"}},
		{"e-mail", with(form.Answers{"email": {"jan@localhost"}}), []string{"email=form.email"}},
		{"e-mail with a name", with(form.Answers{"email": {"Jan <jan@example.cz>"}}), []string{"email=form.email"}},
		{"phone", with(form.Answers{"telefon": {"volejte večer"}}), []string{"telefon=form.phone"}},
		{"address incomplete", with(form.Answers{"adresa.city": {""}, "adresa.zip": {"4600"}}),
			[]string{"adresa.city=form.address.city", "adresa.zip=form.address.zip"}},
		{"one coordinate", with(nil, "misto.lon"), []string{"misto.lon=form.location.pair"}},
		{"latitude out of range", with(form.Answers{"misto.lat": {"95"}}), []string{"misto.lat=form.location.lat"}},
		// The condition holds: the proof is asked and required.
		{"conditional required", with(form.Answers{"snizeni": {"duchod"}}), []string{"doklad=form.file.required"}},
	} {
		_, err := d.Check(c.a, facts)
		if got := fieldKeys(err); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}

	// A condition that does not hold: the field is not asked, its answers
	// are dropped, and it is not required.
	out, err = d.Check(with(form.Answers{"doklad": {"77"}}), form.Facts{Today: today, Household: facts.Household,
		Files: map[string][]string{"doklad": {"5"}}})
	if err != nil || out["doklad"] != nil {
		t.Fatalf("a field not asked: %v %v", out["doklad"], err)
	}
	// When it holds, the files of the draft answer it, never the page, and
	// the price follows the rule.
	files := form.Facts{Today: today, Household: facts.Household, Files: map[string][]string{"doklad": {"5", "6"}}}
	out, err = d.Check(with(form.Answers{"snizeni": {"duchod"}, "doklad": {"77"}}), files)
	if err != nil || !slices.Equal(out["doklad"], []string{"5", "6"}) || d.Price.Compute(out) != 20000 {
		t.Fatalf("files: %v %v, price %d", out["doklad"], err, d.Price.Compute(out))
	}
	files.Files["doklad"] = []string{"5", "6", "7"}
	if _, err := d.Check(with(form.Answers{"snizeni": {"duchod"}}), files); !slices.Equal(fieldKeys(err), []string{"doklad=form.file.max"}) {
		t.Errorf("too many files: %v", err)
	}

	// A step is checked alone; Partial requires nothing but refuses what
	// is malformed; only limits the check to the fields the page showed.
	if _, err := d.CheckStep(form.Answers{"drzitel": {"12"}, "snizeni": {"ne"}}, 0, facts, form.Complete, nil); err != nil {
		t.Errorf("step 1 alone: %v", err)
	}
	if _, err := d.CheckStep(form.Answers{}, 1, facts, form.Partial, nil); err != nil {
		t.Errorf("partial empty step: %v", err)
	}
	if _, err := d.CheckStep(form.Answers{"vaha": {"x"}}, 1, facts, form.Partial, nil); !slices.Equal(fieldKeys(err), []string{"vaha=form.number"}) {
		t.Errorf("partial malformed: %v", err)
	}
	shown := map[string]bool{"drzitel": true, "email": true, "telefon": true, "snizeni": true}
	if _, err := d.CheckStep(form.Answers{"drzitel": {"12"}, "snizeni": {"duchod"}}, 0, facts, form.Complete, shown); err != nil {
		t.Errorf("a field just made visible was refused: %v", err)
	}
	if i := d.FirstInvalid(derr.Invalid("jmeno", "form.required", "")); i != 1 {
		t.Errorf("first invalid step %d", i)
	}

	// Prefill fills the fields that name a source, from the record.
	pre := d.Prefill(form.Profile{PersonID: "12", Name: "Jan", Email: "jan@example.cz", Street: "Husova", Number: "12", City: "Jizerov", Zip: "460 01"})
	if pre.Get("drzitel") != "12" || pre.Get("email") != "jan@example.cz" || pre.Get("adresa.city") != "Jizerov" || len(pre["telefon"]) != 0 {
		t.Errorf("prefill: %v", pre)
	}
}

func TestParseNumberAndDate(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]float64{"12": 12, "12,5": 12.5, "1 234,50": 1234.5, "-3": -3, "−3,5": -3.5, "0.25": 0.25} {
		if got, ok := form.ParseNumber(in); !ok || got != want {
			t.Errorf("ParseNumber(%q) = %v %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "1e5", "Inf", "1.234,5", "12,", ",5", "0x10"} {
		if _, ok := form.ParseNumber(in); ok {
			t.Errorf("ParseNumber(%q) passed", in)
		}
	}
	for in, want := range map[string]string{"2026-03-01": "2026-03-01", "1. 3. 2026": "2026-03-01", "29.2.2024": "2024-02-29"} {
		if got, ok := form.ParseDate(in); !ok || got.Format(time.DateOnly) != want {
			t.Errorf("ParseDate(%q) = %v %v", in, got, ok)
		}
	}
	for _, in := range []string{"29. 2. 2026", "2026-02-30", "zítra", "1/3/2026"} {
		if _, ok := form.ParseDate(in); ok {
			t.Errorf("ParseDate(%q) passed", in)
		}
	}
}

// Publishing makes versions; the same definition again makes none; a
// draft and a filed submission keep the version they began on.
func TestPublishVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := dbtest.Open(t)
	tn := fixture.Town(t, d, "lhota", 20)
	store := &form.Store{DB: d}
	def := dogForm()
	v, err := store.Publish(ctx, tn.ID, "prihlaseni-psa", def)
	if err != nil || v != 1 {
		t.Fatalf("first publication: %d %v", v, err)
	}
	if v, err := store.Publish(ctx, tn.ID, "prihlaseni-psa", def); err != nil || v != 1 {
		t.Fatalf("same definition again: %d %v", v, err)
	}
	bad := dogForm()
	bad.Obligation = "kocka"
	if _, err := store.Publish(ctx, tn.ID, "prihlaseni-psa", bad); !errors.Is(err, derr.ErrInvalid) || !strings.Contains(err.Error(), "kocka") {
		t.Fatalf("an obligation kind the town lacks: %v", err)
	}
	if _, err := store.Publish(ctx, tn.ID, "Pes!", def); !errors.Is(err, derr.ErrInvalid) {
		t.Fatalf("a bad slug: %v", err)
	}
	f, err := store.BySlug(ctx, tn.ID, "prihlaseni-psa")
	if err != nil || f.Version != 1 || f.Department != "Odbor ekonomiky" || f.Definition.Title.CS != "Přihlášení psa" {
		t.Fatalf("by slug: %+v %v", f, err)
	}

	var person, acc int64
	if err := d.Read().QueryRow(ctx, `SELECT person_id, id FROM accounts WHERE tenant_id = $1 AND person_id IS NOT NULL ORDER BY id LIMIT 1`,
		tn.ID).Scan(&person, &acc); err != nil {
		t.Fatal(err)
	}
	subs := &submission.Store{DB: d}
	draft, err := subs.CreateDraft(ctx, tn.ID, acc, "person:1", f.ID, f.Version, form.Answers{"jmeno": {"Rex"}})
	if err != nil {
		t.Fatal(err)
	}
	filedDraft, err := subs.CreateDraft(ctx, tn.ID, acc, "person:1", f.ID, f.Version, nil)
	if err != nil {
		t.Fatal(err)
	}
	sub, _, err := subs.File(ctx, submission.Filing{TenantID: tn.ID, Token: filedDraft.Token, DraftID: filedDraft.ID, AccountID: acc,
		PersonID: person, FormID: f.ID, FormVersion: f.Version, Title: def.Title.CS, Department: def.Department,
		Answers: form.Answers{"jmeno": {"Rex"}}})
	if err != nil {
		t.Fatal(err)
	}

	changed := dogForm()
	changed.Title.CS = "Přihlášení psa k poplatku"
	changed.Steps[1].Fields[0].MaxLength = 50
	changed.Department = "Odbor financí"
	if v, err := store.Publish(ctx, tn.ID, "prihlaseni-psa", changed); err != nil || v != 2 {
		t.Fatalf("a changed definition: %d %v", v, err)
	}
	f2, _ := store.BySlug(ctx, tn.ID, "prihlaseni-psa")
	if f2.Version != 2 || f2.ID != f.ID || f2.Department != "Odbor financí" || f2.Definition.Title.CS != changed.Title.CS {
		t.Fatalf("current after the change: %+v", f2)
	}
	again, err := subs.Draft(ctx, tn.ID, acc, draft.ID)
	if err != nil || again.FormVersion != 1 {
		t.Fatalf("the draft moved to version %d: %v", again.FormVersion, err)
	}
	old, err := store.Version(ctx, tn.ID, f.ID, again.FormVersion)
	if err != nil || old.Title.CS != "Přihlášení psa" || old.Steps[1].Fields[0].MaxLength != 10 {
		t.Fatalf("the draft's version: %+v %v", old, err)
	}
	filed, _ := subs.Get(ctx, tn.ID, sub.ID)
	if filed.FormVersion != 1 || filed.Title != "Přihlášení psa" || filed.Department != "Odbor ekonomiky" {
		t.Fatalf("the filed submission changed: %+v", filed)
	}
	if _, err := store.Version(ctx, tn.ID, f.ID, 9); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("a version that does not exist: %v", err)
	}
	list, err := store.List(ctx, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, l := range list {
		slugs = append(slugs, l.Slug)
	}
	// The fixture's form first, then ours, in publishing order.
	if !slices.Equal(slugs, []string{"obecne-podani", "prihlaseni-psa"}) || list[1].Version != 2 {
		t.Fatalf("list: %v", slugs)
	}
	// Another town sees none of it.
	other := fixture.Town(t, d, "ves", 0)
	if _, err := store.BySlug(ctx, other.ID, "prihlaseni-psa"); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("another town's form: %v", err)
	}
	if _, err := store.Version(ctx, other.ID, f.ID, 1); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("another town's version: %v", err)
	}
}
