package app

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/demo"
	"github.com/radnice/radnice/internal/fixture"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/session"
	"github.com/radnice/radnice/internal/submission/clamav"
)

// onePDF is a PDF of about 1 MB that the content checks accept.
func onePDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	line := "% Ukázková příloha podání: text, který zabírá místo jako skutečný sken.\n"
	for b.Len() < 1<<20 {
		b.WriteString(line)
	}
	b.WriteString("trailer << /Root 1 0 R >>\n%%EOF\n")
	return b.Bytes()
}

// BenchmarkSubmitWithAttachment files the general submission with a 1 MB
// PDF through the whole HTTP stack, as a browser does: start the draft,
// answer the first step, upload the PDF with the second (multipart: content
// checks and a scan by the fake clamd over TCP), answer the third, file.
// Five requests per submission; it reports submissions per second:
//
//	go test ./internal/app -run '^$' -bench SubmitWithAttachment -benchtime 200x
func BenchmarkSubmitWithAttachment(b *testing.B) {
	ctx := context.Background()
	var cookie string
	var townID, acc int64
	h, p := testPortal(b, func(d *db.DB) {
		town := fixture.Town(b, d, "lhota", 40)
		if err := demo.PublishForms(ctx, d, &form.Store{DB: d}, town); err != nil {
			b.Fatal(err)
		}
		townID = town.ID
		if err := d.Read().QueryRow(ctx, `SELECT min(id) FROM accounts WHERE tenant_id = $1`, town.ID).Scan(&acc); err != nil {
			b.Fatal(err)
		}
		tok, _, err := (&session.Store{DB: d, Idle: time.Hour, Max: time.Hour}).Create(ctx, town.ID,
			map[string]string{access.KeyAccount: strconv.FormatInt(acc, 10), access.KeyLevel: "2"})
		if err != nil {
			b.Fatal(err)
		}
		cookie = "radnice=" + tok
	})
	scanner, err := clamav.StartFake("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { scanner.Close() })
	p.web.Submissions.Scanner = &clamav.Client{Addr: scanner.Addr()}
	pdf := onePDF()

	send := func(method, path, contentType string, body []byte) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, bytes.NewReader(body))
		r.Host = "lhota.test"
		r.Header.Set("Cookie", cookie)
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	post := func(path string, v url.Values) (string, error) {
		w := send("POST", path, "application/x-www-form-urlencoded", []byte(v.Encode()))
		if w.Code != http.StatusSeeOther {
			return "", fmt.Errorf("POST %s: %d\n%.1000s", path, w.Code, w.Body.String())
		}
		return w.Header().Get("Location"), nil
	}
	submit := func() error {
		draft, err := post("/formulare/obecne-podani", url.Values{})
		if err != nil {
			return err
		}
		id, _ := strconv.ParseInt(strings.TrimPrefix(draft, "/formulare/koncept/"), 10, 64)
		d, err := p.web.Submissions.Draft(ctx, townID, acc, id)
		if err != nil {
			return err
		}
		if _, err := post(draft, url.Values{"token": {d.Token}, "krok": {"0"}, "_shown": {"druh", "predmet", "text"}, "akce": {"dalsi"},
			"druh": {"zadost"}, "predmet": {"Žádost o kopii stavebního povolení"},
			"text": {"Žádám o kopii stavebního povolení k domu č. p. 12, včetně ověřené projektové dokumentace."}}); err != nil {
			return err
		}
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for k, v := range map[string]string{"token": d.Token, "krok": "1", "_shown": "prilohy", "akce": "dalsi"} {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("prilohy", "projekt.pdf")
		fw.Write(pdf)
		mw.Close()
		if w := send("POST", draft, mw.FormDataContentType(), body.Bytes()); w.Code != http.StatusSeeOther ||
			!strings.HasSuffix(w.Header().Get("Location"), "?krok=2") {
			return fmt.Errorf("upload: %d %s\n%.1000s", w.Code, w.Header().Get("Location"), w.Body.String())
		}
		if _, err := post(draft, url.Values{"token": {d.Token}, "krok": {"2"}, "_shown": {"odpoved"}, "akce": {"dalsi"}, "odpoved": {"portal"}}); err != nil {
			return err
		}
		if w := send("GET", draft+"/kontrola", "", nil); w.Code != http.StatusOK {
			return fmt.Errorf("review: %d", w.Code)
		}
		loc, err := post(draft+"/podat", url.Values{"token": {d.Token}, "prohlaseni": {"pravdivost"}})
		if err != nil {
			return err
		}
		if !strings.HasPrefix(loc, "/podani/") {
			return fmt.Errorf("filed to %q", loc)
		}
		return nil
	}
	if err := submit(); err != nil { // warm up, and fail early
		b.Fatal(err)
	}
	b.SetBytes(int64(len(pdf)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := submit(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "submissions/s")
}
