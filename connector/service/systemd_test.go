package service

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"erpconnector/connector/config"
	"erpconnector/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden unit files in testdata/")

func TestSystemdUnitGolden(t *testing.T) {
	tests := []struct {
		golden string
		o      UnitOptions
	}{
		{"default.service", UnitOptions{
			Binary: "/usr/local/bin/erpconnector", Config: "/etc/erpconnector/erpconnector.toml",
			ReadWritePaths: []string{"/srv/erp/kb/outbox", "/var/lib/erpconnector", "/srv/erp/kb/inbox", "/srv/erp/kb/inbox/archive", "/var/lib/erpconnector"},
		}},
		{"custom.service", UnitOptions{
			Binary: "/opt/erpconnector/bin/erpconnector", Config: "/etc/erpconnector/prod.toml",
			User: "erp", Group: "erpdata", WatchdogSec: 120, Description: "ERP connector (production)",
			ReadWritePaths: []string{"/srv/erp"},
		}},
		{"quoting.service", UnitOptions{
			Binary: "/opt/erp connector/100%/erpconnector", Config: "/etc/erp$conf/my \"prod\" 50%.toml",
			Description: "ERP 100% connector",
			ReadWritePaths: []string{
				"/srv/ERP Files/inbox", `/srv/back\slash`, "/srv/50% done", "/srv/price$", "/srv/semi;colon", "/srv/it's",
			},
		}},
		{"home-tmp.service", UnitOptions{
			Binary: "/home/erp/bin/erpconnector", Config: "/home/erp/erpconnector.toml",
			ReadWritePaths: []string{"/home/erp/var", "/tmp/erp-drop"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			got, err := SystemdUnit(tc.o)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("unit differs from %s (go test -update rewrites it):\n%s", golden, got)
			}
		})
	}
}

// TestSystemdUnitPromises checks, independently of the goldens, the settings
// the issue asks for, so that a careless -update cannot drop one unnoticed.
func TestSystemdUnitPromises(t *testing.T) {
	u, err := SystemdUnit(UnitOptions{
		Binary: "/usr/bin/erpconnector", Config: "/etc/erpconnector/erpconnector.toml",
		ReadWritePaths: []string{"/var/lib/erpconnector", "/srv/erp"},
	})
	if err != nil {
		t.Fatal(err)
	}
	sections := parseUnit(t, u)
	want := map[string]map[string]string{
		"Unit": {"After": "network-online.target", "Wants": "network-online.target"},
		"Service": {
			"Type": "notify", "ExecStart": "/usr/bin/erpconnector run --config /etc/erpconnector/erpconnector.toml",
			"Restart": "on-failure", "RestartSec": "5s", "WatchdogSec": "60", "TimeoutStopSec": "30",
			"User": "erpconnector", "Group": "erpconnector", "NoNewPrivileges": "yes", "ProtectSystem": "strict",
			"ProtectHome": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes", "ProtectKernelTunables": "yes",
			"ProtectKernelModules": "yes", "ProtectControlGroups": "yes", "RestrictSUIDSGID": "yes",
			"LockPersonality": "yes", "RestrictRealtime": "yes", "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
			"SystemCallArchitectures": "native", "UMask": "0077", "ReadWritePaths": "/srv/erp /var/lib/erpconnector",
		},
		"Install": {"WantedBy": "multi-user.target"},
	}
	for sec, kv := range want {
		for k, v := range kv {
			if got := sections[sec][k]; got != v {
				t.Errorf("[%s] %s=%q, want %q", sec, k, got, v)
			}
		}
	}
	for sec, kv := range sections {
		for k := range kv {
			if strings.HasPrefix(k, "Environment") {
				t.Errorf("[%s] %s: the unit must carry no environment (secrets stay references)", sec, k)
			}
		}
	}
}

