package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// listenNotify plays systemd: a unixgram socket in a temporary folder, named
// in $NOTIFY_SOCKET, and a Notifier made from that environment. recv
// returns the next datagram (failing after a generous deadline).
func listenNotify(tb testing.TB) (*Notifier, func(testing.TB) string) {
	tb.Helper()
	return listenNotifyAt(tb, filepath.Join(shortTempDir(tb), "notify"))
}

func listenNotifyAt(tb testing.TB, name string) (*Notifier, func(testing.TB) string) {
	tb.Helper()
	if runtime.GOOS == "windows" {
		tb.Skip("no unixgram sockets on Windows")
	}
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	tb.Setenv("NOTIFY_SOCKET", name)
	n := NewNotifier()
	buf := make([]byte, 1<<17)
	return n, func(tb testing.TB) string {
		tb.Helper()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		k, err := c.Read(buf)
		if err != nil {
			tb.Fatalf("no notification: %v", err)
		}
		return string(buf[:k])
	}
}

// shortTempDir keeps socket paths under the 108-byte sun_path limit, which
// t.TempDir's long test-name folders can exceed.
func shortTempDir(tb testing.TB) string {
	d, err := os.MkdirTemp("", "sdn")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func TestNotifierMessages(t *testing.T) {
	n, recv := listenNotify(t)
	if !n.Enabled() {
		t.Fatal("not enabled with NOTIFY_SOCKET set")
	}
	tests := []struct {
		name string
		send func() error
		want string
	}{
		{"ready", n.Ready, "READY=1"},
		{"status", func() error { return n.Status("3 routes, 0 files waiting") }, "STATUS=3 routes, 0 files waiting"},
		{"status cannot inject", func() error { return n.Status("bank said:\nREADY=1\r\x00x") }, "STATUS=bank said: READY=1  x"},
		{"stopping", n.Stopping, "STOPPING=1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.send(); err != nil {
				t.Fatal(err)
			}
			if got := recv(t); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNotifierAbstractSocket(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("abstract sockets are Linux only")
	}
	var rnd [8]byte
	rand.Read(rnd[:])
	n, recv := listenNotifyAt(t, "@erpconnector-test-"+hex.EncodeToString(rnd[:]))
	if err := n.Ready(); err != nil {
		t.Fatal(err)
	}
	if got := recv(t); got != "READY=1" {
		t.Errorf("got %q", got)
	}
}

func TestNotifierOutsideSystemd(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	t.Setenv("WATCHDOG_USEC", "1000")
	n := NewNotifier()
	if n.Enabled() || n.WatchdogInterval() != 0 {
		t.Fatalf("enabled=%v watchdog=%v without NOTIFY_SOCKET", n.Enabled(), n.WatchdogInterval())
	}
	for _, f := range []func() error{n.Ready, n.Stopping, func() error { return n.Status("x") }} {
		if err := f(); err != nil {
			t.Errorf("no-op returned %v", err)
		}
	}
	done := make(chan struct{})
	go func() { n.Watchdog(context.Background()); close(done) }()
	<-done // returns at once: a hang here fails the test by timeout
}

func TestNotifierErrors(t *testing.T) {
	t.Run("unsupported socket kind", func(t *testing.T) {
		t.Setenv("NOTIFY_SOCKET", "vsock:2:1234")
		n := NewNotifier()
		if err := n.Ready(); !errors.Is(err, ErrNotifySocket) {
			t.Errorf("Ready: %v, want ErrNotifySocket", err)
		}
	})
	t.Run("nobody listening", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no unixgram sockets on Windows")
		}
		t.Setenv("NOTIFY_SOCKET", filepath.Join(shortTempDir(t), "gone"))
		err := NewNotifier().Ready()
		if err == nil {
			t.Fatal("no error sending to a missing socket")
		}
		if want := "sd_notify READY:"; len(err.Error()) < len(want) || err.Error()[:len(want)] != want {
			t.Errorf("error %q lacks context %q", err, want)
		}
	})
}

func TestWatchdogInterval(t *testing.T) {
	self := os.Getpid()
	tests := []struct {
		name, usec, pid string
		want            time.Duration
	}{
		{"half the timeout", "60000000", "", 30 * time.Second},
		{"our pid", "20000000", strconv.Itoa(self), 10 * time.Second},
		{"another process's watchdog", "20000000", strconv.Itoa(self + 1), 0},
		{"bad pid", "20000000", "x", 0},
		{"unset", "", "", 0},
		{"zero", "0", "", 0},
		{"negative", "-5", "", 0},
		{"garbage", "10s", "", 0},
		{"beyond time.Duration", "18446744073709551615", "", 0},
		{"largest usable", "9223372036854775", "", 9223372036854775 * time.Microsecond / 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := watchdogInterval(tc.usec, tc.pid, self); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWatchdogPings(t *testing.T) {
	t.Setenv("WATCHDOG_USEC", "200000") // 200 ms: pings every 100 ms
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()))
	n, recv := listenNotify(t)
	if got := n.WatchdogInterval(); got != 100*time.Millisecond {
		t.Fatalf("interval %v, want 100ms", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { n.Watchdog(ctx); close(done) }()
	for i := range 3 {
		if got := recv(t); got != "WATCHDOG=1" {
			t.Fatalf("ping %d: got %q", i, got)
		}
	}
	cancel()
	<-done
}

func TestWatchdogOtherPID(t *testing.T) {
	t.Setenv("WATCHDOG_USEC", "200000")
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()+1))
	n, _ := listenNotify(t)
	if n.WatchdogInterval() != 0 {
		t.Fatalf("interval %v for another process's watchdog", n.WatchdogInterval())
	}
	done := make(chan struct{})
	go func() { n.Watchdog(context.Background()); close(done) }()
	<-done
}
