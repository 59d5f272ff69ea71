package service

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"erpconnector/connector/config"
)

func TestWindowsInstallArgs(t *testing.T) {
	w := WindowsInstall{
		Name:   "erpconnector",
		Binary: `C:\Program Files\erpconnector\erpconnector.exe`,
		Config: `C:\ProgramData\erp connector\erpconnector.toml`,
	}
	want := []string{"run", "--config", `C:\ProgramData\erp connector\erpconnector.toml`, "--service"}
	if got := w.Args(); !reflect.DeepEqual(got, want) {
		t.Errorf("Args = %q, want %q", got, want)
	}
	// An unquoted "C:\Program Files\..." image path lets C:\Program.exe run
	// as the service account.
	wantCL := `"C:\Program Files\erpconnector\erpconnector.exe" run --config "C:\ProgramData\erp connector\erpconnector.toml" --service`
	if got := w.CommandLine(); got != wantCL {
		t.Errorf("CommandLine =\n %s\nwant\n %s", got, wantCL)
	}
	if got := parseWinCommandLine(w.CommandLine()); !reflect.DeepEqual(got, append([]string{w.Binary}, want...)) {
		t.Errorf("CommandLine parses back as %q", got)
	}
}

func TestEscapeArg(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{``, `""`},
		{`plain`, `plain`},
		{`C:\dir\file.toml`, `C:\dir\file.toml`},
		{`C:\with space\file`, `"C:\with space\file"`},
		{`C:\with space\`, `"C:\with space\\"`}, // trailing backslash must not escape the closing quote
		{`say "hi"`, `"say \"hi\""`},
		{`a\"b`, `"a\\\"b"`},
		{`\\server\share\in box`, `"\\server\share\in box"`},
	} {
		if got := escapeArg(tc.in); got != tc.want {
			t.Errorf("escapeArg(%q) = %s, want %s", tc.in, got, tc.want)
		}
		if got := parseWinCommandLine("x.exe " + escapeArg(tc.in)); len(got) != 2 || got[1] != tc.in {
			t.Errorf("escapeArg(%q) parses back as %q", tc.in, got)
		}
	}
}

// parseWinCommandLine splits like CommandLineToArgvW (for arguments after
// the program name; the program name here never contains quotes).
func parseWinCommandLine(s string) []string {
	var args []string
	var cur strings.Builder
	inArg, quoted := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			n := 0
			for i < len(s) && s[i] == '\\' {
				n++
				i++
			}
			if i < len(s) && s[i] == '"' {
				cur.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
				} else {
					quoted = !quoted
				}
			} else {
				cur.WriteString(strings.Repeat(`\`, n))
				i--
			}
			inArg = true
		case c == '"':
			if quoted && i+1 < len(s) && s[i+1] == '"' { // "" inside quotes: literal quote
				cur.WriteByte('"')
				i++
			} else {
				quoted = !quoted
			}
			inArg = true
		case (c == ' ' || c == '\t') && !quoted:
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args
}

func TestWithDefaults(t *testing.T) {
	abs := func(p string) (string, error) { return `D:\admin\` + p, nil }
	w, err := WindowsInstall{Config: "erp.toml", Account: "erpsvc", Binary: `C:\erp\erpconnector.exe`}.WithDefaults(abs)
	if err != nil {
		t.Fatal(err)
	}
	if w.Name != "erpconnector" || w.DisplayName == "" || w.Description == "" {
		t.Errorf("defaults not filled: %+v", w)
	}
	if w.Config != `D:\admin\erp.toml` {
		t.Errorf("relative config must be made absolute at install time (the service starts in System32): %q", w.Config)
	}
	if w.Account != `.\erpsvc` {
		t.Errorf("account = %q", w.Account)
	}
	w, _ = WindowsInstall{Config: `\\fs\erp\erp.toml`, Binary: `C:\erp\erpconnector.exe`}.WithDefaults(abs)
	if w.Config != `\\fs\erp\erp.toml` || w.Account != AccountLocalSystem {
		t.Errorf("absolute config changed or account not defaulted: %+v", w)
	}
	w, err = WindowsInstall{Config: `C:\erp.toml`}.WithDefaults(abs)
	if err != nil || w.Binary == "" {
		t.Errorf("binary must default to the running executable: %q, %v", w.Binary, err)
	}
}

func TestValidate(t *testing.T) {
	ok := WindowsInstall{Name: "erpconnector", Binary: `C:\erp\erpconnector.exe`, Config: `C:\erp\erp.toml`}
	for _, tc := range []struct {
		name string
		edit func(*WindowsInstall)
		want error // nil: valid
		text string
	}{
		{"LocalSystem default", func(w *WindowsInstall) {}, nil, ""},
		{"domain account with password", func(w *WindowsInstall) { w.Account, w.Password = `CORP\svc-erp`, "pw" }, nil, ""},
		{"gMSA without password", func(w *WindowsInstall) { w.Account = `CORP\erp-gmsa$` }, nil, ""},
		{"virtual account", func(w *WindowsInstall) { w.Account = `NT SERVICE\erpconnector` }, nil, ""},
		{"UNC config", func(w *WindowsInstall) { w.Config = `\\fs01\erp\erp.toml` }, nil, ""},
		{"local account without password", func(w *WindowsInstall) { w.Account = "erpsvc" }, ErrNeedPassword, `.\erpsvc`},
		{"password for LocalSystem", func(w *WindowsInstall) { w.Password = "x" }, ErrBadInstall, "takes no password"},
		{"virtual account of another service", func(w *WindowsInstall) { w.Account = `NT SERVICE\other` }, ErrBadInstall, "NT SERVICE\\erpconnector"},
		{"relative config", func(w *WindowsInstall) { w.Config = `erp.toml` }, ErrBadInstall, "System32"},
		{"drive-relative config", func(w *WindowsInstall) { w.Config = `C:erp.toml` }, ErrBadInstall, "absolute"},
		{"no config", func(w *WindowsInstall) { w.Config = "" }, ErrBadInstall, "--config"},
		{"relative binary", func(w *WindowsInstall) { w.Binary = "erpconnector.exe" }, ErrBadInstall, "binary"},
		{"name with backslash", func(w *WindowsInstall) { w.Name = `a\b` }, ErrBadInstall, "service name"},
		{"no name", func(w *WindowsInstall) { w.Name = "" }, ErrBadInstall, "no service name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := ok
			tc.edit(&w)
			err := w.Validate()
			if tc.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("error = %v, want %v containing %q", err, tc.want, tc.text)
			}
			if w.Password != "" && strings.Contains(err.Error(), w.Password) {
				t.Fatalf("error shows the password: %v", err)
			}
		})
	}
}

func TestInstallNeverShowsPassword(t *testing.T) {
	const pw = "Tr0ub4dor&3-secret"
	w := WindowsInstall{Name: "erpconnector", Binary: `C:\erp\erpconnector.exe`, Config: `C:\erp\erp.toml`, Account: `CORP\svc`, Password: pw}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("installing", "install", w)
	jsonOut, _ := json.Marshal(w.LogValue().Resolve().String())
	for _, s := range []string{
		fmt.Sprint(w), fmt.Sprintf("%v", w), fmt.Sprintf("%+v", w), fmt.Sprintf("%#v", w), fmt.Sprintf("%s", w),
		fmt.Sprint(&w), logged.String(), string(jsonOut),
	} {
		if strings.Contains(s, pw) {
			t.Errorf("password shown: %s", s)
		}
	}
	if !strings.Contains(logged.String(), `"password_set":true`) || !strings.Contains(fmt.Sprint(w), "(hidden)") {
		t.Errorf("output should say a password is set: %s / %s", logged.String(), fmt.Sprint(w))
	}
}

func TestRecoveryActions(t *testing.T) {
	got := RecoveryActions()
	want := []RecoveryAction{
		{RecoveryRestart, 5 * time.Second},
		{RecoveryRestart, 30 * time.Second},
		{RecoveryRestart, 60 * time.Second},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RecoveryActions = %+v, want %+v", got, want)
	}
	if RecoveryResetPeriod != 24*time.Hour {
		t.Errorf("reset period = %s", RecoveryResetPeriod)
	}
	// Windows' SC_ACTION_TYPE values, which windows.go passes on as numbers.
	if RecoveryNone != 0 || RecoveryReboot != 1 || RecoveryRestart != 2 || RecoveryCommand != 3 {
		t.Error("RecoveryKind values must equal SC_ACTION_NONE/REBOOT/RESTART/RUN_COMMAND")
	}
	got[0].Delay = time.Hour
	if RecoveryActions()[0].Delay != 5*time.Second {
		t.Error("RecoveryActions must return a fresh slice")
	}
}

func TestNormalizeAccount(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "LocalSystem"},
		{"  ", "LocalSystem"},
		{"LocalSystem", "LocalSystem"},
		{"localsystem", "LocalSystem"},
		{`.\LocalSystem`, "LocalSystem"},
		{"SYSTEM", "LocalSystem"},
		{`NT AUTHORITY\SYSTEM`, "LocalSystem"},
		{"LocalService", `NT AUTHORITY\LocalService`},
		{`NT AUTHORITY\Local Service`, `NT AUTHORITY\LocalService`},
		{"NetworkService", `NT AUTHORITY\NetworkService`},
		{`nt authority\networkservice`, `NT AUTHORITY\NetworkService`},
		{`NT SERVICE\erpconnector`, `NT SERVICE\erpconnector`},
		{`nt service\erpconnector`, `NT SERVICE\erpconnector`},
		{"erpsvc", `.\erpsvc`},
		{" erpsvc ", `.\erpsvc`},
		{`.\erpsvc`, `.\erpsvc`},
		{`./erpsvc`, `.\erpsvc`},
		{`CORP\svc-erp`, `CORP\svc-erp`},
		{`CORP\erp-gmsa$`, `CORP\erp-gmsa$`},
		{`HOST01\erpsvc`, `HOST01\erpsvc`},
		{"svc-erp@corp.example", "svc-erp@corp.example"},
	} {
		if got := NormalizeAccount(tc.in); got != tc.want {
			t.Errorf("NormalizeAccount(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := NormalizeAccount(NormalizeAccount(tc.in)); got != tc.want {
			t.Errorf("NormalizeAccount not idempotent on %q: %q", tc.in, got)
		}
	}
}

func TestAccountNeedsPassword(t *testing.T) {
	for acct, want := range map[string]bool{
		AccountLocalSystem: false, AccountLocalService: false, AccountNetworkService: false,
		`NT SERVICE\erpconnector`: false, `CORP\erp-gmsa$`: false,
		`.\erpsvc`: true, `CORP\svc-erp`: true, "svc@corp.example": true,
	} {
		if got := AccountNeedsPassword(acct); got != want {
			t.Errorf("AccountNeedsPassword(%q) = %v", acct, got)
		}
	}
}

func TestSplitWinPath(t *testing.T) {
	for _, tc := range []struct {
		in    string
		kind  winPathKind
		drive byte
		rest  string
	}{
		{`C:\erp\in`, winDrive, 'C', `erp\in`},
		{`z:/erp/in`, winDrive, 'Z', `erp\in`},
		{`Z:erp`, winDriveRelative, 'Z', `erp`},
		{`Z:`, winDriveRelative, 'Z', ``},
		{`\\fs01\erp\in`, winUNC, 0, `fs01\erp\in`},
		{`//fs01/erp`, winUNC, 0, `fs01\erp`},
		{`\\?\C:\very\long`, winDrive, 'C', `very\long`},
		{`\\?\UNC\fs01\erp`, winUNC, 0, `fs01\erp`},
		{`\\.\pipe\x`, winOther, 0, `\\.\pipe\x`},
		{`erp\in`, winOther, 0, `erp\in`},
		{`/srv/erp`, winOther, 0, `\srv\erp`},
		{`1:\x`, winOther, 0, `1:\x`},
		{``, winOther, 0, ``},
	} {
		k, d, r := splitWinPath(tc.in)
		if k != tc.kind || d != tc.drive || r != tc.rest {
			t.Errorf("splitWinPath(%q) = %d %q %q, want %d %q %q", tc.in, k, d, r, tc.kind, tc.drive, tc.rest)
		}
	}
}

