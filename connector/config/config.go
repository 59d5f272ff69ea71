// Package config loads erpconnector's one TOML file. Loading is strict:
// unknown keys are errors, every problem is reported at once with file:line,
// cross-references are checked, relative paths are resolved against the
// config file's folder (a Windows service starts in System32), and secrets are
// references that are resolved only when used.
package config

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"erpconnector/formats/csvpay"
)

// Config is the whole file.
type Config struct {
	Store      Store                     `toml:"store"`
	Admin      Admin                     `toml:"admin"`
	Log        Log                       `toml:"log"`
	Banks      []Bank                    `toml:"bank"`
	Routes     []Route                   `toml:"route"`
	Statements []Statement               `toml:"statement"`
	SFTP       []SFTP                    `toml:"sftp"`
	CSV        map[string]csvpay.Mapping `toml:"csv"`

	// File is the absolute path of the file loaded; Dir its folder.
	File string `toml:"-"`
	Dir  string `toml:"-"`
}

// Store is where all progress is kept.
type Store struct {
	Path string `toml:"path"` // bbolt file; the spool lives next to it
}

// Admin is the local HTTP endpoint for the status page, metrics and the CLI.
type Admin struct {
	Listen string `toml:"listen"` // default 127.0.0.1:8750; "" keeps the default, "off" disables
	// Token is the bearer token operator actions need (env:/file:). Required
	// for actions when listen is not a loopback address; when set it is
	// required everywhere.
	Token Secret `toml:"token"`
}

// Log configures structured logging.
type Log struct {
	Level  string `toml:"level"`  // debug, info (default), warn, error
	Format string `toml:"format"` // text (default) or json
}

// Bank kinds.
const (
	KindKB              = "kb"
	KindBankIntegration = "bankintegration"
)

// SandboxURL in a bank's url starts the built-in simulator on loopback.
const SandboxURL = "sandbox"

// Bank is one bank connection.
type Bank struct {
	Name    string   `toml:"name"`
	Kind    string   `toml:"kind"` // kb | bankintegration
	URL     string   `toml:"url"`  // "sandbox" or the bank's https:// base URL
	Timeout Duration `toml:"timeout"`

	// BankIntegration
	ERP             string      `toml:"erp"`     // the ERP name/code BankIntegration issued (serviceProvider)
	APIKey          Secret      `toml:"api_key"` // the ERP vendor's API key (a GUID)
	Accounts        []BIAccount `toml:"account"`
	MaxTransactions int         `toml:"max_transactions"` // per /payment request
	PollEvery       Duration    `toml:"poll_every"`       // status polling interval

	// BankIntegration request options ([INF] meanings; see bankintegration.md)
	MoveToNextBankDate  bool `toml:"move_to_next_bank_date"` // let the bank move weekend/holiday dates (default false: such payments fail)
	AllowIBANWithoutBIC bool `toml:"allow_iban_without_bic"` // send IBAN transfers without creditor BIC (default: such payments are rejected)

	// KB BATCHDA
	MaxItems       int    `toml:"max_items"`       // per batch, default 100
	ProcessingMode string `toml:"processing_mode"` // ONLINE (default) | CONTINUOUS | BATCH
	// OAuth2 (KB's API gateway). The refresh token is kept in the store, never here.
	TokenURL      string   `toml:"token_url"`      // default https://api-gateway.kb.cz/oauth2/v3/access_token
	AuthorizeURL  string   `toml:"authorize_url"`  // default https://login.kb.cz/autfe/ssologin
	ClientID      string   `toml:"client_id"`      // from the application registration
	ClientSecret  Secret   `toml:"client_secret"`  // env:/file: reference
	RedirectURI   string   `toml:"redirect_uri"`   // registered loopback redirect, e.g. http://127.0.0.1:8751/callback
	OAuthAPIKey   Secret   `toml:"oauth_api_key"`  // the developer portal's apiKey for the OAuth2 API
	BatchAPIKey   Secret   `toml:"batch_api_key"`  // optional apiKey for BATCHDA ([CODE] S9 sends it only if configured)
	ADAAURL       string   `toml:"adaa_url"`       // account statements API; default https://api-gateway.kb.cz/adaa/v2
	ADAAAPIKey    Secret   `toml:"adaa_api_key"`   // the developer portal's apiKey for ADAA (statements)
	Scope         string   `toml:"scope"`          // default "adaa bpisp" (statements need adaa)
	TokenMargin   Duration `toml:"token_margin"`   // refresh this long before the access token expires (default 30s)
	ExpiryWarning Duration `toml:"expiry_warning"` // warn this long before the refresh token expires (default 720h)
	// BatchStatus: "none" (default; KB documents no status endpoint, so a
	// batch waits for signature until statements show it booked) or "cobs"
	// (poll GET /my/batchpayments/{id}/status as the Czech Open Banking
	// Standard defines it — [INF] for KB; the sandbox offers it).
	BatchStatus string `toml:"batch_status"`

	// Sandbox tunes the built-in simulator when url = "sandbox".
	Sandbox SandboxOptions `toml:"sandbox"`
}

