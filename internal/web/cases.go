package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/pdf"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/submission/attach"
	"github.com/radnice/radnice/internal/web/view"
)

// caseListLimit is how many cases /podani shows per party, newest first.
const caseListLimit = 300

// The answer to a request for information takes files: its route reads up
// to every file it may carry, with room for the text and the form's
// framing. The shell's usual body limit is lifted for it (CaseBodyLimits).
const (
	routeCaseAnswer = "POST /podani/{id}/odpoved"
	maxAnswerBody   = submission.MaxTotal + 1<<20
)

// CaseBodyLimits names the citizens' case routes that read more than the
// shell's usual body limit, with their own limits.
func CaseBodyLimits() map[string]int64 {
	return map[string]int64{routeCaseAnswer: maxAnswerBody}
}

func partyOwner(q access.Party) (personID, companyID int64) {
	if q.Kind == access.PartyCompany {
		return 0, q.ID
	}
	return q.ID, 0
}

func caseItem(s *submission.Summary) view.CaseItem {
	return view.CaseItem{ID: s.ID, Title: s.Title, State: string(s.State), Channel: s.Channel, Reference: s.Reference,
		Submitted: s.SubmittedAt, Updated: s.UpdatedAt}
}

// cases is /podani: the cases, filed in the portal or on paper, of every
// party the person may act for in submissions, newest first.
func (h *Handlers) cases(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	d := view.CasesData{Limit: caseListLimit}
	for _, q := range p.PartiesIn(access.AgendaSubmissions) {
		person, company := partyOwner(q)
		subs, err := h.Submissions.CaseList(r.Context(), p.TenantID, person, company, caseListLimit+1)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		g := view.CaseGroup{PartyKey: q.Key(), PartyName: q.Name, ViaKey: "party.via." + string(q.Via)}
		if len(subs) > caseListLimit {
			subs, g.More = subs[:caseListLimit], true
		}
		for i := range subs {
			g.Cases = append(g.Cases, caseItem(&subs[i]))
		}
		d.Groups = append(d.Groups, g)
	}
	h.Render(w, r, http.StatusOK, view.CasesPage(h.Page(r, h.T(r, "cases.title")), d))
}

// ownCase reads the case of {id} when one of the principal's parties owns
// it; for anybody else it does not exist (404 answered here).
func (h *Handlers) ownCase(w http.ResponseWriter, r *http.Request) (*submission.Submission, access.Party, bool) {
	p := Principal(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.ErrorPage(w, r, http.StatusNotFound)
		return nil, access.Party{}, false
	}
	sub, err := h.Submissions.Get(r.Context(), p.TenantID, id)
	if err != nil {
		h.fail(w, r, err)
		return nil, access.Party{}, false
	}
	party, mine := p.Owner(access.AgendaSubmissions, sub.PersonID, sub.CompanyID, 0)
	if !mine {
		h.ErrorPage(w, r, http.StatusNotFound)
		return nil, access.Party{}, false
	}
	return sub, party, true
}

// caseDetail is /podani/{id}.
func (h *Handlers) caseDetail(w http.ResponseWriter, r *http.Request) {
	sub, party, ok := h.ownCase(w, r)
	if !ok {
		return
	}
	notice := ""
	if r.URL.Query().Get("hotovo") == "doplneno" {
		notice = "cases.notice.sent"
	}
	h.renderCase(w, r, http.StatusOK, sub, party, caseForm{notice: notice})
}

// caseForm is what the answer form says back after a post.
type caseForm struct {
	errKey, notice, text string
}

