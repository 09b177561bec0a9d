package backoffice

import (
	"bytes"
	"cmp"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/radnice/radnice/internal/backoffice/view"
	"github.com/radnice/radnice/internal/czid"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/obligation"
	"github.com/radnice/radnice/internal/payment"
	"github.com/radnice/radnice/internal/payment/bank"
	"github.com/radnice/radnice/internal/web"
)

// The fee clerks' payment desk: money from the bank that matched nothing
// is assigned to an obligation by its variable symbol, cash taken at the
// counter gets a printable receipt, overpayments are refunded once a
// second official approves, and bank statements are uploaded. The payment
// service does the booking and records every action in the audit log in
// the same transaction; this face parses what the official typed (amounts
// the Czech way, exactly, in haléře) and shows the outcome.

const paymentsBase = "/urad/platby"

// Statement uploads: the route, and how large a file it takes. The portal's
// shell caps every other body at 1 MiB (see BodyLimits).
const (
	routeStatement = "POST " + paymentsBase + "/vypis"
	maxStatement   = 32 << 20
)

// BodyLimits names the routes that read more than the portal's usual body
// limit, with their own limits; the shell applies these instead.
func (h *Handlers) BodyLimits() map[string]int64 {
	return map[string]int64{routeStatement: maxStatement}
}

// deskNotices are the one-time messages after a change on the desk.
var deskNotices = map[string]string{
	"prirazeno": "bo.pay.notice.assigned",
	"vratka":    "bo.pay.notice.refund",
	"schvaleno": "bo.pay.notice.approved",
	"zamitnuto": "bo.pay.notice.rejected",
}

func (h *Handlers) paymentDesk(w http.ResponseWriter, r *http.Request) {
	// ?vs= fills in the cash form, from a payer's page.
	vs := r.URL.Query().Get("vs")
	if _, problem := parseVS(vs); problem != "" {
		vs = ""
	}
	h.renderDesk(w, r, http.StatusOK, view.PaymentsData{Notice: deskNotices[r.URL.Query().Get("hotovo")], Cash: view.CashForm{VS: vs}})
}

