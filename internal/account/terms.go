package account

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
	"github.com/radnice/radnice/internal/i18n"
)

// Terms is one version of a town's terms of use and privacy notice. The
// texts are plain text; a blank line separates paragraphs.
type Terms struct {
	TenantID    int64
	Version     int
	TermsCS     string
	TermsEN     string
	PrivacyCS   string
	PrivacyEN   string
	PublishedAt time.Time
}

// Texts returns the terms and the privacy notice in lang, falling back to
// Czech where there is no translation.
func (t *Terms) Texts(lang i18n.Lang) (terms, privacy string) {
	terms, privacy = t.TermsCS, t.PrivacyCS
	if lang == i18n.EN {
		if t.TermsEN != "" {
			terms = t.TermsEN
		}
		if t.PrivacyEN != "" {
			privacy = t.PrivacyEN
		}
	}
	return terms, privacy
}

// MaxTermsText bounds each text of a version.
const MaxTermsText = 100_000

// CurrentTerms returns the town's newest terms, or ErrNotFound when the town
// has published none (then nobody is asked).
func (s *Store) CurrentTerms(ctx context.Context, tenantID int64) (_ *Terms, err error) {
	defer derr.Wrap(&err, "account.CurrentTerms(%d)", tenantID)
	var t Terms
	err = s.DB.Read().QueryRow(ctx, `SELECT tenant_id, version, terms_cs, terms_en, privacy_cs, privacy_en, published_at
		FROM terms WHERE tenant_id = $1 ORDER BY version DESC LIMIT 1`, tenantID).
		Scan(&t.TenantID, &t.Version, &t.TermsCS, &t.TermsEN, &t.PrivacyCS, &t.PrivacyEN, &t.PublishedAt)
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// PublishTerms adds the next version of the town's terms; every citizen is
// asked to accept it at their next visit.
func (s *Store) PublishTerms(ctx context.Context, by audit.Actor, t *Terms) (err error) {
	defer derr.Wrap(&err, "account.PublishTerms(%d)", t.TenantID)
	var v derr.InvalidError
	for _, f := range []struct{ name, text string }{{"terms_cs", t.TermsCS}, {"privacy_cs", t.PrivacyCS}} {
		if strings.TrimSpace(f.text) == "" {
			v.Add(f.name, "account.terms.empty", "the Czech text is required")
		}
	}
	for _, f := range []struct{ name, text string }{{"terms_cs", t.TermsCS}, {"terms_en", t.TermsEN}, {"privacy_cs", t.PrivacyCS}, {"privacy_en", t.PrivacyEN}} {
		if len(f.text) > MaxTermsText {
			v.Add(f.name, "account.terms.long", "the text is too long")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) + 1 FROM terms WHERE tenant_id = $1`, t.TenantID).Scan(&t.Version); err != nil {
			return err
		}
		t.PublishedAt = s.now().Truncate(time.Microsecond)
		if _, err := tx.Exec(ctx, `INSERT INTO terms (tenant_id, version, terms_cs, terms_en, privacy_cs, privacy_en, published_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.TenantID, t.Version, t.TermsCS, t.TermsEN, t.PrivacyCS, t.PrivacyEN, t.PublishedAt); err != nil {
			if db.IsUniqueViolation(err) {
				return derr.ErrConflict
			}
			return err
		}
		return s.audit().Record(ctx, tx, &audit.Entry{TenantID: t.TenantID, ActorKind: by.Kind, ActorID: by.ID, ActorName: by.Name,
			Action: ActionTermsPublish, Details: mustJSON(map[string]any{"version": t.Version})})
	})
}

// Accept records that the account's owner accepted version of the terms.
// Only the current version can be accepted; accepting it again changes
// nothing.
func (s *Store) Accept(ctx context.Context, tenantID, accountID int64, version int, m Meta) (err error) {
	defer derr.Wrap(&err, "account.Accept(%d, %d, v%d)", tenantID, accountID, version)
	return s.DB.InTx(ctx, func(tx *db.Tx) error {
		var current int
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM terms WHERE tenant_id = $1`, tenantID).Scan(&current); err != nil {
			return err
		}
		if current == 0 || version != current {
			return derr.Invalid("version", "account.terms.stale", "these are not the current terms")
		}
		acc, err := getAccount(ctx, tx, tenantID, accountID)
		if err != nil {
			return err
		}
		if acc.ConsentVersion >= version {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO consents (tenant_id, account_id, version, accepted_at, ip) VALUES ($1, $2, $3, $4, $5)`,
			tenantID, accountID, version, s.now(), clip(m.IP, 64)); err != nil {
			return err
		}
		return s.audit().Record(ctx, tx, &audit.Entry{TenantID: tenantID, ActorKind: audit.ActorCitizen, ActorID: acc.ID,
			ActorName: acc.Name(), Action: ActionConsent, SubjectKind: SubjectAccount, SubjectID: acc.ID,
			Details: mustJSON(map[string]any{"version": version}), RequestID: m.RequestID, IP: m.IP})
	})
}