// SandboxOptions tune the in-process simulator.
type SandboxOptions struct {
	Listen    string   `toml:"listen"`     // loopback address for the simulator and its /_sim control API; default a free port
	StepAfter Duration `toml:"step_after"` // time per lifecycle step (default 2s)
	Approval  bool     `toml:"approval"`   // payments wait in "Waiting" until approved via the control API
	// KB simulator only:
	RotateRefreshTokens bool     `toml:"rotate_refresh_tokens"` // every refresh returns a new refresh token and revokes the old one
	AccessTokenTTL      Duration `toml:"access_token_ttl"`      // default 180s, as KB
	ProcessAfter        Duration `toml:"process_after"`         // a signed batch is processed this long after signing (default 10s)
}

// BIAccount is a debtor account linked to the ERP at BankIntegration, with its
// per-account integration code.
type BIAccount struct {
	Number          string `toml:"number"` // 14-digit BBAN (reg. no. + account) or DK IBAN
	IntegrationCode Secret `toml:"integration_code"`
}

// Input formats a route accepts.
var Formats = []string{"auto", "pain.001", "abo", "csv", "json"}

// Status file formats.
var StatusFormats = []string{"pain.002", "csv", "json"}

// Route is one inbox → bank → outbox path.
type Route struct {
	Name     string   `toml:"name"`
	Inbox    string   `toml:"inbox"`
	Outbox   string   `toml:"outbox"`
	Archive  string   `toml:"archive"` // default <inbox>/archive
	Error    string   `toml:"error"`   // default <inbox>/error
	Bank     string   `toml:"bank"`
	Format   string   `toml:"format"`   // auto (default) | pain.001 | abo | csv | json
	CSV      string   `toml:"csv"`      // name of a [csv.NAME] mapping, for csv input
	Encoding string   `toml:"encoding"` // ABO/KPC encoding: windows-1250 (default), cp852, utf-8
	Status   []string `toml:"status"`   // status file formats: pain.002, csv, json (default pain.002)

	StatusFiles    string `toml:"status_files"`    // "every" change (default) or "final" only
	Pain002Version string `toml:"pain002_version"` // "03" (default) or "10"
	PastDates      string `toml:"past_dates"`      // "reject" (default) or "today": move to today's date
	DebtorAccount  string `toml:"debtor_account"`  // debtor for BankIntegration JSON passthrough files

	Settle      Duration `toml:"settle"`        // size+mtime unchanged this long before a file is taken (default 2s)
	Sweep       Duration `toml:"sweep"`         // full rescan interval (default 30s; events are only hints)
	Ignore      []string `toml:"ignore"`        // name patterns never taken (default *.tmp *.part ~* .*)
	ReadyMarker string   `toml:"ready_marker"`  // e.g. ".ok": take name only once name.ok exists
	MaxFileSize Size     `toml:"max_file_size"` // default 100MB
}

