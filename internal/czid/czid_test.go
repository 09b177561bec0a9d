package czid

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParseBirthNumberValid(t *testing.T) {
	tests := []struct {
		in, norm, str, masked string
		birth                 time.Time
		sex                   Sex
	}{
		{"7801233540", "7801233540", "780123/3540", "780123/****", date(1978, 1, 23), Male}, // remainder 10 -> 0
		{"736028/5163", "7360285163", "736028/5163", "736028/****", date(1973, 10, 28), Female},
		{"0001010009", "0001010009", "000101/0009", "000101/****", date(2000, 1, 1), Male},
		{"  780123/3540\t", "7801233540", "780123/3540", "780123/****", date(1978, 1, 23), Male},
		{"7812319999", "7812319999", "781231/9999", "781231/****", date(1978, 12, 31), Male},
		{"9951120014", "9951120014", "995112/0014", "995112/****", date(1999, 1, 12), Female},
		{"5301010000", "5301010000", "530101/0000", "530101/****", date(2053, 1, 1), Male},
		{"0002291234", "0002291234", "000229/1234", "000229/****", date(2000, 2, 29), Male},
		{"0402290009", "0402290009", "040229/0009", "040229/****", date(2004, 2, 29), Male},
		{"0421011239", "0421011239", "042101/1239", "042101/****", date(2004, 1, 1), Male},    // +20 from 2004
		{"1072154567", "1072154567", "107215/4567", "107215/****", date(2010, 2, 15), Female}, // +70
		{"0581011233", "0581011233", "058101/1233", "058101/****", date(2005, 11, 1), Female},
		{"0571011232", "0571011232", "057101/1232", "057101/****", date(2005, 1, 1), Female},
		{"0482301237", "0482301237", "048230/1237", "048230/****", date(2004, 12, 30), Female},
		{"520101123", "520101123", "520101/123", "520101/***", date(1952, 1, 1), Male}, // 9 digits
		{"455612/123", "455612123", "455612/123", "455612/***", date(1945, 6, 12), Female},
		{"000101/000", "000101000", "000101/000", "000101/***", date(1900, 1, 1), Male},
	}
	for _, tt := range tests {
		b, err := ParseBirthNumber(tt.in)
		if err != nil {
			t.Errorf("ParseBirthNumber(%q): %v", tt.in, err)
			continue
		}
		if string(b) != tt.norm || b.String() != tt.str || b.Masked() != tt.masked {
			t.Errorf("%q: got %q, %q, %q", tt.in, string(b), b.String(), b.Masked())
		}
		if !b.BirthDate().Equal(tt.birth) || b.BirthDate().Location() != time.UTC {
			t.Errorf("%q: BirthDate = %v, want %v", tt.in, b.BirthDate(), tt.birth)
		}
		if b.Sex() != tt.sex {
			t.Errorf("%q: Sex = %v, want %v", tt.in, b.Sex(), tt.sex)
		}
	}
}

func TestParseBirthNumberInvalid(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"spaces", "   "},
		{"bad check digit", "7801233541"},
		{"bad check digit 2", "736028/5164"},
		{"30 February", "7802301232"},
		{"29 February 2001", "0102291233"},
		{"29 February 1900", "000229123"},
		{"month 0", "7800231230"},
		{"month 13", "7813011239"},
		{"month 63", "7863011233"},
		{"month 41", "0441011230"},
		{"day 0", "7801001230"},
		{"day 32", "7801321231"},
		{"+20 before 2004", "0321011230"},
		{"+70 before 2004", "5771011235"},
		{"9 digits from 1954", "540101123"},
		{"9 digits 1978", "780123354"},
		{"letters", "78O1233540"},
		{"letter X", "780123354X"},
		{"8 digits", "78012335"},
		{"11 digits", "78012335400"},
		{"slash misplaced", "7801/233540"},
		{"two slashes", "780123//3540"},
		{"slash only", "780123/"},
		{"inner space", "780123 3540"},
		{"minus", "-780123354"},
		{"plus", "+780123354"},
		{"unicode digits", "７８０１２３３５４０"},
	}
	for _, tt := range tests {
		b, err := ParseBirthNumber(tt.in)
		if err == nil {
			t.Errorf("%s: ParseBirthNumber(%q) = %q, want error", tt.name, tt.in, b)
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: error %v does not wrap ErrInvalid", tt.name, err)
		}
		if d := strings.Trim(tt.in, " /"); len(d) >= 6 && strings.Contains(err.Error(), d) {
			t.Errorf("%s: error %q leaks the input", tt.name, err)
		}
	}
}