// parseUnit reads KEY=VALUE lines per section; a key twice is a test failure.
func parseUnit(t *testing.T, u string) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	sec := ""
	for _, l := range strings.Split(u, "\n") {
		if strings.HasSuffix(l, "\\") {
			t.Fatalf("unit line %q ends in a backslash: systemd joins the next line to it", l)
		}
		switch {
		case l == "" || strings.HasPrefix(l, "#"):
		case strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]"):
			sec = l[1 : len(l)-1]
			out[sec] = map[string]string{}
		default:
			k, v, ok := strings.Cut(l, "=")
			if !ok || sec == "" {
				t.Fatalf("unit line %q is not KEY=VALUE inside a section", l)
			}
			if _, dup := out[sec][k]; dup {
				t.Fatalf("[%s] %s set twice", sec, k)
			}
			out[sec][k] = v
		}
	}
	return out
}

func TestSystemdUnitQuotingRoundTrip(t *testing.T) {
	o := UnitOptions{
		Binary: "/opt/erp connector/100%/$bin", Config: `/etc/a "b" \c $d 50%;.toml`,
		ReadWritePaths: []string{"/srv/ERP Files", `/srv/back\slash`, "/srv/50% done", "/srv/it's $x"},
	}
	u, err := SystemdUnit(o)
	if err != nil {
		t.Fatal(err)
	}
	checkRoundTrip(t, o, u)
}

// checkRoundTrip unquotes ExecStart and ReadWritePaths the way systemd does
// and compares with the options.
func checkRoundTrip(t *testing.T, o UnitOptions, u string) {
	t.Helper()
	s := parseUnit(t, u)["Service"]
	exec, err := systemdWords(s["ExecStart"], true)
	if err != nil {
		t.Fatalf("ExecStart=%s: %v", s["ExecStart"], err)
	}
	if want := []string{cleanSlash(o.Binary), "run", "--config", cleanSlash(o.Config)}; !slices.Equal(exec, want) {
		t.Errorf("ExecStart=%s reads back as %q, want %q", s["ExecStart"], exec, want)
	}
	rw, err := systemdWords(s["ReadWritePaths"], false)
	if err != nil {
		t.Fatalf("ReadWritePaths=%s: %v", s["ReadWritePaths"], err)
	}
	var want []string
	for _, p := range o.ReadWritePaths {
		want = append(want, cleanSlash(p))
	}
	if want = collapse(want); !slices.Equal(rw, want) {
		t.Errorf("ReadWritePaths=%s reads back as %q, want %q", s["ReadWritePaths"], rw, want)
	}
}

