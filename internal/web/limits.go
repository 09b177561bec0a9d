package web

import "github.com/radnice/radnice/internal/submission"

// Routes of the citizens' face that take uploads, and how large a body
// each reads. The portal's shell caps every other body at 1 MiB.
const (
	routeDraftStep = "POST /formulare/koncept/{id}"
	// A step's page sends its files with its answers: at most what a
	// draft may hold altogether, and room for the answers.
	maxDraftStep = submission.MaxTotal + 1<<20
)

// BodyLimits names the routes that read more than the portal's usual body
// limit, with their own limits; the shell applies these instead (faces'
// limits are merged in internal/app).
func (h *Handlers) BodyLimits() map[string]int64 {
	return map[string]int64{routeDraftStep: maxDraftStep}
}
