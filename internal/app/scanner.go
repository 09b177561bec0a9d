package app

import (
	"log/slog"

	"github.com/radnice/radnice/internal/config"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/submission/clamav"
)

// uploadScanner is the virus scanner every upload goes through: clamd at
// RADNICE_CLAMD_ADDR. Without one, uploads are still checked by content
// but not scanned, which a production portal should not run with: it says
// so at start. (Demo mode runs its own fake clamd: see demoScanner.)
func uploadScanner(cfg *config.Config, log *slog.Logger, demoMode bool) submission.Scanner {
	if cfg.ClamdAddr != "" {
		return &clamav.Client{Addr: cfg.ClamdAddr}
	}
	if !demoMode {
		log.Warn("uploads are not scanned for viruses: set RADNICE_CLAMD_ADDR to a clamd")
	}
	return nil
}

// demoScanner starts the fake clamd inside the demo server (it finds the
// EICAR test file) and scans uploads with it, unless a real clamd is
// configured. The caller closes it at shutdown.
func demoScanner(cfg *config.Config, subs *submission.Store) (*clamav.Fake, error) {
	if cfg.ClamdAddr != "" {
		return nil, nil
	}
	f, err := clamav.StartFake("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	subs.Scanner = &clamav.Client{Addr: f.Addr()}
	return f, nil
}
