package payment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// Payment is one payment: a card attempt, a basket paid by transfer, or
// cash at the counter.
type Payment struct {
	ID         int64
	TenantID   int64
	Channel    string // "card", "transfer", "cash"
	Gateway    string
	GatewayRef string
	VS         int64 // a basket's own variable symbol; 0 otherwise
	Amount     int64 // haléře
	Currency   string
	State      State
	Detail     string
	PersonID   int64
	CompanyID  int64
	CreatedBy  string // who started it: "staff:12" for cash at the counter
	CreatedAt  time.Time
	ResolvedAt time.Time
	Items      []Item
}

// Item is what a payment pays of one obligation.
type Item struct {
	ObligationID int64
	Amount       int64
}

// Owner is whose obligations are paid: a person or a company.
type Owner struct {
	PersonID  int64
	CompanyID int64
}

// Channels.
const (
	ChannelCard     = "card"
	ChannelTransfer = "transfer"
	ChannelCash     = "cash"
)

// BasketVSBase is added to a transfer basket's id to make its variable
// symbol: the leading 9 keeps baskets apart from the obligations' symbols
// (kind digit 1–8, year, sequence).
const BasketVSBase = 9_000_000_000

// MaxItems bounds a basket.
const MaxItems = 50

// ErrAmountMismatch: the gateway reports another amount or currency than
// the attempt asked for. Nothing is applied; an official must look.
var ErrAmountMismatch = errors.New("payment: gateway reports another amount or currency")

