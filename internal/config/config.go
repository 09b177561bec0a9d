// Package config holds Radnice's one typed configuration and loads it from
// defaults, an optional file, RADNICE_* environment variables and flags, in
// that order of precedence (a later source wins). Secrets may also be read
// from a file named by the variable with a _FILE suffix.
//
// Load validates every value: a wrong one stops the program with a message
// that names the variable, so an operator never has to guess.
package config

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration of one radnice process.
type Config struct {
	Addr            string        // listen address, host:port
	DataDir         string        // SQLite database, uploads, generated files
	DatabaseURL     string        // empty: SQLite in DataDir; postgres://...: PostgreSQL
	LogLevel        slog.Level    // debug, info, warn, error
	LogFormat       string        // auto (text in demo, JSON otherwise), json, text
	SessionIdle     time.Duration // a session not used for this long ends
	SessionMax      time.Duration // a session ends this long after login, used or not
	CookieSecure    string        // auto (Secure when the request came over TLS), always, never
	TrustProxy      bool          // trust X-Forwarded-For / X-Forwarded-Proto from the peer
	DBMaxConns      int           // PostgreSQL pool size
	SQLiteReaders   int           // SQLite read connections (there is always exactly one writer)
	JobWorkers      int           // job queue workers in this process (0: this process runs no jobs)
	ShutdownTimeout time.Duration // how long SIGTERM waits for requests and jobs in flight
	MetricsToken    string        // when set, /metrics requires "Authorization: Bearer <token>"
	ClamdAddr       string        // host:port of ClamAV's clamd, which scans uploads; empty: no scanning
	ConfigFile      string        // the file this configuration was read from, if any
}

// Postgres reports whether the configuration selects PostgreSQL.
func (c *Config) Postgres() bool { return c.DatabaseURL != "" }

// SQLitePath is the database file used when no DatabaseURL is set.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "radnice.db") }

// Option describes one setting; the README's configuration table lists them all.
type Option struct {
	Name    string // environment variable, e.g. RADNICE_ADDR
	Flag    string // flag name, e.g. addr
	Default string
	Help    string
	Secret  bool // may be given as NAME_FILE; never printed
	set     func(c *Config, v string) error
}

// Options lists every setting in the order the README shows them.
func Options() []Option { return options }

