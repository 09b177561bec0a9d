package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/czid"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/obligation"
	"github.com/radnice/radnice/internal/payment"
	"github.com/radnice/radnice/internal/payment/bank"
	"github.com/radnice/radnice/internal/pdf"
	"github.com/radnice/radnice/internal/web/view"
)

// QRFunc makes a QR Platba code (SPAYD string and inline SVG) for a
// payment to iban; nil shows bank details without a code.
type QRFunc func(iban string, amount, vs int64, message string) (*view.QRPayment, error)

func ownerOf(q access.Party) payment.Owner {
	if q.Kind == access.PartyCompany {
		return payment.Owner{CompanyID: q.ID}
	}
	return payment.Owner{PersonID: q.ID}
}

func (h *Handlers) item(r *http.Request, l *obligation.Line, today time.Time) view.ObligationItem {
	kind := l.KindCS
	if httpx.Lang(r.Context()) == i18n.EN && l.KindEN != "" {
		kind = l.KindEN
	}
	st := l.Status(today)
	it := view.ObligationItem{ID: l.ID, Kind: kind, Period: l.Period, Amount: l.Amount, Balance: l.Balance, Due: l.DueDate,
		VS: l.VS, Status: string(st), StatusKey: "obl.status." + string(st), Household: l.Household, NextAmount: l.Balance,
		Description: l.Description}
	if due, amount, ok := l.Next(); ok {
		it.Due, it.NextAmount = due, amount
	}
	if len(l.Instalments) > 0 {
		settled, cum := l.Amount-l.Balance, int64(0)
		for _, in := range l.Instalments {
			cum += in.Amount
			it.Instalments = append(it.Instalments, view.InstalmentRow{Seq: in.Seq, Due: in.Due, Amount: in.Amount, Settled: cum <= settled})
		}
	}
	return it
}

func today() time.Time { return time.Now().In(i18n.Prague) }

// obligations is /zavazky: everything the person and those they act for
// owe, across departments.
func (h *Handlers) obligations(w http.ResponseWriter, r *http.Request) {
	h.renderObligations(w, r, http.StatusOK, "")
}

