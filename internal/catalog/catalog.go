// Package catalog is a town's catalogue of life situations ("Potřebuji
// vyřídit"): categories and, in each, what a citizen needs to arrange, who
// it is for, what to bring, where, when, how much and on what legal basis.
// Citizens see published situations only; texts are Czech with an optional
// English translation.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// Statuses of a situation.
const (
	Draft     = "draft"
	Published = "published"
)

// Text is a text in Czech with an optional English translation.
type Text struct {
	CS string `json:"cs"`
	EN string `json:"en,omitempty"`
}

// In returns the text in lang and the language it is actually in: Czech
// when there is no translation, so a page can mark it lang="cs".
func (t Text) In(lang string) (text, in string) {
	if lang == "en" && t.EN != "" {
		return t.EN, "en"
	}
	return t.CS, "cs"
}

// Category is a group of life situations.
type Category struct {
	Slug        string
	Name        Text
	Description Text
	Position    int
}

// Details are a situation's structured fields, kept as one JSON document.
type Details struct {
	Who        Text     `json:"who"`
	Bring      []Text   `json:"bring,omitempty"`
	Where      Text     `json:"where"`
	Department string   `json:"department,omitempty"`
	Hours      Text     `json:"hours"`
	Cost       Text     `json:"cost"`
	Deadlines  Text     `json:"deadlines"`
	LegalBasis []Text   `json:"legal_basis,omitempty"`
	Forms      []string `json:"forms,omitempty"`   // slugs of the town's forms
	Related    []string `json:"related,omitempty"` // slugs of other situations
	Contact    Contact  `json:"contact"`
	Keywords   []string `json:"keywords,omitempty"`
}

// Contact is where to ask about a situation.
type Contact struct {
	Department string `json:"department,omitempty"`
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
}

// Situation is one life situation. Body is Markdown (a small subset, no
// raw HTML).
type Situation struct {
	ID          int64
	Slug        string
	Category    string
	Title       Text
	Summary     Text
	Body        Text
	Details     Details
	Status      string
	PublishedAt *time.Time
	UpdatedAt   time.Time
}

// Store reads and writes a town's catalogue.
type Store struct {
	DB  *db.DB
	Now func() time.Time // nil: time.Now
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidSlug reports whether s can name a category or a situation in a URL.
func ValidSlug(s string) bool { return len(s) <= 80 && slugRE.MatchString(s) }

func invalid(field, msg string) error { return derr.Invalid(field, "catalog.invalid", msg) }

// UpsertCategory creates the category or updates its texts and position;
// writing the same category again changes nothing.
func (s *Store) UpsertCategory(ctx context.Context, tenantID int64, c Category) (err error) {
	defer derr.Wrap(&err, "catalog.UpsertCategory(%d, %q)", tenantID, c.Slug)
	if !ValidSlug(c.Slug) {
		return invalid("slug", fmt.Sprintf("category slug %q: lower-case letters, digits and dashes", c.Slug))
	}
	if strings.TrimSpace(c.Name.CS) == "" {
		return invalid("name", "a category needs a Czech name")
	}
	_, err = s.DB.Write().Exec(ctx, `INSERT INTO catalog_categories
		(tenant_id, slug, name_cs, name_en, description_cs, description_en, position) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (tenant_id, slug) DO UPDATE SET name_cs = excluded.name_cs, name_en = excluded.name_en,
		description_cs = excluded.description_cs, description_en = excluded.description_en, position = excluded.position`,
		tenantID, c.Slug, c.Name.CS, c.Name.EN, c.Description.CS, c.Description.EN, c.Position)
	return err
}

// Upsert creates the situation or updates it, keyed by its slug. Writing
// the same content again changes nothing (updated_at stays); the first
// publication sets published_at, which later edits keep. It returns the
// situation's id.
func (s *Store) Upsert(ctx context.Context, tenantID int64, st Situation) (id int64, err error) {
	defer derr.Wrap(&err, "catalog.Upsert(%d, %q)", tenantID, st.Slug)
	if !ValidSlug(st.Slug) {
		return 0, invalid("slug", fmt.Sprintf("situation slug %q: lower-case letters, digits and dashes", st.Slug))
	}
	if strings.TrimSpace(st.Title.CS) == "" {
		return 0, invalid("title", "a situation needs a Czech title")
	}
	if st.Status == "" {
		st.Status = Draft
	}
	if st.Status != Draft && st.Status != Published {
		return 0, invalid("status", fmt.Sprintf("status %q: draft or published", st.Status))
	}
	details, err := json.Marshal(st.Details)
	if err != nil {
		return 0, err
	}
	now := s.now()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM catalog_categories WHERE tenant_id = $1 AND slug = $2`,
			tenantID, st.Category).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return invalid("category", fmt.Sprintf("the town has no category %q", st.Category))
		}
		old, err := scanSituation(tx.QueryRow(ctx, `SELECT `+columns+` FROM life_situations WHERE tenant_id = $1 AND slug = $2`+tx.ForUpdate(),
			tenantID, st.Slug))
		if errors.Is(err, db.ErrNoRows) {
			var published *time.Time
			if st.Status == Published {
				published = &now
			}
			return tx.QueryRow(ctx, `INSERT INTO life_situations (tenant_id, slug, category, title_cs, title_en, summary_cs, summary_en,
				body_cs, body_en, details, status, published_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
				tenantID, st.Slug, st.Category, st.Title.CS, st.Title.EN, st.Summary.CS, st.Summary.EN,
				st.Body.CS, st.Body.EN, string(details), st.Status, published, now).Scan(&id)
		}
		if err != nil {
			return err
		}
		id = old.ID
		oldDetails, err := json.Marshal(old.Details)
		if err != nil {
			return err
		}
		if old.Category == st.Category && old.Title == st.Title && old.Summary == st.Summary && old.Body == st.Body &&
			old.Status == st.Status && string(oldDetails) == string(details) {
			return nil
		}
		published := old.PublishedAt
		if published == nil && st.Status == Published {
			published = &now
		}
		_, err = tx.Exec(ctx, `UPDATE life_situations SET category = $1, title_cs = $2, title_en = $3, summary_cs = $4, summary_en = $5,
			body_cs = $6, body_en = $7, details = $8, status = $9, published_at = $10, updated_at = $11
			WHERE tenant_id = $12 AND id = $13`,
			st.Category, st.Title.CS, st.Title.EN, st.Summary.CS, st.Summary.EN, st.Body.CS, st.Body.EN,
			string(details), st.Status, published, now, tenantID, old.ID)
		return err
	})
	return id, err
}

