package ratelimit

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	l := &Limiter{Max: 3, Window: time.Minute, Now: func() time.Time { return now }}
	for i := range 3 {
		if !l.Allow("a") {
			t.Fatalf("attempt %d refused", i)
		}
	}
	if l.Allow("a") {
		t.Fatal("fourth attempt allowed")
	}
	if !l.Allow("b") {
		t.Fatal("another key limited")
	}
	now = now.Add(61 * time.Second)
	if !l.Allow("a") {
		t.Fatal("attempt after the window refused")
	}
}

func TestManyKeys(t *testing.T) {
	t.Parallel()
	l := &Limiter{Max: 1, Window: time.Hour}
	for i := range maxKeys + 10 {
		l.Allow(string(rune(i)))
	}
	if len(l.hits) > maxKeys+1 {
		t.Fatalf("%d keys kept", len(l.hits))
	}
}
