package search

import (
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Občanský průkaz": "obcansky prukaz",
		"ŘÍDÍCÍ ÚŘAD":     "ridici urad",
		"Žluťoučký kůň":   "zlutoucky kun",
		// Already decomposed input (c + combining caron) folds the same.
		"c\u030cesky": "cesky",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokenize(t *testing.T) {
	t.Parallel()
	s := "Poplatek ze psů: 1 500 Kč/rok (č.\u00a0j. 12-3)"
	var got []string
	for _, tk := range tokenize(s) {
		got = append(got, tk.folded+"="+s[tk.start:tk.end])
	}
	want := "poplatek=Poplatek ze=ze psu=psů 1=1 500=500 kc=Kč rok=rok c=č j=j 12=12 3=3"
	if strings.Join(got, " ") != want {
		t.Errorf("tokenize = %q, want %q", strings.Join(got, " "), want)
	}
}

// TestStem shows which Czech word forms the light stemmer unifies and,
// as documented limits, which it does not.
func TestStem(t *testing.T) {
	t.Parallel()
	same := [][]string{
		{"průkaz", "průkazu", "průkazy", "průkazem", "průkazů", "průkazech", "průkazům"},
		{"občanský", "občanského", "občanskému", "občanským", "občanské", "občanských", "občanskou", "občanskými"},
		{"poplatek", "poplatku", "poplatky", "poplatkem", "poplatků", "poplatkům"},
		{"obec", "obce", "obci", "obcí", "obcemi"},
		{"odpad", "odpadu", "odpady", "odpadem", "odpadech", "odpadů"},
		{"žádost", "žádosti", "žádostí", "žádostmi"},
		{"povolení", "povolením", "povoleních"},
		{"město", "města", "městu", "městem", "městech"},
		{"Novák", "Nováka", "Novákem", "Nováku"},
		{"hřbitov", "hřbitova", "hřbitově", "hřbitovy", "hřbitovem"},
		{"Jizerov", "Jizerova", "Jizerově", "Jizerovem"},
	}
	for _, forms := range same {
		want := Stem(Fold(forms[0]))
		for _, f := range forms[1:] {
			if got := Stem(Fold(f)); got != want {
				t.Errorf("Stem(%q) = %q, want %q (as %q)", f, got, want, forms[0])
			}
		}
	}
	// Limits: the root changes, so the forms stay apart.
	apart := [][2]string{{"pes", "psa"}, {"pes", "psů"}, {"kniha", "knize"}, {"parkování", "parkovací"}}
	for _, p := range apart {
		if Stem(Fold(p[0])) == Stem(Fold(p[1])) {
			t.Errorf("%q and %q now share a stem: update the documented limits", p[0], p[1])
		}
	}
	// Never shorter than three letters; numbers stay whole.
	for in, want := range map[string]string{"psa": "psa", "auto": "aut", "ovoce": "ovoc", "1500": "1500", "2020": "2020", "dny": "dny"} {
		if got := Stem(in); got != want {
			t.Errorf("Stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"obcank", "obcansk", 1, 1},
		{"prukas", "prukaz", 1, 1},
		{"prukaz", "purkaz", 1, 1}, // neighbours swapped
		{"prukaz", "prukaz", 1, 0},
		{"odpad", "pes", 1, 2},
		{"rozpocet", "rospoct", 2, 2},
		{"kacen", "kocour", 2, 3},
	}
	for _, c := range cases {
		if got := editDistance(c.a, c.b, c.limit); got != c.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", c.a, c.b, c.limit, got, c.want)
		}
	}
}

func TestNextPrefix(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"obc": "obd", "az": "a{", "я": "ѐ", "\U0010FFFF": "", "a\U0010FFFF": "b"} {
		if got := nextPrefix(in); got != want {
			t.Errorf("nextPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSnippet(t *testing.T) {
	t.Parallel()
	words, _, err := parse("pes poplatek")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Repeat("Úvodní slovo bez významu. ", 10) + "Poplatek ze psů platí držitel, pes starší tří měsíců.\n\n" +
		strings.Repeat("Další text o jiných věcech. ", 20)
	segs := snippet(body, words)
	var b strings.Builder
	for _, s := range segs {
		if s.Hit {
			b.WriteString("[" + s.Text + "]")
		} else {
			b.WriteString(s.Text)
		}
	}
	got := b.String()
	if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") {
		t.Errorf("snippet not marked as cut: %q", got)
	}
	if !strings.Contains(got, "[Poplatek] ze psů platí držitel, [pes] starší") {
		t.Errorf("snippet = %q", got)
	}
	if len(got) > snippetBytes+40 {
		t.Errorf("snippet of %d bytes", len(got))
	}
	// Text and hits never lose or gain characters.
	if strings.ReplaceAll(strings.ReplaceAll(got, "[", ""), "]", "") != joinText(segs) {
		t.Error("segments do not join to the text")
	}
}

func joinText(segs []Segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.Text)
	}
	return b.String()
}
