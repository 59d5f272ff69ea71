package service

// The platform-independent half of the Windows service: what is installed
// (command line, account, recovery), which configured paths a service cannot
// reach, and the control loop that answers the service control manager. The
// loop is written against small local types so that it runs, and is tested,
// on every platform; windows.go only translates to x/sys/windows/svc.
//
// Running as a Windows service — what the administrator needs to know:
//
//   - Install from an elevated prompt:
//     erpconnector service install --config C:\ProgramData\erpconnector\erpconnector.toml --user CORP\svc-erp
//     The config path is stored absolute: a service starts in System32, and
//     every relative path in the config is resolved against the config file.
//   - Run it under a dedicated account, not LocalSystem. LocalSystem and
//     NetworkService reach file shares only as the computer account
//     (DOMAIN\HOST$, in a domain only); LocalService not at all. Use a domain
//     account (CORP\svc-erp, password asked at install) or a group managed
//     service account (CORP\svc-erp$, no password). A local account is
//     written .\name. The account needs "Log on as a service" (granted by
//     services.msc when the account is set there, or by group policy),
//     modify rights on the store, inbox, outbox, archive and error folders and
//     read rights on the config and secret files. The service also has a
//     per-service SID, so folders can be granted to "NT SERVICE\erpconnector".
//   - Shares: write UNC paths (\\fs01\erp\kb\in), never mapped drive
//     letters: Z: exists only in the logon session that mapped it, and a
//     service has its own. Grant the account both the share permission and
//     the NTFS permission. CheckPathsForService and CheckAccountForShares say
//     which configured paths will not work.
//   - Logs: the service has no console; it logs to a rotating file
//     (RotatingFile) and warnings/errors also to the Application event log,
//     source "erpconnector" (EventLogHandler).
//   - Start is automatic (delayed, so the network is up). On failure Windows
//     restarts the service after 5 s, 30 s, then every 60 s, counting again
//     after a day without failure. An operator's stop never triggers a
//     restart.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"erpconnector/connector/config"
)

// DefaultServiceName is the service (and event log source) name.
const DefaultServiceName = "erpconnector"

// WindowsInstall describes the service to register.
type WindowsInstall struct {
	Name        string // service name, default "erpconnector"; also the event log source
	DisplayName string // shown in services.msc
	Description string
	Binary      string // absolute path of erpconnector.exe; default the running executable
	Config      string // the config file; made absolute, because a service starts in System32
	Account     string // as given to --user; see NormalizeAccount
	Password    string // for a real user account; never logged or shown
}

// String hides the password: install settings are printed and logged.
func (w WindowsInstall) String() string {
	pw := ""
	if w.Password != "" {
		pw = " password=(hidden)"
	}
	return fmt.Sprintf("service %q binary=%q config=%q account=%q%s", w.Name, w.Binary, w.Config, NormalizeAccount(w.Account), pw)
}

// GoString keeps %#v from printing the password.
func (w WindowsInstall) GoString() string { return "service.WindowsInstall{" + w.String() + "}" }

// LogValue keeps slog from printing the password.
func (w WindowsInstall) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", w.Name), slog.String("binary", w.Binary), slog.String("config", w.Config),
		slog.String("account", NormalizeAccount(w.Account)), slog.Bool("password_set", w.Password != ""))
}

// Args is the service's command line after the binary: the daemon in the
// foreground, told that the SCM is its parent.
func (w WindowsInstall) Args() []string {
	return []string{"run", "--config", w.Config, "--service"}
}

// CommandLine is the full ImagePath the SCM stores, quoted the way Windows
// parses it. An unquoted path with spaces ("C:\Program Files\…") is a
// classic privilege-escalation hole, so every part is quoted when needed.
func (w WindowsInstall) CommandLine() string {
	parts := []string{escapeArg(w.Binary)}
	for _, a := range w.Args() {
		parts = append(parts, escapeArg(a))
	}
	return strings.Join(parts, " ")
}