// Statement is a scheduled statement pull (see the statements feature).
type Statement struct {
	Bank    string   `toml:"bank"`
	Account string   `toml:"account"` // BankIntegration: 14-digit BBAN or DK IBAN; KB: the account's IBAN
	Every   Duration `toml:"every"`   // pull interval (default 15m) …
	Times   []string `toml:"times"`   // … or times of day ("06:00", "18:30"), local time
	Formats []string `toml:"formats"` // camt.053 (.001.02), camt.053.001.08, mt940, gpc, csv
	Outbox  string   `toml:"outbox"`
	// Backfill is how far back the first run reaches (default 72h); later runs
	// catch up from where the last one stopped, however long the pause.
	Backfill Duration `toml:"backfill"`
	// EmptyFiles writes a statement file even when a run found no new entry
	// (a daily "no movements" statement); off by default.
	EmptyFiles bool `toml:"empty_files"`

	MT940Dialect string `toml:"mt940_dialect"` // dk (default) | cz: the :86: layout
	GPCInternal  bool   `toml:"gpc_internal_account_format"`
	GPCReversals string `toml:"gpc_reversal_codes"` // "34" (default, Česká spořitelna) | "45"
	CSVDelimiter string `toml:"csv_delimiter"`      // default ";"
	CSVDecimal   string `toml:"csv_decimal"`        // "," (default) or "."
}

// StatementFormats are the statement file formats.
var StatementFormats = []string{"camt.053", "camt.053.001.02", "camt.053.001.08", "mt940", "gpc", "csv"}

// Duration is a time.Duration written as "30s", "15m".
type Duration struct {
	time.Duration
	set bool   // written in the file, even as 0s
	bad string // why the value written is not a duration; check reports it with its line
}

// UnmarshalTOML records a bad value instead of failing, so that the decoder
// goes on and check-config reports every problem at once, each with its line.
func (d *Duration) UnmarshalTOML(v any) error {
	s, ok := v.(string)
	if !ok {
		*d = Duration{bad: fmt.Sprintf("%v is not a duration such as \"30s\" or \"15m\" (a quoted string with a unit)", v)}
		return nil
	}
	if err := d.UnmarshalText([]byte(s)); err != nil {
		*d = Duration{bad: err.Error()}
	}
	return nil
}

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 30s or 15m", b)
	}
	if v < 0 {
		return fmt.Errorf("%q: negative duration", b)
	}
	d.Duration, d.set = v, true
	return nil
}

// Size is a byte count written as "100MB", "512KiB" or a plain number.
type Size int64

// badSize marks a value that is not a size; check reports it with its line.
const badSize Size = -1

// UnmarshalTOML records a bad value instead of failing (see Duration).
func (s *Size) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		if s.UnmarshalText([]byte(v)) != nil {
			*s = badSize
		}
	case int64:
		*s = Size(v)
		if v <= 0 {
			*s = badSize
		}
	default:
		*s = badSize
	}
	return nil
}

func (s *Size) UnmarshalText(b []byte) error {
	str := strings.TrimSpace(string(b))
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if v, ok := strings.CutSuffix(str, u.suffix); ok {
			str, mult = strings.TrimSpace(v), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(str, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return fmt.Errorf("%q is not a size such as 100MB", b)
	}
	*s = Size(n * mult)
	return nil
}

// Error is one problem in the config file.
type Error struct {
	File string
	Line int    // 0 when unknown
	Key  string // dotted key path, e.g. route[1].bank
	Msg  string
}

func (e Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	if e.Key != "" {
		return loc + ": " + e.Key + ": " + e.Msg
	}
	return loc + ": " + e.Msg
}

// Errors is every problem found; Load returns it as its error.
type Errors []Error

func (es Errors) Error() string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Load reads, decodes and checks the config file. On any problem it returns
// Errors listing all of them (the Config is still returned for inspection).
func Load(path string) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	src, err := os.ReadFile(abs)
	if err != nil {
		return nil, err
	}
	return Parse(abs, src)
}

// Parse decodes src as if read from file (which must be absolute).
func Parse(file string, src []byte) (*Config, error) {
	c := &Config{File: file, Dir: filepath.Dir(file)}
	loc := newLocator(src)
	var errs Errors
	add := func(key, format string, args ...any) {
		errs = append(errs, Error{File: file, Line: loc.line(key), Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	md, unknownTop, err := decodeEach(src, c)
	if err != nil {
		var es Errors
		for _, e := range err {
			es = append(es, decodeError(file, loc, e))
		}
		slices.SortStableFunc(es, func(a, b Error) int { return a.Line - b.Line })
		return c, es
	}
	undecoded := md.Undecoded()
	unknown := make(map[string]bool, len(undecoded))
	for _, k := range undecoded {
		unknown[k.String()] = true
	}
	// Unknown top-level keys were read as raw values: the decoder does not
	// list them, nor what is inside them.
	for _, k := range unknownTop {
		unknown[k] = true
		errs = append(errs, Error{File: file, Line: loc.line(k), Key: k, Msg: "unknown key"})
	}
	used := map[string]bool{}
	for _, k := range undecoded {
		if unknown[k[0]] && slices.Contains(unknownTop, k[0]) {
			continue // inside an unknown top-level key: that key is reported
		}
		if len(k) > 1 && unknown[k[:len(k)-1].String()] {
			continue // inside an unknown table: the table is reported
		}
		key, line := locateKey(loc, k, used)
		errs = append(errs, Error{File: file, Line: line, Key: key, Msg: "unknown key"})
	}
	c.defaults()
	c.sftpDefaults()
	c.check(add)
	c.checkSFTP(add)
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b Error) int { return a.Line - b.Line })
		return c, errs
	}
	return c, nil
}