func TestBirthNumberMethodsOnInvalidValues(t *testing.T) {
	for _, b := range []BirthNumber{"", "12", "7801233541", "abcdefghij", "780123/3540", "7802301232"} {
		if !b.BirthDate().IsZero() {
			t.Errorf("%q: BirthDate = %v, want zero", b, b.BirthDate())
		}
		if b.Sex() != 0 {
			t.Errorf("%q: Sex = %v, want 0", b, b.Sex())
		}
		if m := b.Masked(); m != strings.Repeat("*", len(b)) {
			t.Errorf("%q: Masked = %q", b, m)
		}
		if b.String() != string(b) {
			t.Errorf("%q: String = %q", b, b.String())
		}
	}
}

func TestSexString(t *testing.T) {
	if Male.String() != "male" || Female.String() != "female" || Sex(0).String() != "unknown" {
		t.Error("Sex.String")
	}
}

func TestNewBirthNumber(t *testing.T) {
	tests := []struct {
		birth  time.Time
		sex    Sex
		serial int
		want   string // "" means error
	}{
		{date(1978, 1, 23), Male, 354, "7801233540"},
		{date(1973, 10, 28), Female, 516, "7360285163"},
		{date(2000, 1, 1), Male, 0, "0001010009"},
		{date(1952, 1, 1), Male, 123, "520101123"},
		{date(1945, 6, 12), Female, 123, "455612123"},
		{date(1953, 12, 31), Male, 999, "531231999"},
		{date(1954, 1, 1), Male, 0, "5401010000"},
		{date(2053, 12, 31), Female, 1, "5362310019"},
		{time.Date(1978, 1, 23, 23, 30, 0, 0, time.FixedZone("CET", 3600)), Male, 354, "7801233540"}, // date in its own zone
		{date(1978, 1, 23), Male, -1, ""},
		{date(1978, 1, 23), Male, 1000, ""},
		{date(1978, 1, 23), Sex(0), 1, ""},
		{date(1978, 1, 23), Sex(3), 1, ""},
		{date(1899, 12, 31), Male, 1, ""},
		{date(2054, 1, 1), Male, 1, ""},
	}
	for _, tt := range tests {
		got, err := NewBirthNumber(tt.birth, tt.sex, tt.serial)
		if tt.want == "" {
			if err == nil || !errors.Is(err, ErrInvalid) {
				t.Errorf("NewBirthNumber(%v, %v, %d) = %q, %v; want ErrInvalid", tt.birth, tt.sex, tt.serial, got, err)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("NewBirthNumber(%v, %v, %d) = %q, %v; want %q", tt.birth, tt.sex, tt.serial, got, err, tt.want)
		}
	}
}

func TestBirthNumberRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	start := date(1920, 1, 1)
	days := int(date(2025, 12, 31).Sub(start).Hours()/24) + 1
	for range 20000 {
		birth := start.AddDate(0, 0, r.IntN(days))
		sex := Male
		if r.IntN(2) == 1 {
			sex = Female
		}
		serial := r.IntN(1000)
		b, err := NewBirthNumber(birth, sex, serial)
		if err != nil {
			t.Fatalf("NewBirthNumber(%v, %v, %d): %v", birth, sex, serial, err)
		}
		if want := 10; birth.Year() < 1954 {
			want = 9
			if len(b) != want {
				t.Fatalf("%v: %q has %d digits, want %d", birth, b, len(b), want)
			}
		} else if len(b) != want {
			t.Fatalf("%v: %q has %d digits, want %d", birth, b, len(b), want)
		}
		p, err := ParseBirthNumber(b.String())
		if err != nil {
			t.Fatalf("ParseBirthNumber(%q): %v", b.String(), err)
		}
		if p != b || !p.BirthDate().Equal(birth) || p.Sex() != sex {
			t.Fatalf("round trip %v %v %d: got %q %v %v", birth, sex, serial, p, p.BirthDate(), p.Sex())
		}
	}
}

