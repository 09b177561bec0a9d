// Package httpx is the HTTP shell every face of the portal shares: request
// ids, access logs, metrics, panic recovery, security headers, the town from
// the Host, the language, and the session cookie. It knows nothing of pages.
package httpx

import (
	"context"

	"github.com/radnice/radnice/internal/i18n"
	"github.com/radnice/radnice/internal/session"
	"github.com/radnice/radnice/internal/tenant"
)

type ctxKey int

const (
	infoKey ctxKey = iota
	tenantKey
	langKey
	sessionKey
)

// info is filled in as the request passes the layers; the outermost layer
// reads it when the response is done.
type info struct {
	id      string
	pattern string
	tenant  string
}

func infoFrom(ctx context.Context) *info {
	if i, ok := ctx.Value(infoKey).(*info); ok {
		return i
	}
	return &info{}
}

// RequestID is the id of the request being served ("" outside one).
func RequestID(ctx context.Context) string { return infoFrom(ctx).id }

// Tenant is the town the request is for; nil before the tenant layer.
func Tenant(ctx context.Context) *tenant.Tenant {
	t, _ := ctx.Value(tenantKey).(*tenant.Tenant)
	return t
}

// WithTenant is for tests and for layers that resolve the town themselves.
func WithTenant(ctx context.Context, t *tenant.Tenant) context.Context {
	if t != nil {
		infoFrom(ctx).tenant = t.Slug
	}
	return context.WithValue(ctx, tenantKey, t)
}

// Lang is the language to answer in.
func Lang(ctx context.Context) i18n.Lang {
	if l, ok := ctx.Value(langKey).(i18n.Lang); ok {
		return l
	}
	return i18n.CS
}

// Session is the request's session, or nil when it has none.
func Session(ctx context.Context) *session.Session {
	s, _ := ctx.Value(sessionKey).(*session.Session)
	return s
}
