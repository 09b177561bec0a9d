package demo

import (
	"context"
	"slices"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/db"
)

// ensureGrants gives a demo town's official the grants a newer version of
// the demo gives them (a case worker of the departments the demo forms
// use), so a demo database made before keeps working. It only adds: a
// grant the demo names is given back at every start, any other grant an
// administrator gave stays. An official whose e-mail changed is left
// alone.
func ensureGrants(ctx context.Context, d *db.DB, tenantID int64, o Official) error {
	staff := &auth.StaffStore{DB: d}
	list, err := staff.List(ctx, tenantID)
	if err != nil {
		return err
	}
	for _, st := range list {
		if st.Email != o.Email {
			continue
		}
		grants := slices.Clone(st.Grants)
		for _, g := range o.Grants {
			if !slices.Contains(grants, g) {
				grants = append(grants, g)
			}
		}
		if len(grants) == len(st.Grants) {
			return nil
		}
		return staff.SetGrants(ctx, audit.System, tenantID, st.ID, grants)
	}
	return nil
}