func TestICO(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"00064581", true},
		{"45317054", true},
		{"25596641", true},
		{"27082440", true},
		{"12345678", false},
		{"00064582", false},
		{"45317055", false},
		{"", false},
		{"0006458", false},
		{"000645810", false},
		{"64581", false},
		{" 00064581", false},
		{"0006458a", false},
		{"00O64581", false},
		{"-0064581", false},
	}
	for _, tt := range tests {
		if got := ValidICO(tt.in); got != tt.want {
			t.Errorf("ValidICO(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNewICO(t *testing.T) {
	for base, want := range map[int]string{6458: "00064581", 4531705: "45317054", 2559664: "25596641", 2708244: "27082440"} {
		if got := NewICO(base); got != want {
			t.Errorf("NewICO(%d) = %q, want %q", base, got, want)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 10000 {
		base := r.IntN(10000000)
		s := NewICO(base)
		if !ValidICO(s) || atoi(s[:7]) != base {
			t.Fatalf("NewICO(%d) = %q, not valid", base, s)
		}
		// Any other last digit is invalid.
		for d := byte('0'); d <= '9'; d++ {
			if d != s[7] && ValidICO(s[:7]+string(d)) {
				t.Fatalf("%q accepted", s[:7]+string(d))
			}
		}
	}
	for _, bad := range []int{-1, 10000000} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewICO(%d) did not panic", bad)
				}
			}()
			NewICO(bad)
		}()
	}
}

func TestAccount(t *testing.T) {
	tests := []struct {
		in   string
		iban string // "" means invalid
	}{
		{"1265098001/5500", "CZ5855000000001265098001"},
		{"19-2000145399/0800", "CZ6508000000192000145399"},
		{"19-123457/0710", "CZ3507100000190000123457"},
		{"000019-0000123457/0710", "CZ3507100000190000123457"},
		{"0000123457/0710", "CZ4907100000000000123457"},
		{"123457/0710", "CZ4907100000000000123457"},
		{"19/0100", "CZ7301000000000000000019"}, // two digits, weights 2,1: 1*2+9*1 = 11
		{"1265098002/5500", ""},                 // bad checksum
		{"18-123457/0710", ""},                  // bad prefix checksum
		{"1265098001/550", ""},                  // bank 3 digits
		{"1265098001/55000", ""},                // bank 5 digits
		{"1265098001", ""},                      // no bank
		{"1265098001/", ""},                     // empty bank
		{"/5500", ""},                           // empty number
		{"1/0100", ""},                          // 1 digit
		{"00/0100", ""},                         // all zeros
		{"0000000000/0100", ""},                 // all zeros
		{"12650980010/5500", ""},                // 11 digits
		{"1234567-123457/0710", ""},             // prefix 7 digits
		{"-123457/0710", ""},                    // empty prefix
		{"19--123457/0710", ""},
		{"19-123457-1/0710", ""},
		{"19-123457/07a0", ""},
		{"1265O98001/5500", ""},
		{"1265098001 /5500", ""},
		{" 1265098001/5500", ""},
		{"1265098001/5500/1", ""},
		{"", ""},
	}
	for _, tt := range tests {
		valid := tt.iban != ""
		if got := ValidAccount(tt.in); got != valid {
			t.Errorf("ValidAccount(%q) = %v, want %v", tt.in, got, valid)
		}
		iban, err := AccountToIBAN(tt.in)
		if !valid {
			if err == nil || !errors.Is(err, ErrInvalid) {
				t.Errorf("AccountToIBAN(%q) = %q, %v; want ErrInvalid", tt.in, iban, err)
			}
			continue
		}
		if err != nil || iban != tt.iban {
			t.Errorf("AccountToIBAN(%q) = %q, %v; want %q", tt.in, iban, err, tt.iban)
		}
		if !ValidIBAN(iban) {
			t.Errorf("ValidIBAN(AccountToIBAN(%q)) = false", tt.in)
		}
	}
}

