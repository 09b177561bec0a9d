package web

import (
	"net/http"

	"github.com/radnice/radnice/internal/access"
)

// Route is one page. The table is the whole public surface of a face in one
// screen; tests walk it (every route must be in the tenant isolation test
// and the access matrix). Access is enforced by Guard before the handler
// runs; the handler then asks the principal whom it acts for.
type Route struct {
	Pattern string
	Access  access.Rule
	Handler http.HandlerFunc
}

// Routes lists every route of the citizens' face.
func (h *Handlers) Routes() []Route {
	return []Route{
		{"GET /{$}", access.Public(), h.home},
		{"GET /kontakty", access.Public(), h.contacts},
		{"GET /prohlaseni-o-pristupnosti", access.Public(), h.accessibility},
		{"GET /jazyk/{lang}", access.Public(), h.switchLang},
		{"GET /barvy.css", access.Public(), h.townCSS},
		{"GET /erb.svg", access.Public(), h.coatOfArms},
		{"GET /prihlaseni", access.Public(), h.loginPage},
		{"GET /prihlaseni/navrat", access.Public(), h.loginCallback},
		{"GET /prihlaseni/{provider}", access.Public(), h.loginStart},
		{"GET /odhlaseni", access.Public(), h.logoutPage},
		{"POST /odhlaseni", access.Public(), h.logout},
		{"GET /souhlas", access.SignedInPendingConsent(), h.consentPage},
		{"POST /souhlas", access.SignedInPendingConsent(), h.consentAccept},
		{"GET /muj-ucet", access.SignedIn(), h.account},
		{"POST /muj-ucet/propojeni", access.SignedIn(), h.requestLink},
		{"POST /jednat-za", access.SignedIn(), h.switchActing},
		{"GET /muj-ucet/zmocneni", access.SignedIn(), h.mandates},
		{"POST /muj-ucet/zmocneni", access.SignedIn(), h.grantMandate},
		{"POST /muj-ucet/zmocneni/{id}/odvolat", access.SignedIn(), h.revokeMandate},
		{"GET /muj-ucet/relace", access.SignedIn(), h.sessions},
		{"POST /muj-ucet/relace/odhlasit-vse", access.SignedIn(), h.endOtherSessions},
		{"POST /muj-ucet/relace/{handle}/ukoncit", access.SignedIn(), h.endSession},
		{"GET /zavazky", access.SignedIn(), h.obligations},
		{"GET /zavazky/{id}", access.SignedIn(), h.obligation},
		{"POST /zavazky/zaplatit", access.SignedIn(), h.pay},
		{"GET /platba/{id}", access.SignedIn(), h.paymentPage},
		{"GET /platba/{id}/potvrzeni.pdf", access.SignedIn(), h.receipt},
		// Forms (forms.go): the list, a draft's steps (uploads: BodyLimits),
		// its review, filing and deleting.
		// The catalogue of life situations (catalog.go).
		{"GET /potrebuji-vyridit", access.Public(), h.catalogIndex},
		{"GET /potrebuji-vyridit/{category}", access.Public(), h.catalogCategory},
		{"GET /potrebuji-vyridit/{category}/{slug}", access.Public(), h.situation},
		{"GET /a-z", access.Public(), h.az},
		{"GET /formulare", access.Public(), h.formsList},
		{"POST /formulare/{slug}", access.SignedIn(), h.startDraft},
		{"GET /formulare/koncept/{id}", access.SignedIn(), h.draftStep},
		{routeDraftStep, access.SignedIn(), h.saveStep},
		{"GET /formulare/koncept/{id}/kontrola", access.SignedIn(), h.draftReview},
		{"POST /formulare/koncept/{id}/podat", access.SignedIn(), h.fileDraft},
		{"POST /formulare/koncept/{id}/smazat", access.SignedIn(), h.deleteDraft},
		// Cases (cases.go): the list, a case, its receipt and files, the
		// answer to a request for information (uploads: CaseBodyLimits).
		{"GET /podani", access.SignedIn(), h.cases},
		{"GET /podani/{id}", access.SignedIn(), h.caseDetail},
		{"GET /podani/{id}/potvrzeni.pdf", access.SignedIn(), h.caseReceipt},
		{"GET /podani/{id}/soubory/{file}", access.SignedIn(), h.caseFile},
		{routeCaseAnswer, access.SignedIn(), h.caseAnswer},
		// Gateways' returns and pushes are verified by signature or secret,
		// not by session: the session may have ended while the person paid.
		{"GET /platba/{gateway}/navrat", access.Public(), h.paymentReturn},
		{"POST /platba/{gateway}/navrat", access.Public(), h.paymentReturn},
		{"POST /platba/{gateway}/notifikace", access.Public(), h.paymentNotify},
		{"/", access.Public(), h.notFound},
	}
}

// Register adds the routes to mux, each behind its guard.
func (h *Handlers) Register(mux *http.ServeMux) {
	h.mux = mux
	h.RegisterRoutes(mux, h.Routes())
}

// RegisterRoutes adds routes of any face to mux, each behind its guard.
func (h *Handlers) RegisterRoutes(mux *http.ServeMux, routes []Route) {
	for _, r := range routes {
		mux.HandleFunc(r.Pattern, h.Guard(r.Access, r.Handler))
	}
}
