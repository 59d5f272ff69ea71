// Package service is the glue between erpconnector and the operating
// system's service manager: on Linux a systemd unit (Type=notify, hardened)
// and the sd_notify protocol; the Windows side lives in its own files.
package service

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"erpconnector/connector/config"
	"erpconnector/connector/fsutil"
	"erpconnector/connector/store"
)

// Defaults for UnitOptions fields left empty.
const (
	DefaultUser        = "erpconnector"
	DefaultDescription = "erpconnector: ERP payment files to bank APIs"
	DefaultWatchdogSec = 60
	DefaultName        = "erpconnector"
)

// UnitOptions describe the systemd unit. Binary and Config must be absolute:
// a unit has no working directory worth relying on.
type UnitOptions struct {
	Binary, Config string
	User, Group    string   // default DefaultUser; Group defaults to User
	ReadWritePaths []string // the only places the service may write (see ReadWritePaths)
	WatchdogSec    int      // 0: DefaultWatchdogSec; the daemon pings at half of it
	Description    string
}

// ErrUnit is wrapped by every error about options that cannot become a
// valid unit, so callers can tell a usage error from an I/O error.
var ErrUnit = errors.New("systemd unit")

func unitErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUnit, fmt.Sprintf(format, args...))
}

// SystemdUnit returns the text of the unit file. Every path is quoted and
// escaped by systemd's rules (specifiers %, variables $, C escapes), so
// folders with spaces or percent signs work; paths systemd cannot express
// are errors rather than silently different units.
func SystemdUnit(o UnitOptions) (string, error) {
	bin, err := absPath("binary", o.Binary)
	if err != nil {
		return "", err
	}
	if strings.ContainsAny(bin, "\\\"'") {
		// systemd refuses these in an executable name ("contains special characters").
		return "", unitErr("binary %q: systemd does not accept \\, \" or ' in an executable path", bin)
	}
	cfg, err := absPath("config", o.Config)
	if err != nil {
		return "", err
	}
	user, group := o.User, o.Group
	if user == "" {
		user = DefaultUser
	}
	if group == "" {
		group = user
	}
	for _, n := range []struct{ what, v string }{{"user", user}, {"group", group}} {
		if !validAccount.MatchString(n.v) {
			return "", unitErr("%s %q: not a valid system account name (letters, digits, _ and -, starting with a letter or _)", n.what, n.v)
		}
	}
	if user == "root" || group == "root" {
		return "", unitErr("user/group root: the service runs as a dedicated unprivileged account")
	}
	wd := o.WatchdogSec
	if wd == 0 {
		wd = DefaultWatchdogSec
	}
	if wd < 2 {
		// The daemon pings at half the interval, in whole microseconds; below
		// 2 s a busy machine would trip it for nothing.
		return "", unitErr("watchdog %ds: use at least 2 seconds", o.WatchdogSec)
	}
	// systemd trims the value; trimming here keeps the unit what it says.
	desc := strings.TrimSpace(o.Description)
	if desc == "" {
		desc = DefaultDescription
	}
	if err := plainText("description", desc); err != nil {
		return "", err
	}
	if strings.HasSuffix(desc, "\\") {
		// A trailing backslash continues the line: the next setting would
		// become part of the description.
		return "", unitErr("description %q: must not end with a backslash", desc)
	}
	var rw []string
	for _, p := range o.ReadWritePaths {
		a, err := absPath("read-write path", p)
		if err != nil {
			return "", err
		}
		if a == "/" {
			return "", unitErr("read-write path %q: would make the whole system writable; give the store and folders their own directories", p)
		}
		rw = append(rw, a)
	}
	rw = collapse(rw)
	if len(rw) == 0 {
		// ProtectSystem=strict leaves nothing writable: the store could not open.
		return "", unitErr("no read-write paths: the service must at least write its store folder")
	}

	all := append([]string{bin, cfg}, rw...)
	protectHome := "yes"
	if anyUnder(all, "/home", "/root", "/run/user") {
		// ProtectHome=yes would hide a configured path; read-only keeps the
		// rest of the homes unwritable while ReadWritePaths opens ours.
		protectHome = "read-only"
	}
	privateTmp := "yes"
	if anyUnder(all, "/tmp", "/var/tmp") {
		// A private /tmp would hide the ERP's files from the service (and
		// the service's from the ERP): both must see the same folder.
		privateTmp = "no"
	}

	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("# Written by `erpconnector service install`. Change the configuration, not")
	line("# this file, then run the install again: ReadWritePaths follows the folders")
	line("# in the configuration. No secrets here: they stay env:/file: references.")
	line("[Unit]")
	line("Description=%s", escapeSpecifiers(desc))
	line("After=network-online.target")
	line("Wants=network-online.target")
	line("")
	line("[Service]")
	line("Type=notify")
	line("NotifyAccess=main")
	line("ExecStart=%s run --config %s", quoteExecutable(bin), quoteArg(cfg))
	line("Restart=on-failure")
	line("RestartSec=5s")
	line("WatchdogSec=%d", wd)
	line("TimeoutStopSec=30")
	line("User=%s", user)
	line("Group=%s", group)
	line("UMask=0077")
	line("NoNewPrivileges=yes")
	line("ProtectSystem=strict")
	if protectHome != "yes" {
		line("# read-only, not yes: a configured path is under /home, /root or /run/user.")
	}
	line("ProtectHome=%s", protectHome)
	if privateTmp != "yes" {
		line("# no: a configured path is under /tmp or /var/tmp, which the ERP must see too.")
	}
	line("PrivateTmp=%s", privateTmp)
	line("PrivateDevices=yes")
	line("ProtectKernelTunables=yes")
	line("ProtectKernelModules=yes")
	line("ProtectControlGroups=yes")
	line("RestrictSUIDSGID=yes")
	line("LockPersonality=yes")
	line("RestrictRealtime=yes")
	line("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6")
	line("SystemCallArchitectures=native")
	q := make([]string, len(rw))
	for i, p := range rw {
		q[i] = quotePath(p)
	}
	line("ReadWritePaths=%s", strings.Join(q, " "))
	line("")
	line("[Install]")
	line("WantedBy=multi-user.target")
	return b.String(), nil
}

