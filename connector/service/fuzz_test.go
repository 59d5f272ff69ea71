package service

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSystemdUnit feeds arbitrary paths and names to SystemdUnit. Either it
// refuses them with ErrUnit, or the unit it writes reads back, through an
// independent reader of systemd's quoting, as exactly the paths given — no
// path can smuggle in a second setting or a different folder.
func FuzzSystemdUnit(f *testing.F) {
	seeds := []struct{ bin, cfg, rw1, rw2, user, desc string }{
		{"/usr/bin/erpconnector", "/etc/erpconnector.toml", "/var/lib/erpconnector", "/srv/erp", "", ""},
		{"/opt/erp connector/100%/x", `/etc/a "b" \c $d.toml`, "/srv/ERP Files", `/srv/back\slash`, "erp", "ERP 100%"},
		{"relative", "/etc/x", "/a", "/a/b", "root", ""},
		{"/bin/x", "/etc/x\nExecStartPre=/bin/sh", "/a", "/a-b", "erp connector", "a\nb"},
		{"/home/u/x", "/tmp/x.toml", "/", "/x/../y", "_svc", "%n"},
		{"/b\"", "/c'", "/d;", "/e$", "1000", "\xff"},
	}
	for _, s := range seeds {
		f.Add(s.bin, s.cfg, s.rw1, s.rw2, s.user, s.desc)
	}
	f.Fuzz(func(t *testing.T, bin, cfg, rw1, rw2, user, desc string) {
		o := UnitOptions{Binary: bin, Config: cfg, ReadWritePaths: []string{rw1, rw2}, User: user, Description: desc}
		u, err := SystemdUnit(o)
		if err != nil {
			if !errors.Is(err, ErrUnit) {
				t.Fatalf("error %v does not wrap ErrUnit", err)
			}
			return
		}
		if strings.Count(u, "\n[Service]\n") != 1 || strings.Count(u, "\nExecStart=") != 1 || strings.Count(u, "\nUser=") != 1 {
			t.Fatalf("unit has a smuggled or missing setting:\n%s", u)
		}
		checkRoundTrip(t, o, u)
		d := parseUnit(t, u)["Unit"]["Description"]
		want := strings.TrimSpace(desc)
		if want == "" {
			want = DefaultDescription
		}
		if strings.ReplaceAll(d, "%%", "%") != want {
			t.Fatalf("Description=%q, want %q", d, want)
		}
	})
}

// FuzzNotifierStatus: whatever text a status carries, the datagram is one
// STATUS= assignment (no injected READY=1 or WATCHDOG=1).
func FuzzNotifierStatus(f *testing.F) {
	for _, s := range []string{"", "running", "bank kb: 503\nREADY=1", "a\r\nWATCHDOG=1", "\x00\x7f", "ünïcode ✓"} {
		f.Add(s)
	}
	n, recv := listenNotify(f)
	f.Fuzz(func(t *testing.T, s string) {
		if err := n.Status(s); err != nil {
			if strings.Contains(err.Error(), "message too long") {
				return // beyond the socket's datagram limit: refused whole, not split
			}
			t.Fatal(err)
		}
		got := recv(t)
		if !strings.HasPrefix(got, "STATUS=") || strings.ContainsAny(got, "\n\r\x00") {
			t.Fatalf("datagram %q is not a single STATUS assignment", got)
		}
		if utf8.ValidString(s) && len(got) != len("STATUS=")+len(s) {
			t.Fatalf("datagram %q changed length from %q", got, s)
		}
	})
}
