package service

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Notifier speaks systemd's sd_notify protocol: one datagram of
// newline-separated VAR=value assignments to the unix socket named by
// $NOTIFY_SOCKET. Outside systemd (no $NOTIFY_SOCKET, or on Windows) every
// method is a no-op, so the daemon calls it unconditionally.
//
// It is written here, in a few lines, rather than taken from go-systemd:
// the protocol is small and stable, and the module has no other use.
type Notifier struct {
	addr     *net.UnixAddr // nil: not under systemd
	err      error         // $NOTIFY_SOCKET was set but unusable; returned by every send
	watchdog time.Duration // ping interval (half of $WATCHDOG_USEC); 0: no watchdog
}

// ErrNotifySocket is wrapped when $NOTIFY_SOCKET names something this
// implementation cannot use (vsock, relative paths).
var ErrNotifySocket = errors.New("NOTIFY_SOCKET")

// NewNotifier reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID.
// The variables stay set: sd_notify's convention of unsetting them matters
// for daemons that spawn children, and this one does not.
func NewNotifier() *Notifier {
	n := &Notifier{}
	sock := os.Getenv("NOTIFY_SOCKET")
	switch {
	case sock == "":
		return n
	case strings.HasPrefix(sock, "/") || strings.HasPrefix(sock, "@"):
		// Go maps a leading '@' to Linux's abstract namespace (a leading NUL).
		n.addr = &net.UnixAddr{Name: sock, Net: "unixgram"}
	default:
		n.err = fmt.Errorf("%w %q: only unix socket paths and @abstract names are supported", ErrNotifySocket, sock)
		return n
	}
	n.watchdog = watchdogInterval(os.Getenv("WATCHDOG_USEC"), os.Getenv("WATCHDOG_PID"), os.Getpid())
	return n
}

// watchdogInterval is sd_watchdog_enabled: the watchdog applies to us only
// if WATCHDOG_PID is unset or ours, and we ping at half the timeout, as
// systemd recommends, so that one late ping is not yet a restart.
func watchdogInterval(usec, pid string, self int) time.Duration {
	u, err := strconv.ParseUint(usec, 10, 63)
	if err != nil || u == 0 {
		return 0
	}
	if pid != "" {
		p, err := strconv.Atoi(pid)
		if err != nil || p != self {
			return 0
		}
	}
	if u > uint64(math.MaxInt64/int64(time.Microsecond)) {
		return 0 // beyond time.Duration: centuries, in effect no watchdog
	}
	return time.Duration(u) * time.Microsecond / 2
}

// Enabled reports whether the process runs under a systemd notify socket.
func (n *Notifier) Enabled() bool { return n.addr != nil || n.err != nil }

// WatchdogInterval is how often Watchdog pings; 0 when systemd expects no pings.
func (n *Notifier) WatchdogInterval() time.Duration { return n.watchdog }

// Ready tells systemd that start-up is complete. Send it only once the store
// is open and the folders are watched: systemd starts dependent units and
// reports "started" on this signal.
func (n *Notifier) Ready() error { return n.send("READY=1") }

// Stopping tells systemd that shutdown has begun, so it waits (up to
// TimeoutStopSec) instead of treating the silence as a hang.
func (n *Notifier) Stopping() error { return n.send("STOPPING=1") }

// Status sets the one-line text `systemctl status` shows. Control
// characters become spaces: a newline would let the text (which may quote
// an error from a bank) inject another assignment such as READY=1.
func (n *Notifier) Status(s string) error {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return n.send("STATUS=" + s)
}

// Watchdog pings WATCHDOG=1 every WatchdogInterval until ctx ends; it
// returns at once when systemd expects no pings. Run it in its own
// goroutine. A failed ping is not retried early: if pings keep failing,
// systemd restarting the service is the intended outcome.
func (n *Notifier) Watchdog(ctx context.Context) {
	if n.addr == nil || n.watchdog <= 0 {
		return
	}
	t := time.NewTicker(n.watchdog)
	defer t.Stop()
	n.send("WATCHDOG=1")
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n.send("WATCHDOG=1")
		}
	}
}

// send writes one datagram. A fresh connection per message keeps the
// Notifier free of state to close and safe for concurrent use.
func (n *Notifier) send(state string) error {
	if n.err != nil {
		return n.err
	}
	if n.addr == nil {
		return nil
	}
	c, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("sd_notify %s: %w", firstVar(state), err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify %s: %w", firstVar(state), err)
	}
	return nil
}

// firstVar names the message in errors without repeating a status text.
func firstVar(state string) string {
	v, _, _ := strings.Cut(state, "=")
	return v
}