func TestSystemdUnitErrors(t *testing.T) {
	ok := UnitOptions{Binary: "/usr/bin/erpconnector", Config: "/etc/erpconnector.toml", ReadWritePaths: []string{"/var/lib/erpconnector"}}
	tests := []struct {
		name string
		edit func(o *UnitOptions)
		msg  string
	}{
		{"relative binary", func(o *UnitOptions) { o.Binary = "erpconnector" }, "must be an absolute path"},
		{"empty binary", func(o *UnitOptions) { o.Binary = "" }, "empty path"},
		{"relative config", func(o *UnitOptions) { o.Config = "erpconnector.toml" }, "must be an absolute path"},
		{"windows config", func(o *UnitOptions) { o.Config = `C:\erp\erpconnector.toml` }, "must be an absolute path"},
		{"newline in config", func(o *UnitOptions) { o.Config = "/etc/x\nExecStartPre=/bin/sh" }, "control character"},
		{"quote in binary", func(o *UnitOptions) { o.Binary = `/opt/"erp"/erpconnector` }, "executable path"},
		{"backslash in binary", func(o *UnitOptions) { o.Binary = `/opt/erp\x/erpconnector` }, "executable path"},
		{"no read-write paths", func(o *UnitOptions) { o.ReadWritePaths = nil }, "no read-write paths"},
		{"root read-write path", func(o *UnitOptions) { o.ReadWritePaths = []string{"/srv/x/../.."} }, "whole system writable"},
		{"relative read-write path", func(o *UnitOptions) { o.ReadWritePaths = []string{"/ok", "var/spool"} }, "must be an absolute path"},
		{"tab in read-write path", func(o *UnitOptions) { o.ReadWritePaths = []string{"/srv/a\tb"} }, "control character"},
		{"invalid UTF-8", func(o *UnitOptions) { o.ReadWritePaths = []string{"/srv/\xff"} }, "not valid UTF-8"},
		{"user with space", func(o *UnitOptions) { o.User = "erp connector" }, "not a valid system account name"},
		{"numeric user", func(o *UnitOptions) { o.User = "1000" }, "not a valid system account name"},
		{"root user", func(o *UnitOptions) { o.User = "root" }, "dedicated unprivileged account"},
		{"root group", func(o *UnitOptions) { o.Group = "root" }, "dedicated unprivileged account"},
		{"watchdog too short", func(o *UnitOptions) { o.WatchdogSec = 1 }, "at least 2 seconds"},
		{"negative watchdog", func(o *UnitOptions) { o.WatchdogSec = -5 }, "at least 2 seconds"},
		{"newline in description", func(o *UnitOptions) { o.Description = "a\nb" }, "control character"},
		{"backslash ends description", func(o *UnitOptions) { o.Description = `ERP \` }, "backslash"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := ok
			tc.edit(&o)
			u, err := SystemdUnit(o)
			if err == nil {
				t.Fatalf("no error; unit:\n%s", u)
			}
			if !errors.Is(err, ErrUnit) {
				t.Errorf("error %v does not wrap ErrUnit", err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q lacks %q", err, tc.msg)
			}
		})
	}
}

func TestReadWritePaths(t *testing.T) {
	t.Run("example config: everything under var", func(t *testing.T) {
		cfg, err := config.Load("../../config.example.toml")
		if err != nil {
			t.Fatal(err)
		}
		got := ReadWritePaths(cfg)
		want := []string{filepath.ToSlash(filepath.Join(cfg.Dir, "var"))}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("separate folders", func(t *testing.T) {
		dir := t.TempDir()
		file := filepath.Join(dir, "erpconnector.toml")
		src := `
[store]
path = "/var/lib/erpconnector/state.db"

[[bank]]
name = "kb"
kind = "kb"
url = "sandbox"

[[route]]
name = "a"
inbox = "/srv/erp/a/in"
outbox = "/srv/erp/out"
archive = "/srv/archive/a"
error = "/srv/erp/a/in/failed"
bank = "kb"

[[route]]
name = "b"
inbox = "b-in"
outbox = "/srv/erp/out/b"
bank = "kb"

[[statement]]
bank = "kb"
account = "CZ0801000000192000145399"
outbox = "/srv/erp/out/statements"
`
		cfg, err := config.Parse(file, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		got := ReadWritePaths(cfg)
		want := []string{
			filepath.ToSlash(filepath.Join(dir, "b-in")), // relative to the config; archive and error inside
			"/srv/archive/a",
			"/srv/erp/a/in", // its error folder is inside
			"/srv/erp/out",  // route b's outbox and the statements are inside
			"/var/lib/erpconnector",
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("got  %q\nwant %q", got, want)
		}
	})
	t.Run("remote and empty folders are skipped", func(t *testing.T) {
		cfg := &config.Config{
			Store:  config.Store{Path: "/var/lib/erpconnector/erpconnector.db"},
			Routes: []config.Route{{Inbox: "sftp://erp@files.example:22/out", Outbox: "/srv/out"}},
		}
		got := ReadWritePaths(cfg)
		want := []string{"/srv/out", "/var/lib/erpconnector"}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

func TestCollapse(t *testing.T) {
	tests := []struct{ in, want []string }{
		{nil, nil},
		{[]string{"/b", "/a", "/b"}, []string{"/a", "/b"}},
		{[]string{"/a/b", "/a"}, []string{"/a"}},
		// "/a-b" sorts between "/a" and "/a/b" and is not inside "/a".
		{[]string{"/a/b", "/a-b", "/a"}, []string{"/a", "/a-b"}},
		{[]string{"/srv/inbox2", "/srv/inbox"}, []string{"/srv/inbox", "/srv/inbox2"}},
		{[]string{"/x", "/"}, []string{"/"}},
	}
	for _, tc := range tests {
		if got := collapse(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("collapse(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMissingPaths(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "srv", "here"), 0o755); err != nil {
		t.Fatal(err)
	}
	got := MissingPaths(root, []string{"/srv/here", "/srv/gone", "/var/lib/erpconnector"})
	want := []string{"/srv/gone", "/var/lib/erpconnector"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

type call []string

func recorder(calls *[]call, failOn string) func(string, ...string) error {
	return func(name string, args ...string) error {
		c := append(call{name}, args...)
		*calls = append(*calls, c)
		if failOn != "" && slices.Contains(args, failOn) {
			return errors.New("exit status 1")
		}
		return nil
	}
}

// TestInstallIntoRoot is what `service install --print` into a temporary
// root does: the file lands where systemd looks, complete and readable, and
// only offline systemctl calls are made for a foreign root.
func TestInstallIntoRoot(t *testing.T) {
	root := t.TempDir()
	unit, err := SystemdUnit(UnitOptions{Binary: "/usr/bin/erpconnector", Config: "/etc/erpconnector.toml", ReadWritePaths: []string{"/srv/erp"}})
	if err != nil {
		t.Fatal(err)
	}
	// A leftover from an earlier install is replaced, not appended to.
	p := filepath.Join(root, "etc", "systemd", "system", "erpconnector.service")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("[Service]\nExecStart=/old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var calls []call
	if err := InstallSystemd(root, unit, "erpconnector", recorder(&calls, "")); err != nil {
		t.Fatal(err)
	}
	if UnitPath(root, "erpconnector") != p {
		t.Errorf("UnitPath = %s, want %s", UnitPath(root, "erpconnector"), p)
	}
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != unit {
		t.Errorf("installed unit differs:\n%s", got)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	ents, _ := os.ReadDir(filepath.Dir(p))
	if len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %q, want only the unit (no temporary files)", names)
	}
	want := []call{{"systemctl", "--root=" + root, "enable", "erpconnector.service"}}
	if !slices.EqualFunc(calls, want, slices.Equal) {
		t.Errorf("calls %q, want %q", calls, want)
	}
}

func TestInstallSystemdCalls(t *testing.T) {
	tests := []struct {
		name, root, unitName, failOn string
		want                         []call
		errMsg                       string
	}{
		{"live system", "/", "erpconnector", "", []call{{"systemctl", "daemon-reload"}, {"systemctl", "enable", "--now", "erpconnector.service"}}, ""},
		{"empty root is live", "", "erp-kb.service", "", []call{{"systemctl", "daemon-reload"}, {"systemctl", "enable", "--now", "erp-kb.service"}}, ""},
		{"reload fails: enable not attempted", "/", "erpconnector", "daemon-reload", []call{{"systemctl", "daemon-reload"}}, "systemctl daemon-reload: exit status 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls []call
			// Writing to the real /etc is not for tests: the steps are checked
			// through a root that InstallSystemd treats as live.
			err := runSteps(systemctlSteps(tc.root, tc.unitName), recorder(&calls, tc.failOn), tc.unitName, "/etc/systemd/system/x.service")
			if tc.errMsg == "" && err != nil || tc.errMsg != "" && (err == nil || !strings.Contains(err.Error(), tc.errMsg)) {
				t.Errorf("error %v, want %q", err, tc.errMsg)
			}
			if !slices.EqualFunc(calls, tc.want, slices.Equal) {
				t.Errorf("calls %q, want %q", calls, tc.want)
			}
		})
	}
}

func TestInstallSystemdRejects(t *testing.T) {
	unit, err := SystemdUnit(UnitOptions{Binary: "/usr/bin/erpconnector", Config: "/etc/erpconnector.toml", ReadWritePaths: []string{"/srv"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, unitName, unit string }{
		{"path traversal", "../../evil", unit},
		{"slash", "a/b", unit},
		{"template", "erp@x", unit},
		{"hidden", ".erp", unit},
		{"space", "erp connector", unit},
		{"not a unit", "erpconnector", "hello"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			var calls []call
			err := InstallSystemd(root, tc.unit, tc.unitName, recorder(&calls, ""))
			if !errors.Is(err, ErrUnit) {
				t.Errorf("error %v, want ErrUnit", err)
			}
			if len(calls) > 0 {
				t.Errorf("systemctl called: %q", calls)
			}
			filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					t.Errorf("file written: %s", p)
				}
				return nil
			})
		})
	}
}

// TestInstallNilRunOnlyWrites: --print style without any systemctl.
func TestInstallNilRunOnlyWrites(t *testing.T) {
	root := t.TempDir()
	if err := InstallSystemd(root, "[Unit]\n\n[Service]\nType=notify\n", "", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(UnitPath(root, DefaultName)); err != nil {
		t.Fatal(err)
	}
}

// TestSystemdAnalyzeVerify writes the unit into a temporary root and has
// systemd check it. In a container without a running systemd, `verify` works
// on the unit file's path directly (--root would need a whole systemd tree:
// "Unit sysinit.target not found"). verify needs ExecStart's binary to exist
// and be executable, so the test binary is copied to an awkward path. verify
// exits 0 on mere warnings (unknown keys, bad paths it ignores), so any
// output at all fails the test.
func TestSystemdAnalyzeVerify(t *testing.T) {
	analyze := testenv.Tool(t, "systemd-analyze")
	root := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, "opt", "erp connector 100%", "$erpconnector")
	copyFile(t, self, bin, 0o755)
	cfgFile := filepath.Join(root, "etc", "erp $conf", "erpconnector.toml")
	copyFile(t, "../../config.example.toml", cfgFile, 0o644)
	unit, err := SystemdUnit(UnitOptions{
		Binary: bin, Config: cfgFile,
		ReadWritePaths: []string{filepath.Join(root, "srv", "ERP files"), filepath.Join(root, `back\slash 50%`), "/var/lib/erpconnector"},
	})
	if err != nil {
		t.Fatal(err)
	}
	verify := func(t *testing.T, path string) string {
		out, err := exec.Command(analyze, "verify", "--man=no", path).CombinedOutput()
		if err != nil {
			return string(out) + err.Error()
		}
		return string(out)
	}
	t.Run("installed unit is clean", func(t *testing.T) {
		if err := InstallSystemd(root, unit, "erpconnector", nil); err != nil {
			t.Fatal(err)
		}
		if out := verify(t, UnitPath(root, "erpconnector")); out != "" {
			t.Errorf("systemd-analyze verify:\n%s\nunit:\n%s", out, unit)
		}
	})
	// The harness must be able to fail: a broken unit produces output.
	t.Run("verify notices a broken unit", func(t *testing.T) {
		for _, bad := range []string{
			strings.Replace(unit, "Type=notify", "Type=notify\nBogusSetting=1", 1),
			strings.Replace(unit, quoteExecutable(bin), "/nonexistent/erpconnector", 1),
		} {
			if err := InstallSystemd(root, bad, "broken", nil); err != nil {
				t.Fatal(err)
			}
			if out := verify(t, UnitPath(root, "broken")); out == "" {
				t.Errorf("verify accepted a broken unit:\n%s", bad)
			}
		}
	})
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, mode); err != nil {
		t.Fatal(err)
	}
}