// decodeEach decodes src into c one top-level key at a time, in the order of
// the keys' names, so that a wrong type under one key does not hide one under
// another (the decoder stops at its first error, and which one it meets first
// would depend on map order). A syntax error is the only error there is.
func decodeEach(src []byte, c *Config) (md toml.MetaData, unknown []string, errs []error) {
	var prims map[string]toml.Primitive
	md, err := toml.Decode(string(src), &prims)
	if err != nil {
		return md, nil, []error{err}
	}
	fields := map[string]reflect.Value{}
	rv := reflect.ValueOf(c).Elem()
	for i := 0; i < rv.NumField(); i++ {
		if tag := rv.Type().Field(i).Tag.Get("toml"); tag != "" && tag != "-" {
			fields[tag] = rv.Field(i)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(prims)) {
		f, ok := fields[key]
		if !ok {
			unknown = append(unknown, key)
			continue
		}
		if err := md.PrimitiveDecode(prims[key], f.Addr().Interface()); err != nil {
			errs = append(errs, err)
		}
	}
	return md, unknown, errs
}

// typeErrRe matches BurntSushi's type errors, which are plain errors that
// carry the line and key only in their text.
var typeErrRe = regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key "((?:[^"\\]|\\.)*)"\): (.*)$`)

func decodeError(file string, loc *locator, err error) Error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return Error{File: file, Line: pe.Position.Line, Key: loc.keyAt(pe.LastKey, pe.Position.Line), Msg: pe.Message}
	}
	if m := typeErrRe.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		key, _ := strconv.Unquote(`"` + m[2] + `"`)
		return Error{File: file, Line: line, Key: loc.keyAt(key, line), Msg: m[3]}
	}
	return Error{File: file, Msg: err.Error()}
}

// locateKey finds an undecoded key. BurntSushi reports a key inside an array
// of tables without its index (route.foo for every [[route]] that has foo), so
// each occurrence is matched to the first [[route]] whose foo was not claimed
// yet (used). A key the locator cannot see exactly (inside an inline table)
// gets the line of its nearest enclosing key or table.
func locateKey(loc *locator, k toml.Key, used map[string]bool) (string, int) {
	candidates := []string{""}
	for _, part := range k {
		var next []string
		for _, c := range candidates {
			p := part
			if c != "" {
				p = c + "." + part
			}
			next = append(next, p)
			for i := 0; i < maxTables; i++ {
				ip := p + "[" + strconv.Itoa(i) + "]"
				if _, exact := loc.lines[ip]; !exact {
					break
				}
				next = append(next, ip)
			}
		}
		candidates = next
	}
	for _, c := range candidates {
		if _, ok := loc.lines[c]; ok && !used[c] {
			used[c] = true
			return c, loc.lines[c]
		}
	}
	// Not seen exactly: take the candidate whose enclosing key or table is
	// the most specific one found, preferring occurrences not yet used.
	best, line, depth := k.String(), 0, -1
	for _, c := range candidates {
		found := loc.enclosing(c)
		d := len(found)
		if used[c] {
			d -= 1 << 20
		}
		if found != "" && d > depth {
			best, line, depth = c, loc.lines[found], d
		}
	}
	used[best] = true
	return best, line
}

// maxTables bounds the [[table]] occurrences tried per key; more routes or
// banks than this in one file are not expected.
const maxTables = 1024

func (c *Config) resolve(p string) string {
	if p == "" || filepath.IsAbs(p) || strings.Contains(p, "://") {
		return p
	}
	return filepath.Join(c.Dir, filepath.FromSlash(p))
}

