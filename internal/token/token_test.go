package token

import "testing"

func TestNew(t *testing.T) {
	t.Parallel()
	a, da := New()
	b, db := New()
	if len(a) != Len || len(b) != Len || a == b || da == db {
		t.Fatalf("tokens %q %q", a, b)
	}
	if Digest(a) != da || len(da) != 64 {
		t.Fatalf("digest %q", da)
	}
}
