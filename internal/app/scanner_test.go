package app

import (
	"context"
	"errors"
	"testing"

	"github.com/radnice/radnice/internal/config"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/submission/clamav"
)

// Demo mode scans uploads with its own fake clamd; a configured clamd
// takes its place; without either nothing scans (and serve warns).
func TestUploadScanner(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{}
	subs := &submission.Store{}
	fake, err := demoScanner(cfg, subs)
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	ctx := context.Background()
	if err := subs.Scanner.Scan(ctx, []byte("čistý text")); err != nil {
		t.Errorf("clean: %v", err)
	}
	if err := subs.Scanner.Scan(ctx, clamav.EICAR()); !errors.Is(err, submission.ErrInfected) {
		t.Errorf("eicar: %v", err)
	}
	cfg.ClamdAddr = "clamav.internal:3310"
	if f, err := demoScanner(cfg, &submission.Store{}); f != nil || err != nil {
		t.Errorf("a configured clamd is replaced by the fake: %v", err)
	}
	if c, ok := uploadScanner(cfg, nil, false).(*clamav.Client); !ok || c.Addr != cfg.ClamdAddr {
		t.Errorf("configured clamd not used")
	}
	if s := uploadScanner(&config.Config{}, nil, true); s != nil {
		t.Errorf("a scanner without one configured: %v", s)
	}
}