func (c *Config) defaults() {
	if c.Store.Path == "" {
		c.Store.Path = "var/erpconnector.db"
	}
	c.Store.Path = c.resolve(c.Store.Path)
	if c.Admin.Listen == "" {
		c.Admin.Listen = "127.0.0.1:8750"
	}
	c.Admin.Token.dir = c.Dir
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	if c.Log.Format == "" {
		c.Log.Format = "text"
	}
	for i := range c.Banks {
		b := &c.Banks[i]
		if b.Timeout.Duration == 0 {
			b.Timeout.Duration = 30 * time.Second
		}
		if b.MaxTransactions == 0 {
			b.MaxTransactions = 500
		}
		if b.MaxItems == 0 {
			b.MaxItems = 100
		}
		if b.ProcessingMode == "" {
			b.ProcessingMode = "ONLINE"
		}
		if b.PollEvery.Duration == 0 {
			b.PollEvery.Duration = 30 * time.Second
		}
		if b.Scope == "" {
			b.Scope = "adaa bpisp" // batches, and account history for statements
		}
		if b.TokenMargin.Duration == 0 {
			b.TokenMargin.Duration = 30 * time.Second
		}
		if b.ExpiryWarning.Duration == 0 {
			b.ExpiryWarning.Duration = 30 * 24 * time.Hour
		}
		if b.BatchStatus == "" {
			b.BatchStatus = "none"
			if b.URL == SandboxURL {
				b.BatchStatus = "cobs"
			}
		}
		b.ClientSecret.dir, b.OAuthAPIKey.dir, b.BatchAPIKey.dir, b.ADAAAPIKey.dir = c.Dir, c.Dir, c.Dir, c.Dir
		if b.ERP == "" && b.URL == SandboxURL {
			b.ERP = "erpconnector-sandbox"
		}
		b.APIKey.dir = c.Dir
		for j := range b.Accounts {
			b.Accounts[j].IntegrationCode.dir = c.Dir
		}
	}
	for i := range c.Routes {
		r := &c.Routes[i]
		r.Inbox, r.Outbox = c.resolve(r.Inbox), c.resolve(r.Outbox)
		if r.Archive == "" && r.Inbox != "" {
			r.Archive = filepath.Join(r.Inbox, "archive")
			if IsRemote(r.Inbox) {
				r.Archive = remoteJoin(r.Inbox, "archive")
			}
		}
		if r.Error == "" && r.Inbox != "" {
			r.Error = filepath.Join(r.Inbox, "error")
			if IsRemote(r.Inbox) {
				r.Error = remoteJoin(r.Inbox, "error")
			}
		}
		r.Archive, r.Error = c.resolve(r.Archive), c.resolve(r.Error)
		if r.Format == "" {
			r.Format = "auto"
		}
		if r.Encoding == "" {
			r.Encoding = "windows-1250"
		}
		if len(r.Status) == 0 {
			r.Status = []string{"pain.002"}
		}
		if r.StatusFiles == "" {
			r.StatusFiles = "every"
		}
		if r.Pain002Version == "" {
			r.Pain002Version = "03"
		}
		if r.PastDates == "" {
			r.PastDates = "reject"
		}
		if !r.Settle.set {
			r.Settle.Duration = 2 * time.Second
		}
		if r.Sweep.Duration == 0 {
			r.Sweep.Duration = 30 * time.Second
		}
		if r.Ignore == nil {
			r.Ignore = []string{"*.tmp", "*.part", "~*", ".*"}
		}
		if r.MaxFileSize == 0 {
			r.MaxFileSize = 100e6
		}
	}
	for i := range c.Statements {
		st := &c.Statements[i]
		st.Outbox = c.resolve(st.Outbox)
		if st.Every.Duration == 0 && len(st.Times) == 0 {
			st.Every.Duration = 15 * time.Minute
		}
		if st.Backfill.Duration == 0 {
			st.Backfill.Duration = 72 * time.Hour
		}
		if len(st.Formats) == 0 {
			st.Formats = []string{"camt.053"}
		}
		if st.MT940Dialect == "" {
			st.MT940Dialect = "dk"
		}
		if st.GPCReversals == "" {
			st.GPCReversals = "34"
		}
		if st.CSVDelimiter == "" {
			st.CSVDelimiter = ";"
		}
		if st.CSVDecimal == "" {
			st.CSVDecimal = ","
		}
	}
}

