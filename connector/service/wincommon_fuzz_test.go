package service

import (
	"strings"
	"testing"
)

func FuzzNormalizeAccount(f *testing.F) {
	for _, s := range []string{"", "LocalSystem", `NT AUTHORITY\Local Service`, `nt service\erpconnector`, "erpsvc",
		`./erpsvc`, `CORP\svc`, `CORP\gmsa$`, "a@b.example", `\`, `.\`, `NT SERVICE\`, " \t", `a\b\c`, "SYSTEM "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, a string) {
		n := NormalizeAccount(a)
		if n == "" {
			t.Fatalf("NormalizeAccount(%q) is empty", a)
		}
		if again := NormalizeAccount(n); again != n {
			t.Fatalf("not idempotent: %q → %q → %q", a, n, again)
		}
		switch {
		case n == AccountLocalSystem, n == AccountLocalService, n == AccountNetworkService:
		case strings.Contains(n, `\`), strings.Contains(n, "@"):
		default:
			t.Fatalf("NormalizeAccount(%q) = %q: neither built-in, DOMAIN\\name nor UPN", a, n)
		}
		if strings.Contains(n, "/") {
			t.Fatalf("forward slash kept: %q", n)
		}
		if AccountNeedsPassword(n) && (n == AccountLocalSystem || strings.HasPrefix(n, `NT SERVICE\`)) {
			t.Fatalf("%q cannot need a password", n)
		}
	})
}

// The SCM splits the stored command line again; whatever the config path,
// the service must get exactly run --config <path> --service.
func FuzzCommandLine(f *testing.F) {
	for _, s := range []string{`C:\erp\erp.toml`, `C:\with space\erp.toml`, `C:\trailing\`, `C:\with space\`, `a"b`,
		`a\"b`, `\\fs01\erp share\x.toml`, "tab\there", `""`, `\\`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cfg string) {
		if strings.ContainsRune(cfg, 0) {
			return // cannot be in a Windows command line
		}
		w := WindowsInstall{Binary: `C:\Program Files\erpconnector\erpconnector.exe`, Config: cfg}
		got := parseWinCommandLine(w.CommandLine())
		want := append([]string{w.Binary}, w.Args()...)
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") || len(got) != len(want) {
			t.Fatalf("config %q: command line %s parses as %q", cfg, w.CommandLine(), got)
		}
	})
}

func FuzzCheckServicePaths(f *testing.F) {
	for _, s := range []string{`C:\ProgramData\erp`, `Z:\in`, `Z:in`, `\\fs\share\in`, `\\?\UNC\fs\s`, `\\?\Z:\x`,
		`C:\Users\jana\x`, `c:/users/public/x`, `sftp://h/x`, `relative\in`, `\\.\pipe\x`, `\\`, `Z:`} {
		f.Add(s, `C:\Users\jana`)
	}
	f.Fuzz(func(t *testing.T, p, profile string) {
		for _, k := range []DriveKind{DriveUnknown, DriveLocal, DriveRemote, DriveMissing} {
			warns := checkServicePaths([]servicePath{{"key", p}}, func(byte) DriveKind { return k }, profile)
			for _, w := range warns {
				if !strings.HasPrefix(w, "key: ") {
					t.Fatalf("warning without its config key: %q", w)
				}
			}
			kind, _, _ := splitWinPath(p)
			if strings.Contains(p, "://") {
				if len(warns) != 0 {
					t.Fatalf("URL %q warned: %q", p, warns)
				}
				continue
			}
			switch kind {
			case winDriveRelative:
				if len(warns) != 1 {
					t.Fatalf("drive-relative %q: %q", p, warns)
				}
			case winUNC, winOther:
				if len(warns) != 0 {
					t.Fatalf("%q must not warn: %q", p, warns)
				}
			case winDrive:
				if k == DriveRemote || k == DriveMissing {
					if len(warns) == 0 || !strings.Contains(warns[0], `\\server\share`) {
						t.Fatalf("mapped/missing drive %q: %q", p, warns)
					}
				}
			}
			if isWindowsAbs(p) != (kind == winDrive || kind == winUNC) {
				t.Fatalf("isWindowsAbs(%q) disagrees with splitWinPath", p)
			}
		}
	})
}