func (h *Handlers) renderCase(w http.ResponseWriter, r *http.Request, status int, sub *submission.Submission, party access.Party, f caseForm) {
	ctx := r.Context()
	lang := httpx.Lang(ctx)
	events, err := h.Submissions.Events(ctx, sub.TenantID, sub.ID, true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	files, err := h.Submissions.Files(ctx, sub.TenantID, sub.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := view.CaseData{Item: caseItem(&submission.Summary{ID: sub.ID, Channel: sub.Channel, Title: sub.Title, State: sub.State,
		Reference: sub.Reference, SubmittedAt: sub.SubmittedAt, UpdatedAt: sub.UpdatedAt}), PartyName: party.Name, Department: sub.Department,
		CanAnswer: sub.State == submission.StateInfoRequested, AnswerText: f.text, ErrorKey: f.errKey, NoticeKey: f.notice,
		Receipt: sub.Channel == submission.ChannelPortal}
	byEvent := map[int64][]view.CaseFile{}
	for _, fl := range files {
		v := view.CaseFile{Href: fmt.Sprintf("/podani/%d/soubory/%d", sub.ID, fl.ID), Name: fl.Name, Size: i18n.FileSize(lang, fl.Size)}
		if fl.EventID == 0 {
			d.Files = append(d.Files, v)
		} else {
			byEvent[fl.EventID] = append(byEvent[fl.EventID], v)
		}
	}
	for _, e := range events {
		d.Events = append(d.Events, view.CaseEvent{At: e.At, Kind: e.Kind, Label: eventLabel(lang, e), Text: eventText(e),
			Files: byEvent[e.ID]})
	}
	if sub.Channel == submission.ChannelPortal {
		def, err := h.Forms.Version(ctx, sub.TenantID, sub.FormID, sub.FormVersion)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.FormTitle, d.FormVersion = def.Title.In(string(lang)), sub.FormVersion
		if d.Answers, err = h.filedAnswers(ctx, lang, sub, def, files); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.Render(w, r, status, view.CasePage(h.Page(r, sub.Title), d))
}

// eventLabel says what happened; a kind this page does not know is shown
// as a document of the office rather than as a key.
func eventLabel(lang i18n.Lang, e submission.Event) string {
	key := "cases.event." + e.Kind
	switch {
	case e.Kind == string(submission.StateRegistered):
		return i18n.T(lang, key, e.Text)
	case i18n.Has(key):
		return i18n.T(lang, key)
	}
	return i18n.T(lang, "cases.event.document")
}

// eventText is the words that came with an event (the registration's are
// its reference number, already in the label).
func eventText(e submission.Event) string {
	if e.Kind == string(submission.StateRegistered) {
		return ""
	}
	return e.Text
}

// filedAnswers lists the answers as filed, labelled from the form's
// version the case was filed on, step by step, with the declarations
// confirmed; fields that were not asked are left out.
func (h *Handlers) filedAnswers(ctx context.Context, lang i18n.Lang, sub *submission.Submission, def *form.Definition,
	files []submission.File) ([]view.CaseSection, error) {
	l := string(lang)
	visible := def.Visible(sub.Answers)
	names := map[string]string{}
	for _, f := range files {
		if f.EventID == 0 {
			names[strconv.FormatInt(f.ID, 10)] = f.Name
		}
	}
	var out []view.CaseSection
	for _, st := range def.Steps {
		sec := view.CaseSection{Title: st.Title.In(l)}
		for i := range st.Fields {
			f := &st.Fields[i]
			if !visible[f.ID] {
				continue
			}
			v, err := h.answerValue(ctx, lang, sub, f, names)
			if err != nil {
				return nil, err
			}
			if v != "" {
				sec.Rows = append(sec.Rows, view.CaseAnswer{Label: f.Label.In(l), Value: v})
			}
		}
		if len(sec.Rows) > 0 {
			out = append(out, sec)
		}
	}
	if confirmed := sub.Answers[form.DeclarationsKey]; len(confirmed) > 0 {
		sec := view.CaseSection{Title: i18n.T(lang, "cases.declarations")}
		for _, dcl := range def.Declarations {
			if slices.Contains(confirmed, dcl.ID) {
				sec.Rows = append(sec.Rows, view.CaseAnswer{Label: dcl.Text.In(l), Value: i18n.T(lang, "cases.declared")})
			}
		}
		if len(sec.Rows) > 0 {
			out = append(out, sec)
		}
	}
	return out, nil
}

// answerValue is one field's answer as a reader sees it: options by their
// labels, an address on two lines, a household member by name, files by
// their names.
func (h *Handlers) answerValue(ctx context.Context, lang i18n.Lang, sub *submission.Submission, f *form.Field, files map[string]string) (string, error) {
	a, l := sub.Answers, string(lang)
	var vs []string
	switch f.Type {
	case form.TypeChoice:
		for _, v := range a[f.ID] {
			label := v
			for _, o := range f.Options {
				if o.Value == v {
					label = o.Label.In(l)
				}
			}
			vs = append(vs, label)
		}
	case form.TypeAddress:
		line1 := strings.TrimSpace(a.Get(f.ID+".street") + " " + a.Get(f.ID+".number"))
		line2 := strings.TrimSpace(a.Get(f.ID+".zip") + " " + a.Get(f.ID+".city"))
		for _, s := range []string{line1, line2} {
			if s != "" {
				vs = append(vs, s)
			}
		}
	case form.TypeLocation:
		if t := a.Get(f.ID + ".text"); t != "" {
			vs = append(vs, t)
		}
		if lat, lon := a.Get(f.ID+".lat"), a.Get(f.ID+".lon"); lat != "" && lon != "" {
			vs = append(vs, lat+", "+lon)
		}
	case form.TypeHousehold:
		for _, v := range a[f.ID] {
			name := v
			// The filing checked it is a person of the filer's household.
			if id, err := strconv.ParseInt(v, 10, 64); err == nil {
				per, err := h.Persons.Get(ctx, sub.TenantID, id)
				switch {
				case err == nil:
					name = per.FullName()
				case !errors.Is(err, derr.ErrNotFound):
					return "", err
				}
			}
			vs = append(vs, name)
		}
	case form.TypeFile:
		for _, id := range a[f.ID] {
			if n, ok := files[id]; ok {
				vs = append(vs, n)
			}
		}
	case form.TypeDate:
		for _, v := range a[f.ID] {
			if t, ok := form.ParseDate(v); ok {
				v = i18n.Date(lang, t)
			}
			vs = append(vs, v)
		}
	default:
		vs = a[f.ID]
	}
	return strings.Join(vs, "\n"), nil
}

// caseAnswer is the filer's answer to a request for information: text and
// files, in one transaction with the case's move back to the office. A
// refused file is shown with its reason next to the form, and nothing is
// stored.
func (h *Handlers) caseAnswer(w http.ResponseWriter, r *http.Request) {
	sub, party, ok := h.ownCase(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	p := Principal(ctx)
	text, uploads, err := readAnswer(w, r)
	var inv *derr.InvalidError
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		h.Log.InfoContext(ctx, "case answer refused", "request_id", httpx.RequestID(ctx), "case", sub.ID, "err", "body over its limit")
		h.renderCase(w, r, http.StatusRequestEntityTooLarge, sub, party, caseForm{errKey: submission.KeyFileLarge, text: text})
		return
	case errors.As(err, &inv):
	case err != nil:
		h.Log.InfoContext(ctx, "case answer unreadable", "request_id", httpx.RequestID(ctx), "case", sub.ID, "err", err)
		h.ErrorPage(w, r, http.StatusBadRequest)
		return
	default:
		by := submission.Actor{Kind: submission.ActorCitizen}
		if self := p.Self(); self.Kind == access.PartyPerson {
			by.ID = self.ID
		}
		_, err = h.Submissions.Answer(ctx, p.TenantID, sub.ID, by, text, uploads)
	}
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/podani/%d?hotovo=doplneno", sub.ID), http.StatusSeeOther)
	case errors.Is(err, submission.ErrScanUnavailable):
		h.Log.WarnContext(ctx, "case answer: virus scanner unavailable", "request_id", httpx.RequestID(ctx), "case", sub.ID, "err", err)
		h.renderCase(w, r, http.StatusServiceUnavailable, sub, party, caseForm{errKey: submission.KeyScanDown, text: text})
	case errors.As(err, &inv):
		h.Log.InfoContext(ctx, "case answer refused", "request_id", httpx.RequestID(ctx), "case", sub.ID, "err", err)
		h.renderCase(w, r, http.StatusBadRequest, sub, party, caseForm{errKey: inv.Fields[0].Key, text: text})
	case errors.Is(err, derr.ErrConflict):
		h.Log.InfoContext(ctx, "case answer on a stale page", "request_id", httpx.RequestID(ctx), "case", sub.ID)
		if sub, err = h.Submissions.Get(ctx, p.TenantID, sub.ID); err != nil {
			h.fail(w, r, err)
			return
		}
		h.renderCase(w, r, http.StatusConflict, sub, party, caseForm{errKey: "cases.answer.conflict"})
	default:
		h.fail(w, r, err)
	}
}

// readAnswer reads the answer form (multipart: "text" and "files"),
// streaming, one file at a time: a file over the limit, or one file too
// many, is refused as soon as it shows.
func readAnswer(w http.ResponseWriter, r *http.Request) (string, []submission.Upload, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxAnswerBody)
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "multipart/form-data" {
		// A form posted without its encoding carries no files.
		if err := r.ParseForm(); err != nil {
			return "", nil, err
		}
		return r.PostForm.Get("text"), nil, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, err
	}
	var text string
	var uploads []submission.Upload
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return text, uploads, nil
		}
		if err != nil {
			return "", nil, err
		}
		switch part.FormName() {
		case "text":
			b, err := io.ReadAll(io.LimitReader(part, 4*submission.MaxAnswer+1))
			if err != nil {
				return "", nil, err
			}
			if len(b) > 4*submission.MaxAnswer {
				return "", nil, derr.Invalid("text", "cases.answer.long", "answer too long")
			}
			text = string(b)
		case "files":
			b, err := io.ReadAll(io.LimitReader(part, submission.MaxFileSize+1))
			if err != nil {
				return "", nil, err
			}
			if part.FileName() == "" && len(b) == 0 {
				continue // the file input left empty
			}
			if len(b) > submission.MaxFileSize {
				return text, nil, derr.Invalid("files", submission.KeyFileLarge, "a file over the limit")
			}
			if len(uploads) == submission.MaxFiles {
				return text, nil, derr.Invalid("files", submission.KeyFileCount, "too many files")
			}
			uploads = append(uploads, submission.Upload{Field: "answer", Name: part.FileName(), Data: b})
		default:
			io.Copy(io.Discard, part)
		}
	}
}

