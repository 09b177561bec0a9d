package seed

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNameLists(t *testing.T) {
	var male, female []string
	for _, s := range surnames {
		male, female = append(male, s.Male), append(female, s.Female)
	}
	lists := []struct {
		name string
		list []string
		min  int
	}{
		{"maleGivenNames", maleGivenNames, 80},
		{"femaleGivenNames", femaleGivenNames, 80},
		{"surnames (male)", male, 150},
		{"surnames (female)", female, 150},
		{"streetNames", streetNames, 150},
		{"cityDistricts", cityDistricts, 25},
		{"villageParts", villageParts, 3},
		{"companyForms", companyForms, 5},
		{"companyPatterns", companyPatterns, 30},
		{"dogNames", dogNames, 40},
		{"dogBreeds", dogBreeds, 20},
	}
	for _, l := range lists {
		if len(l.list) < l.min {
			t.Errorf("%s: %d entries, want at least %d", l.name, len(l.list), l.min)
		}
		seen := map[string]bool{}
		for _, s := range l.list {
			switch {
			case s == "":
				t.Errorf("%s: empty entry", l.name)
			case !utf8.ValidString(s):
				t.Errorf("%s: %q is not valid UTF-8", l.name, s)
			case strings.TrimSpace(s) != s || strings.Contains(s, "  "):
				t.Errorf("%s: %q has stray spaces", l.name, s)
			case seen[s]:
				t.Errorf("%s: duplicate %q", l.name, s)
			}
			seen[s] = true
		}
	}
	if n := len(villageParts); n > 5 {
		t.Errorf("villageParts: %d entries, want 3-5", n)
	}
	for _, p := range companyPatterns {
		if strings.Count(p, "%") != 1 || strings.Count(p, "%s") != 1 {
			t.Errorf("companyPattern %q: want exactly one %%s", p)
		}
	}
}
