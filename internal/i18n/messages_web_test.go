package i18n

import (
	"slices"
	"strings"
	"testing"
)

// TestCatalogueComplete checks that every message exists in every language
// and none is empty: a missing English text would silently show Czech.
func TestCatalogueComplete(t *testing.T) {
	t.Parallel()
	cs, en := Keys(CS), Keys(EN)
	slices.Sort(cs)
	slices.Sort(en)
	for _, k := range cs {
		if _, ok := slices.BinarySearch(en, k); !ok {
			t.Errorf("%q is in cs but not in en", k)
		}
	}
	for _, k := range en {
		if _, ok := slices.BinarySearch(cs, k); !ok {
			t.Errorf("%q is in en but not in cs", k)
		}
	}
	for _, lang := range Langs {
		for _, k := range Keys(lang) {
			if strings.TrimSpace(catalog[lang][k]) == "" {
				t.Errorf("%s %q is empty", lang, k)
			}
		}
	}
}

// TestWebMessagesFormatArgs checks that a message takes the same number of
// arguments in both languages, so one call fits both.
func TestWebMessagesFormatArgs(t *testing.T) {
	t.Parallel()
	for _, k := range Keys(CS) {
		if c, e := strings.Count(catalog[CS][k], "%"), strings.Count(catalog[EN][k], "%"); c != e {
			t.Errorf("%q: %d format verbs in cs, %d in en", k, c, e)
		}
	}
}