// CheckSecrets reads every secret reference (without keeping or showing the
// values) and returns a problem for each that cannot be read. Load checks only
// their form, so that commands that need no secret (status, convert) work
// where the secrets are not available.
func (c *Config) CheckSecrets() Errors {
	src, _ := os.ReadFile(c.File)
	loc := newLocator(src)
	var errs Errors
	check := func(key string, s Secret) {
		if !s.IsSet() || s.Check() != nil {
			return
		}
		if _, err := s.Resolve(); err != nil {
			errs = append(errs, Error{File: c.File, Line: loc.line(key), Key: key, Msg: err.Error()})
		}
	}
	check("admin.token", c.Admin.Token)
	for i, s := range c.SFTP {
		k := fmt.Sprintf("sftp[%d]", i)
		check(k+".private_key", s.PrivateKey)
		check(k+".passphrase", s.Passphrase)
		check(k+".password", s.Password)
	}
	for i, b := range c.Banks {
		k := fmt.Sprintf("bank[%d]", i)
		check(k+".api_key", b.APIKey)
		check(k+".client_secret", b.ClientSecret)
		check(k+".oauth_api_key", b.OAuthAPIKey)
		check(k+".batch_api_key", b.BatchAPIKey)
		check(k+".adaa_api_key", b.ADAAAPIKey)
		for j, a := range b.Accounts {
			check(fmt.Sprintf("%s.account[%d].integration_code", k, j), a.IntegrationCode)
		}
	}
	return errs
}

// Bank returns the bank named name.
func (c *Config) Bank(name string) (*Bank, bool) {
	for i := range c.Banks {
		if c.Banks[i].Name == name {
			return &c.Banks[i], true
		}
	}
	return nil, false
}

// Route returns the route named name.
func (c *Config) Route(name string) (*Route, bool) {
	for i := range c.Routes {
		if c.Routes[i].Name == name {
			return &c.Routes[i], true
		}
	}
	return nil, false
}

