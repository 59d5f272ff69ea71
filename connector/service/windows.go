//go:build windows

package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/eventlog"
	"golang.org/x/sys/windows/svc/mgr"
)

func init() {
	driveKind = windowsDriveKind
}

// windowsDriveKind asks GetDriveType about "X:\". An elevated installer
// does not see the drives its user mapped without elevation; those show as
// missing, which is what the service would see too.
func windowsDriveKind(letter byte) DriveKind {
	root, err := windows.UTF16PtrFromString(string(letter) + `:\`)
	if err != nil {
		return DriveUnknown
	}
	switch windows.GetDriveType(root) {
	case windows.DRIVE_REMOTE:
		return DriveRemote
	case windows.DRIVE_NO_ROOT_DIR:
		return DriveMissing
	case windows.DRIVE_UNKNOWN:
		return DriveUnknown
	}
	return DriveLocal
}

// ErrNoService is returned when the named service is not installed.
var ErrNoService = errors.New("service is not installed")

// How long the client commands wait for the SCM.
const (
	startWait     = 2 * time.Minute
	stopWait      = StopDeadline + 15*time.Second
	deleteWait    = 15 * time.Second
	pollInterval  = 300 * time.Millisecond
	eventsAllowed = eventlog.Error | eventlog.Warning | eventlog.Info
)

// Install registers the service: automatic start (delayed, so that the
// network and file shares are up), the account, recovery actions (also on
// non-crash failures) and an event log source named like the service. If
// a later step fails, the service is removed again.
func Install(w WindowsInstall) error {
	w, err := w.WithDefaults(filepath.Abs)
	if err != nil {
		return err
	}
	if err := w.Validate(); err != nil {
		return err
	}
	if _, err := os.Stat(w.Config); err != nil {
		return fmt.Errorf("service install: config: %w", err)
	}
	m, err := mgr.Connect()
	if err != nil {
		return fmt.Errorf("service install: connecting to the service manager (run as administrator): %w", err)
	}
	defer m.Disconnect()
	if s, err := m.OpenService(w.Name); err == nil {
		s.Close()
		return fmt.Errorf("service install: service %q already exists; uninstall it first", w.Name)
	}
	acct := w.Account
	if acct == AccountLocalSystem {
		acct = "" // CreateService's own default
	}
	s, err := m.CreateService(w.Name, w.Binary, mgr.Config{
		StartType:        mgr.StartAutomatic,
		DelayedAutoStart: true,
		ErrorControl:     mgr.ErrorNormal,
		DisplayName:      w.DisplayName,
		Description:      w.Description,
		ServiceStartName: acct,
		Password:         w.Password,
		// A per-service SID lets an administrator grant folders to
		// "NT SERVICE\<name>" whatever account the service runs as.
		SidType: windows.SERVICE_SID_TYPE_UNRESTRICTED,
	}, w.Args()...)
	if err != nil {
		if w.Password != "" && errors.Is(err, windows.ERROR_INVALID_SERVICE_ACCOUNT) {
			return fmt.Errorf("service install: account %s: %w", w.Account, err)
		}
		return fmt.Errorf("service install: %w", err)
	}
	defer s.Close()
	rollback := func(step string, err error) error {
		derr := s.Delete()
		return errors.Join(fmt.Errorf("service install: %s: %w", step, err), derr)
	}
	if err := s.SetRecoveryActions(toMgrActions(RecoveryActions()), uint32(RecoveryResetPeriod/time.Second)); err != nil {
		return rollback("recovery actions", err)
	}
	if err := s.SetRecoveryActionsOnNonCrashFailures(true); err != nil {
		return rollback("recovery on non-crash failures", err)
	}
	if err := eventlog.InstallAsEventCreate(w.Name, eventsAllowed); err != nil && !strings.Contains(err.Error(), "already exists") {
		return rollback("event log source", err)
	}
	return nil
}

func toMgrActions(as []RecoveryAction) []mgr.RecoveryAction {
	out := make([]mgr.RecoveryAction, len(as))
	for i, a := range as {
		out[i] = mgr.RecoveryAction{Type: int(a.Kind), Delay: a.Delay}
	}
	return out
}

func openService(name string) (*mgr.Mgr, *mgr.Service, error) {
	m, err := mgr.Connect()
	if err != nil {
		return nil, nil, fmt.Errorf("connecting to the service manager: %w", err)
	}
	s, err := m.OpenService(name)
	if err != nil {
		m.Disconnect()
		if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
			return nil, nil, fmt.Errorf("%q: %w", name, ErrNoService)
		}
		return nil, nil, fmt.Errorf("service %q: %w", name, err)
	}
	return m, s, nil
}

// Uninstall stops the service if it runs, deletes it, waits until Windows
// has really removed it (a handle open in services.msc delays that) and
// removes the event log source.
func Uninstall(name string) error {
	if err := Stop(name); err != nil && !errors.Is(err, ErrNoService) {
		return fmt.Errorf("service uninstall: %w", err)
	}
	m, s, err := openService(name)
	if err != nil {
		return fmt.Errorf("service uninstall: %w", err)
	}
	defer m.Disconnect()
	err = s.Delete()
	s.Close()
	if err != nil && !errors.Is(err, windows.ERROR_SERVICE_MARKED_FOR_DELETE) {
		return fmt.Errorf("service uninstall: %w", err)
	}
	for end := time.Now().Add(deleteWait); ; {
		s, err := m.OpenService(name)
		if err != nil {
			break
		}
		s.Close()
		if time.Now().After(end) {
			return fmt.Errorf("service uninstall: %q is marked for deletion but still present; close services.msc and Event Viewer", name)
		}
		time.Sleep(pollInterval)
	}
	if err := eventlog.Remove(name); err != nil && !errors.Is(err, windows.ERROR_FILE_NOT_FOUND) {
		return fmt.Errorf("service uninstall: event log source: %w", err)
	}
	return nil
}

// Start starts the service and waits until it reports Running, or fails.
func Start(name string) error {
	m, s, err := openService(name)
	if err != nil {
		return fmt.Errorf("service start: %w", err)
	}
	defer m.Disconnect()
	defer s.Close()
	if err := s.Start(); err != nil && !errors.Is(err, windows.ERROR_SERVICE_ALREADY_RUNNING) {
		return fmt.Errorf("service start: %w", err)
	}
	st, err := waitState(s, stateRunning, startWait)
	if err != nil {
		return fmt.Errorf("service start: %w", err)
	}
	if st.State != stateRunning {
		return fmt.Errorf("service start: service is %s (exit code %d, service exit code %d); see the event log and the service log",
			StateName(uint32(st.State)), st.Win32ExitCode, st.ServiceSpecificExitCode)
	}
	return nil
}

// Stop asks the service to stop and waits until it has.
func Stop(name string) error {
	m, s, err := openService(name)
	if err != nil {
		return fmt.Errorf("service stop: %w", err)
	}
	defer m.Disconnect()
	defer s.Close()
	st, err := s.Query()
	if err != nil {
		return fmt.Errorf("service stop: %w", err)
	}
	if st.State == stateStopped {
		return nil
	}
	if _, err := s.Control(svc.Stop); err != nil && !errors.Is(err, windows.ERROR_SERVICE_NOT_ACTIVE) &&
		!errors.Is(err, windows.ERROR_SERVICE_CANNOT_ACCEPT_CTRL) { // already stopping or starting
		return fmt.Errorf("service stop: %w", err)
	}
	st, err = waitState(s, stateStopped, stopWait)
	if err != nil {
		return fmt.Errorf("service stop: %w", err)
	}
	if st.State != stateStopped {
		return fmt.Errorf("service stop: still %s after %s", StateName(uint32(st.State)), stopWait)
	}
	return nil
}

// waitState polls until the service reaches want, or any state that is not
// pending, or the time is up.
func waitState(s *mgr.Service, want uint32, limit time.Duration) (svc.Status, error) {
	end := time.Now().Add(limit)
	for {
		st, err := s.Query()
		if err != nil {
			return st, err
		}
		switch uint32(st.State) {
		case want, stateStopped, stateRunning, statePaused:
			return st, nil
		}
		if time.Now().After(end) {
			return st, nil
		}
		time.Sleep(pollInterval)
	}
}

// Status is the service's state in words ("running", "stopped", …).
func Status(name string) (string, error) {
	m, s, err := openService(name)
	if err != nil {
		return "", err
	}
	defer m.Disconnect()
	defer s.Close()
	st, err := s.Query()
	if err != nil {
		return "", fmt.Errorf("service %q: %w", name, err)
	}
	return StateName(uint32(st.State)), nil
}

// IsWindowsService reports whether the process was started by the SCM.
func IsWindowsService() (bool, error) { return svc.IsWindowsService() }

// RunService runs the daemon under the SCM until it is stopped; see serve
// for the states reported. It changes to the executable's folder first,
// because a service starts in System32 (config paths are absolute anyway).
func RunService(name string, run func(ctx context.Context) error, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if exe, err := os.Executable(); err == nil {
		if err := os.Chdir(filepath.Dir(exe)); err != nil {
			log.Warn("cannot change to the program folder", "err", err)
		}
	}
	h := &handler{run: run, log: log}
	if err := svc.Run(name, h); err != nil {
		return fmt.Errorf("service %q: %w", name, err)
	}
	if h.exit != ExitOK {
		return fmt.Errorf("service %q stopped with exit code %d", name, h.exit)
	}
	return nil
}

type handler struct {
	run  func(context.Context) error
	log  *slog.Logger
	exit uint32
}

const acceptStop = svc.AcceptStop | svc.AcceptShutdown | svc.AcceptPreShutdown

// Execute translates between the SCM and serve. Control requests are read
// at once by a goroutine: x/sys/svc's control handler blocks until they are.
func (h *handler) Execute(_ []string, r <-chan svc.ChangeRequest, s chan<- svc.Status) (bool, uint32) {
	cmds := make(chan ctrlCmd)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case req := <-r:
				var c ctrlCmd
				switch req.Cmd {
				case svc.Interrogate:
					c = ctrlInterrogate
				case svc.Stop:
					c = ctrlStop
				case svc.Shutdown:
					c = ctrlShutdown
				case svc.PreShutdown:
					c = ctrlPreShutdown
				default:
					c = ctrlOther
				}
				select {
				case cmds <- c:
				case <-done:
					return
				}
			case <-done:
				return
			}
		}
	}()
	report := func(st ctrlStatus) {
		out := svc.Status{State: svc.State(st.State), CheckPoint: st.CheckPoint, WaitHint: uint32(st.WaitHint / time.Millisecond)}
		if st.AcceptStop {
			out.Accepts = acceptStop
		}
		s <- out
	}
	h.exit = serve(h.run, cmds, report, h.log, defaultTiming)
	// svc reports Stopped with this code once Execute returns; a non-zero
	// service-specific code triggers the recovery actions.
	return h.exit != ExitOK, h.exit
}

// OpenEventLog opens the service's event log source for EventLogHandler.
// The source is registered by Install; writing needs no administrator.
func OpenEventLog(name string) (*eventlog.Log, error) {
	l, err := eventlog.Open(name)
	if err != nil {
		return nil, fmt.Errorf("event log %q: %w", name, err)
	}
	return l, nil
}
