package app

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth"
)

// runStaff invites officials from the command line: the first administrator
// of a new town has nobody to invite them in the backoffice.
func runStaff(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "invite" {
		return usageError{"want `staff invite --tenant T --email E --name N --role R[:department] [...]`"}
	}
	var slug, email, name string
	var roles listFlag
	cfg, _, err := parseFlags(e, "staff", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "tenant", "", "town slug")
		fs.StringVar(&email, "email", "", "the official's e-mail")
		fs.StringVar(&name, "name", "", "the official's name")
		fs.Var(&roles, "role", "role, or case_worker:Department (repeatable): "+roleNames())
	})
	if err != nil {
		return err
	}
	if slug == "" || email == "" || name == "" || len(roles) == 0 {
		return usageError{"--tenant, --email, --name and at least one --role are required"}
	}
	var grants []auth.Grant
	for _, r := range roles {
		role, dept, _ := strings.Cut(r, ":")
		grants = append(grants, auth.Grant{Role: auth.Role(role), Department: dept})
	}
	d, t, err := openTown(ctx, cfg, slug)
	if err != nil {
		return err
	}
	defer d.Close()
	token, st, err := (&auth.StaffStore{DB: d}).Invite(ctx, audit.System, t.ID, email, name, grants)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "invited %s <%s> to %s (id %d); invitation token, valid 72 hours:\n%s\n", st.Name, st.Email, t.Name, st.ID, token)
	return nil
}

func roleNames() string {
	out := make([]string, len(auth.Roles))
	for i, r := range auth.Roles {
		out[i] = string(r)
	}
	return strings.Join(out, ", ")
}