var options = []Option{
	{Name: "RADNICE_ADDR", Default: ":8080", Help: "address to listen on (host:port)", set: func(c *Config, v string) error {
		_, port, err := net.SplitHostPort(v)
		if err != nil {
			return fmt.Errorf("not host:port: %v", err)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			return fmt.Errorf("port %q is not a number from 0 to 65535", port)
		}
		c.Addr = v
		return nil
	}},
	{Name: "RADNICE_DATA_DIR", Default: "./data", Help: "directory for the SQLite database and files", set: func(c *Config, v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New("must not be empty")
		}
		c.DataDir = v
		return nil
	}},
	{Name: "RADNICE_DATABASE_URL", Default: "", Secret: true, Help: "empty: SQLite in the data directory; `postgres://user:pass@host/db`: PostgreSQL", set: func(c *Config, v string) error {
		if v == "" {
			c.DatabaseURL = ""
			return nil
		}
		u, err := url.Parse(v)
		if err != nil {
			return errors.New("not a URL") // the URL may hold a password: never echo it
		}
		if u.Scheme != "postgres" && u.Scheme != "postgresql" {
			return fmt.Errorf("scheme %q is not supported; use postgres:// or leave empty for SQLite", u.Scheme)
		}
		c.DatabaseURL = v
		return nil
	}},
	{Name: "RADNICE_LOG_LEVEL", Default: "info", Help: "debug, info, warn or error", set: func(c *Config, v string) error {
		return c.LogLevel.UnmarshalText([]byte(v))
	}},
	{Name: "RADNICE_LOG_FORMAT", Default: "auto", Help: "auto (text in demo, JSON otherwise), json or text", set: oneOf(func(c *Config) *string { return &c.LogFormat }, "auto", "json", "text")},
	{Name: "RADNICE_SESSION_IDLE", Default: "20m", Help: "a session unused for this long ends (Go duration)", set: duration(func(c *Config) *time.Duration { return &c.SessionIdle }, time.Minute, 24*time.Hour)},
	{Name: "RADNICE_SESSION_MAX", Default: "12h", Help: "a session ends this long after it began, however active", set: duration(func(c *Config) *time.Duration { return &c.SessionMax }, time.Minute, 30*24*time.Hour)},
	{Name: "RADNICE_COOKIE_SECURE", Default: "auto", Help: "auto (Secure when served over TLS or a trusted proxy says https), always or never", set: oneOf(func(c *Config) *string { return &c.CookieSecure }, "auto", "always", "never")},
	{Name: "RADNICE_TRUST_PROXY", Default: "false", Help: "trust X-Forwarded-For and X-Forwarded-Proto (only behind your own reverse proxy)", set: boolean(func(c *Config) *bool { return &c.TrustProxy })},
	{Name: "RADNICE_DB_MAX_CONNS", Default: "16", Help: "PostgreSQL connection pool size", set: integer(func(c *Config) *int { return &c.DBMaxConns }, 1, 1000)},
	{Name: "RADNICE_SQLITE_READERS", Default: "8", Help: "SQLite read connections (writes always use exactly one)", set: integer(func(c *Config) *int { return &c.SQLiteReaders }, 1, 256)},
	{Name: "RADNICE_JOB_WORKERS", Default: "10", Help: "background job workers in this process; 0 runs no jobs here", set: integer(func(c *Config) *int { return &c.JobWorkers }, 0, 1000)},
	{Name: "RADNICE_SHUTDOWN_TIMEOUT", Default: "30s", Help: "on SIGTERM, how long to wait for requests and jobs in flight", set: duration(func(c *Config) *time.Duration { return &c.ShutdownTimeout }, 0, time.Hour)},
	{Name: "RADNICE_METRICS_TOKEN", Default: "", Secret: true, Help: "when set, `/metrics` needs `Authorization: Bearer <token>`", set: func(c *Config, v string) error {
		c.MetricsToken = v
		return nil
	}},
	{Name: "RADNICE_CLAMD_ADDR", Default: "", Help: "host:port of ClamAV's clamd (TCPSocket), which scans every upload; empty: uploads are not scanned", set: func(c *Config, v string) error {
		if v == "" {
			c.ClamdAddr = ""
			return nil
		}
		host, port, err := net.SplitHostPort(v)
		if err != nil {
			return fmt.Errorf("not host:port: %v", err)
		}
		if host == "" {
			return errors.New("names no host (clamd listens on TCPAddr:TCPSocket, e.g. 127.0.0.1:3310)")
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %q is not a number from 1 to 65535", port)
		}
		c.ClamdAddr = v
		return nil
	}},
}

// ConfigFileVar names the optional configuration file (also --config).
const ConfigFileVar = "RADNICE_CONFIG"

func init() {
	for i := range options {
		options[i].Flag = strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(options[i].Name, "RADNICE_")), "_", "-")
	}
}

// Flags registers every option as a flag on fs (and --config); pass the
// result to Load after fs.Parse, so that only flags actually given override.
func Flags(fs *flag.FlagSet) *FlagValues {
	fv := &FlagValues{values: map[string]*string{}}
	fs.StringVar(&fv.configFile, "config", "", "configuration file with RADNICE_*=value lines (also "+ConfigFileVar+")")
	for _, o := range options {
		v := new(string)
		fv.values[o.Name] = v
		help := o.Help
		if o.Secret {
			help += " (secret: prefer " + o.Name + "_FILE)"
		}
		fs.StringVar(v, o.Flag, "", help+" ["+o.Name+"]")
	}
	fv.fs = fs
	return fv
}

// FlagValues holds what Flags registered, to tell set flags from defaults.
type FlagValues struct {
	fs         *flag.FlagSet
	values     map[string]*string
	configFile string
}