func TestIBAN(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"CZ5855000000001265098001", true},
		{"CZ6508000000192000145399", true},
		{"CZ3507100000190000123457", true},
		{"CZ58 5500 0000 0012 6509 8001", true},
		{" cz58 5500 0000 0012 6509 8001 ", true},
		{"SK3112000000198742637541", true},
		{"DE89370400440532013000", true},
		{"GB29NWBK60161331926819", true},
		{"NO9386011117947", true},
		{"CZ5955000000001265098001", false}, // wrong check digits
		{"CZ5855000000001265098002", false}, // changed digit
		{"CZ5855000000001265098O01", false}, // letter O in a CZ BBAN
		{"CZ585500000000126509800", false},  // 23 characters
		{"CZ58550000000012650980011", false},
		{"", false},
		{"CZ", false},
		{"5855000000001265098001CZ", false},
		{"CZ5855000000001265098001!", false},
		{"CZ58-5500-0000-0012-6509-8001", false},
		{"GB29NWBK6016133192681", false},
		{"NO938601111794", false},                            // too short
		{"DE89 3704 0044 0532 0130 0000 0000 0000 0", false}, // > 34
		{"DE8937040044053201300ı", false},
		{"CZ5855000000001265098001\x00", false},
	}
	for _, tt := range tests {
		if got := ValidIBAN(tt.in); got != tt.want {
			t.Errorf("ValidIBAN(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestIBANCheckDigits00And01And99Rejected(t *testing.T) {
	// Build BBANs whose correct check digits are 97 and 98: then "00"/"01"
	// also pass mod 97 but are not allowed.
	found := map[int]bool{}
	for n := 2; n < 100000 && len(found) < 2; n++ {
		acc := zeroPad(itoa(n), 10)
		bban := "0100" + "000000" + acc
		kk := 98 - mod97(bban+"CZ00")
		if kk != 97 && kk != 98 {
			continue
		}
		found[kk] = true
		alias := kk - 97 // 97 -> 00, 98 -> 01
		good := "CZ" + itoa(kk) + bban
		bad := "CZ" + zeroPad(itoa(alias), 2) + bban
		if !ValidIBAN(good) {
			t.Errorf("ValidIBAN(%q) = false", good)
		}
		if mod97(bban+bad[:4]) != 1 {
			t.Fatalf("test setup: %q does not pass mod 97", bad)
		}
		if ValidIBAN(bad) {
			t.Errorf("ValidIBAN(%q) = true, check digits %02d are not allowed", bad, alias)
		}
	}
	if len(found) != 2 {
		t.Fatal("test setup: no BBANs found")
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestFormatIBAN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"CZ5855000000001265098001", "CZ58 5500 0000 0012 6509 8001"},
		{" cz58 5500 0000 0012 6509 8001", "CZ58 5500 0000 0012 6509 8001"},
		{"DE89370400440532013000", "DE89 3704 0044 0532 0130 00"},
		{"NO9386011117947", "NO93 8601 1117 947"},
		{"", ""},
		{"CZ5", "CZ5"},
	}
	for _, tt := range tests {
		if got := FormatIBAN(tt.in); got != tt.want {
			t.Errorf("FormatIBAN(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := FormatIBAN(FormatIBAN(tt.in)); got != tt.want {
			t.Errorf("FormatIBAN not idempotent on %q: %q", tt.in, got)
		}
	}
}

func FuzzParseBirthNumber(f *testing.F) {
	for _, s := range []string{"7801233540", "736028/5163", "0001010009", "520101123", " 780123/3540 ", "7802301232", "", "abc", "0581011233", "1072154567"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBirthNumber(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			if b != "" {
				t.Fatalf("non-empty result %q with error", b)
			}
			// Methods must not panic on arbitrary values either.
			x := BirthNumber(s)
			_, _, _, _ = x.String(), x.Masked(), x.BirthDate(), x.Sex()
			return
		}
		if (len(b) != 9 && len(b) != 10) || !allDigits(string(b)) {
			t.Fatalf("not normalized: %q", b)
		}
		// Both printed forms parse back to the same value.
		for _, form := range []string{string(b), b.String()} {
			if p, err := ParseBirthNumber(form); err != nil || p != b {
				t.Fatalf("reparse %q: %q, %v", form, p, err)
			}
		}
		if m := b.Masked(); m[:7] != b.String()[:7] || strings.Trim(m[7:], "*") != "" {
			t.Fatalf("Masked = %q", m)
		}
		d, sex := b.BirthDate(), b.Sex()
		if d.IsZero() || d.Location() != time.UTC || d.Hour() != 0 || (sex != Male && sex != Female) {
			t.Fatalf("%q: date %v sex %v", b, d, sex)
		}
		if (len(b) == 9) != (d.Year() < 1954) {
			t.Fatalf("%q: %d digits for year %d", b, len(b), d.Year())
		}
		// Regenerating gives the same number, unless the month carries the
		// +20 used when serials run out (never generated).
		n, err := NewBirthNumber(d, sex, atoi(string(b[6:9])))
		if err != nil {
			t.Fatalf("NewBirthNumber for %q: %v", b, err)
		}
		if mm := atoi(string(b[2:4])) % 50; mm <= 12 && n != b {
			t.Fatalf("NewBirthNumber for %q = %q", b, n)
		}
		if n.BirthDate() != d || n.Sex() != sex {
			t.Fatalf("NewBirthNumber for %q = %q: different date or sex", b, n)
		}
	})
}

func FuzzValidAccount(f *testing.F) {
	for _, s := range []string{"1265098001/5500", "19-2000145399/0800", "19-123457/0710", "19/0100", "00/0100", "-1/0100", "1265098002/5500", "", "/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		valid := ValidAccount(s)
		iban, err := AccountToIBAN(s)
		if valid != (err == nil) {
			t.Fatalf("ValidAccount = %v but AccountToIBAN error = %v", valid, err)
		}
		if !valid {
			if !errors.Is(err, ErrInvalid) || iban != "" {
				t.Fatalf("AccountToIBAN(%q) = %q, %v", s, iban, err)
			}
			return
		}
		if len(iban) != 24 || !ValidIBAN(iban) || !ValidIBAN(FormatIBAN(iban)) {
			t.Fatalf("AccountToIBAN(%q) = %q, not a valid CZ IBAN", s, iban)
		}
		// Back from the IBAN's parts to the account: same IBAN again.
		bank, prefix, number := iban[4:8], strings.TrimLeft(iban[8:14], "0"), iban[14:24]
		acc := number + "/" + bank
		if prefix != "" {
			acc = prefix + "-" + acc
		}
		if again, err := AccountToIBAN(acc); err != nil || again != iban {
			t.Fatalf("%q -> %q -> %q -> %q, %v", s, iban, acc, again, err)
		}
		if !strings.HasSuffix(s, "/"+bank) {
			t.Fatalf("%q: bank %q lost", s, bank)
		}
	})
}