func (h *Handlers) renderDesk(w http.ResponseWriter, r *http.Request, status int, d view.PaymentsData) {
	ctx, t := r.Context(), httpx.Tenant(r.Context())
	txs, err := h.Payments.Unmatched(ctx, t.ID, 100)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	refunds, err := h.Payments.Refunds(ctx, t.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := httpx.Lang(ctx)
	for _, tx := range txs {
		d.Unmatched = append(d.Unmatched, view.BankTxRow{ID: tx.ID, Action: paymentsBase + "/prirazeni/" + strconv.FormatInt(tx.ID, 10),
			Booked: i18n.Date(lang, tx.Booked), Amount: tx.Amount, VS: strconv.FormatInt(tx.VS, 10),
			SS: symbol(tx.SS), KS: symbol(tx.KS), Payer: tx.CounterName, Account: tx.CounterAccount, Message: tx.Message})
	}
	if len(refunds) > 0 {
		names := map[int64]string{}
		staff, err := h.Staff.List(ctx, t.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, st := range staff {
			names[st.ID] = st.Name
		}
		me := h.official(r).ID
		for _, rf := range refunds {
			d.Refunds = append(d.Refunds, view.RefundRow{ID: rf.ID, Action: paymentsBase + "/vratky/" + strconv.FormatInt(rf.ID, 10),
				VS: strconv.FormatInt(rf.VS, 10), Amount: rf.Amount, Account: rf.Account, Reason: rf.Reason,
				Requested: dateTime(lang, rf.RequestedAt), By: cmp.Or(names[rf.RequestedBy], "–"), Own: rf.RequestedBy == me})
		}
	}
	d.Demo = h.DemoStatement != nil
	h.Pages.Render(w, r, status, view.PaymentsPage(h.page(r, "bo.pay.title"), d))
}

// refuse shows the desk again with the problems of one form, and logs which
// form and which problems (never what was typed: it may name people).
func (h *Handlers) refuse(w http.ResponseWriter, r *http.Request, status int, d view.PaymentsData) {
	keys := make([]string, len(d.Errors))
	for i, e := range d.Errors {
		keys[i] = e.Key
	}
	h.Log.InfoContext(r.Context(), "payment desk: refused", "request_id", httpx.RequestID(r.Context()), "form", d.Form,
		"status", status, "problems", keys)
	h.renderDesk(w, r, status, d)
}

func symbol(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// parseVS reads a variable symbol: up to 10 digits (spaces ignored).
func parseVS(s string) (int64, string) {
	s = strings.Join(strings.Fields(s), "")
	if s == "" {
		return 0, "bo.pay.vs.required"
	}
	if len(s) > 10 || !allDigits(s) {
		return 0, "bo.pay.vs.format"
	}
	n, _ := strconv.ParseInt(s, 10, 64)
	if n == 0 {
		return 0, "bo.pay.vs.format"
	}
	return n, ""
}

// reasonProblem is what is wrong with a reason typed for the audit log.
func reasonProblem(s string) string {
	switch {
	case s == "":
		return "bo.pay.reason.required"
	case utf8.RuneCountInString(s) > 500:
		return "bo.pay.reason.long"
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		// PostgreSQL's text takes no NUL: refused here, not a 500 there.
		return "bo.form.invalid"
	}
	return ""
}

// obligationByVS finds the town's obligation for a symbol that parsed; a
// symbol the town does not know is a problem of field, any other failure
// an error.
func (h *Handlers) obligationByVS(r *http.Request, vs int64, field string, errs *view.Errors) (*obligation.Line, error) {
	if vs == 0 || errs.Key(field) != "" {
		return nil, nil
	}
	l, err := h.Obligations.ByVS(r.Context(), httpx.Tenant(r.Context()).ID, vs)
	if errors.Is(err, derr.ErrNotFound) {
		*errs = append(*errs, view.FieldError{Field: field, Key: "bo.pay.vs.unknown"})
		return nil, nil
	}
	return l, err
}

// addProblem appends a problem of field, if there is one.
func addProblem(errs *view.Errors, field, key string) {
	if key != "" {
		*errs = append(*errs, view.FieldError{Field: field, Key: key})
	}
}

// assignTx books an unmatched bank transaction to the obligation whose
// variable symbol the official found, with the reason.
func (h *Handlers) assignTx(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		h.Pages.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	d := view.PaymentsData{Form: view.FormAssign, ErrorsFor: id}
	if err := r.ParseForm(); err != nil {
		d.Errors = view.Errors{{Key: "bo.form.invalid"}}
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	sid := strconv.FormatInt(id, 10)
	vsField, reasonField := "assign-vs-"+sid, "assign-reason-"+sid
	d.Assign = view.AssignForm{VS: strings.TrimSpace(r.PostForm.Get("vs")), Reason: strings.TrimSpace(r.PostForm.Get("reason"))}
	vs, key := parseVS(d.Assign.VS)
	addProblem(&d.Errors, vsField, key)
	l, err := h.obligationByVS(r, vs, vsField, &d.Errors)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	addProblem(&d.Errors, reasonField, reasonProblem(d.Assign.Reason))
	if len(d.Errors) > 0 {
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	err = h.Payments.Assign(r.Context(), web.Principal(r.Context()).Actor(), l.TenantID, id, l.ID, d.Assign.Reason)
	if fe, ok := fieldErrors(err, map[string]string{"obligation": vsField, "reason": reasonField}); ok {
		d.Errors, d.Assign.Reason = fe, echo(fe, reasonField, d.Assign.Reason)
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	if errors.Is(err, derr.ErrConflict) { // assigned meanwhile, or not this town's
		h.refuse(w, r, http.StatusConflict, view.PaymentsData{Form: view.FormAssign, Errors: view.Errors{{Key: "bo.pay.assign.conflict"}}})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, paymentsBase+"?hotovo=prirazeno", http.StatusSeeOther)
}

// cashPayment records cash taken at the counter and opens its receipt.
func (h *Handlers) cashPayment(w http.ResponseWriter, r *http.Request) {
	d := view.PaymentsData{Form: view.FormCash}
	if err := r.ParseForm(); err != nil {
		d.Errors = view.Errors{{Key: "bo.form.invalid"}}
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	d.Cash = view.CashForm{VS: strings.TrimSpace(r.PostForm.Get("vs")), Amount: strings.TrimSpace(r.PostForm.Get("amount"))}
	vs, key := parseVS(d.Cash.VS)
	addProblem(&d.Errors, "cash-vs", key)
	l, err := h.obligationByVS(r, vs, "cash-vs", &d.Errors)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	amount, key := parseAmount(d.Cash.Amount)
	addProblem(&d.Errors, "cash-amount", key)
	if len(d.Errors) > 0 {
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	pay, err := h.Payments.Cash(r.Context(), web.Principal(r.Context()).Actor(), l.TenantID, l.ID, amount)
	if fe, ok := fieldErrors(err, map[string]string{"obligation": "cash-vs", "amount": "cash-amount"}); ok {
		d.Errors = fe
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, paymentsBase+"/doklad/"+strconv.FormatInt(pay.ID, 10), http.StatusSeeOther)
}

// receipt is the printable receipt of a cash payment of this town; any
// other payment is not found.
func (h *Handlers) receipt(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		h.Pages.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	ctx, t := r.Context(), httpx.Tenant(r.Context())
	pay, err := h.Payments.Get(ctx, t.ID, id)
	if err == nil && (pay.Channel != payment.ChannelCash || len(pay.Items) == 0) {
		err = derr.ErrNotFound
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	l, err := h.Obligations.Line(ctx, t.ID, pay.Items[0].ObligationID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := httpx.Lang(ctx)
	d := view.ReceiptData{Town: t.OfficialName, Address: t.Address, ICO: t.ICO, Number: pay.ID, Received: dateTime(lang, pay.CreatedAt),
		Kind: l.KindCS, Period: l.Period, VS: l.VS, Amount: pay.Amount}
	if d.Town == "" {
		d.Town = t.Name
	}
	if lang == i18n.EN && l.KindEN != "" {
		d.Kind = l.KindEN
	}
	if sid := pay.Official(); sid > 0 {
		st, err := h.Staff.Get(ctx, t.ID, sid)
		switch {
		case err == nil:
			d.Official = st.Name
		case !errors.Is(err, derr.ErrNotFound): // not found: no such official of this town, no name
			h.fail(w, r, err)
			return
		}
	}
	h.Pages.Render(w, r, http.StatusOK, view.ReceiptPage(h.page(r, "bo.receipt.title"), d))
}

// refundRequest asks for an overpayment to be paid back; another official
// decides.
func (h *Handlers) refundRequest(w http.ResponseWriter, r *http.Request) {
	d := view.PaymentsData{Form: view.FormRefund}
	if err := r.ParseForm(); err != nil {
		d.Errors = view.Errors{{Key: "bo.form.invalid"}}
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	d.Refund = view.RefundForm{VS: strings.TrimSpace(r.PostForm.Get("vs")), Amount: strings.TrimSpace(r.PostForm.Get("amount")),
		Account: strings.TrimSpace(r.PostForm.Get("account")), Reason: strings.TrimSpace(r.PostForm.Get("reason"))}
	vs, key := parseVS(d.Refund.VS)
	addProblem(&d.Errors, "refund-vs", key)
	l, err := h.obligationByVS(r, vs, "refund-vs", &d.Errors)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	amount, key := parseAmount(d.Refund.Amount)
	addProblem(&d.Errors, "refund-amount", key)
	account, ok := refundAccount(d.Refund.Account)
	if !ok {
		addProblem(&d.Errors, "refund-account", "bo.pay.account.invalid")
	}
	addProblem(&d.Errors, "refund-reason", reasonProblem(d.Refund.Reason))
	if len(d.Errors) > 0 {
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	_, err = h.Payments.RequestRefund(r.Context(), web.Principal(r.Context()).Actor(), l.TenantID, l.ID, amount, account, d.Refund.Reason)
	if fe, ok := fieldErrors(err, map[string]string{"obligation": "refund-vs", "amount": "refund-amount", "account": "refund-account",
		"reason": "refund-reason"}); ok {
		d.Errors, d.Refund.Reason = fe, echo(fe, "refund-reason", d.Refund.Reason)
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, paymentsBase+"?hotovo=vratka#vratky", http.StatusSeeOther)
}

// refundAccount checks the account to pay back to: a Czech account number
// ("19-2000145399/0800") or an IBAN, returned without spaces.
func refundAccount(s string) (string, bool) {
	compact := strings.Join(strings.Fields(s), "")
	switch {
	case czid.ValidAccount(compact):
		return compact, true
	case czid.ValidIBAN(compact):
		return strings.ToUpper(compact), true
	}
	return "", false
}

// refundDecide approves or rejects a refund; the official who asked
// cannot.
func (h *Handlers) refundDecide(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		h.Pages.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	field := "refund-" + strconv.FormatInt(id, 10)
	d := view.PaymentsData{Form: view.FormDecide, ErrorsFor: id}
	if err := r.ParseForm(); err != nil {
		d.Errors = view.Errors{{Field: field, Key: "bo.form.invalid"}}
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	decision := r.PostForm.Get("decision")
	if decision != "approve" && decision != "reject" {
		d.Errors = view.Errors{{Field: field, Key: "bo.pay.decision.invalid"}}
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	err := h.Payments.DecideRefund(r.Context(), web.Principal(r.Context()).Actor(), httpx.Tenant(r.Context()).ID, id, decision == "approve")
	switch fe, invalid := fieldErrors(err, map[string]string{"amount": field}); {
	case invalid:
		d.Errors = fe
		h.refuse(w, r, http.StatusBadRequest, d)
	case errors.Is(err, derr.ErrForbidden): // four eyes: the official asked for it
		d.Errors = view.Errors{{Field: field, Key: "bo.pay.refund.own"}}
		h.refuse(w, r, http.StatusBadRequest, d)
	case errors.Is(err, derr.ErrConflict):
		h.refuse(w, r, http.StatusConflict, view.PaymentsData{Form: view.FormDecide, Errors: view.Errors{{Key: "bo.pay.refund.decided"}}})
	case err != nil:
		h.fail(w, r, err) // not found: no such refund of this town
	case decision == "approve":
		http.Redirect(w, r, paymentsBase+"?hotovo=schvaleno#vratky", http.StatusSeeOther)
	default:
		http.Redirect(w, r, paymentsBase+"?hotovo=zamitnuto#vratky", http.StatusSeeOther)
	}
}

// errNoFile: the upload carried no statement.
var errNoFile = errors.New("no file")

// statementUpload books an uploaded bank statement and shows what it did.
// A file that does not parse, or is not in crowns, books nothing.
func (h *Handlers) statementUpload(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxStatement)
	d := view.PaymentsData{Form: view.FormStatement}
	data, err := readFile(r, "statement")
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		d.Errors = view.Errors{{Field: "statement-file", Key: "bo.pay.statement.large"}}
		h.refuse(w, r, http.StatusRequestEntityTooLarge, d)
		return
	case errors.Is(err, errNoFile):
		d.Errors = view.Errors{{Field: "statement-file", Key: "bo.pay.statement.required"}}
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	case err != nil:
		h.Log.InfoContext(r.Context(), "payment desk: upload unreadable", "request_id", httpx.RequestID(r.Context()), "err", err)
		d.Errors = view.Errors{{Field: "statement-file", Key: "bo.form.invalid"}}
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	st, err := bank.Parse(bytes.NewReader(data))
	if err != nil {
		h.Log.InfoContext(r.Context(), "payment desk: statement does not parse", "request_id", httpx.RequestID(r.Context()), "err", err)
		d.Errors = view.Errors{{Field: "statement-file", Key: "bo.pay.statement.format"}}
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	if st.Currency != "" && st.Currency != "CZK" {
		d.Errors = view.Errors{{Field: "statement-file", Key: "bo.pay.statement.currency"}}
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	// A statement of another account (the town's other bank, a clerk's
	// mistake) must not book other money against the town's symbols.
	if t := httpx.Tenant(r.Context()); t.IBAN != "" && !bank.SameAccount(st.Account, t.IBAN) {
		d.Errors = view.Errors{{Field: "statement-file", Key: "bo.pay.statement.account"}}
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	res, err := h.Payments.ImportBy(r.Context(), web.Principal(r.Context()).Actor(), httpx.Tenant(r.Context()).ID, st.Account, st.PaymentTxs())
	if fe, ok := fieldErrors(err, map[string]string{"account": "statement-file", "ref": "statement-file"}); ok {
		d.Errors = fe
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderDesk(w, r, http.StatusOK, view.PaymentsData{Imported: &view.ImportCounts{Format: st.Format, Number: cmp.Or(st.Number, "–"), Account: st.Account,
		Transactions: res.Transactions, Matched: res.Matched, Unmatched: res.Unmatched, Ignored: res.Ignored, Duplicates: res.Duplicates}})
}

// readFile reads the file field of a multipart form, streaming: nothing is
// spooled to disk. An empty or missing file is errNoFile.
func readFile(r *http.Request, field string) ([]byte, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errNoFile // not a multipart form: no file in it
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, errNoFile
		}
		if err != nil {
			return nil, err
		}
		if part.FormName() != field {
			continue
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, err
		}
		if len(data) == 0 {
			return nil, errNoFile
		}
		return data, nil
	}
}

// demoStatement, in demo mode, hands out a statement of the demo town's
// bank to upload; elsewhere there is none.
func (h *Handlers) demoStatement(w http.ResponseWriter, r *http.Request) {
	if h.DemoStatement == nil {
		h.Pages.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	data, err := h.DemoStatement(r.Context(), httpx.Tenant(r.Context()).ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/xml")
	hd.Set("Content-Disposition", `attachment; filename="vypis-demo.xml"`)
	hd.Set("Cache-Control", "no-store")
	w.Write(data)
}
