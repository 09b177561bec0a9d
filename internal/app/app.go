// Package app wires Radnice together and implements its subcommands. It is
// the only place that knows every part; the parts know only their own
// dependencies.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/radnice/radnice/internal/config"
	"github.com/radnice/radnice/internal/db"
	"github.com/radnice/radnice/internal/tenant"
)

// Version is set at build time (-ldflags "-X .../app.Version=v1.2.3").
var Version = "dev"

type command struct {
	name, summary string
	run           func(ctx context.Context, env *env, args []string) error
}

var commands = []command{
	{"serve", "serve the portal (production; needs configuration)", runServe},
	{"demo", "serve the portal with demo towns and fake outside systems", runDemo},
	{"migrate", "bring the database schema up to date", runMigrate},
	{"seed", "generate a synthetic town: seed --tenant T --citizens N --seed S", runSeed},
	{"tenant", "manage towns: tenant list | tenant add --slug ... --name ... --host ...", runTenant},
	{"idp", "citizen login providers of a town: idp list --tenant T | idp set --tenant T --slug S ...", runIdP},
	{"form", "a town's forms: form list --tenant T | form publish --tenant T FILE.json", runForm},
	{"gateway", "card payment gateways of a town: gateway list --tenant T | gateway set --tenant T --name gpwebpay|comgate ...", runGateway},
	{"records", "records management of a town: records list [--tenant T] | records set --tenant T --url URL --token-file F", runRecords},
	{"terms", "publish a new version of a town's terms: terms publish --tenant T --terms-cs F --privacy-cs F", runTerms},
	{"import", "book a bank statement (camt.053 or ABO/GPC): import statement --tenant T FILE", runImport},
	{"staff", "invite an official: staff invite --tenant T --email E --name N --role R", runStaff},
	{"audit", "check the audit log's hash chain: audit verify [--tenant T]", runAudit},
	{"version", "print the version", runVersion},
}

// env is what a subcommand may use of the outside world.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

// usageError makes Main print the usage and exit with 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Main runs radnice with args (without the program name) and returns the
// exit code: 0 success, 1 failure, 2 wrong usage.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, args, &env{stdout: stdout, stderr: stderr, getenv: os.Getenv})
}

func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		var ue usageError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(e.stderr, "radnice %s: %s\n", c.name, ue.msg)
			return 2
		default:
			fmt.Fprintf(e.stderr, "radnice %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(e.stderr, "radnice: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Radnice – the citizen portal of a town.")
	fmt.Fprintln(w, "\nUsage: radnice <command> [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes the configuration flags (radnice serve -h lists them);")
	fmt.Fprintln(w, "each flag is also a RADNICE_* environment variable.")
}

// flags parses a subcommand's flags, the configuration flags among them.
func parseFlags(e *env, name string, args []string, extra func(fs *flag.FlagSet)) (*config.Config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet("radnice "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if extra != nil {
		extra(fs)
	}
	fv := config.Flags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, err
		}
		return nil, nil, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return nil, nil, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	cfg, err := config.Load(e.getenv, fv)
	if err != nil {
		return nil, nil, err
	}
	return cfg, fs, nil
}

func newLogger(e *env, cfg *config.Config, demo bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if demo {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(e.stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(e.stderr, opts))
}

func openDB(ctx context.Context, cfg *config.Config) (*db.DB, error) {
	return db.Open(ctx, db.Options{
		URL: cfg.DatabaseURL, SQLitePath: cfg.SQLitePath(), MaxConns: cfg.DBMaxConns, Readers: cfg.SQLiteReaders,
	})
}

// openMigrated opens the database for a command that needs the current
// schema (everything but migrate and the servers that migrate themselves).
func openMigrated(ctx context.Context, cfg *config.Config) (*db.DB, error) {
	d, err := openDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := d.CheckMigrations(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// openTown opens the migrated database and finds the town with slug; the
// caller closes the database.
func openTown(ctx context.Context, cfg *config.Config, slug string) (*db.DB, *tenant.Tenant, error) {
	d, err := openMigrated(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	t, err := (&tenant.Store{DB: d}).BySlug(ctx, slug)
	if err != nil {
		d.Close()
		return nil, nil, fmt.Errorf("town %q: %w", slug, err)
	}
	return d, t, nil
}

func runVersion(_ context.Context, e *env, _ []string) error {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" {
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" {
			v += " (" + rev[:min(12, len(rev))] + ")"
		}
		fmt.Fprintf(e.stdout, "radnice %s %s\n", v, bi.GoVersion)
		return nil
	}
	fmt.Fprintf(e.stdout, "radnice %s\n", v)
	return nil
}

func runMigrate(ctx context.Context, e *env, args []string) error {
	cfg, _, err := parseFlags(e, "migrate", args, nil)
	if err != nil {
		return err
	}
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	res, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "schema: version %d -> %d; job queue migrations applied: %v\n", res.From, res.To, res.RiverVersions)
	return nil
}