func TestCheckServicePaths(t *testing.T) {
	kinds := map[byte]DriveKind{'C': DriveLocal, 'D': DriveLocal, 'Z': DriveRemote, 'Y': DriveMissing}
	kind := func(d byte) DriveKind { return kinds[d] } // others: DriveUnknown
	for _, tc := range []struct {
		name    string
		path    string
		profile string
		want    string // substring of the single warning; "" for none
	}{
		{"local data folder", `C:\ProgramData\erpconnector\in`, "", ""},
		{"second local disk", `D:\erp\in`, "", ""},
		{"UNC share", `\\fs01\erp\in`, "", ""},
		{"long UNC", `\\?\UNC\fs01\erp\in`, "", ""},
		{"sftp", `sftp://erp@files.example:22/out`, "", ""},
		{"mapped drive", `Z:\erp\in`, "", `Z:, a mapped network drive`},
		{"mapped drive, forward slashes", `z:/erp/in`, "", `a mapped network drive`},
		{"drive missing in this session", `Y:\erp\in`, "", `does not exist in this session`},
		{"unknown drive", `Q:\erp\in`, "", `if that is a mapped network drive`},
		{"drive-relative", `Z:erp\in`, "", `write Z:\erp\in`},
		{"user profile", `C:\Users\jana\Documents\erp\in`, "", "inside a user profile"},
		{"user profile lower case", `c:\users\jana\erp`, "", "inside a user profile"},
		{"old profile root", `C:\Documents and Settings\jana\erp`, "", "inside a user profile"},
		{"public folder", `C:\Users\Public\erp\in`, "", ""},
		{"Users folder itself", `C:\Users`, "", ""},
		{"redirected profile", `D:\Profiles\jana\erp`, `D:\Profiles\jana`, "inside a user profile"},
		{"profile folder itself", `D:\Profiles\jana`, `D:\Profiles\jana\`, "inside a user profile"},
		{"sibling of profile", `D:\Profiles\janaX\erp`, `D:\Profiles\jana`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := checkServicePaths([]servicePath{{"route \"kb\".inbox", tc.path}}, kind, tc.profile)
			if tc.want == "" {
				if len(got) != 0 {
					t.Fatalf("unexpected warnings: %q", got)
				}
				return
			}
			if len(got) != 1 || !strings.Contains(got[0], tc.want) || !strings.HasPrefix(got[0], `route "kb".inbox: `) {
				t.Fatalf("warnings = %q, want one with key and %q", got, tc.want)
			}
		})
	}
	// A mapped drive inside a profile gets both warnings; the same warning
	// for the same key is given once.
	got := checkServicePaths([]servicePath{{"k", `Z:\Users\jana\x`}, {"k", `Z:\Users\jana\x`}}, kind, "")
	if len(got) != 2 {
		t.Errorf("want 2 warnings, got %q", got)
	}
	if !strings.Contains(got[0], `\\server\share`) {
		t.Errorf("mapped-drive warning must point to UNC paths: %s", got[0])
	}
}

func testConfig() *config.Config {
	return &config.Config{
		File:  `C:\ProgramData\erpconnector\erpconnector.toml`,
		Store: config.Store{Path: `C:\ProgramData\erpconnector\var\erp.db`},
		Routes: []config.Route{{
			Name: "kb", Inbox: `Z:\erp\kb\in`, Outbox: `\\fs01\erp\kb\out`,
			Archive: `Z:\erp\kb\in\archive`, Error: `C:\Users\jana\erp\error`,
		}, {
			Inbox: "sftp://erp@files.example/out", Outbox: `C:\ProgramData\erpconnector\out`,
		}},
		Statements: []config.Statement{{Outbox: `Y:\statements`}},
		Banks: []config.Bank{{
			Name: "dk", APIKey: config.Secret{Ref: `file:Z:\secrets\bi.key`}, ClientSecret: config.Secret{Ref: "env:X"},
			Accounts: []config.BIAccount{{IntegrationCode: config.Secret{Ref: "file:codes/a.txt"}}},
		}},
	}
}

func TestServicePathsCoverConfig(t *testing.T) {
	var keys []string
	for _, p := range servicePaths(testConfig()) {
		keys = append(keys, p.key+"="+p.path)
	}
	want := []string{
		`config=C:\ProgramData\erpconnector\erpconnector.toml`,
		`store.path=C:\ProgramData\erpconnector\var\erp.db`,
		`route "kb".inbox=Z:\erp\kb\in`, `route "kb".outbox=\\fs01\erp\kb\out`,
		`route "kb".archive=Z:\erp\kb\in\archive`, `route "kb".error=C:\Users\jana\erp\error`,
		`route[1].inbox=sftp://erp@files.example/out`, `route[1].outbox=C:\ProgramData\erpconnector\out`,
		`route[1].archive=`, `route[1].error=`,
		`statement[0].outbox=Y:\statements`,
		`bank "dk".api_key=Z:\secrets\bi.key`,
	}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("paths =\n%s\nwant\n%s", strings.Join(keys, "\n"), strings.Join(want, "\n"))
	}
}

