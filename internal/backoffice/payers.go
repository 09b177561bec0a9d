package backoffice

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/backoffice/view"
	"github.com/radnice/radnice/internal/czid"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/web"
)

// A payer's page on the fee clerks' desk: everything one person (with their
// households) or one company owes, found by what people bring to the
// counter: a birth number from the identity card, an IČO, or the variable
// symbol of a payment order. Identifiers travel in POST bodies only, so
// they never reach an address bar, a history or an access log. Every look
// at a payer is audited.

const (
	routeFindPayer = "POST " + paymentsBase + "/hledat"
	routeTransfer  = "POST " + paymentsBase + "/prevod"
	personsBase    = paymentsBase + "/osoby/"
	companiesBase  = paymentsBase + "/firmy/"
)

// findPayer resolves what the clerk typed to a payer and opens their page.
func (h *Handlers) findPayer(w http.ResponseWriter, r *http.Request) {
	d := view.PaymentsData{Form: view.FormFind}
	if err := r.ParseForm(); err != nil {
		d.Errors = view.Errors{{Key: "bo.form.invalid"}}
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	ctx, t := r.Context(), httpx.Tenant(r.Context())
	q := strings.Join(strings.Fields(r.PostForm.Get("q")), "")
	if q == "" || len(q) > 20 {
		d.Errors = view.Errors{{Field: "find-q", Key: "bo.payer.q.format"}}
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	// A birth number first (it may have a slash); then an IČO; then a
	// variable symbol, whose payer is the obligation's.
	if bn, err := czid.ParseBirthNumber(q); err == nil {
		p, err := h.People.ByBirthNumber(ctx, t.ID, string(bn))
		if err == nil {
			http.Redirect(w, r, personsBase+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
			return
		}
		if !errors.Is(err, derr.ErrNotFound) {
			h.fail(w, r, err)
			return
		}
	}
	if len(q) == 8 && czid.ValidICO(q) {
		c, err := h.People.CompanyByICO(ctx, t.ID, q)
		if err == nil {
			http.Redirect(w, r, companiesBase+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
			return
		}
		if !errors.Is(err, derr.ErrNotFound) {
			h.fail(w, r, err)
			return
		}
	}
	vs, problem := parseVS(q)
	if problem != "" {
		d.Errors = view.Errors{{Field: "find-q", Key: "bo.payer.q.format"}}
		h.refuse(w, r, http.StatusBadRequest, d)
		return
	}
	l, err := h.Obligations.ByVS(ctx, t.ID, vs)
	switch {
	case errors.Is(err, derr.ErrNotFound):
		d.Errors = view.Errors{{Field: "find-q", Key: "bo.payer.notfound"}}
		h.refuse(w, r, http.StatusNotFound, d)
	case err != nil:
		h.fail(w, r, err)
	case l.PersonID != 0:
		http.Redirect(w, r, personsBase+strconv.FormatInt(l.PersonID, 10), http.StatusSeeOther)
	default:
		http.Redirect(w, r, companiesBase+strconv.FormatInt(l.CompanyID, 10), http.StatusSeeOther)
	}
}

// payerPerson is a person's page on the desk.
func (h *Handlers) payerPerson(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		h.Pages.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	h.renderPayer(w, r, http.StatusOK, id, 0, view.PayerData{Notice: payerNotices[r.URL.Query().Get("hotovo")]})
}

// payerCompany is a company's page on the desk.
func (h *Handlers) payerCompany(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		h.Pages.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	h.renderPayer(w, r, http.StatusOK, 0, id, view.PayerData{Notice: payerNotices[r.URL.Query().Get("hotovo")]})
}

var payerNotices = map[string]string{"prevod": "bo.payer.notice.moved"}

// renderPayer shows what person personID (or, when 0, company companyID)
// owes, and records that the official looked.
func (h *Handlers) renderPayer(w http.ResponseWriter, r *http.Request, status int, personID, companyID int64, d view.PayerData) {
	ctx, t := r.Context(), httpx.Tenant(r.Context())
	lang := httpx.Lang(ctx)
	subject, subjectID := audit.SubjectPerson, personID
	if personID != 0 {
		p, err := h.People.Get(ctx, t.ID, personID)
		if err != nil {
			h.fail(w, r, err) // not found: no such person of this town
			return
		}
		d.Name, d.Address = p.FullName(), address(p.Street, p.HouseNumber, p.City)
		d.Born = i18n.Date(lang, p.BirthDate)
		hs, err := h.People.Households(ctx, t.ID, personID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, hh := range hs {
			d.Households = append(d.Households, hh.Name)
		}
	} else {
		c, err := h.People.GetCompany(ctx, t.ID, companyID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		subject, subjectID = audit.SubjectCompany, companyID
		d.Name, d.ICO, d.Address = c.Name, c.ICO, address(c.Street, c.HouseNumber, c.City)
	}
	lines, err := h.Obligations.Overview(ctx, t.ID, personID, companyID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The look is recorded before anything is shown: no audit, no page.
	by := web.Principal(ctx).Actor()
	details, _ := json.Marshal(map[string]any{"via": "payment desk", "obligations": len(lines)})
	if err := h.Audit.RecordNow(ctx, &audit.Entry{TenantID: t.ID, ActorKind: by.Kind, ActorID: by.ID, ActorName: by.Name,
		Action: audit.ActionPersonRead, SubjectKind: subject, SubjectID: subjectID, Details: details,
		RequestID: httpx.RequestID(ctx), IP: httpx.ClientIP(r, h.TrustProxy)}); err != nil {
		h.fail(w, r, err)
		return
	}
	today := time.Now().In(i18n.Prague)
	for i := range lines {
		l := &lines[i]
		st := l.Status(today)
		kind := l.KindCS
		if lang == i18n.EN && l.KindEN != "" {
			kind = l.KindEN
		}
		row := view.PayerLine{ID: l.ID, Kind: kind, Period: l.Period, Description: l.Description, VS: strconv.FormatInt(l.VS, 10),
			Due: i18n.Date(lang, l.DueDate), Amount: l.Amount, Balance: l.Balance, StatusKey: "obl.status." + string(st),
			Status: string(st), Household: l.Household, Instalments: len(l.Instalments)}
		if due, amount, ok := l.Next(); ok {
			row.NextDue, row.NextAmount = i18n.Date(lang, due), amount
		}
		d.Lines = append(d.Lines, row)
		switch {
		case l.Balance > 0:
			d.Total += l.Balance
			d.To = append(d.To, view.Choice{Value: strconv.FormatInt(l.ID, 10), Label: kind + " " + l.Period + " (VS " + row.VS + ")"})
		case l.Balance < 0:
			d.Overpaid += -l.Balance
			d.From = append(d.From, view.Choice{Value: strconv.FormatInt(l.ID, 10), Label: kind + " " + l.Period + " (VS " + row.VS + ")"})
		}
	}
	d.Action = routeTransfer[len("POST "):]
	h.Pages.Render(w, r, status, view.PayerPage(h.page(r, "bo.payer.title"), d))
}

func address(street, number, city string) string {
	a := strings.TrimSpace(street + " " + number)
	if city != "" {
		if a != "" {
			a += ", "
		}
		a += city
	}
	return a
}

// transfer moves an overpayment to another obligation of the same payer
// and shows the payer's page again.
func (h *Handlers) transfer(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.Log.InfoContext(r.Context(), "payment desk: transfer form unreadable", "request_id", httpx.RequestID(r.Context()), "err", err)
		h.Pages.ErrorPage(w, r, http.StatusBadRequest)
		return
	}
	ctx, t := r.Context(), httpx.Tenant(r.Context())
	form := view.TransferForm{From: r.PostForm.Get("from"), To: r.PostForm.Get("to"),
		Amount: strings.TrimSpace(r.PostForm.Get("amount")), Reason: strings.TrimSpace(r.PostForm.Get("reason"))}
	fromID, err := strconv.ParseInt(form.From, 10, 64)
	if err != nil {
		h.Pages.ErrorPage(w, r, http.StatusNotFound)
		return
	}
	from, err := h.Obligations.Line(ctx, t.ID, fromID)
	if err != nil {
		h.fail(w, r, err) // not found: no such obligation of this town
		return
	}
	// The page to come back to is the overpaid obligation's payer's.
	person, company := from.PersonID, from.CompanyID
	back := personsBase + strconv.FormatInt(person, 10)
	if person == 0 {
		back = companiesBase + strconv.FormatInt(company, 10)
	}
	var errs view.Errors
	toID, err := strconv.ParseInt(form.To, 10, 64)
	if err != nil || toID <= 0 {
		addProblem(&errs, "transfer-to", "bo.payer.to.required")
	}
	amount, key := parseAmount(form.Amount)
	addProblem(&errs, "transfer-amount", key)
	addProblem(&errs, "transfer-reason", reasonProblem(form.Reason))
	if len(errs) == 0 {
		_, err = h.Payments.Transfer(ctx, web.Principal(ctx).Actor(), t.ID, fromID, toID, amount, form.Reason)
		fe, invalid := fieldErrors(err, map[string]string{"amount": "transfer-amount", "to": "transfer-to", "reason": "transfer-reason"})
		switch {
		case invalid:
			errs = fe
		case err != nil:
			h.fail(w, r, err)
			return
		default:
			http.Redirect(w, r, back+"?hotovo=prevod", http.StatusSeeOther)
			return
		}
	}
	keys := make([]string, len(errs))
	for i, e := range errs {
		keys[i] = e.Key
	}
	h.Log.InfoContext(ctx, "payment desk: refused", "request_id", httpx.RequestID(ctx), "form", "transfer", "problems", keys)
	h.renderPayer(w, r, http.StatusBadRequest, person, company, view.PayerData{Errors: errs, Transfer: form})
}