// WithDefaults fills in the name, display name, description and binary
// (the running executable), makes the config path absolute against the
// installer's working directory (abs, injectable for tests) and normalises
// the account.
func (w WindowsInstall) WithDefaults(abs func(string) (string, error)) (WindowsInstall, error) {
	if w.Name == "" {
		w.Name = DefaultServiceName
	}
	if w.DisplayName == "" {
		w.DisplayName = "erpconnector (ERP payments to bank APIs)"
	}
	if w.Description == "" {
		w.Description = "Takes payment files from the ERP, submits them to the bank exactly once and writes status and statement files back."
	}
	if w.Binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return w, fmt.Errorf("service install: locating erpconnector.exe: %w", err)
		}
		w.Binary = exe
	}
	if w.Config != "" && !isWindowsAbs(w.Config) {
		a, err := abs(w.Config)
		if err != nil {
			return w, fmt.Errorf("service install: config %s: %w", w.Config, err)
		}
		w.Config = a
	}
	w.Account = NormalizeAccount(w.Account)
	return w, nil
}

// Install errors callers branch on.
var (
	ErrNeedPassword = errors.New("this account needs a password")
	ErrBadInstall   = errors.New("invalid service settings")
)

// Validate checks the settings before anything is registered.
func (w WindowsInstall) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrBadInstall}, args...)...))
	}
	switch {
	case w.Name == "":
		bad("no service name")
	case len(w.Name) > 256 || strings.ContainsAny(w.Name, `/\`):
		bad("service name %q: at most 256 characters, no / or \\", w.Name)
	}
	if !isWindowsAbs(w.Binary) {
		bad("binary %q is not an absolute Windows path", w.Binary)
	}
	if w.Config == "" {
		bad("no config file (--config)")
	} else if !isWindowsAbs(w.Config) {
		bad("config %q is not an absolute Windows path; a service starts in System32", w.Config)
	}
	acct := NormalizeAccount(w.Account)
	if v, ok := strings.CutPrefix(acct, `NT SERVICE\`); ok && !strings.EqualFold(v, w.Name) {
		bad("virtual account %q must be NT SERVICE\\%s (the service's own name)", acct, w.Name)
	}
	if AccountNeedsPassword(acct) && w.Password == "" {
		errs = append(errs, fmt.Errorf("account %s: %w (or use a group managed account DOMAIN\\name$, or NT SERVICE\\%s)", acct, ErrNeedPassword, w.Name))
	}
	if !AccountNeedsPassword(acct) && w.Password != "" {
		bad("account %s takes no password", acct)
	}
	return errors.Join(errs...)
}

// Built-in accounts, in the form the SCM stores them.
const (
	AccountLocalSystem    = "LocalSystem"
	AccountLocalService   = `NT AUTHORITY\LocalService`
	AccountNetworkService = `NT AUTHORITY\NetworkService`
)

// NormalizeAccount writes an account the way CreateService accepts it:
// "" and the spellings of SYSTEM become LocalSystem; the two other built-in
// accounts get their NT AUTHORITY\ form; "NT SERVICE\name" (a virtual
// account), "DOMAIN\name", "name@domain" and ".\name" are kept; a bare
// "name" is a local account and becomes ".\name" (without the dot
// CreateService fails with "The account name is invalid", kardianos#318).
func NormalizeAccount(a string) string {
	a = strings.TrimSpace(a)
	a = strings.ReplaceAll(a, "/", `\`) // ./name typed on a Unix habit
	dom, user, hasDom := strings.Cut(a, `\`)
	if !hasDom {
		dom, user = "", a
	}
	switch strings.ToLower(dom) {
	case "", ".", "nt authority":
		switch strings.ToLower(strings.ReplaceAll(user, " ", "")) {
		case "", "localsystem", "system":
			return AccountLocalSystem
		case "localservice":
			return AccountLocalService
		case "networkservice":
			return AccountNetworkService
		}
	case "nt service":
		return `NT SERVICE\` + user
	}
	switch {
	case hasDom:
		return dom + `\` + user
	case strings.Contains(user, "@"): // UPN: name@domain.example
		return user
	}
	return `.\` + user
}

// AccountNeedsPassword reports whether the SCM needs a password for the
// (normalised) account: built-in and virtual accounts have none, and nor
// do group managed service accounts (DOMAIN\name$).
func AccountNeedsPassword(acct string) bool {
	switch acct {
	case AccountLocalSystem, AccountLocalService, AccountNetworkService:
		return false
	}
	return !strings.HasPrefix(acct, `NT SERVICE\`) && !strings.HasSuffix(acct, "$")
}

// RecoveryKind is what the SCM does when the service fails; the values are
// Windows' SC_ACTION_TYPE.
type RecoveryKind int

const (
	RecoveryNone    RecoveryKind = 0
	RecoveryReboot  RecoveryKind = 1
	RecoveryRestart RecoveryKind = 2
	RecoveryCommand RecoveryKind = 3
)

// RecoveryAction is one failure action: the first failure uses the first
// action, the second the second, later ones the last.
type RecoveryAction struct {
	Kind  RecoveryKind
	Delay time.Duration
}

// RecoveryResetPeriod is how long without a failure before the SCM counts
// failures from the first action again.
const RecoveryResetPeriod = 24 * time.Hour

// RecoveryActions restarts the service after 5 s, then 30 s, then every
// 60 s. Restarting is safe: every step is in bbolt and a restart resumes, and
// an outcome left unknown is settled by asking the bank, never by resending.
// The growing delay keeps a persistent fault (bad share, expired token) from
// spinning. They are applied also to non-crash failures (exit with an
// error), which is how RunService reports a daemon that gave up.
func RecoveryActions() []RecoveryAction {
	return []RecoveryAction{
		{Kind: RecoveryRestart, Delay: 5 * time.Second},
		{Kind: RecoveryRestart, Delay: 30 * time.Second},
		{Kind: RecoveryRestart, Delay: 60 * time.Second},
	}
}

// Service states as the SCM numbers them (SERVICE_STOPPED …), so that
// StateName can be tested everywhere.
const (
	stateStopped         = 1
	stateStartPending    = 2
	stateStopPending     = 3
	stateRunning         = 4
	stateContinuePending = 5
	statePausePending    = 6
	statePaused          = 7
)

// StateName is the word Status prints for an SCM state.
func StateName(state uint32) string {
	switch state {
	case stateStopped:
		return "stopped"
	case stateStartPending:
		return "starting"
	case stateStopPending:
		return "stopping"
	case stateRunning:
		return "running"
	case stateContinuePending:
		return "continuing"
	case statePausePending:
		return "pausing"
	case statePaused:
		return "paused"
	}
	return fmt.Sprintf("unknown state %d", state)
}

// escapeArg quotes one argument for the Windows command line (the rules of
// CommandLineToArgvW, as syscall.EscapeArg, which exists only on Windows).
func escapeArg(s string) string {
	if s == "" {
		return `""`
	}
	if !strings.ContainsAny(s, " \t\"") {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			slashes++
		case '"':
			b.WriteString(strings.Repeat(`\`, slashes+1))
			slashes = 0
		default:
			slashes = 0
		}
		b.WriteByte(c)
	}
	b.WriteString(strings.Repeat(`\`, slashes)) // backslashes before the closing quote
	b.WriteByte('"')
	return b.String()
}

// MarkRunning tells RunService that the daemon has really started (store
// open, folders watched): only then is Running reported to the SCM. Outside
// a Windows service, and on later calls, it does nothing, so the daemon may
// call it unconditionally.
func MarkRunning(ctx context.Context) {
	if f, ok := ctx.Value(readyKey{}).(func()); ok {
		f()
	}
}

type readyKey struct{}

// Stop deadlines. The SCM waits while StopPending is reported with a
// growing checkpoint; the deadline is ours, so that a daemon stuck in a
// bank call cannot hold up a shutdown. bbolt is crash-safe, so a stop that
// runs out of time loses nothing committed; an interrupted submission is an
// unknown outcome settled by status query on the next start.
const (
	// StopDeadline applies to an operator's stop (sc stop, services.msc).
	StopDeadline = 30 * time.Second
	// PreShutdownDeadline applies at system shutdown; Windows allows
	// PreshutdownTimeout (180 s by default) for all pre-shutdown services.
	PreShutdownDeadline = 60 * time.Second
	// ShutdownDeadline applies to the plain Shutdown control, sent only
	// when PreShutdown was not; Windows then waits WaitToKillServiceTimeout
	// (5 s by default) in all.
	ShutdownDeadline = 4 * time.Second
	// StartGrace: a daemon that never calls MarkRunning is reported Running
	// once it has run this long without failing.
	StartGrace = 10 * time.Second
)

// Exit codes reported to the SCM (service-specific). Any non-zero code
// makes the SCM apply the recovery actions, so a requested stop is always 0.
const (
	ExitOK         = 0
	ExitFailed     = 1 // the daemon returned an error on its own
	ExitUnexpected = 2 // the daemon returned nil although nobody asked it to stop
)

// The control loop's view of the SCM, translated by windows.go.
type ctrlCmd int

const (
	ctrlInterrogate ctrlCmd = iota
	ctrlStop
	ctrlShutdown
	ctrlPreShutdown
	ctrlOther
)

func (c ctrlCmd) String() string {
	return [...]string{"interrogate", "stop", "shutdown", "pre-shutdown", "other"}[c]
}

type ctrlStatus struct {
	State      uint32 // stateRunning …
	AcceptStop bool   // Stop, Shutdown and PreShutdown are accepted
	CheckPoint uint32
	WaitHint   time.Duration
}

type ctrlTiming struct {
	tick                     time.Duration // checkpoint interval while pending
	waitHint                 time.Duration // how long the SCM should wait for the next checkpoint
	startGrace               time.Duration
	stop, preShutdown, shutd time.Duration
}

var defaultTiming = ctrlTiming{
	tick: time.Second, waitHint: 10 * time.Second, startGrace: StartGrace,
	stop: StopDeadline, preShutdown: PreShutdownDeadline, shutd: ShutdownDeadline,
}

func (t ctrlTiming) deadline(c ctrlCmd) time.Duration {
	switch c {
	case ctrlPreShutdown:
		return t.preShutdown
	case ctrlShutdown:
		return t.shutd
	}
	return t.stop
}

// serve runs the daemon under the SCM's control: StartPending until the
// daemon calls MarkRunning (or has survived startGrace), Running while it
// runs, and on Stop/Shutdown/PreShutdown: cancel, StopPending with growing
// checkpoints until it returns or the deadline passes. It returns the
// service-specific exit code; the caller reports Stopped with it (the x/sys
// svc package does so when Execute returns). Every command must be read
// promptly: the SCM's control handler blocks until it is.
func serve(run func(context.Context) error, cmds <-chan ctrlCmd, report func(ctrlStatus), log *slog.Logger, t ctrlTiming) uint32 {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	readyCh := make(chan struct{}, 1)
	ctx = context.WithValue(ctx, readyKey{}, func() {
		select {
		case readyCh <- struct{}{}:
		default:
		}
	})
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Errorf("daemon panicked: %v", p)
			}
		}()
		done <- run(ctx)
	}()

	cur := ctrlStatus{State: stateStartPending, CheckPoint: 1, WaitHint: t.waitHint}
	report(cur)
	tick := time.NewTicker(t.tick)
	defer tick.Stop()
	grace := time.NewTimer(t.startGrace)
	defer grace.Stop()
	running := func(why string) {
		if cur.State != stateStartPending {
			return
		}
		cur = ctrlStatus{State: stateRunning, AcceptStop: true}
		report(cur)
		log.Info("service running", "reason", why)
	}
	var stopBy ctrlCmd
	for stopping := false; !stopping; {
		select {
		case <-readyCh:
			running("daemon started")
		case <-grace.C:
			running("daemon has run without failing; it did not signal readiness")
		case <-tick.C:
			if cur.State == stateStartPending {
				cur.CheckPoint++
				report(cur)
			}
		case c := <-cmds:
			switch c {
			case ctrlStop, ctrlShutdown, ctrlPreShutdown:
				stopBy, stopping = c, true
			case ctrlInterrogate:
				report(cur)
			default:
				log.Debug("service control ignored", "control", c.String())
				report(cur)
			}
		case err := <-done:
			if err != nil {
				log.Error("daemon failed; the service stops and Windows restarts it per its recovery actions", "err", err)
				return ExitFailed
			}
			log.Error("daemon stopped although no stop was requested; the service stops and Windows restarts it")
			return ExitUnexpected
		}
	}

	deadline := t.deadline(stopBy)
	log.Info("service stopping", "control", stopBy.String(), "deadline", deadline)
	cancel()
	cur = ctrlStatus{State: stateStopPending, CheckPoint: 1, WaitHint: t.waitHint}
	report(cur)
	limit := time.NewTimer(deadline)
	defer limit.Stop()
	for {
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				log.Error("daemon returned an error while stopping", "err", err)
			}
			log.Info("service stopped")
			return ExitOK
		case <-limit.C:
			// A requested stop must not trigger the recovery actions, so
			// the exit code stays 0; the log says what happened.
			log.Error("daemon did not stop within the deadline; stopping anyway (committed state is safe in the store)", "deadline", deadline)
			return ExitOK
		case <-tick.C:
			cur.CheckPoint++
			report(cur)
		case c := <-cmds:
			if c != ctrlInterrogate {
				log.Debug("service control while stopping", "control", c.String())
			}
			report(cur)
		}
	}
}

// Windows path forms, told apart by text so that a config meant for a
// Windows host is judged the same on any host.
type winPathKind int

const (
	winOther         winPathKind = iota // relative, or not a Windows path
	winDrive                            // C:\dir
	winDriveRelative                    // C:dir: relative to the drive's current folder
	winUNC                              // \\server\share\dir
)

// splitWinPath classifies p and returns the drive letter (upper case) and
// the rest after "X:\" or "\\" with backslashes only. \\?\ long-path
// prefixes are removed first.
func splitWinPath(p string) (kind winPathKind, drive byte, rest string) {
	p = strings.ReplaceAll(p, "/", `\`)
	if r, ok := strings.CutPrefix(p, `\\?\UNC\`); ok {
		p = `\\` + r
	} else if r, ok := strings.CutPrefix(p, `\\?\`); ok {
		p = r
	}
	if r, ok := strings.CutPrefix(p, `\\`); ok && r != "" && r[0] != '.' && r[0] != '?' {
		return winUNC, 0, r
	}
	if len(p) >= 2 && p[1] == ':' && isLetter(p[0]) {
		d := p[0] &^ 0x20 // upper case
		if len(p) >= 3 && p[2] == '\\' {
			return winDrive, d, p[3:]
		}
		return winDriveRelative, d, p[2:]
	}
	return winOther, 0, p
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func isWindowsAbs(p string) bool {
	k, _, _ := splitWinPath(p)
	return k == winDrive || k == winUNC
}

// DriveKind is what a drive letter is on this machine.
type DriveKind int

const (
	DriveUnknown DriveKind = iota // cannot tell (not on Windows)
	DriveLocal                    // fixed, removable, RAM disk, CD
	DriveRemote                   // a mapped network drive (net use)
	DriveMissing                  // no such drive in this logon session
)

// driveKind is set by windows.go to GetDriveType; elsewhere it cannot tell.
var driveKind = func(letter byte) DriveKind { return DriveUnknown }

// servicePath is one configured path and the config key it came from.
type servicePath struct{ key, path string }

// servicePaths lists every file system path the daemon will use. Relative
// paths were already resolved against the config file by config.Load.
func servicePaths(cfg *config.Config) []servicePath {
	ps := []servicePath{{"config", cfg.File}, {"store.path", cfg.Store.Path}}
	for i, r := range cfg.Routes {
		k := fmt.Sprintf("route[%d]", i)
		if r.Name != "" {
			k = fmt.Sprintf("route %q", r.Name)
		}
		ps = append(ps, servicePath{k + ".inbox", r.Inbox}, servicePath{k + ".outbox", r.Outbox},
			servicePath{k + ".archive", r.Archive}, servicePath{k + ".error", r.Error})
	}
	for i, st := range cfg.Statements {
		ps = append(ps, servicePath{fmt.Sprintf("statement[%d].outbox", i), st.Outbox})
	}
	for _, b := range cfg.Banks {
		k := fmt.Sprintf("bank %q", b.Name)
		secrets := []struct {
			key string
			s   config.Secret
		}{{"api_key", b.APIKey}, {"client_secret", b.ClientSecret}, {"oauth_api_key", b.OAuthAPIKey},
			{"batch_api_key", b.BatchAPIKey}, {"adaa_api_key", b.ADAAAPIKey}}
		for j, a := range b.Accounts {
			secrets = append(secrets, struct {
				key string
				s   config.Secret
			}{fmt.Sprintf("account[%d].integration_code", j), a.IntegrationCode})
		}
		for _, s := range secrets {
			// Relative file: secrets sit beside the config, which is checked.
			if p, ok := strings.CutPrefix(s.s.Ref, "file:"); ok && isWindowsAbs(p) {
				ps = append(ps, servicePath{k + "." + s.key, p})
			}
		}
	}
	return ps
}

// CheckPathsForService warns about configured paths a Windows service will
// not reach: paths on a mapped network drive (Z:\…; mappings belong to a
// user's logon session — use \\server\share) or on a drive letter that does
// not exist here, drive-relative paths (C:dir), and paths inside a user
// profile. Call it when installing and at service start; the warnings are
// for the operator, the daemon still starts.
func CheckPathsForService(cfg *config.Config) []string {
	return checkServicePaths(servicePaths(cfg), driveKind, os.Getenv("USERPROFILE"))
}

// CheckAccountForShares warns when the config uses UNC paths and the
// account cannot authenticate to a file server as itself (LocalSystem,
// NetworkService and virtual accounts act as the computer account,
// LocalService is anonymous).
func CheckAccountForShares(cfg *config.Config, account string) []string {
	return checkAccountShares(servicePaths(cfg), account)
}

// checkServicePaths is CheckPathsForService with the host's answers
// injected: the drive kind and the installing user's profile folder.
func checkServicePaths(paths []servicePath, kind func(byte) DriveKind, profile string) []string {
	var warns []string
	seen := map[string]bool{}
	warn := func(format string, args ...any) {
		m := fmt.Sprintf(format, args...)
		if !seen[m] {
			seen[m] = true
			warns = append(warns, m)
		}
	}
	pk, _, prest := splitWinPath(profile)
	for _, sp := range paths {
		if sp.path == "" || strings.Contains(sp.path, "://") {
			continue // unset, or sftp://: not a file system path
		}
		k, d, rest := splitWinPath(sp.path)
		switch k {
		case winDriveRelative:
			warn(`%s: %s is relative to the current folder of drive %c:, which a service does not have; write %c:\%s`, sp.key, sp.path, d, d, strings.TrimPrefix(rest, `\`))
			continue
		case winDrive:
			switch kind(d) {
			case DriveRemote:
				warn(`%s: %s is on %c:, a mapped network drive; drive mappings belong to a logon session and a service cannot see them — use the UNC path (\\server\share\...) instead`, sp.key, sp.path, d)
			case DriveMissing:
				warn(`%s: %s is on %c:, which does not exist in this session; if it is a network drive mapped by some user, a service cannot see it — use the UNC path (\\server\share\...) instead`, sp.key, sp.path, d)
			case DriveUnknown:
				if d != 'C' {
					warn(`%s: %s is on %c:; if that is a mapped network drive, a service cannot see it — use the UNC path (\\server\share\...) instead`, sp.key, sp.path, d)
				}
			}
		default:
			continue
		}
		lower := strings.ToLower(rest)
		inProfile := false
		if first, after, ok := strings.Cut(lower, `\`); ok && (first == "users" || first == "documents and settings") {
			user, _, _ := strings.Cut(after, `\`)
			inProfile = user != "" && user != "public"
		}
		if pk == winDrive && prest != "" {
			pl := strings.ToLower(strings.TrimSuffix(prest, `\`))
			if lower == pl || strings.HasPrefix(lower, pl+`\`) {
				inProfile = true
			}
		}
		if inProfile {
			warn(`%s: %s is inside a user profile; the service account usually cannot read it, the profile may be redirected to OneDrive and it goes when the user does — use a data folder such as C:\ProgramData\erpconnector with access for the service account`, sp.key, sp.path)
		}
	}
	return warns
}

// checkAccountShares warns when a configured UNC path will be reached with
// an account that has no network identity of its own.
func checkAccountShares(paths []servicePath, account string) []string {
	var unc []string
	for _, sp := range paths {
		if k, _, _ := splitWinPath(sp.path); k == winUNC && !strings.Contains(sp.path, "://") {
			unc = append(unc, sp.key)
		}
	}
	if len(unc) == 0 {
		return nil
	}
	acct := NormalizeAccount(account)
	keys := strings.Join(unc, ", ")
	switch {
	case acct == AccountLocalService:
		return []string{fmt.Sprintf(`%s: shares are reached as %s, which has no network credentials (anonymous); run the service as a dedicated account (--user DOMAIN\name) with share and NTFS rights`, keys, acct)}
	case acct == AccountLocalSystem || acct == AccountNetworkService || strings.HasPrefix(acct, `NT SERVICE\`):
		return []string{fmt.Sprintf(`%s: shares are reached as %s, i.e. as the computer account DOMAIN\COMPUTER$ and only inside a domain; run the service as a dedicated account (--user DOMAIN\name) with share and NTFS rights`, keys, acct)}
	case strings.HasPrefix(acct, `.\`):
		return []string{fmt.Sprintf(`%s: %s is a local account; the file server must have the same user name and password (or use a domain account)`, keys, acct)}
	}
	return nil
}

// EventWriter is the part of *eventlog.Log (x/sys/windows/svc/eventlog)
// that EventLogHandler uses.
type EventWriter interface {
	Info(eid uint32, msg string) error
	Warning(eid uint32, msg string) error
	Error(eid uint32, msg string) error
}

// Event IDs. The source is registered with EventCreate.exe as its message
// file, which renders IDs 1–1000 as the plain message.
const (
	EventIDInfo    = 1
	EventIDWarning = 2
	EventIDError   = 3
)

// EventLogHandler is an slog.Handler that writes records at or above a
// level (default Warn) to the Windows event log, where administrators and
// monitoring look first: "message key=value …", without time and level,
// which the event log records itself. Combine it with a file handler using
// slog.NewMultiHandler.
type EventLogHandler struct {
	w    EventWriter
	min  slog.Leveler
	text slog.Handler // formats attributes and groups
	buf  *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) { return l.b.Write(p) }

// NewEventLogHandler writes records at min or above (nil: slog.LevelWarn).
func NewEventLogHandler(w EventWriter, min slog.Leveler) *EventLogHandler {
	if min == nil {
		min = slog.LevelWarn
	}
	buf := &lockedBuffer{}
	text := slog.NewTextHandler(buf, &slog.HandlerOptions{
		Level: slog.LevelDebug, // the level is decided by Enabled
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey || a.Key == slog.MessageKey) {
				return slog.Attr{}
			}
			return a
		},
	})
	return &EventLogHandler{w: w, min: min, text: text, buf: buf}
}

// Enabled implements slog.Handler.
func (h *EventLogHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.min.Level() }

// Handle implements slog.Handler.
func (h *EventLogHandler) Handle(ctx context.Context, r slog.Record) error {
	h.buf.mu.Lock()
	h.buf.b.Reset()
	err := h.text.Handle(ctx, r)
	attrs := strings.TrimSpace(h.buf.b.String())
	h.buf.mu.Unlock()
	if err != nil {
		return err
	}
	msg := r.Message
	if attrs != "" {
		msg += " " + attrs
	}
	switch {
	case r.Level >= slog.LevelError:
		return h.w.Error(EventIDError, msg)
	case r.Level >= slog.LevelWarn:
		return h.w.Warning(EventIDWarning, msg)
	}
	return h.w.Info(EventIDInfo, msg)
}

// WithAttrs implements slog.Handler.
func (h *EventLogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.text = h.text.WithAttrs(as)
	return &c
}

// WithGroup implements slog.Handler.
func (h *EventLogHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.text = h.text.WithGroup(name)
	return &c
}