func (h *Handlers) renderObligations(w http.ResponseWriter, r *http.Request, status int, errKey string) {
	p := Principal(r.Context())
	d := view.ObligationsData{ErrorKey: errKey}
	var err error
	if d.Card, err = h.takesCards(r); err != nil {
		h.fail(w, r, err)
		return
	}
	now := today()
	for _, q := range p.PartiesIn(access.AgendaObligations) {
		o := ownerOf(q)
		lines, err := h.Obligations.Overview(r.Context(), p.TenantID, o.PersonID, o.CompanyID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		g := view.ObligationGroup{PartyKey: q.Key(), PartyName: q.Name, ViaKey: "party.via." + string(q.Via)}
		for i := range lines {
			it := h.item(r, &lines[i], now)
			if lines[i].Open() {
				g.Open = append(g.Open, it)
				g.Total += lines[i].Balance
				if d.NextDue.IsZero() || it.Due.Before(d.NextDue) {
					d.NextDue, d.NextName = it.Due, it.Kind+" "+it.Period
				}
			} else {
				g.History = append(g.History, it)
			}
		}
		d.Total += g.Total
		d.Groups = append(d.Groups, g)
	}
	h.Render(w, r, status, view.ObligationsPage(h.Page(r, h.T(r, "obl.title")), d))
}

// obligation is /zavazky/{id}; for anybody whose parties do not owe it, it
// does not exist.
func (h *Handlers) obligation(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	l, err := h.Obligations.Line(r.Context(), p.TenantID, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	party, found := p.Owner(access.AgendaObligations, l.PersonID, l.CompanyID, l.HouseholdID)
	if !found {
		h.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	entries, err := h.Obligations.Ledger(r.Context(), p.TenantID, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t := httpx.Tenant(r.Context())
	d := view.ObligationData{Item: h.item(r, l, today()), PartyKey: party.Key(), PartyName: party.Name, Payable: l.Open(),
		IBAN: t.IBAN, Account: czid.FormatIBAN(t.IBAN)}
	if d.Card, err = h.takesCards(r); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, e := range entries {
		d.Entries = append(d.Entries, view.LedgerRow{KindKey: "obl.entry." + e.Kind, Amount: e.Amount, Booked: e.BookedAt})
	}
	if l.Open() && h.QR != nil && t.IBAN != "" {
		// In instalments, the code asks for the part due next; paying
		// more (up to the balance) is still matched by the symbol.
		if d.QR, err = h.QR(t.IBAN, d.Item.NextAmount, l.VS, d.Item.Kind+" "+l.Period); err != nil {
			h.Log.WarnContext(r.Context(), "qr platba", "err", err)
		}
	}
	h.Render(w, r, http.StatusOK, view.ObligationPage(h.Page(r, d.Item.Kind), d))
}

// takesCards says whether the town has an active card gateway, so that the
// card button is offered only where it can work.
func (h *Handlers) takesCards(r *http.Request) (bool, error) {
	name, err := h.Payments.CardGateway(r.Context(), httpx.Tenant(r.Context()).ID)
	return name != "", err
}

// pay pays the chosen obligations of one party: by card through the
// town's active gateway, or by transfer of a basket with its own symbol. A
// card payment where the town has no gateway (a forged form: the button is
// not offered) is refused calmly by Create.
func (h *Handlers) pay(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	if err := r.ParseForm(); err != nil {
		h.ErrorPage(w, r, http.StatusBadRequest)
		return
	}
	q, ok := p.Party(r.PostForm.Get("party"))
	if !ok || !q.Allows(access.AgendaObligations) {
		h.ErrorPage(w, r, http.StatusForbidden)
		return
	}
	var ids []int64
	for _, s := range r.PostForm["id"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			h.renderObligations(w, r, http.StatusBadRequest, "payment.none")
			return
		}
		ids = append(ids, id)
	}
	channel := payment.ChannelTransfer
	if r.PostForm.Get("method") == "card" {
		channel = payment.ChannelCard
	}
	// For a card, "" is the town's active gateway, which Create records.
	pay, err := h.Payments.Create(r.Context(), p.TenantID, ownerOf(q), ids, channel, "", p.SessionKey)
	var inv *derr.InvalidError
	if errors.As(err, &inv) {
		h.Log.InfoContext(r.Context(), "payment refused", "request_id", httpx.RequestID(r.Context()), "err", err)
		h.renderObligations(w, r, http.StatusBadRequest, inv.Fields[0].Key)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if channel == payment.ChannelTransfer {
		http.Redirect(w, r, "/platba/"+strconv.FormatInt(pay.ID, 10), http.StatusSeeOther)
		return
	}
	base := "http"
	if httpx.IsSecure(r, h.TrustProxy) {
		base = "https"
	}
	base += "://" + r.Host
	to, err := h.Payments.StartCard(r.Context(), pay, "Platba "+strconv.FormatInt(pay.ID, 10), p.Account.Email,
		base+"/platba/"+pay.Gateway+"/navrat", base+"/platba/"+pay.Gateway+"/notifikace")
	if err != nil {
		h.Log.ErrorContext(r.Context(), "gateway refused", "request_id", httpx.RequestID(r.Context()), "payment", pay.ID, "err", err)
		h.renderObligations(w, r, http.StatusBadGateway, "payment.gateway.down")
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// paymentPage is /platba/{id}, for the party that pays.
func (h *Handlers) paymentPage(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	pay, err := h.Payments.Get(r.Context(), p.TenantID, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, mine := p.Owner(access.AgendaObligations, pay.PersonID, pay.CompanyID, 0); !mine {
		h.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	t := httpx.Tenant(r.Context())
	d := view.PaymentData{ID: pay.ID, Channel: pay.Channel, State: string(pay.State), Amount: pay.Amount, VS: pay.VS,
		IBAN: t.IBAN, Account: czid.FormatIBAN(t.IBAN), Created: pay.CreatedAt, Resolved: pay.ResolvedAt}
	for _, it := range pay.Items {
		l, err := h.Obligations.Line(r.Context(), p.TenantID, it.ObligationID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		v := h.item(r, l, today())
		v.Amount = it.Amount
		d.Items = append(d.Items, v)
	}
	if pay.Channel == payment.ChannelTransfer && pay.State == payment.StatePending && h.QR != nil && t.IBAN != "" {
		if d.QR, err = h.QR(t.IBAN, pay.Amount, pay.VS, "Platba "+strconv.FormatInt(pay.ID, 10)); err != nil {
			h.Log.WarnContext(r.Context(), "qr platba", "err", err)
		}
	}
	h.Render(w, r, http.StatusOK, view.PaymentPage(h.Page(r, i18n.T(httpx.Lang(r.Context()), "pay.title", pay.ID)), d))
}

// paymentReturn is where a gateway sends the browser back. The message is
// verified and only the gateway's own status is acted on; then the person
// sees the payment's page.
func (h *Handlers) paymentReturn(w http.ResponseWriter, r *http.Request) {
	t := httpx.Tenant(r.Context())
	if err := r.ParseForm(); err != nil {
		h.ErrorPage(w, r, http.StatusBadRequest)
		return
	}
	pay, err := h.Payments.Return(r.Context(), t.ID, r.PathValue("gateway"), r.Form)
	switch {
	case errors.Is(err, payment.ErrForged), errors.Is(err, derr.ErrNotFound):
		h.Log.WarnContext(r.Context(), "payment return refused", "request_id", httpx.RequestID(r.Context()), "err", err)
		h.ErrorPage(w, r, http.StatusBadRequest)
		return
	case err != nil && pay == nil:
		// The gateway did not answer: the sweeper will ask again.
		h.Log.ErrorContext(r.Context(), "payment return", "request_id", httpx.RequestID(r.Context()), "err", err)
		h.ErrorPage(w, r, http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, "/platba/"+strconv.FormatInt(pay.ID, 10), http.StatusSeeOther)
}

// paymentNotify is a gateway's server-to-server push: verified, then the
// status is fetched; 200 only after the change is committed.
func (h *Handlers) paymentNotify(w http.ResponseWriter, r *http.Request) {
	t := httpx.Tenant(r.Context())
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	_, err := h.Payments.Notify(r.Context(), t.ID, r.PathValue("gateway"), r.PostForm)
	switch {
	case errors.Is(err, payment.ErrForged), errors.Is(err, derr.ErrNotFound):
		h.Log.WarnContext(r.Context(), "payment push refused", "request_id", httpx.RequestID(r.Context()), "err", err)
		http.Error(w, "refused", http.StatusBadRequest)
	case err != nil:
		h.Log.ErrorContext(r.Context(), "payment push", "request_id", httpx.RequestID(r.Context()), "err", err)
		http.Error(w, "try again", http.StatusServiceUnavailable)
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("OK"))
	}
}

// BankQR makes a QR Platba code with payment/bank: the SPAYD string and an
// inline SVG (fill attributes only, so the strict CSP allows it).
func BankQR(iban string, amount, vs int64, message string) (*view.QRPayment, error) {
	// The message is a courtesy (the symbol identifies the payment): keep
	// it well inside SPAYD's 60 characters, escapes included.
	if r := []rune(message); len(r) > 30 {
		message = string(r[:30])
	}
	s, err := bank.SPAYD(bank.Payment{IBAN: iban, Amount: amount, Currency: "CZK", VS: vs, Message: message})
	if err != nil {
		return nil, err
	}
	svg, err := bank.QRSVG(s)
	if err != nil {
		return nil, err
	}
	return &view.QRPayment{SPAYD: s, SVG: svg}, nil
}

// receipt is /platba/{id}/potvrzeni.pdf: the receipt of a paid payment,
// for the party that paid.
func (h *Handlers) receipt(w http.ResponseWriter, r *http.Request) {
	p := Principal(r.Context())
	lang := httpx.Lang(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	pay, err := h.Payments.Get(r.Context(), p.TenantID, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	payer, mine := p.Owner(access.AgendaObligations, pay.PersonID, pay.CompanyID, 0)
	if !mine || pay.State != payment.StatePaid {
		h.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	t := httpx.Tenant(r.Context())
	T := func(k string, args ...any) string { return i18n.T(lang, k, args...) }
	rc := pdf.Receipt{Title: T("receipt.title", pay.ID), Town: t.OfficialName, Address: t.Address, ICO: t.ICO, Number: pay.ID,
		Paid: pay.ResolvedAt.In(i18n.Prague), Payer: payer.Name, Channel: T("receipt.channel." + pay.Channel),
		Total: i18n.Money(lang, pay.Amount), Issued: pay.ResolvedAt, IssuedNote: T("receipt.note", t.Name),
		Labels: pdf.ReceiptLabels{Payer: T("receipt.payer"), Date: T("receipt.date"), Channel: T("receipt.channel"),
			What: T("receipt.what"), VS: T("obligation.vs"), Amount: T("receipt.amount"), Total: T("receipt.total"), ICO: T("receipt.ico")}}
	for _, it := range pay.Items {
		l, err := h.Obligations.Line(r.Context(), p.TenantID, it.ObligationID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		what := l.KindCS
		if lang == i18n.EN && l.KindEN != "" {
			what = l.KindEN
		}
		rc.Lines = append(rc.Lines, pdf.ReceiptLine{What: what + " " + l.Period, VS: strconv.FormatInt(l.VS, 10), Amount: i18n.Money(lang, it.Amount)})
	}
	b, err := pdf.RenderReceipt(rc)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="potvrzeni-`+strconv.FormatInt(pay.ID, 10)+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}
