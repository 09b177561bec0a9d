package records

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testToken = "token-lhota"

// fakeServer runs a fake with one office behind an httptest server.
func fakeServer(t *testing.T) (*Fake, *httptest.Server) {
	t.Helper()
	f := NewFake()
	f.AddOffice(testToken, Office{Name: "Obecní úřad Lhota", Prefix: "OULH"})
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func testCase(key string) Case {
	data := []byte("%PDF-1.4 test")
	sum := sha256.Sum256(data)
	return Case{Key: key, Town: Town{Slug: "lhota", Name: "Obec Lhota"}, Department: "Odbor ekonomiky", Title: "Přihlášení psa",
		Filer:       Filer{Kind: FilerPerson, Name: "Jan Novák", BirthNumber: "8001010009"},
		SubmittedAt: time.Now().UTC(),
		Attachments: []Attachment{{Name: "ockovani.pdf", ContentType: "application/pdf", Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Data: data}}}
}

func TestKey(t *testing.T) {
	t.Parallel()
	if k := Key(7, 42); k != "radnice:7:42" || ParseKey(7, k) != 42 || ParseKey(8, k) != 0 || ParseKey(7, "radnice:7:x") != 0 ||
		ParseKey(7, "radnice:7:-1") != 0 || ParseKey(7, "") != 0 {
		t.Fatalf("key %q", k)
	}
	for in, want := range map[string]string{"Odbor ekonomiky": "OE", "Odbor životního prostředí": "OŽP", "Stavební úřad": "SÚ",
		"Odbor dopravy a silničního hospodářství": "ODSH", "": "X"} {
		if got := Initials(in); got != want {
			t.Errorf("Initials(%q) = %q, want %q", in, got, want)
		}
	}
}

// The adapter and the fake speak one protocol: registration is idempotent
// on the key, reference numbers count per department, the change feed
// pages with a cursor, and failures come out temporary or permanent.
func TestClientAndFake(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f, srv := fakeServer(t)
	c := NewClient(srv.URL+"/api/", testToken, &http.Client{Timeout: 2 * time.Second}, nil)
	year := time.Now().In(prague).Year()

	r1, err := c.Register(ctx, testCase("radnice:1:1"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "OULH/1/" + itoa(year) + "/OE"; r1.Reference != want || r1.CaseID == "" {
		t.Fatalf("first registration: %+v, want reference %s", r1, want)
	}
	again, err := c.Register(ctx, testCase("radnice:1:1"))
	if err != nil || again != r1 {
		t.Fatalf("the same key again: %+v %v", again, err)
	}
	r2, _ := c.Register(ctx, testCase("radnice:1:2"))
	other := testCase("radnice:1:3")
	other.Department = "Stavební úřad"
	r3, _ := c.Register(ctx, other)
	if !strings.HasPrefix(r2.Reference, "OULH/2/") || !strings.HasPrefix(r3.Reference, "OULH/1/") || !strings.HasSuffix(r3.Reference, "/SÚ") {
		t.Fatalf("numbering: %s %s", r2.Reference, r3.Reference)
	}
	if n := len(f.Cases(testToken)); n != 3 {
		t.Fatalf("%d cases at the fake, want 3", n)
	}

	// The wrong token is the town's configuration, not the case: it is
	// retried (the submissions filed meanwhile go through once the token
	// is mended), and registers nothing.
	if _, err := NewClient(srv.URL+"/api", "nope", nil, nil).Register(ctx, testCase("radnice:1:9")); err == nil || Permanent(err) {
		t.Errorf("wrong token: %v, want a temporary error", err)
	}
	// Refusals of the case itself are permanent: a checksum that does not
	// match, no key.
	for name, call := range map[string]func() error{
		"bad checksum": func() error {
			bad := testCase("radnice:1:9")
			bad.Attachments[0].SHA256 = strings.Repeat("0", 64)
			_, err := c.Register(ctx, bad)
			return err
		},
		"no key": func() error { _, err := c.Register(ctx, testCase("")); return err },
		"refused": func() error {
			f.Refuse(1)
			_, err := c.Register(ctx, testCase("radnice:1:9"))
			return err
		},
	} {
		if err := call(); err == nil || !Permanent(err) {
			t.Errorf("%s: %v, want a permanent error", name, err)
		}
	}
	if n := len(f.Cases(testToken)); n != 3 {
		t.Fatalf("refusals registered something: %d cases", n)
	}

	// Down: temporary, nothing registered.
	f.SetDown(true)
	if _, err := c.Register(ctx, testCase("radnice:1:4")); err == nil || Permanent(err) || !strings.Contains(err.Error(), "503") {
		t.Fatalf("down: %v", err)
	}
	if _, _, err := c.Changes(ctx, ""); err == nil || Permanent(err) {
		t.Fatalf("changes while down: %v", err)
	}
	f.SetDown(false)

	// Slow: the client gives up, the case exists; asking again under the
	// same key gets it.
	f.SetSlow(time.Second, 1)
	impatient := NewClient(srv.URL+"/api", testToken, &http.Client{Timeout: 150 * time.Millisecond}, nil)
	if _, err := impatient.Register(ctx, testCase("radnice:1:5")); err == nil || Permanent(err) {
		t.Fatalf("slow: %v, want a temporary error", err)
	}
	slow, err := impatient.Register(ctx, testCase("radnice:1:5"))
	if err != nil || slow.CaseID == "" {
		t.Fatalf("retry after slow: %+v %v", slow, err)
	}
	// Dropped answer: the same. (On a reused connection Go's transport
	// itself asks again, as the key makes that safe: a fresh connection
	// shows the loss.)
	f.DropAnswers(1)
	fresh := NewClient(srv.URL+"/api", testToken, &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}, nil)
	if _, err := fresh.Register(ctx, testCase("radnice:1:6")); err == nil || Permanent(err) {
		t.Fatalf("dropped answer: %v, want a temporary error", err)
	}
	dropped, err := fresh.Register(ctx, testCase("radnice:1:6"))
	if err != nil || dropped.CaseID == "" {
		t.Fatalf("retry after a dropped answer: %+v %v", dropped, err)
	}
	cases := f.Cases(testToken)
	if len(cases) != 5 || cases[3].Key != "radnice:1:5" || cases[3].ID != slow.CaseID || cases[4].ID != dropped.CaseID {
		t.Fatalf("cases at the fake: %+v", cases)
	}

	// Paper cases and moves come in the feed, in pages.
	paper, err := f.FilePaper(testToken, Paper{Title: "Žádost o kácení", Department: "Odbor životního prostředí", BirthNumber: "8001010009"})
	if err != nil || !strings.HasSuffix(paper.Reference, "/OŽP") {
		t.Fatalf("paper: %+v %v", paper, err)
	}
	if err := f.Move(testToken, r1.CaseID, "in_progress", "Řeší se."); err != nil {
		t.Fatal(err)
	}
	if err := f.Move(testToken, r1.CaseID, "nonsense", ""); err == nil {
		t.Fatal("the fake took an unknown state")
	}
	var all []Change
	cursor := ""
	for range 10 {
		page, next, err := c.changes(ctx, cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			if next != cursor {
				t.Fatalf("an empty page moved the cursor: %q → %q", cursor, next)
			}
			break
		}
		all, cursor = append(all, page...), next
	}
	if len(all) != 7 || all[0].Kind != ChangeFiled || all[0].Key != "radnice:1:1" || all[5].BirthNumber != "8001010009" ||
		all[6].Kind != ChangeState || all[6].State != "in_progress" || all[6].Key != "radnice:1:1" || all[6].Note != "Řeší se." {
		t.Fatalf("feed: %+v", all)
	}
	// A cursor of an earlier start of the system reads from the beginning;
	// a cursor it never gave is refused.
	if page, _, err := c.Changes(ctx, "oldstart.3"); err != nil || len(page) != 7 {
		t.Fatalf("old cursor: %d %v", len(page), err)
	}
	if _, _, err := c.Changes(ctx, "garbage"); !Permanent(err) {
		t.Fatalf("bad cursor: %v", err)
	}

	// The fake's page says DEMO and masks the owners' birth numbers.
	resp, err := http.Get(srv.URL + "/api/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "DEMO") || !strings.Contains(string(body), paper.Reference) ||
		strings.Contains(string(body), "8001010009") || !strings.Contains(string(body), `action="/api/cases/`+r1.CaseID+`/state"`) {
		t.Fatalf("page: %d\n%s", resp.StatusCode, body)
	}
	// Its button moves a case (same origin only).
	resp, err = http.PostForm(srv.URL+"/api/cases/"+r1.CaseID+"/state", map[string][]string{"state": {"approved"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := f.Cases(testToken)[0].State; got != "approved" {
		t.Fatalf("the page's button: state %s", got)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// changes is Changes with a page size, for paging tests.
func (c *Client) changes(ctx context.Context, cursor string, limit int) ([]Change, string, error) {
	var page changesPage
	path := "/changes?limit=" + itoa(limit)
	if cursor != "" {
		path += "&after=" + cursor
	}
	if err := c.call(ctx, "changes", http.MethodGet, path, nil, nil, &page); err != nil {
		return nil, cursor, err
	}
	return page.Changes, page.Cursor, nil
}