// Categories returns the town's categories in their order.
func (s *Store) Categories(ctx context.Context, tenantID int64) (_ []Category, err error) {
	defer derr.Wrap(&err, "catalog.Categories(%d)", tenantID)
	rows, err := s.DB.Read().Query(ctx, `SELECT slug, name_cs, name_en, description_cs, description_en, position
		FROM catalog_categories WHERE tenant_id = $1 ORDER BY position, slug`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Category
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.Slug, &c.Name.CS, &c.Name.EN, &c.Description.CS, &c.Description.EN, &c.Position); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Category returns one category of the town.
func (s *Store) Category(ctx context.Context, tenantID int64, slug string) (_ *Category, err error) {
	defer derr.Wrap(&err, "catalog.Category(%d, %q)", tenantID, slug)
	var c Category
	err = s.DB.Read().QueryRow(ctx, `SELECT slug, name_cs, name_en, description_cs, description_en, position
		FROM catalog_categories WHERE tenant_id = $1 AND slug = $2`, tenantID, slug).
		Scan(&c.Slug, &c.Name.CS, &c.Name.EN, &c.Description.CS, &c.Description.EN, &c.Position)
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

const columns = `id, slug, category, title_cs, title_en, summary_cs, summary_en, body_cs, body_en, details, status, published_at, updated_at`

func scanSituation(r db.Row) (*Situation, error) {
	var st Situation
	var details string
	if err := r.Scan(&st.ID, &st.Slug, &st.Category, &st.Title.CS, &st.Title.EN, &st.Summary.CS, &st.Summary.EN,
		&st.Body.CS, &st.Body.EN, &details, &st.Status, &st.PublishedAt, &st.UpdatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(details), &st.Details); err != nil {
		return nil, fmt.Errorf("situation %q: details: %w", st.Slug, err)
	}
	return &st, nil
}

func (s *Store) list(ctx context.Context, query string, args ...any) ([]Situation, error) {
	rows, err := s.DB.Read().Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Situation
	for rows.Next() {
		st, err := scanSituation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *st)
	}
	return out, rows.Err()
}

// ByCategory returns the published situations of a category, ordered by
// their title in lang.
func (s *Store) ByCategory(ctx context.Context, tenantID int64, category, lang string) (_ []Situation, err error) {
	defer derr.Wrap(&err, "catalog.ByCategory(%d, %q)", tenantID, category)
	out, err := s.list(ctx, `SELECT `+columns+` FROM life_situations
		WHERE tenant_id = $1 AND category = $2 AND status = 'published'`, tenantID, category)
	if err != nil {
		return nil, err
	}
	Sort(out, lang)
	return out, nil
}

// All returns every published situation of the town ordered by title in
// lang (Czech collation for Czech): the A–Z index.
func (s *Store) All(ctx context.Context, tenantID int64, lang string) (_ []Situation, err error) {
	defer derr.Wrap(&err, "catalog.All(%d)", tenantID)
	out, err := s.list(ctx, `SELECT `+columns+` FROM life_situations
		WHERE tenant_id = $1 AND status = 'published'`, tenantID)
	if err != nil {
		return nil, err
	}
	Sort(out, lang)
	return out, nil
}

// BySlug returns a published situation of the town; a draft, another
// town's situation or none at all is derr.ErrNotFound.
func (s *Store) BySlug(ctx context.Context, tenantID int64, slug string) (_ *Situation, err error) {
	defer derr.Wrap(&err, "catalog.BySlug(%d, %q)", tenantID, slug)
	st, err := scanSituation(s.DB.Read().QueryRow(ctx, `SELECT `+columns+` FROM life_situations
		WHERE tenant_id = $1 AND slug = $2 AND status = 'published'`, tenantID, slug))
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	return st, err
}

// Get returns a situation of the town in any status (for the back office
// and tests).
func (s *Store) Get(ctx context.Context, tenantID int64, slug string) (_ *Situation, err error) {
	defer derr.Wrap(&err, "catalog.Get(%d, %q)", tenantID, slug)
	st, err := scanSituation(s.DB.Read().QueryRow(ctx, `SELECT `+columns+` FROM life_situations
		WHERE tenant_id = $1 AND slug = $2`, tenantID, slug))
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	return st, err
}
