package app

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/radnice/radnice/internal/access"
	"github.com/radnice/radnice/internal/account"
	"github.com/radnice/radnice/internal/audit"
	"github.com/radnice/radnice/internal/auth"
	"github.com/radnice/radnice/internal/backoffice"
	"github.com/radnice/radnice/internal/catalog"
	"github.com/radnice/radnice/internal/config"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/demo"
	"github.com/radnice/radnice/internal/form"
	"github.com/radnice/radnice/internal/httpx"
	"github.com/radnice/radnice/internal/jobs"
	"github.com/radnice/radnice/internal/obligation"
	"github.com/radnice/radnice/internal/payment"
	"github.com/radnice/radnice/internal/payment/gateways"
	"github.com/radnice/radnice/internal/person"
	"github.com/radnice/radnice/internal/ratelimit"
	"github.com/radnice/radnice/internal/session"
	"github.com/radnice/radnice/internal/submission"
	"github.com/radnice/radnice/internal/submission/records"
	"github.com/radnice/radnice/internal/tenant"
	"github.com/radnice/radnice/internal/web"
)

func runServe(ctx context.Context, e *env, args []string) error {
	var migrate bool
	cfg, _, err := parseFlags(e, "serve", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&migrate, "migrate", false, "apply database migrations before serving")
	})
	if err != nil {
		return err
	}
	log := newLogger(e, cfg, false)
	return serve(ctx, e, cfg, log, serveOptions{migrate: migrate})
}

func runDemo(ctx context.Context, e *env, args []string) error {
	cfg, _, err := parseFlags(e, "demo", args, nil)
	if err != nil {
		return err
	}
	log := newLogger(e, cfg, true)
	return serve(ctx, e, cfg, log, serveOptions{migrate: true, demo: true})
}

type serveOptions struct {
	migrate bool
	demo    bool
	// ready, when set, receives the address once the server listens (tests).
	ready chan<- string
	// wrap, when set, wraps the portal's handler (tests add a slow route).
	wrap func(http.Handler) http.Handler
}