// Service creates payments and applies them to the ledger exactly once.
type Service struct {
	DB *db.DB
	// Gateways are the towns' card gateways; nil takes no card payments.
	Gateways GatewaySource
	Log      *slog.Logger
	Now      func() time.Time

	// failAt, in tests, makes the named step fail, as a crash there would.
	failAt func(step string) error
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// gateway is the town's gateway called name; derr.ErrNotFound when the
// town has none of that name.
func (s *Service) gateway(ctx context.Context, tenantID int64, name string) (Gateway, error) {
	if s.Gateways == nil || name == "" {
		return nil, derr.ErrNotFound
	}
	return s.Gateways.Gateway(ctx, tenantID, name)
}

// CardGateway is the name of the gateway the town's new card payments go
// through; "" when the town takes no card payments.
func (s *Service) CardGateway(ctx context.Context, tenantID int64) (string, error) {
	if s.Gateways == nil {
		return "", nil
	}
	return s.Gateways.Active(ctx, tenantID)
}

func (s *Service) step(name string) error {
	if s.failAt != nil {
		return s.failAt(name)
	}
	return nil
}

// Create writes a pending payment of the owner's obligations, each for what
// is still owed on it, before anything is asked of a gateway or a bank.
// A transfer basket gets its own variable symbol. A card payment goes
// through the town's active gateway: gateway is "" (whichever is active)
// or must name it.
func (s *Service) Create(ctx context.Context, tenantID int64, owner Owner, obligationIDs []int64, channel, gateway, createdBy string) (_ *Payment, err error) {
	defer derr.Wrap(&err, "payment.Create(%d)", tenantID)
	var v derr.InvalidError
	switch {
	case len(obligationIDs) == 0:
		v.Add("obligations", "payment.none", "choose what to pay")
	case len(obligationIDs) > MaxItems:
		v.Add("obligations", "payment.toomany", "too many at once")
	}
	switch channel {
	case ChannelCard:
		active, err := s.CardGateway(ctx, tenantID)
		switch {
		case err != nil:
			return nil, err
		case active == "":
			v.Add("gateway", "payment.gateway.none", "the town takes no card payments")
		case gateway == "":
			gateway = active
		case gateway != active:
			v.Add("gateway", "payment.gateway", "not the town's card gateway")
		}
	case ChannelTransfer:
		gateway = ""
	default:
		v.Add("channel", "payment.channel", "card or transfer")
	}
	if (owner.PersonID == 0) == (owner.CompanyID == 0) {
		return nil, derr.ErrForbidden
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	p := &Payment{TenantID: tenantID, Channel: channel, Gateway: gateway, Currency: "CZK", State: StatePending,
		PersonID: owner.PersonID, CompanyID: owner.CompanyID}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		seen := map[int64]bool{}
		p.Items, p.Amount = nil, 0
		for _, id := range obligationIDs {
			if seen[id] {
				continue
			}
			seen[id] = true
			// A person pays their own obligations and those of the
			// households they are an adult of.
			var person, company, balance int64
			var member bool
			err := tx.QueryRow(ctx, `SELECT coalesce(o.person_id, 0), coalesce(o.company_id, 0),
				coalesce((SELECT sum(l.amount) FROM ledger_entries l WHERE l.tenant_id = o.tenant_id AND l.obligation_id = o.id), 0),
				EXISTS (SELECT 1 FROM household_members m WHERE m.tenant_id = o.tenant_id AND m.household_id = o.household_id
					AND m.person_id = $3 AND m.role = 'adult')
				FROM obligations o WHERE o.tenant_id = $1 AND o.id = $2`, tenantID, id, owner.PersonID).Scan(&person, &company, &balance, &member)
			mine := (person == owner.PersonID && company == owner.CompanyID) || (owner.PersonID != 0 && member)
			if errors.Is(err, db.ErrNoRows) || (err == nil && !mine) {
				return fmt.Errorf("obligation %d: %w", id, derr.ErrNotFound)
			}
			if err != nil {
				return err
			}
			if balance <= 0 {
				return derr.Invalid("obligations", "payment.nothing", "nothing is owed on it")
			}
			p.Items = append(p.Items, Item{ObligationID: id, Amount: balance})
			p.Amount += balance
		}
		p.CreatedAt = s.now().Truncate(time.Microsecond)
		if err := tx.QueryRow(ctx, `INSERT INTO payments (tenant_id, channel, gateway, amount, currency, state, person_id, company_id,
			created_by, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9) RETURNING id`,
			tenantID, channel, gateway, p.Amount, p.Currency, nullID(owner.PersonID), nullID(owner.CompanyID), createdBy, p.CreatedAt).Scan(&p.ID); err != nil {
			return err
		}
		if channel == ChannelTransfer {
			p.VS = BasketVSBase + p.ID
			if _, err := tx.Exec(ctx, `UPDATE payments SET vs = $1 WHERE tenant_id = $2 AND id = $3`, p.VS, tenantID, p.ID); err != nil {
				return err
			}
		}
		for _, it := range p.Items {
			if _, err := tx.Exec(ctx, `INSERT INTO payment_items (tenant_id, payment_id, obligation_id, amount) VALUES ($1, $2, $3, $4)`,
				tenantID, p.ID, it.ObligationID, it.Amount); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// StartCard registers a pending card payment with its gateway and returns
// where to send the person. When the gateway refuses, the payment is
// cancelled.
func (s *Service) StartCard(ctx context.Context, p *Payment, description, email, returnURL, notifyURL string) (redirect string, err error) {
	defer derr.Wrap(&err, "payment.StartCard(%d)", p.ID)
	if p.Channel != ChannelCard {
		return "", derr.Invalid("gateway", "payment.gateway", "not a card payment")
	}
	gw, err := s.gateway(ctx, p.TenantID, p.Gateway)
	if errors.Is(err, derr.ErrNotFound) {
		return "", derr.Invalid("gateway", "payment.gateway", "no such gateway")
	}
	if err != nil {
		return "", err
	}
	st, err := gw.Create(ctx, GatewayPayment{OrderNumber: p.ID, Amount: p.Amount, Currency: p.Currency, Description: description,
		Email: email, ReturnURL: returnURL, NotifyURL: notifyURL})
	if err != nil {
		if _, err2 := s.DB.Write().Exec(ctx, `UPDATE payments SET state = 'cancelled', detail = $1, resolved_at = $2
			WHERE tenant_id = $3 AND id = $4 AND state = 'pending'`, clip("create: "+err.Error(), 500), s.now(), p.TenantID, p.ID); err2 != nil {
			return "", errors.Join(err, err2)
		}
		return "", err
	}
	if st.GatewayRef != "" {
		if _, err := s.DB.Write().Exec(ctx, `UPDATE payments SET gateway_ref = $1 WHERE tenant_id = $2 AND id = $3`,
			st.GatewayRef, p.TenantID, p.ID); err != nil {
			return "", err
		}
		p.GatewayRef = st.GatewayRef
	}
	return st.RedirectURL, nil
}

const paymentColumns = `id, tenant_id, channel, gateway, gateway_ref, coalesce(vs, 0), amount, currency, state, detail,
	coalesce(person_id, 0), coalesce(company_id, 0), created_by, created_at, resolved_at`

func scanPayment(r db.Row) (*Payment, error) {
	var p Payment
	var state string
	var resolved *time.Time
	if err := r.Scan(&p.ID, &p.TenantID, &p.Channel, &p.Gateway, &p.GatewayRef, &p.VS, &p.Amount, &p.Currency, &state, &p.Detail,
		&p.PersonID, &p.CompanyID, &p.CreatedBy, &p.CreatedAt, &resolved); err != nil {
		return nil, err
	}
	p.State = State(state)
	if resolved != nil {
		p.ResolvedAt = resolved.UTC()
	}
	return &p, nil
}

// Get returns a payment of the town with its items.
func (s *Service) Get(ctx context.Context, tenantID, id int64) (_ *Payment, err error) {
	defer derr.Wrap(&err, "payment.Get(%d, %d)", tenantID, id)
	return s.get(ctx, s.DB.Read(), tenantID, id)
}

func (s *Service) get(ctx context.Context, q db.Querier, tenantID, id int64) (*Payment, error) {
	p, err := scanPayment(q.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT obligation_id, amount FROM payment_items WHERE tenant_id = $1 AND payment_id = $2 ORDER BY obligation_id`, tenantID, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.ObligationID, &it.Amount); err != nil {
			return nil, err
		}
		p.Items = append(p.Items, it)
	}
	return p, rows.Err()
}

// Resolve asks the payment's gateway for its state and acts on that answer
// only: paid (with the expected amount and currency) is applied to the
// ledger once, cancelled ends the attempt, pending waits. Safe to call any
// number of times, concurrently.
func (s *Service) Resolve(ctx context.Context, tenantID, id int64) (_ *Payment, err error) {
	defer derr.Wrap(&err, "payment.Resolve(%d, %d)", tenantID, id)
	p, err := s.get(ctx, s.DB.Read(), tenantID, id)
	if err != nil {
		return nil, err
	}
	if p.State != StatePending || p.Channel != ChannelCard {
		return p, nil
	}
	// The gateway it was made with, through the payment's own town's row,
	// even if the town has switched to another since.
	gw, err := s.gateway(ctx, p.TenantID, p.Gateway)
	if err != nil {
		return nil, fmt.Errorf("gateway %q: %w", p.Gateway, err)
	}
	st, err := gw.Status(ctx, p.ID, p.GatewayRef)
	if err != nil {
		return nil, err
	}
	if err := s.step("status"); err != nil {
		return nil, err
	}
	switch st.State {
	case StatePaid:
		if st.Amount != p.Amount || !strings.EqualFold(st.Currency, p.Currency) {
			s.log().ErrorContext(ctx, "gateway amount mismatch", "payment", p.ID, "want", p.Amount, "got", st.Amount, "currency", st.Currency)
			return p, ErrAmountMismatch
		}
		if err := s.applyPaid(ctx, p, st.Detail); err != nil {
			return nil, err
		}
	case StateCancelled:
		if _, err := s.DB.Write().Exec(ctx, `UPDATE payments SET state = 'cancelled', detail = $1, resolved_at = $2
			WHERE tenant_id = $3 AND id = $4 AND state = 'pending'`, clip(st.Detail, 500), s.now(), tenantID, id); err != nil {
			return nil, err
		}
	}
	return s.get(ctx, s.DB.Read(), tenantID, id)
}

// applyPaid marks the payment paid and books its items, in one
// transaction; only the caller that moves it from pending books.
func (s *Service) applyPaid(ctx context.Context, p *Payment, detail string) error {
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		now := s.now()
		n, err := tx.Exec(ctx, `UPDATE payments SET state = 'paid', detail = $1, resolved_at = $2
			WHERE tenant_id = $3 AND id = $4 AND state = 'pending'`, clip(detail, 500), now, p.TenantID, p.ID)
		if err != nil || n == 0 {
			return err // n == 0: somebody else applied it
		}
		if err := s.step("apply"); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO ledger_entries (tenant_id, obligation_id, kind, amount, booked_at, note, payment_id)
			SELECT tenant_id, obligation_id, 'payment', -amount, $1, $2, payment_id FROM payment_items
			WHERE tenant_id = $3 AND payment_id = $4`, now, p.Channel+" "+p.Gateway, p.TenantID, p.ID)
		return err
	})
}

// find locates the town's payment a gateway message names.
func (s *Service) find(ctx context.Context, tenantID int64, gateway string, h Hint) (int64, error) {
	var id int64
	var err error
	if h.GatewayRef != "" {
		err = s.DB.Read().QueryRow(ctx, `SELECT id FROM payments WHERE tenant_id = $1 AND gateway = $2 AND gateway_ref = $3`,
			tenantID, gateway, h.GatewayRef).Scan(&id)
	} else {
		err = s.DB.Read().QueryRow(ctx, `SELECT id FROM payments WHERE tenant_id = $1 AND gateway = $2 AND id = $3`,
			tenantID, gateway, h.OrderNumber).Scan(&id)
	}
	if errors.Is(err, db.ErrNoRows) {
		return 0, derr.ErrNotFound
	}
	return id, err
}

// Return handles the person's browser coming back from a gateway: the
// message is verified, then only the gateway's status is acted on.
func (s *Service) Return(ctx context.Context, tenantID int64, gateway string, values map[string][]string) (_ *Payment, err error) {
	defer derr.Wrap(&err, "payment.Return(%s)", gateway)
	return s.hinted(ctx, tenantID, gateway, Gateway.VerifyReturn, values)
}

// Notify handles a gateway's server-to-server push the same way.
func (s *Service) Notify(ctx context.Context, tenantID int64, gateway string, values map[string][]string) (_ *Payment, err error) {
	defer derr.Wrap(&err, "payment.Notify(%s)", gateway)
	return s.hinted(ctx, tenantID, gateway, Gateway.VerifyNotify, values)
}

// hinted verifies a gateway's message with verify, finds the town's payment
// it names and resolves it by asking the gateway.
func (s *Service) hinted(ctx context.Context, tenantID int64, gateway string, verify func(Gateway, url.Values) (Hint, error), values url.Values) (*Payment, error) {
	gw, err := s.gateway(ctx, tenantID, gateway)
	if err != nil {
		return nil, err
	}
	h, err := verify(gw, values)
	if err != nil {
		return nil, err
	}
	id, err := s.find(ctx, tenantID, gateway, h)
	if err != nil {
		return nil, err
	}
	return s.Resolve(ctx, tenantID, id)
}

// AbandonAfter is how long a card payment may stay pending at the gateway
// before the sweeper gives it up.
const AbandonAfter = 24 * time.Hour

// Sweep resolves card payments left pending for longer than olderThan by
// asking their gateways (a return that never came, a push that was lost),
// and gives up those still pending after AbandonAfter. It returns how many
// it looked at.
func (s *Service) Sweep(ctx context.Context, olderThan time.Duration) (n int, err error) {
	defer derr.Wrap(&err, "payment.Sweep")
	now := s.now()
	rows, err := s.DB.Read().Query(ctx, `SELECT tenant_id, id, created_at FROM payments
		WHERE state = 'pending' AND channel = 'card' AND created_at <= $1 ORDER BY created_at LIMIT 500`, now.Add(-olderThan))
	if err != nil {
		return 0, err
	}
	type due struct {
		tenant, id int64
		created    time.Time
	}
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.tenant, &d.id, &d.created); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var errs []error
	for _, d := range list {
		p, err := s.Resolve(ctx, d.tenant, d.id)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if p.State == StatePending && now.Sub(d.created) > AbandonAfter {
			if _, err := s.DB.Write().Exec(ctx, `UPDATE payments SET state = 'cancelled', detail = 'abandoned', resolved_at = $1
				WHERE tenant_id = $2 AND id = $3 AND state = 'pending'`, now, d.tenant, d.id); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return len(list), errors.Join(errs...)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}