// caseReceipt is /podani/{id}/potvrzeni.pdf: exactly what was filed in the
// portal, labelled from the form's version it was filed on, with the
// files' names, sizes and fingerprints. A case started on paper has none.
func (h *Handlers) caseReceipt(w http.ResponseWriter, r *http.Request) {
	sub, party, ok := h.ownCase(w, r)
	if !ok {
		return
	}
	if sub.Channel != submission.ChannelPortal {
		h.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	ctx := r.Context()
	lang := httpx.Lang(ctx)
	T := func(k string, args ...any) string { return i18n.T(lang, k, args...) }
	def, err := h.Forms.Version(ctx, sub.TenantID, sub.FormID, sub.FormVersion)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	files, err := h.Submissions.Files(ctx, sub.TenantID, sub.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sections, err := h.filedAnswers(ctx, lang, sub, def, files)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t := httpx.Tenant(ctx)
	doc := pdf.Submission{Title: T("cases.receipt.title", sub.ID), Town: t.OfficialName, Address: t.Address, ICO: t.ICO,
		Form: def.Title.In(string(lang)), Version: strconv.Itoa(sub.FormVersion), Filed: sub.SubmittedAt.In(i18n.Prague),
		Reference: sub.Reference, Filer: party.Name, Issued: sub.SubmittedAt, Note: T("cases.receipt.note", t.Name),
		Labels: pdf.SubmissionLabels{Form: T("cases.receipt.form"), Version: T("cases.receipt.version"), Filed: T("cases.receipt.filed"),
			Reference: T("cases.receipt.reference"), Filer: T("cases.receipt.filer"), Answers: T("cases.receipt.answers"),
			Files: T("cases.receipt.files"), Size: T("cases.receipt.size"), SHA256: T("cases.receipt.sha"), ICO: T("receipt.ico"),
			NoFiles: T("cases.receipt.nofiles")}}
	for _, sec := range sections {
		if sec.Title != "" {
			doc.Answers = append(doc.Answers, pdf.Answer{Section: sec.Title})
		}
		for _, a := range sec.Rows {
			doc.Answers = append(doc.Answers, pdf.Answer{Label: a.Label, Value: a.Value})
		}
	}
	for _, f := range files {
		if f.EventID == 0 { // filed with it; answers and decisions came later
			doc.Files = append(doc.Files, pdf.Attachment{Name: f.Name, Size: i18n.FileSize(lang, f.Size), SHA256: f.SHA256})
		}
	}
	b, err := pdf.RenderSubmission(doc)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/pdf")
	hd.Set("Content-Disposition", `attachment; filename="potvrzeni-podani-`+strconv.FormatInt(sub.ID, 10)+`.pdf"`)
	hd.Set("Cache-Control", "no-store")
	w.Write(b)
}

// servedTypes are the content types files are served with; a stored file
// always has one of them (attach decided it), anything else is served as
// bytes to save.
var servedTypes = []string{attach.PDF, attach.JPEG, attach.PNG, attach.Text}

// caseFile is /podani/{id}/soubory/{file}: a file of that case, for its
// owner, as an attachment to save (never rendered in the portal's
// origin). A file of another case, or of an event the filer does not see
// (an official's note), does not exist here.
func (h *Handlers) caseFile(w http.ResponseWriter, r *http.Request) {
	sub, _, ok := h.ownCase(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	fileID, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if err != nil {
		h.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	f, data, err := h.Submissions.Open(ctx, sub.TenantID, fileID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if f.SubmissionID != sub.ID {
		h.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	if f.EventID != 0 {
		events, err := h.Submissions.Events(ctx, sub.TenantID, sub.ID, true)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if !slices.ContainsFunc(events, func(e submission.Event) bool { return e.ID == f.EventID }) {
			h.ErrorPage(w, r, http.StatusNotFound)
			return
		}
	}
	typ := f.ContentType
	if !slices.Contains(servedTypes, typ) {
		typ = "application/octet-stream"
	}
	hd := w.Header()
	hd.Set("Content-Type", typ)
	hd.Set("Content-Disposition", ContentDisposition(f.Name))
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "private, no-store")
	// Should a browser show it anyway, it runs nothing and reaches nothing.
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Write(data)
}

// ContentDisposition is an attachment's header that offers name to save: an ASCII
// fallback (Czech letters without their marks) for old clients and the
// exact name in UTF-8 (RFC 6266, RFC 8187) for the rest. Nothing in it can
// end the header's value or its quoted string.
func ContentDisposition(name string) string {
	var ascii strings.Builder
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune(" .-_()", r):
			ascii.WriteRune(r)
		default:
			ascii.WriteByte('_')
		}
	}
	fallback := strings.TrimSpace(ascii.String())
	if fallback == "" {
		fallback = "soubor"
	}
	var enc strings.Builder
	for _, b := range []byte(name) {
		if b < 0x80 && (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("!#$&+-.^_`|~", b) >= 0) {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	return `attachment; filename="` + fallback + `"; filename*=UTF-8''` + enc.String()
}
