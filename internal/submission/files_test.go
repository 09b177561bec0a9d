package submission_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/png"
	"strings"
	"sync"
	"testing"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/submission/clamav"
)

func pngBytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const pdfBytes = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

func zipBytes(t testing.TB) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("a.exe")
	w.Write([]byte("MZ"))
	zw.Close()
	return b.Bytes()
}

// scanned gives the rig's store a scanner: the fake clamd.
func (r *rig) scanned(t *testing.T) *clamav.Fake {
	t.Helper()
	f, err := clamav.StartFake("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	r.store.Scanner = &clamav.Client{Addr: f.Addr()}
	return f
}

func (r *rig) draft(t *testing.T) int64 {
	t.Helper()
	d, err := r.store.CreateDraft(r.ctx, r.tn.ID, r.account, fmt.Sprintf("person:%d", r.person), r.form, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

func (r *rig) files(t *testing.T) int {
	return r.count(t, `SELECT count(*) FROM submission_files WHERE tenant_id = $1`)
}

// wantRefused checks that err is a refusal with key.
func wantRefused(t *testing.T, what string, err error, key string) {
	t.Helper()
	var inv *derr.InvalidError
	if !errors.As(err, &inv) || inv.Fields[0].Key != key {
		t.Errorf("%s: %v, want a refusal %s", what, err, key)
	}
}

func TestAttachDraft(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	scanner := r.scanned(t)
	draft := r.draft(t)
	uploads := []submission.Upload{
		{Field: "doklad", Name: `C:\fakepath\Očkovací průkaz.PDF`, Data: []byte(pdfBytes)},
		{Field: "foto", Name: "pes.png", Data: pngBytes(t)},
		{Field: "foto", Name: "popis.exe", Data: []byte("Alík je hodný pes.\n")},
	}
	want := []struct{ name, typ string }{{"Očkovací průkaz.pdf", "application/pdf"}, {"pes.png", "image/png"},
		{"popis.exe.txt", "text/plain; charset=utf-8"}}
	for i, u := range uploads {
		f, err := r.store.AttachDraft(r.ctx, r.tn.ID, draft, u)
		if err != nil {
			t.Fatalf("%s: %v", u.Name, err)
		}
		sum := sha256.Sum256(u.Data)
		if f.Name != want[i].name || f.ContentType != want[i].typ || f.Size != int64(len(u.Data)) || f.SHA256 != hex.EncodeToString(sum[:]) ||
			f.DraftID != draft || f.Field != u.Field {
			t.Errorf("stored %+v", f)
		}
	}
	if scanner.Scans() != 3 {
		t.Errorf("%d scans, want 3", scanner.Scans())
	}
	list, err := r.store.DraftFiles(r.ctx, r.tn.ID, draft)
	if err != nil || len(list) != 3 {
		t.Fatalf("draft files: %d, %v", len(list), err)
	}
	f, data, err := r.store.Open(r.ctx, r.tn.ID, list[1].ID)
	if err != nil || !bytes.Equal(data, uploads[1].Data) || f.Name != "pes.png" {
		t.Fatalf("open: %v", err)
	}
	if err := r.store.RemoveDraftFile(r.ctx, r.tn.ID, draft, list[2].ID); err != nil {
		t.Fatal(err)
	}
	if err := r.store.RemoveDraftFile(r.ctx, r.tn.ID, draft, list[2].ID); !errors.Is(err, derr.ErrNotFound) {
		t.Errorf("removing twice: %v", err)
	}
	// Another town, another draft: not found.
	if _, _, err := r.store.Open(r.ctx, r.tn.ID+1000, list[0].ID); !errors.Is(err, derr.ErrNotFound) {
		t.Errorf("open in another town: %v", err)
	}
	if _, err := r.store.AttachDraft(r.ctx, r.tn.ID, draft+1000, uploads[0]); !errors.Is(err, derr.ErrNotFound) {
		t.Errorf("attach to no draft: %v", err)
	}

	// Filing moves the files the answers name to the submission; the
	// draft's other file (of a field no longer asked) is deleted.
	left, err := r.store.DraftFiles(r.ctx, r.tn.ID, draft)
	if err != nil || len(left) != 2 {
		t.Fatalf("draft files before filing: %d, %v", len(left), err)
	}
	fl := r.filing("with-files")
	fl.DraftID, fl.Files = draft, []int64{left[0].ID}
	sub, _, err := r.store.File(r.ctx, fl)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.store.Files(r.ctx, r.tn.ID, sub.ID)
	if err != nil || len(got) != 1 || got[0].ID != left[0].ID || got[0].SubmissionID != sub.ID || got[0].DraftID != 0 || got[0].EventID != 0 {
		t.Fatalf("submission files: %+v, %v", got, err)
	}
	if _, _, err := r.store.Open(r.ctx, r.tn.ID, left[1].ID); !errors.Is(err, derr.ErrNotFound) {
		t.Fatalf("the file no answer named is still there: %v", err)
	}
}

// Every refused upload is refused with its reason, and nothing is stored.
func TestAttachRefusals(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.scanned(t)
	draft := r.draft(t)
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>`)
	cases := []struct {
		name string
		u    submission.Upload
		key  string
	}{
		{"svg with a script named .png", submission.Upload{Name: "foto.png", Data: svg}, submission.KeyFileType},
		{"html named .pdf", submission.Upload{Name: "faktura.pdf", Data: []byte("<html><body>Faktura</body></html>")}, submission.KeyFileType},
		{"executable named .jpg", submission.Upload{Name: "foto.jpg", Data: []byte("MZ\x90\x00\x03\x00\x00\x00")}, submission.KeyFileType},
		{"zip named .pdf", submission.Upload{Name: "doklady.pdf", Data: zipBytes(t)}, submission.KeyFileArchive},
		{"png with a zip appended", submission.Upload{Name: "foto.png", Data: append(pngBytes(t), zipBytes(t)...)}, submission.KeyFileArchive},
		{"eicar in a .txt", submission.Upload{Name: "dopis.txt", Data: clamav.EICAR()}, submission.KeyFileVirus},
		{"oversized", submission.Upload{Name: "velky.txt", Data: bytes.Repeat([]byte("a"), submission.MaxFileSize+1)}, submission.KeyFileLarge},
		{"empty", submission.Upload{Name: "nic.pdf"}, submission.KeyFileEmpty},
	}
	before := r.files(t)
	for _, c := range cases {
		c.u.Field = "priloha"
		_, err := r.store.AttachDraft(r.ctx, r.tn.ID, draft, c.u)
		wantRefused(t, c.name, err, c.key)
	}
	if n := r.files(t); n != before {
		t.Fatalf("refused uploads stored %d files", n-before)
	}
}

// A configured scanner that does not answer refuses the upload for now,
// with its own temporary reason; nothing is stored unscanned.
func TestAttachScannerDown(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	f := r.scanned(t)
	f.Close()
	draft := r.draft(t)
	before := r.files(t)
	_, err := r.store.AttachDraft(r.ctx, r.tn.ID, draft, submission.Upload{Field: "priloha", Name: "a.pdf", Data: []byte(pdfBytes)})
	if !errors.Is(err, submission.ErrScanUnavailable) {
		t.Errorf("scanner down: %v", err)
	}
	wantRefused(t, "scanner down", err, submission.KeyScanDown)
	if r.files(t) != before {
		t.Error("a file was stored unscanned")
	}
}

// At most five files and 25 MB a draft, even when uploads race.
func TestAttachLimits(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	draft := r.draft(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = r.store.AttachDraft(r.ctx, r.tn.ID, draft, submission.Upload{Field: "priloha", Name: "a.txt", Data: []byte(fmt.Sprint("soubor ", i))})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantRefused(t, "a sixth file", err, submission.KeyFileCount)
		}
	}
	if files, _ := r.store.DraftFiles(r.ctx, r.tn.ID, draft); ok != submission.MaxFiles || len(files) != submission.MaxFiles {
		t.Fatalf("%d uploads passed, %d stored; want %d", ok, len(files), submission.MaxFiles)
	}

	big := r.draft(t)
	nine := bytes.Repeat([]byte("abcdefgh\n"), (9<<20)/9)
	for i := range 2 {
		if _, err := r.store.AttachDraft(r.ctx, r.tn.ID, big, submission.Upload{Field: "priloha", Name: "a.txt", Data: nine}); err != nil {
			t.Fatalf("file %d: %v", i, err)
		}
	}
	_, err := r.store.AttachDraft(r.ctx, r.tn.ID, big, submission.Upload{Field: "priloha", Name: "a.txt", Data: nine})
	wantRefused(t, "past 25 MB", err, submission.KeyFileLarge)
}

// AttachEvent adds files to an event in its transaction; a refused file
// undoes the event.
func TestAttachEvent(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.scanned(t)
	sub, _, err := r.store.File(r.ctx, r.filing("event-files"))
	if err != nil {
		t.Fatal(err)
	}
	official := submission.Actor{Kind: submission.ActorStaff, ID: 1}
	eid, err := r.store.AddEvent(r.ctx, r.tn.ID, sub.ID, submission.EventDocument, "Rozhodnutí", official, true,
		func(ctx context.Context, tx *db.Tx, eventID int64) error {
			_, err := r.store.AttachEvent(ctx, tx, r.tn.ID, sub.ID, eventID, submission.Upload{Field: "decision", Name: "rozhodnuti.pdf", Data: []byte(pdfBytes)})
			return err
		})
	if err != nil {
		t.Fatal(err)
	}
	files, err := r.store.Files(r.ctx, r.tn.ID, sub.ID)
	if err != nil || len(files) != 1 || files[0].EventID != eid || files[0].SubmissionID != sub.ID || files[0].Name != "rozhodnuti.pdf" {
		t.Fatalf("event files: %+v, %v", files, err)
	}
	events, stored := r.count(t, `SELECT count(*) FROM submission_events WHERE tenant_id = $1`), r.files(t)
	_, err = r.store.AddEvent(r.ctx, r.tn.ID, sub.ID, submission.EventDocument, "Rozhodnutí", official, true,
		func(ctx context.Context, tx *db.Tx, eventID int64) error {
			_, err := r.store.AttachEvent(ctx, tx, r.tn.ID, sub.ID, eventID, submission.Upload{Field: "decision", Name: "r.pdf", Data: clamav.EICAR()})
			return err
		})
	wantRefused(t, "infected decision", err, submission.KeyFileVirus)
	if n := r.count(t, `SELECT count(*) FROM submission_events WHERE tenant_id = $1`); n != events || r.files(t) != stored {
		t.Errorf("a refused file left %d events (was %d), %d files", n, events, r.files(t))
	}
}

// The answer to a request for information: the event, its files and the
// move back to the office in one transaction; a refused file or a case
// that does not wait for an answer stores nothing.
func TestAnswer(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.scanned(t)
	sub, _, err := r.store.File(r.ctx, r.filing("answered"))
	if err != nil {
		t.Fatal(err)
	}
	citizen := submission.Actor{Kind: submission.ActorCitizen, ID: r.person}
	if _, err := r.store.Answer(r.ctx, r.tn.ID, sub.ID, citizen, "Odpověď", nil); !errors.Is(err, derr.ErrConflict) {
		t.Fatalf("answer before any request: %v", err)
	}
	if err := r.store.Register(r.ctx, r.tn.ID, sub.ID, "MU/1/2026", "REC-1"); err != nil {
		t.Fatal(err)
	}
	if err := r.store.Move(r.ctx, r.tn.ID, sub.ID, submission.Change{To: submission.StateInfoRequested, Text: "Doložte očkování.",
		By: submission.Actor{Kind: submission.ActorStaff, ID: 1}}); err != nil {
		t.Fatal(err)
	}
	snapshot := func() string {
		return fmt.Sprint(r.files(t), r.count(t, `SELECT count(*) FROM submission_events WHERE tenant_id = $1`),
			r.count(t, `SELECT count(*) FROM notification_events WHERE tenant_id = $1`))
	}
	before := snapshot()
	for _, c := range []struct {
		name    string
		text    string
		uploads []submission.Upload
		key     string
	}{
		{"empty", "  ", nil, "cases.answer.empty"},
		{"too long", strings.Repeat("ž", submission.MaxAnswer+1), nil, "cases.answer.long"},
		{"one good file, one svg", "Posílám", []submission.Upload{{Name: "a.pdf", Data: []byte(pdfBytes)},
			{Name: "b.png", Data: []byte(`<svg onload="alert(1)"/>`)}}, submission.KeyFileType},
		{"an infected file", "Posílám", []submission.Upload{{Name: "a.txt", Data: clamav.EICAR()}}, submission.KeyFileVirus},
		{"six files", "Posílám", make([]submission.Upload, 6), submission.KeyFileCount},
	} {
		_, err := r.store.Answer(r.ctx, r.tn.ID, sub.ID, citizen, c.text, c.uploads)
		wantRefused(t, c.name, err, c.key)
	}
	if got, _ := r.store.Get(r.ctx, r.tn.ID, sub.ID); got.State != submission.StateInfoRequested || snapshot() != before {
		t.Fatalf("refused answers changed the case: %s, %s → %s", got.State, before, snapshot())
	}

	eid, err := r.store.Answer(r.ctx, r.tn.ID, sub.ID, citizen, "  Posílám očkovací průkaz.  ",
		[]submission.Upload{{Name: "prukaz.pdf", Data: []byte(pdfBytes)}, {Name: "foto.png", Data: pngBytes(t)}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := r.store.Get(r.ctx, r.tn.ID, sub.ID)
	events, _ := r.store.Events(r.ctx, r.tn.ID, sub.ID, true)
	last := events[len(events)-2:]
	if got.State != submission.StateInProgress || last[0].ID != eid || last[0].Kind != submission.EventInfoProvided ||
		last[0].Text != "Posílám očkovací průkaz." || last[1].Kind != string(submission.StateInProgress) {
		t.Fatalf("after the answer: %s, %+v", got.State, last)
	}
	files, _ := r.store.Files(r.ctx, r.tn.ID, sub.ID)
	if len(files) != 2 || files[0].EventID != eid || files[1].EventID != eid {
		t.Fatalf("answer files: %+v", files)
	}
	if n := r.count(t, `SELECT count(*) FROM notification_events WHERE tenant_id = $1 AND kind = 'submission.in_progress'`); n != 1 {
		t.Errorf("%d notifications of the move", n)
	}
	// Answering again (a second tab): the case no longer waits.
	if _, err := r.store.Answer(r.ctx, r.tn.ID, sub.ID, citizen, "Znovu", nil); !errors.Is(err, derr.ErrConflict) {
		t.Errorf("second answer: %v", err)
	}
}

// The messages tell the limits the code enforces.
func TestFileMessagesTellTheLimits(t *testing.T) {
	t.Parallel()
	for _, lang := range i18n.Langs {
		large, count := i18n.T(lang, submission.KeyFileLarge), i18n.T(lang, submission.KeyFileCount)
		if !strings.Contains(large, fmt.Sprintf("%d MB", submission.MaxFileSize>>20)) || !strings.Contains(large, fmt.Sprintf("%d MB", submission.MaxTotal>>20)) ||
			!strings.Contains(count, fmt.Sprint(submission.MaxFiles)) {
			t.Errorf("%s: %q / %q do not tell the limits", lang, large, count)
		}
		for _, k := range []string{submission.KeyFileType, submission.KeyFileArchive, submission.KeyFileEmpty, submission.KeyFileVirus, submission.KeyScanDown,
			"cases.answer.empty", "cases.answer.long", "cases.answer.invalid"} {
			if !i18n.Has(k) {
				t.Errorf("no message %s", k)
			}
		}
	}
}
