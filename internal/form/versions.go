package form

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/derr"
)

// Form is a town's form with its current definition (the version new
// drafts start on).
type Form struct {
	ID         int64
	TenantID   int64
	Slug       string
	Department string
	Version    int
	Enabled    bool
	Position   int
	Definition *Definition
}

// Publish validates def and makes it the form's next version, creating
// the form on its first publication; forms.version then points at it, so
// new drafts use it, while drafts and submissions keep the version they
// started on. Publishing a definition equal to the current one changes
// nothing and returns the current version, so a town's files (and the
// demo) can be published again at every start.
func (s *Store) Publish(ctx context.Context, tenantID int64, slug string, def Definition) (version int, err error) {
	defer derr.Wrap(&err, "form.Publish(%d, %q)", tenantID, slug)
	if !ValidSlug(slug) {
		return 0, derr.Invalid("slug", "form.def.invalid", fmt.Sprintf("slug %q: lower-case letters, digits and dashes, at most 60", slug))
	}
	if err := def.Validate(); err != nil {
		return 0, err
	}
	body, err := json.Marshal(def)
	if err != nil {
		return 0, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if def.Obligation != "" {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM obligation_kinds WHERE tenant_id = $1 AND code = $2`,
				tenantID, def.Obligation).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return derr.Invalid("obligation", "form.def.invalid",
					fmt.Sprintf("the town has no obligation kind %q for the price to assess", def.Obligation))
			}
		}
		// New forms go to the end of the town's list.
		if _, err := tx.Exec(ctx, `INSERT INTO forms (tenant_id, slug, department, version, position)
			SELECT $1, $2, $3, 0, coalesce(max(position), 0) + 1 FROM forms WHERE tenant_id = $1
			ON CONFLICT (tenant_id, slug) DO NOTHING`, tenantID, slug, def.Department); err != nil {
			return err
		}
		var formID int64
		var current int
		if err := tx.QueryRow(ctx, `SELECT id, version FROM forms WHERE tenant_id = $1 AND slug = $2`+tx.ForUpdate(),
			tenantID, slug).Scan(&formID, &current); err != nil {
			return err
		}
		if current > 0 {
			var old string
			if err := tx.QueryRow(ctx, `SELECT definition FROM form_versions WHERE tenant_id = $1 AND form_id = $2 AND version = $3`,
				tenantID, formID, current).Scan(&old); err != nil {
				return err
			}
			if old == string(body) {
				version = current
				return nil
			}
		}
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) + 1 FROM form_versions WHERE tenant_id = $1 AND form_id = $2`,
			tenantID, formID).Scan(&version); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO form_versions (tenant_id, form_id, version, definition, created_at) VALUES ($1, $2, $3, $4, $5)`,
			tenantID, formID, version, string(body), time.Now().UTC().Truncate(time.Microsecond)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE forms SET version = $1, department = $2 WHERE tenant_id = $3 AND id = $4`,
			version, def.Department, tenantID, formID)
		return err
	})
	return version, err
}

const formColumns = `f.id, f.tenant_id, f.slug, f.department, f.version, f.enabled, f.position, v.definition`

func scanForm(r db.Row) (*Form, error) {
	var f Form
	var body string
	if err := r.Scan(&f.ID, &f.TenantID, &f.Slug, &f.Department, &f.Version, &f.Enabled, &f.Position, &body); err != nil {
		return nil, err
	}
	def, err := decode(body)
	if err != nil {
		return nil, fmt.Errorf("form %q version %d: %w", f.Slug, f.Version, err)
	}
	f.Definition = def
	return &f, nil
}

func decode(body string) (*Definition, error) {
	var d Definition
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// List returns the town's enabled, published forms in their order, each
// with its current definition.
func (s *Store) List(ctx context.Context, tenantID int64) (_ []Form, err error) {
	defer derr.Wrap(&err, "form.List(%d)", tenantID)
	rows, err := s.DB.Read().Query(ctx, `SELECT `+formColumns+` FROM forms f
		JOIN form_versions v ON v.tenant_id = f.tenant_id AND v.form_id = f.id AND v.version = f.version
		WHERE f.tenant_id = $1 AND f.enabled ORDER BY f.position, f.slug`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Form
	for rows.Next() {
		f, err := scanForm(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *f)
	}
	return out, rows.Err()
}

// BySlug returns one published form of the town, enabled or not, with its
// current definition.
func (s *Store) BySlug(ctx context.Context, tenantID int64, slug string) (_ *Form, err error) {
	defer derr.Wrap(&err, "form.BySlug(%d, %q)", tenantID, slug)
	f, err := scanForm(s.DB.Read().QueryRow(ctx, `SELECT `+formColumns+` FROM forms f
		JOIN form_versions v ON v.tenant_id = f.tenant_id AND v.form_id = f.id AND v.version = f.version
		WHERE f.tenant_id = $1 AND f.slug = $2`, tenantID, slug))
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	return f, err
}

// Version returns one version of a form: a draft and a submission are
// read with the version they started on, never the current one.
func (s *Store) Version(ctx context.Context, tenantID, formID int64, version int) (_ *Definition, err error) {
	defer derr.Wrap(&err, "form.Version(%d, %d, %d)", tenantID, formID, version)
	var body string
	err = s.DB.Read().QueryRow(ctx, `SELECT definition FROM form_versions WHERE tenant_id = $1 AND form_id = $2 AND version = $3`,
		tenantID, formID, version).Scan(&body)
	if errors.Is(err, db.ErrNoRows) {
		return nil, derr.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return decode(body)
}