func (c *Config) check(add func(key, format string, args ...any)) {
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		add("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	if !slices.Contains([]string{"text", "json"}, c.Log.Format) {
		add("log.format", "%q is not one of text, json", c.Log.Format)
	}
	if c.Admin.Listen != "off" {
		if _, _, err := net.SplitHostPort(c.Admin.Listen); err != nil {
			add("admin.listen", "%q is not host:port", c.Admin.Listen)
		}
	}
	if c.Admin.Token.IsSet() {
		if err := c.Admin.Token.Check(); err != nil {
			add("admin.token", "%v", err)
		}
	}
	duration := func(key string, d Duration) {
		if d.bad != "" {
			add(key, "%s", d.bad)
		}
	}
	names := map[string]bool{}
	for i, b := range c.Banks {
		k := fmt.Sprintf("bank[%d]", i)
		duration(k+".timeout", b.Timeout)
		duration(k+".poll_every", b.PollEvery)
		duration(k+".sandbox.step_after", b.Sandbox.StepAfter)
		switch {
		case b.Name == "":
			add(k+".name", "missing")
		case names[b.Name]:
			add(k+".name", "bank %q is defined twice", b.Name)
		}
		names[b.Name] = true
		switch b.Kind {
		case KindKB, KindBankIntegration:
		case "":
			add(k+".kind", "missing: kb or bankintegration")
		default:
			add(k+".kind", "%q is not kb or bankintegration", b.Kind)
		}
		if err := checkBankURL(b.URL); err != nil {
			add(k+".url", "%v", err)
		}
		if b.Kind == KindBankIntegration {
			c.checkBI(k, &b, add)
		}
		if b.Kind == KindKB {
			if !slices.Contains([]string{"ONLINE", "CONTINUOUS", "BATCH"}, b.ProcessingMode) {
				add(k+".processing_mode", "%q is not ONLINE, CONTINUOUS or BATCH", b.ProcessingMode)
			}
			if b.MaxItems < 1 || b.MaxItems > 10000 {
				add(k+".max_items", "%d is out of range 1..10000", b.MaxItems)
			}
			if b.BatchStatus != "none" && b.BatchStatus != "cobs" {
				add(k+".batch_status", "%q is not none or cobs", b.BatchStatus)
			}
			if b.URL != SandboxURL {
				for _, req := range []struct{ key, v string }{{"client_id", b.ClientID}, {"redirect_uri", b.RedirectURI}} {
					if req.v == "" {
						add(k+"."+req.key, "missing: from the application registration at KB")
					}
				}
				if err := b.ClientSecret.Check(); err != nil {
					add(k+".client_secret", "%v", err)
				}
			}
			for _, sec := range []struct {
				key string
				s   Secret
			}{{"oauth_api_key", b.OAuthAPIKey}, {"batch_api_key", b.BatchAPIKey}, {"adaa_api_key", b.ADAAAPIKey}} {
				if sec.s.IsSet() {
					if err := sec.s.Check(); err != nil {
						add(k+"."+sec.key, "%v", err)
					}
				}
			}
		}
	}
	routeNames := map[string]bool{}
	folders := map[string]string{}
	for i := range c.Routes {
		r := &c.Routes[i]
		k := fmt.Sprintf("route[%d]", i)
		switch {
		case r.Name == "":
			add(k+".name", "missing")
		case routeNames[r.Name]:
			add(k+".name", "route %q is defined twice", r.Name)
		}
		routeNames[r.Name] = true
		duration(k+".settle", r.Settle)
		duration(k+".sweep", r.Sweep)
		if r.MaxFileSize < 0 {
			add(k+".max_file_size", "not a size such as \"100MB\", \"512KiB\" or a number of bytes above 0")
		}
		if r.Inbox == "" {
			add(k+".inbox", "missing")
		}
		if r.Outbox == "" {
			add(k+".outbox", "missing")
		}
		for _, f := range []struct{ key, path string }{{"inbox", r.Inbox}, {"outbox", r.Outbox}} {
			if f.path == "" {
				continue
			}
			if other, dup := folders[f.path]; dup {
				add(k+"."+f.key, "%s is also %s: every route needs its own folders", f.path, other)
			}
			folders[f.path] = k + "." + f.key
		}
		switch {
		case r.Bank == "":
			add(k+".bank", "missing")
		case !names[r.Bank]:
			add(k+".bank", "no [[bank]] is named %q", r.Bank)
		}
		if !slices.Contains(Formats, r.Format) {
			add(k+".format", "%q is not one of %s", r.Format, strings.Join(Formats, ", "))
		}
		if r.Format == "csv" && r.CSV == "" {
			add(k+".csv", "format csv needs the name of a [csv.NAME] mapping")
		}
		if r.CSV != "" {
			if _, ok := c.CSV[r.CSV]; !ok {
				add(k+".csv", "no [csv.%s] mapping is defined", r.CSV)
			}
		}
		if !slices.Contains([]string{"windows-1250", "cp1250", "cp852", "ibm852", "utf-8", "utf8"}, strings.ToLower(r.Encoding)) {
			add(k+".encoding", "%q is not windows-1250, cp852 or utf-8", r.Encoding)
		}
		for _, s := range r.Status {
			if !slices.Contains(StatusFormats, s) {
				add(k+".status", "%q is not one of %s", s, strings.Join(StatusFormats, ", "))
			}
		}
		if !slices.Contains([]string{"every", "final"}, r.StatusFiles) {
			add(k+".status_files", "%q is not every or final", r.StatusFiles)
		}
		if !slices.Contains([]string{"03", "10"}, r.Pain002Version) {
			add(k+".pain002_version", "%q is not 03 or 10", r.Pain002Version)
		}
		if !slices.Contains([]string{"reject", "today"}, r.PastDates) {
			add(k+".past_dates", "%q is not reject or today", r.PastDates)
		}
		for _, p := range r.Ignore {
			if _, err := filepath.Match(p, "x"); err != nil {
				add(k+".ignore", "%q is not a valid pattern", p)
			}
		}
		if r.ReadyMarker != "" && !strings.HasPrefix(r.ReadyMarker, ".") {
			add(k+".ready_marker", "%q must be a suffix starting with a dot, such as .ok", r.ReadyMarker)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.CSV)) {
		m := c.CSV[name]
		for _, err := range m.Check() {
			// Point at the mapping's own key (csv.NAME.columns.amount), so
			// that the line is the one to fix.
			if me, ok := errors.AsType[*csvpay.MappingError](err); ok {
				add("csv."+name+"."+normKey(me.Key), "%s", me.Msg)
				continue
			}
			add("csv."+name, "%v", err)
		}
	}
	seenStmt := map[string]bool{}
	for i, s := range c.Statements {
		k := fmt.Sprintf("statement[%d]", i)
		duration(k+".every", s.Every)
		if !names[s.Bank] {
			add(k+".bank", "no [[bank]] is named %q", s.Bank)
		}
		if s.Account == "" {
			add(k+".account", "missing")
		}
		if seenStmt[s.Bank+"/"+s.Account] {
			add(k+".account", "account %s of bank %s has two [[statement]] blocks", s.Account, s.Bank)
		}
		seenStmt[s.Bank+"/"+s.Account] = true
		if s.Outbox == "" {
			add(k+".outbox", "missing")
		}
		if s.Every.Duration > 0 && s.Every.Duration < time.Second {
			add(k+".every", "%s is too often: at least 1s (and mind the bank's download limits: KB ADAA allows one unchanged download per 61 minutes)", s.Every.Duration)
		}
		for _, t := range s.Times {
			if _, err := time.Parse("15:04", t); err != nil {
				add(k+".times", "%q is not a time of day like 06:30", t)
			}
		}
		for _, f := range s.Formats {
			if !slices.Contains(StatementFormats, f) {
				add(k+".formats", "%q is not one of %s", f, strings.Join(StatementFormats, ", "))
			}
		}
		if s.MT940Dialect != "dk" && s.MT940Dialect != "cz" {
			add(k+".mt940_dialect", "%q is not dk or cz", s.MT940Dialect)
		}
		if s.GPCReversals != "34" && s.GPCReversals != "45" {
			add(k+".gpc_reversal_codes", "%q is not 34 or 45", s.GPCReversals)
		}
		if len([]rune(s.CSVDelimiter)) != 1 {
			add(k+".csv_delimiter", "must be one character")
		}
		if s.CSVDecimal != "," && s.CSVDecimal != "." {
			add(k+".csv_decimal", "%q is not , or .", s.CSVDecimal)
		}
	}
}