func TestCheckPathsForServiceConfig(t *testing.T) {
	old := driveKind
	defer func() { driveKind = old }()
	driveKind = func(d byte) DriveKind {
		return map[byte]DriveKind{'C': DriveLocal, 'Z': DriveRemote, 'Y': DriveMissing}[d]
	}
	t.Setenv("USERPROFILE", "")
	got := CheckPathsForService(testConfig())
	wantPrefixes := []string{
		`route "kb".inbox: Z:\erp\kb\in is on Z:, a mapped network drive`,
		`route "kb".archive: Z:\erp\kb\in\archive is on Z:, a mapped network drive`,
		`route "kb".error: C:\Users\jana\erp\error is inside a user profile`,
		`statement[0].outbox: Y:\statements is on Y:, which does not exist`,
		`bank "dk".api_key: Z:\secrets\bi.key is on Z:, a mapped network drive`,
	}
	if len(got) != len(wantPrefixes) {
		t.Fatalf("warnings:\n%s", strings.Join(got, "\n"))
	}
	for i, p := range wantPrefixes {
		if !strings.HasPrefix(got[i], p) {
			t.Errorf("warning %d = %s\nwant prefix %s", i, got[i], p)
		}
	}
}

func TestCheckAccountForShares(t *testing.T) {
	cfg := testConfig()
	for _, tc := range []struct{ account, want string }{
		{"", "computer account"},
		{"NetworkService", "computer account"},
		{`NT SERVICE\erpconnector`, "computer account"},
		{"LocalService", "no network credentials"},
		{"erpsvc", "same user name and password"},
		{`CORP\svc-erp`, ""},
		{`CORP\erp-gmsa$`, ""},
	} {
		got := CheckAccountForShares(cfg, tc.account)
		if tc.want == "" {
			if len(got) != 0 {
				t.Errorf("%q: unexpected %q", tc.account, got)
			}
			continue
		}
		if len(got) != 1 || !strings.Contains(got[0], tc.want) || !strings.HasPrefix(got[0], `route "kb".outbox: `) {
			t.Errorf("%q: got %q, want %q", tc.account, got, tc.want)
		}
	}
	local := &config.Config{File: `C:\erp\erp.toml`, Routes: []config.Route{{Inbox: `C:\erp\in`}}}
	if got := CheckAccountForShares(local, ""); len(got) != 0 {
		t.Errorf("no UNC paths, no warning: %q", got)
	}
}