func (fv *FlagValues) set() map[string]string {
	out := map[string]string{}
	if fv == nil || fv.fs == nil {
		return out
	}
	fv.fs.Visit(func(f *flag.Flag) {
		for _, o := range options {
			if o.Flag == f.Name {
				out[o.Name] = *fv.values[o.Name]
			}
		}
	})
	return out
}

// Load builds the configuration. getenv is os.Getenv in production and a map
// lookup in tests; fv may be nil when there are no flags.
func Load(getenv func(string) string, fv *FlagValues) (*Config, error) {
	values := map[string]string{}
	source := map[string]string{}
	for _, o := range options {
		values[o.Name] = o.Default
		source[o.Name] = "default"
	}

	file := getenv(ConfigFileVar)
	if fv != nil && fv.configFile != "" {
		file = fv.configFile
	}
	if file != "" {
		fileValues, err := readFile(file)
		if err != nil {
			return nil, err
		}
		for k, v := range fileValues {
			values[k] = v
			source[k] = file
		}
	}
	for _, o := range options {
		if v := getenv(o.Name); v != "" {
			values[o.Name] = v
			source[o.Name] = "environment"
		}
		if o.Secret {
			if path := getenv(o.Name + "_FILE"); path != "" {
				b, err := os.ReadFile(path)
				if err != nil {
					return nil, fmt.Errorf("%s_FILE: %v", o.Name, err)
				}
				values[o.Name] = strings.TrimRight(string(b), "\r\n")
				source[o.Name] = path
			}
		}
	}
	for k, v := range fv.set() {
		values[k] = v
		source[k] = "flag"
	}

	c := &Config{ConfigFile: file}
	var errs []error
	for _, o := range options {
		if err := o.set(c, values[o.Name]); err != nil {
			shown := fmt.Sprintf("%q", values[o.Name])
			if o.Secret {
				shown = "(secret)"
			}
			errs = append(errs, fmt.Errorf("%s=%s (from %s): %v", o.Name, shown, source[o.Name], err))
		}
	}
	if c.SessionMax < c.SessionIdle && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("RADNICE_SESSION_MAX (%s) must not be shorter than RADNICE_SESSION_IDLE (%s)", c.SessionMax, c.SessionIdle))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("configuration: %w", errors.Join(errs...))
	}
	return c, nil
}

// readFile reads KEY=VALUE lines; blank lines and # comments are ignored and
// values may be quoted. Unknown keys are an error: a typo must not pass silently.
func readFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", ConfigFileVar, err)
	}
	known := map[string]bool{}
	for _, o := range options {
		known[o.Name] = true
		if o.Secret {
			known[o.Name+"_FILE"] = true
		}
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want KEY=value", path, n)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !known[k] {
			return nil, fmt.Errorf("%s:%d: unknown setting %q", path, n, k)
		}
		if uq, err := strconv.Unquote(v); err == nil {
			v = uq
		}
		if strings.HasSuffix(k, "_FILE") {
			sb, err := os.ReadFile(v)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %s: %v", path, n, k, err)
			}
			k, v = strings.TrimSuffix(k, "_FILE"), strings.TrimRight(string(sb), "\r\n")
		}
		out[k] = v
	}
	return out, sc.Err()
}

func oneOf(field func(*Config) *string, allowed ...string) func(*Config, string) error {
	return func(c *Config, v string) error {
		for _, a := range allowed {
			if v == a {
				*field(c) = v
				return nil
			}
		}
		return fmt.Errorf("must be one of %s", strings.Join(allowed, ", "))
	}
}

func duration(field func(*Config) *time.Duration, lo, hi time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return errors.New("not a duration (examples: 90s, 20m, 12h)")
		}
		if d < lo || d > hi {
			return fmt.Errorf("must be between %s and %s", lo, hi)
		}
		*field(c) = d
		return nil
	}
}

func integer(field func(*Config) *int, lo, hi int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return errors.New("not a whole number")
		}
		if n < lo || n > hi {
			return fmt.Errorf("must be from %d to %d", lo, hi)
		}
		*field(c) = n
		return nil
	}
}

func boolean(field func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("must be true or false")
		}
		*field(c) = b
		return nil
	}
}
