package clamav

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/submission"
)

func fake(t *testing.T) *Fake {
	t.Helper()
	f, err := StartFake("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestScan(t *testing.T) {
	t.Parallel()
	f := fake(t)
	c := &Client{Addr: f.Addr(), Timeout: 5 * time.Second}
	ctx := context.Background()
	if err := c.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	// Clean, in one chunk and in many.
	for _, data := range [][]byte{[]byte("Dobrý den"), bytes.Repeat([]byte("čisté "), 100_000)} {
		if err := c.Scan(ctx, data); err != nil {
			t.Fatalf("clean %d bytes: %v", len(data), err)
		}
	}
	// EICAR, alone and in the middle of a stream longer than a chunk.
	big := append(append(bytes.Repeat([]byte{'a'}, chunk-10), EICAR()...), bytes.Repeat([]byte{'b'}, chunk)...)
	for _, data := range [][]byte{EICAR(), big} {
		err := c.Scan(ctx, data)
		if !errors.Is(err, submission.ErrInfected) || !strings.Contains(err.Error(), EICARSignature) {
			t.Fatalf("eicar in %d bytes: %v", len(data), err)
		}
	}
	if f.Scans() != 4 {
		t.Errorf("%d scans, want 4", f.Scans())
	}
}

// Whatever goes wrong, the answer is an error that is not "infected" and
// never a clean bill.
func TestScanFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	// Nobody listens.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	if err := (&Client{Addr: addr, Timeout: time.Second}).Scan(ctx, []byte("x")); err == nil || errors.Is(err, submission.ErrInfected) {
		t.Errorf("scanner down: %v", err)
	}

	// It accepts and never answers.
	f := fake(t)
	f.Stall(true)
	start := time.Now()
	err := (&Client{Addr: f.Addr(), Timeout: 300 * time.Millisecond}).Scan(ctx, []byte("x"))
	if err == nil || errors.Is(err, submission.ErrInfected) || time.Since(start) > 5*time.Second {
		t.Errorf("hung scanner: %v after %s", err, time.Since(start))
	}
	// The request's context ends the wait too.
	cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if err := (&Client{Addr: f.Addr()}).Scan(cctx, []byte("x")); err == nil {
		t.Error("a cancelled scan passed")
	}

	// A stream over clamd's limit.
	g := fake(t)
	g.SetMaxStream(1000)
	err = (&Client{Addr: g.Addr(), Timeout: 5 * time.Second}).Scan(ctx, bytes.Repeat([]byte{'x'}, 5000))
	if err == nil || errors.Is(err, submission.ErrInfected) {
		t.Errorf("over the limit: %v", err)
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	if err := parse("stream: OK"); err != nil {
		t.Error(err)
	}
	if err := parse("1: stream: OK"); err != nil {
		t.Error(err)
	}
	if err := parse("stream: Eicar-Signature FOUND"); !errors.Is(err, submission.ErrInfected) {
		t.Error(err)
	}
	for _, r := range []string{"INSTREAM size limit exceeded. ERROR", "UNKNOWN COMMAND", "", "stream: ok"} {
		if err := parse(r); err == nil || errors.Is(err, submission.ErrInfected) {
			t.Errorf("%q: %v", r, err)
		}
	}
}