// serve runs the portal until ctx ends, then shuts down gracefully: it stops
// accepting, finishes requests and jobs in flight (up to the shutdown
// timeout) and closes the database.
func serve(ctx context.Context, e *env, cfg *config.Config, log *slog.Logger, o serveOptions) error {
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	if o.migrate {
		res, err := d.Migrate(ctx)
		if err != nil {
			return err
		}
		if res.From != res.To || len(res.RiverVersions) > 0 {
			log.Info("database migrated", "from", res.From, "to", res.To)
		}
	} else if err := d.CheckMigrations(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s (RADNICE_ADDR): %w", cfg.Addr, err)
	}
	var demoIdP, demoGW http.Handler
	var demoRecords http.Handler
	if o.demo {
		// The demo identity provider's issuer names the port we listen on.
		issuer := demo.IssuerFor(ln.Addr().String())
		err := demo.Ensure(ctx, d, log)
		if err == nil {
			err = demo.EnsureLogins(ctx, d, issuer)
		}
		if err == nil {
			// The demo towns' forms, a new version only of a changed file.
			err = demo.EnsureForms(ctx, d)
		}
		if err == nil {
			// Jizerov's catalogue of life situations, upserted (idempotent).
			err = demo.EnsureCatalog(ctx, d)
		}
		if err == nil {
			demoIdP, err = demo.IdP(d, issuer)
		}
		if err == nil {
			// Each demo town's card gateway, written to its rows like
			// any town's; the fakes answer on this server.
			demoGW, err = demo.Gateways(ctx, d, strings.TrimSuffix(issuer, demo.IdPPath))
		}
		if err == nil {
			// Each demo town's records management: a fake on this server,
			// holding paper cases of the demo people.
			demoRecords, err = demo.Records(ctx, d, strings.TrimSuffix(issuer, demo.IdPPath))
		}
		if err != nil {
			ln.Close()
			return err
		}
	}

	a, err := newPortal(ctx, d, cfg, log, o.demo)
	if err != nil {
		ln.Close()
		return err
	}
	a.demoIdP, a.demoGW = demoIdP, demoGW
	a.demoRecords = demoRecords
	if o.demo {
		a.office.DemoStatement = func(ctx context.Context, tenantID int64) ([]byte, error) { return demo.Statement(ctx, d, tenantID) }
	}
	if o.demo {
		// Uploads are scanned by a fake clamd inside the demo server.
		clamd, err := demoScanner(cfg, a.web.Submissions)
		if err != nil {
			ln.Close()
			return fmt.Errorf("demo clamd: %w", err)
		}
		if clamd != nil {
			defer clamd.Close()
		}
	}
	if len(a.tenants.Hosts()) == 0 {
		log.Warn("no town is configured: every request will get 404; add one with `radnice tenant add`")
	}
	h := a.handler()
	if o.wrap != nil {
		h = o.wrap(h)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}

	if err := a.queue.Start(ctx); err != nil {
		ln.Close()
		return fmt.Errorf("job queue: %w", err)
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	addr := ln.Addr().String()
	if o.demo {
		_, port, _ := net.SplitHostPort(addr)
		fmt.Fprintf(e.stdout, "\nRadnice DEMO is running (fictional towns, fake outside systems):\n")
		for _, t := range demo.Towns() {
			fmt.Fprintf(e.stdout, "  %-10s http://%s:%s/\n", t.Tenant.Name, t.Tenant.Hosts[0], port)
		}
		fmt.Fprintf(e.stdout, "Citizens log in at /prihlaseni through the demo identity provider (%s):\n"+
			"pick a citizen, a company director, a parent or a person with no records.\n", demo.IssuerFor(addr))
		fmt.Fprintf(e.stdout, "Officials sign in at /urad/prihlaseni (Jizerov: %s, password %s;\n"+
			"the demo login page shows the current code).\n", demo.Towns()[0].Official.Email, demo.OfficialPassword)
		fmt.Fprintf(e.stdout, "Card payments go through demo gateways: %s a fake GP webpay, %s a fake ComGate (%s/).\n",
			demo.Towns()[0].Tenant.Name, demo.Towns()[1].Tenant.Name, demo.GatewaysPath)
		fmt.Fprintf(e.stdout, "Records management is a demo fake at http://localhost:%s%s/ (it moves cases along).\n", port, demo.RecordsPath)
		fmt.Fprintf(e.stdout, "Stop it with Ctrl+C.\n\n")
	}
	log.Info("listening", "addr", addr, "database", string(d.Dialect()), "demo", o.demo, "version", Version)
	if o.ready != nil {
		o.ready <- addr
	}

	select {
	case err := <-serveErr:
		a.queue.Stop(context.Background())
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	errHTTP := srv.Shutdown(sctx)
	errJobs := a.queue.Stop(sctx)
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if err := errors.Join(errHTTP, errJobs); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// portal is the wired application.
type portal struct {
	cfg      *config.Config
	log      *slog.Logger
	db       *db.DB
	demo     bool
	tenants  *tenant.Registry
	sessions *httpx.Sessions
	queue    *jobs.Queue
	metrics  *httpx.Metrics
	web      *web.Handlers
	office   *backoffice.Handlers
	demoIdP  http.Handler // demo mode only: the demo identity provider at /demo-idp/
	demoGW   http.Handler // demo mode only: the fake card gateways under /demo-gw/
	// demo mode only: the fake records management at /demo-spisovka/
	demoRecords http.Handler
}

func newPortal(ctx context.Context, d *db.DB, cfg *config.Config, log *slog.Logger, demoMode bool) (*portal, error) {
	reg, err := tenant.NewRegistry(ctx, &tenant.Store{DB: d}, 30*time.Second)
	if err != nil {
		return nil, err
	}
	sessStore := &session.Store{DB: d, Idle: cfg.SessionIdle, Max: cfg.SessionMax}
	auditLog := &audit.Store{DB: d}
	// Each town's card gateways are its rows of payment_gateways (`radnice
	// gateway set`); clients are built from them when first needed.
	payments := &payment.Service{DB: d, Log: log.With("component", "payment"), Gateways: gateways.NewStore(d, auditLog)}
	workers := river.NewWorkers()
	river.AddWorker(workers, &session.CleanupWorker{Store: sessStore})
	river.AddWorker(workers, &payment.SweepWorker{Service: payments, After: 15 * time.Minute})
	subs := &submission.Store{DB: d}
	subs.Scanner = uploadScanner(cfg, log, demoMode) // every upload is scanned (scanner.go)
	// Each town's records management (`radnice records set`): the hand-off
	// of filed submissions and the sync of the portal's copy of the cases.
	recordsLog := log.With("component", "records")
	recordsSystems := &records.Systems{DB: d, Audit: auditLog, Log: recordsLog}
	river.AddWorker(workers, &records.RegisterWorker{Submissions: subs, People: &person.Store{DB: d}, Towns: &tenant.Store{DB: d},
		Systems: recordsSystems, Log: recordsLog})
	river.AddWorker(workers, &records.SyncWorker{Syncer: &records.Syncer{DB: d, Systems: recordsSystems, Submissions: subs,
		People: &person.Store{DB: d}, Log: recordsLog}})
	q, err := jobs.New(d, jobs.Options{
		Workers:  cfg.JobWorkers,
		Logger:   log.With("component", "jobs"),
		Register: workers,
		Periodic: []*river.PeriodicJob{session.CleanupJob(15 * time.Minute), payment.SweepJob(5 * time.Minute),
			records.SyncJob(time.Minute)},
	})
	if err != nil {
		return nil, err
	}
	subs.Queue = q
	sessions := &httpx.Sessions{Store: sessStore, Secure: cfg.CookieSecure, TrustProxy: cfg.TrustProxy}
	staff := &auth.StaffStore{DB: d, Audit: auditLog, Issuer: "Radnice"}
	accounts := &account.Store{DB: d, Audit: auditLog}
	acc := &access.Service{DB: d, Accounts: accounts, Staff: staff, Audit: auditLog}
	pages := &web.Handlers{Log: log, Demo: demoMode, Tenants: reg, Access: acc,
		Forms: &form.Store{DB: d}, Submissions: subs, Catalog: &catalog.Store{DB: d},
		Accounts: accounts, Logins: &account.Logins{Store: accounts}, Sessions: sessions,
		Persons: &person.Store{DB: d}, Obligations: &obligation.Store{DB: d}, TrustProxy: cfg.TrustProxy,
		Payments: payments, QR: web.BankQR,
		// Per address: a household or an office behind one NAT logs in
		// together, but nobody starts 20 logins in five minutes.
		LoginLimit: &ratelimit.Limiter{Max: 20, Window: 5 * time.Minute},
	}
	p := &portal{
		cfg: cfg, log: log, db: d, demo: demoMode, tenants: reg, queue: q, sessions: sessions,
		metrics: httpx.NewMetrics(d),
		web:     pages,
		office: &backoffice.Handlers{
			Pages: pages, Staff: staff, Audit: auditLog, Accounts: accounts, People: pages.Persons,
			Sessions: sessions, Log: log, TrustProxy: cfg.TrustProxy,
			Payments: payments, Obligations: pages.Obligations, Forms: pages.Forms, Submissions: subs,
			// Per address: an office behind one NAT signs in together in the
			// morning; per account: a guesser is slowed long before the lock.
			ByAddress: &ratelimit.Limiter{Max: 30, Window: 5 * time.Minute},
			ByAccount: &ratelimit.Limiter{Max: 8, Window: 5 * time.Minute},
		},
	}
	if demoMode {
		p.office.DemoHint = demo.SignInHint
	}
	return p, nil
}

// handler layers the shell around the faces. Health, readiness, metrics and
// static files answer for any host; everything else belongs to a town.
func (a *portal) handler() http.Handler {
	mux := http.NewServeMux()
	a.web.Register(mux)
	a.office.Register(mux)

	site := httpx.ResolveTenant(a.tenants, a.web.UnknownHost(), a.web.ErrorHandler(http.StatusServiceUnavailable),
		httpx.ChooseLang(
			// Gateways post back across origins; those requests are verified
			// by signature or secret instead.
			httpx.CSRF(a.web.ErrorHandler(http.StatusForbidden), []string{"POST /platba/{gateway}/navrat", "POST /platba/{gateway}/notifikace"},
				a.sessions.Load(a.web.LoadPrincipal(
					// Bodies up to 1 MiB, except where a route takes a larger
					// upload (a bank statement) and names its own limit.
					httpx.LimitBody(mux, 1<<20, mergeLimits(a.web.BodyLimits(), web.CaseBodyLimits(), a.office.BodyLimits()), httpx.Route(mux)))))))

	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", a.healthz)
	root.HandleFunc("GET /readyz", a.readyz)
	root.Handle("GET /metrics", a.metrics.Handler(a.cfg.MetricsToken))
	root.Handle("GET /static/", web.Static())
	if a.demoIdP != nil {
		root.Handle(demo.IdPPath+"/", a.demoIdP)
	}
	if a.demoGW != nil {
		root.Handle(demo.GatewaysPath+"/", a.demoGW)
	}
	if a.demoRecords != nil {
		root.Handle(demo.RecordsPath+"/", a.demoRecords)
	}
	root.Handle("/", site)

	return httpx.Observe(a.log, a.metrics, a.cfg.TrustProxy, a.web.ErrorHandler(http.StatusInternalServerError),
		httpx.SecurityHeaders(a.cfg.TrustProxy, httpx.Route(root)))
}

// healthz says the process is alive; it touches nothing else, so a slow
// database does not get healthy processes restarted.
func (a *portal) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz says whether this instance can serve: the database answers and its
// schema is the one this binary needs.
func (a *portal) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.db.Ping(ctx); err != nil {
		a.log.Warn("not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "database unreachable"})
		return
	}
	if err := a.db.CheckMigrations(ctx); err != nil {
		a.log.Warn("not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": string(a.db.Dialect())})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