// validAccount is systemd's strict user/group name rule; anything laxer
// draws a warning from systemd and usually a typo from the administrator.
var validAccount = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_-]{0,30}$`)

// absPath checks that p is an absolute, unit-expressible Unix path and
// returns it cleaned (systemd rejects ".." and "//" in some settings).
func absPath(what, p string) (string, error) {
	if p == "" {
		return "", unitErr("%s: empty path", what)
	}
	if !strings.HasPrefix(p, "/") {
		return "", unitErr("%s %q: must be an absolute path", what, p)
	}
	if err := plainText(what, p); err != nil {
		return "", err
	}
	return path.Clean(p), nil
}

// plainText rejects what a unit file line cannot carry: invalid UTF-8 and
// control characters (a newline would start a new, attacker-chosen setting).
func plainText(what, s string) error {
	if !utf8.ValidString(s) {
		return unitErr("%s %q: not valid UTF-8", what, s)
	}
	if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
		return unitErr("%s %q: control character at byte %d", what, s, i)
	}
	return nil
}

func escapeSpecifiers(s string) string { return strings.ReplaceAll(s, "%", "%%") }

// quoteExecutable writes ExecStart's first word: specifiers are expanded
// there, variables are not ($ stays literal), and \ " ' are refused earlier.
func quoteExecutable(p string) string {
	p = escapeSpecifiers(p)
	if strings.ContainsAny(p, " \t") {
		return `"` + p + `"`
	}
	return p
}

// quoteArg writes an ExecStart argument: C escapes, %% for %, $$ for $.
func quoteArg(s string) string {
	return quoteWord(s, true)
}

// quotePath writes a ReadWritePaths entry: C escapes and %%, but no
// variable expansion.
func quotePath(s string) string {
	return quoteWord(s, false)
}

func quoteWord(s string, dollar bool) string {
	special := " \t\"'\\%;"
	if dollar {
		special += "$"
	}
	if !strings.ContainsAny(s, special) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '\\' || r == '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '%':
			b.WriteString("%%")
		case r == '$' && dollar:
			b.WriteString("$$")
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// collapse sorts and deduplicates paths and drops those inside another
// listed path: the parent's bind mount already covers them, and a nested
// entry that does not exist yet (a route's archive folder before the first
// file) would stop the unit from starting.
func collapse(ps []string) []string {
	ps = slices.Clone(ps)
	slices.Sort(ps)
	ps = slices.Compact(ps)
	var out []string
	for _, p := range ps {
		if !slices.ContainsFunc(out, func(q string) bool { return within(p, q) }) {
			out = append(out, p)
		}
	}
	return out
}

// within reports whether p is dir or inside it (slash paths, cleaned).
func within(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

func anyUnder(ps []string, dirs ...string) bool {
	for _, p := range ps {
		for _, d := range dirs {
			if within(p, d) {
				return true
			}
		}
	}
	return false
}

// ReadWritePaths lists every local folder the daemon writes: the store's
// folder (with the spool beside it), each route's inbox (files are moved
// out of it), outbox, archive and error folder, and each statement outbox.
// Remote folders (sftp://) are skipped. The result is sorted, without
// duplicates, and without folders inside another listed folder (covered by
// it). Paths are those of the loaded config, which are absolute.
func ReadWritePaths(cfg *config.Config) []string {
	var ps []string
	add := func(p string) {
		if p == "" || strings.Contains(p, "://") {
			return
		}
		ps = append(ps, filepath.ToSlash(filepath.Clean(p)))
	}
	if cfg.Store.Path != "" {
		add(filepath.Dir(cfg.Store.Path))
		add(store.SpoolFor(cfg.Store.Path).Dir)
	}
	for _, r := range cfg.Routes {
		add(r.Inbox)
		add(r.Outbox)
		add(r.Archive)
		add(r.Error)
	}
	for _, s := range cfg.Statements {
		add(s.Outbox)
	}
	return collapse(ps)
}

// MissingPaths returns the paths (seen under root) that do not exist.
// systemd refuses to start a unit whose ReadWritePaths entry is missing
// (status 226/NAMESPACE), and under ProtectSystem=strict the daemon could
// not create it either: the installer must create them, owned by the
// service user, or tell the administrator to.
func MissingPaths(root string, paths []string) []string {
	var out []string
	for _, p := range paths {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(p))); errors.Is(err, os.ErrNotExist) {
			out = append(out, p)
		}
	}
	return out
}

// validUnitName is systemd's unit name alphabet, without '@' (templates
// make no sense here) and without '/' (it names a file under root).
var validUnitName = regexp.MustCompile(`^[A-Za-z0-9_.:-]+$`)

// UnitPath is where InstallSystemd writes the unit for name under root.
func UnitPath(root, name string) string {
	if root == "" {
		root = "/"
	}
	return filepath.Join(root, "etc", "systemd", "system", name+".service")
}

// InstallSystemd writes unit to <root>/etc/systemd/system/<name>.service
// (mode 0644, atomically: temp file, fsync, rename, fsync folder) and then
// asks systemd to pick it up through run, which the caller supplies (in
// production a wrapper around exec.Command; tests record the calls).
//
// With root "/" (or ""), run gets `systemctl daemon-reload` and
// `systemctl enable --now <name>.service`. With any other root (an image
// being built, a test) the running systemd does not own that tree, so run
// gets only `systemctl --root=<root> enable <name>.service`, which creates
// the WantedBy symlink offline. A nil run only writes the file.
func InstallSystemd(root string, unit string, name string, run func(name string, args ...string) error) error {
	if name == "" {
		name = DefaultName
	}
	name = strings.TrimSuffix(name, ".service")
	if !validUnitName.MatchString(name) || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "-") {
		return unitErr("unit name %q: use letters, digits, _ . : and -", name)
	}
	if !strings.Contains(unit, "\n[Service]\n") {
		return unitErr("unit text for %q has no [Service] section", name)
	}
	if root == "" {
		root = "/"
	}
	p := UnitPath(root, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("install %s: %w", name, err)
	}
	if err := writeUnit(p, unit); err != nil {
		return fmt.Errorf("install %s: %w", name, err)
	}
	if run == nil {
		return nil
	}
	return runSteps(systemctlSteps(root, name), run, name, p)
}

// systemctlSteps are the systemctl argument lists that make systemd under
// root pick up unit name (see InstallSystemd).
func systemctlSteps(root, name string) [][]string {
	svc := strings.TrimSuffix(name, ".service") + ".service"
	if root == "" || filepath.Clean(root) == string(filepath.Separator) {
		return [][]string{{"daemon-reload"}, {"enable", "--now", svc}}
	}
	return [][]string{{"--root=" + root, "enable", svc}}
}

// runSteps runs each step in order and stops at the first failure, naming
// the file already written so the administrator can finish by hand.
func runSteps(steps [][]string, run func(string, ...string) error, name, unitFile string) error {
	for _, s := range steps {
		if err := run("systemctl", s...); err != nil {
			return fmt.Errorf("install %s: unit written to %s, but systemctl %s: %w", name, unitFile, strings.Join(s, " "), err)
		}
	}
	return nil
}

func writeUnit(p, unit string) error {
	f, err := fsutil.Create(p, 0o644)
	if err != nil {
		return err
	}
	// The creating process's umask (0077 under our own unit) would leave
	// the file unreadable to tools run as other users; systemd reads it as
	// root either way, but `systemctl cat` by an operator should work.
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		f.Abort()
		return err
	}
	if _, err := f.Write([]byte(unit)); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}