func TestStateName(t *testing.T) {
	for st, want := range map[uint32]string{1: "stopped", 2: "starting", 3: "stopping", 4: "running", 7: "paused", 99: "unknown state 99"} {
		if got := StateName(st); got != want {
			t.Errorf("StateName(%d) = %q, want %q", st, got, want)
		}
	}
}

type event struct {
	kind string
	eid  uint32
	msg  string
}

type fakeEventLog struct{ events []event }

func (f *fakeEventLog) Info(eid uint32, msg string) error {
	f.events = append(f.events, event{"info", eid, msg})
	return nil
}
func (f *fakeEventLog) Warning(eid uint32, msg string) error {
	f.events = append(f.events, event{"warning", eid, msg})
	return nil
}
func (f *fakeEventLog) Error(eid uint32, msg string) error {
	f.events = append(f.events, event{"error", eid, msg})
	return nil
}

func TestEventLogHandler(t *testing.T) {
	ev := &fakeEventLog{}
	log := slog.New(NewEventLogHandler(ev, nil))
	log.Debug("debug is not for the event log")
	log.Info("neither is info", "x", 1)
	log.Warn("share unreachable", "route", "kb", "path", `\\fs01\erp\in`)
	log.With("route", "dk").WithGroup("bank").Error("submit failed", "status", 503)
	want := []event{
		{"warning", EventIDWarning, `share unreachable route=kb path=\\fs01\erp\in`},
		{"error", EventIDError, `submit failed route=dk bank.status=503`},
	}
	if !reflect.DeepEqual(ev.events, want) {
		t.Errorf("events = %+v\nwant %+v", ev.events, want)
	}

	ev = &fakeEventLog{}
	slog.New(NewEventLogHandler(ev, slog.LevelInfo)).Info("service running")
	if len(ev.events) != 1 || ev.events[0] != (event{"info", EventIDInfo, "service running"}) {
		t.Errorf("info level: %+v", ev.events)
	}
	for _, id := range []uint32{EventIDInfo, EventIDWarning, EventIDError} {
		if id < 1 || id > 1000 {
			t.Errorf("event ID %d is outside EventCreate.exe's 1-1000", id)
		}
	}
}