func (c *Config) checkBI(k string, b *Bank, add func(key, format string, args ...any)) {
	sandbox := b.URL == SandboxURL
	if b.ERP == "" {
		add(k+".erp", "missing: the ERP name/code BankIntegration issued")
	}
	if !sandbox || b.APIKey.IsSet() {
		if err := b.APIKey.Check(); err != nil {
			add(k+".api_key", "%v", err)
		}
	}
	if len(b.Accounts) == 0 && !sandbox {
		add(k+".account", "at least one [[bank.account]] with number and integration_code is needed")
	}
	for j, a := range b.Accounts {
		ak := fmt.Sprintf("%s.account[%d]", k, j)
		if a.Number == "" {
			add(ak+".number", "missing")
		}
		if !sandbox || a.IntegrationCode.IsSet() {
			if err := a.IntegrationCode.Check(); err != nil {
				add(ak+".integration_code", "%v", err)
			}
		}
	}
	if b.MaxTransactions < 1 {
		add(k+".max_transactions", "must be at least 1")
	}
}

// checkBankURL allows https:// anywhere and http:// only to loopback, where
// tests and a separately started sandbox listen.
func checkBankURL(s string) error {
	if s == SandboxURL {
		return nil
	}
	if s == "" {
		return errors.New(`missing: "sandbox" or the bank's https:// base URL`)
	}
	u, err := url.Parse(s)
	if err != nil {
		// Not echoed: an unparsable URL may still carry a password.
		return errors.New("not a URL such as https://bank.example/api")
	}
	// Messages show u.Redacted(), never a password written into the URL.
	if u.User != nil {
		return fmt.Errorf("%q: credentials in the URL are refused; secrets are references such as api_key = \"env:NAME\"", u.Redacted())
	}
	if u.Host == "" {
		return fmt.Errorf("%q is not a URL such as https://bank.example/api", u.Redacted())
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || host == "localhost" {
			return nil
		}
		return fmt.Errorf("%q: plain http is allowed only to loopback addresses; use https://", u.Redacted())
	}
	return fmt.Errorf("%q: scheme must be https", u.Redacted())
}
