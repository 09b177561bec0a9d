package access

import (
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/auth/oidc"
)

// Rule is what a route requires of the principal. Every route declares one;
// the faces enforce it in one place before the handler runs.
type Rule struct {
	who     Kind
	roles   []auth.Role
	level   oidc.Level
	consent bool // citizens: the town's current terms accepted
	label   string
}

// Public lets anybody in.
func Public() Rule { return Rule{who: Anonymous, label: "public"} }

// SignedIn requires a citizen who has accepted the town's terms.
func SignedIn() Rule { return Rule{who: Citizen, consent: true, label: "citizen"} }

// SignedInAt requires a citizen signed in at level or above.
func SignedInAt(level oidc.Level) Rule {
	return Rule{who: Citizen, consent: true, level: level, label: "citizen@" + level.String()}
}

// SignedInPendingConsent requires a citizen, terms accepted or not (the
// consent page itself).
func SignedInPendingConsent() Rule { return Rule{who: Citizen, label: "citizen (terms pending)"} }

// Staff requires an official holding one of roles, or any official when
// roles are none.
func Staff(roles ...auth.Role) Rule {
	l := "official"
	for i, r := range roles {
		if i == 0 {
			l += ":"
		} else {
			l += ","
		}
		l += string(r)
	}
	return Rule{who: Official, roles: roles, label: l}
}

// String describes the rule (for tests and the route list).
func (r Rule) String() string { return r.label }

// Decision is the outcome of checking a rule.
type Decision int

const (
	Allow          Decision = iota
	NeedLogin               // a citizen must sign in
	NeedStaffLogin          // an official must sign in
	NeedConsent             // the citizen must accept the town's terms first
	NeedLevel               // the citizen must sign in again at a higher level
	Deny                    // signed in, but not allowed
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "allow"
	case NeedLogin:
		return "login"
	case NeedStaffLogin:
		return "staff-login"
	case NeedConsent:
		return "terms"
	case NeedLevel:
		return "level"
	}
	return "deny"
}

// Check decides whether p may use a route with rule r.
func (r Rule) Check(p *Principal) Decision {
	kind := Anonymous
	if p != nil {
		kind = p.Kind
	}
	switch r.who {
	case Anonymous:
		return Allow
	case Citizen:
		switch kind {
		case Anonymous:
			return NeedLogin
		case Official:
			return Deny
		}
		if r.consent && p.ConsentNeeded {
			return NeedConsent
		}
		if p.Level < r.level {
			return NeedLevel
		}
		return Allow
	case Official:
		switch kind {
		case Anonymous:
			return NeedStaffLogin
		case Citizen:
			return Deny
		}
		if len(r.roles) > 0 && !p.HasRole(r.roles...) {
			return Deny
		}
		return Allow
	}
	return Deny
}

// Level is the level of assurance the rule requires (citizens).
func (r Rule) Level() oidc.Level { return r.level }
