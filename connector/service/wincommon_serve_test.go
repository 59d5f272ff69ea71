package service

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

// harness runs serve against fake SCM channels.
type harness struct {
	t       *testing.T
	cmds    chan ctrlCmd
	reports chan ctrlStatus
	exit    chan uint32
}

var fastTiming = ctrlTiming{
	tick: 2 * time.Millisecond, waitHint: 10 * time.Second, startGrace: time.Hour,
	stop: time.Hour, preShutdown: time.Hour, shutd: time.Hour,
}

func startServe(t *testing.T, run func(context.Context) error, tm ctrlTiming) *harness {
	h := &harness{t: t, cmds: make(chan ctrlCmd), reports: make(chan ctrlStatus, 1000), exit: make(chan uint32, 1)}
	go func() {
		h.exit <- serve(run, h.cmds, func(s ctrlStatus) { h.reports <- s }, slog.New(slog.DiscardHandler), tm)
	}()
	return h
}

const guard = 10 * time.Second // only against hangs; nothing asserts timing

// next returns the next report that is not a repeated pending checkpoint of
// the same state, checking that checkpoints only grow.
func (h *harness) waitState(state uint32) ctrlStatus {
	h.t.Helper()
	var last ctrlStatus
	for {
		select {
		case s := <-h.reports:
			if s.State == last.State && s.CheckPoint < last.CheckPoint {
				h.t.Fatalf("checkpoint went back: %+v after %+v", s, last)
			}
			if s.State == state {
				return s
			}
			if s.State == stateRunning && state == stateStartPending {
				h.t.Fatalf("Running reported while waiting for %s", StateName(state))
			}
			last = s
		case <-time.After(guard):
			h.t.Fatalf("no %s report", StateName(state))
		}
	}
}

func (h *harness) send(c ctrlCmd) {
	h.t.Helper()
	select {
	case h.cmds <- c:
	case <-time.After(guard):
		h.t.Fatalf("serve does not read control %s", c)
	}
}

func (h *harness) result() uint32 {
	h.t.Helper()
	select {
	case c := <-h.exit:
		return c
	case <-time.After(guard):
		h.t.Fatal("serve did not return")
	}
	return 0
}

func TestServeRunningOnlyAfterMarkRunning(t *testing.T) {
	release := make(chan struct{})
	canceled := make(chan struct{})
	h := startServe(t, func(ctx context.Context) error {
		<-release // the store is being opened…
		MarkRunning(ctx)
		MarkRunning(ctx) // harmless twice
		<-ctx.Done()
		close(canceled)
		return ctx.Err() // a clean stop returns context.Canceled
	}, fastTiming)

	first := <-h.reports
	if first.State != stateStartPending || first.AcceptStop || first.WaitHint <= 0 {
		t.Fatalf("first report = %+v, want StartPending without accepted controls", first)
	}
	// While starting, the checkpoint grows and Running is not reported.
	for i := 0; i < 5; i++ {
		s := <-h.reports
		if s.State != stateStartPending || s.CheckPoint <= first.CheckPoint {
			t.Fatalf("while starting: %+v", s)
		}
		first = s
	}
	close(release)
	run := h.waitState(stateRunning)
	if !run.AcceptStop {
		t.Fatal("Running must accept Stop, Shutdown and PreShutdown")
	}
	h.send(ctrlInterrogate)
	h.send(ctrlOther)
	h.send(ctrlStop)
	sp := h.waitState(stateStopPending)
	if sp.AcceptStop || sp.WaitHint <= 0 {
		t.Errorf("StopPending = %+v", sp)
	}
	<-canceled
	if code := h.result(); code != ExitOK {
		t.Errorf("exit code = %d after a requested stop", code)
	}
}

func TestServeInterrogateEchoesState(t *testing.T) {
	h := startServe(t, func(ctx context.Context) error {
		MarkRunning(ctx)
		<-ctx.Done()
		return nil
	}, ctrlTiming{tick: time.Hour, waitHint: time.Second, startGrace: time.Hour, stop: time.Hour, preShutdown: time.Hour, shutd: time.Hour})
	h.waitState(stateRunning)
	h.send(ctrlInterrogate)
	if s := h.waitState(stateRunning); !s.AcceptStop {
		t.Errorf("interrogate answer = %+v", s)
	}
	h.send(ctrlPreShutdown)
	h.waitState(stateStopPending)
	if code := h.result(); code != ExitOK {
		t.Errorf("exit = %d", code)
	}
}

func TestServeStartGrace(t *testing.T) {
	tm := fastTiming
	tm.startGrace = 20 * time.Millisecond
	h := startServe(t, func(ctx context.Context) error { <-ctx.Done(); return nil }, tm)
	h.waitState(stateRunning) // without MarkRunning
	h.send(ctrlShutdown)
	if code := h.result(); code != ExitOK {
		t.Errorf("exit = %d", code)
	}
}

func TestServeFailures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		run     func(context.Context) error
		want    uint32
		running bool
	}{
		{"fails while starting", func(ctx context.Context) error { return errors.New("store locked") }, ExitFailed, false},
		{"panics", func(ctx context.Context) error { panic("boom") }, ExitFailed, false},
		{"fails after start", func(ctx context.Context) error {
			MarkRunning(ctx)
			time.Sleep(10 * time.Millisecond)
			return errors.New("disk full")
		}, ExitFailed, true},
		{"returns nil unasked", func(ctx context.Context) error { MarkRunning(ctx); return nil }, ExitUnexpected, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := startServe(t, tc.run, fastTiming)
			code := h.result()
			if code != tc.want {
				t.Errorf("exit = %d, want %d (non-zero makes Windows apply the recovery actions)", code, tc.want)
			}
			sawRunning := false
			for len(h.reports) > 0 {
				if (<-h.reports).State == stateRunning {
					sawRunning = true
				}
			}
			if sawRunning != tc.running {
				t.Errorf("Running reported = %v, want %v", sawRunning, tc.running)
			}
		})
	}
}

// A daemon that does not stop in time is abandoned after the deadline of
// the control that stopped it: Shutdown has the shortest.
func TestServeStopDeadlinePerControl(t *testing.T) {
	for _, c := range []ctrlCmd{ctrlStop, ctrlShutdown, ctrlPreShutdown} {
		t.Run(c.String(), func(t *testing.T) {
			tm := fastTiming // every deadline an hour …
			switch c {       // … except the one that must be used
			case ctrlStop:
				tm.stop = 30 * time.Millisecond
			case ctrlShutdown:
				tm.shutd = 30 * time.Millisecond
			case ctrlPreShutdown:
				tm.preShutdown = 30 * time.Millisecond
			}
			stuck := make(chan struct{})
			defer close(stuck)
			h := startServe(t, func(ctx context.Context) error { MarkRunning(ctx); <-stuck; return nil }, tm)
			h.waitState(stateRunning)
			h.send(c)
			first := h.waitState(stateStopPending)
			// Checkpoints keep growing while waiting, so the SCM waits.
			second := h.waitState(stateStopPending)
			if second.CheckPoint <= first.CheckPoint {
				t.Errorf("checkpoint did not grow: %d then %d", first.CheckPoint, second.CheckPoint)
			}
			if code := h.result(); code != ExitOK {
				t.Errorf("a requested stop must exit 0 (no recovery restart), got %d", code)
			}
		})
	}
}

func TestMarkRunningOutsideService(t *testing.T) {
	MarkRunning(context.Background()) // must not panic
}

func TestDeadlines(t *testing.T) {
	// Shutdown without PreShutdown gets WaitToKillServiceTimeout (5 s) in
	// all; PreShutdown must stay below PreshutdownTimeout (180 s).
	if ShutdownDeadline >= 5*time.Second || PreShutdownDeadline >= 180*time.Second || StopDeadline <= 0 {
		t.Errorf("deadlines %s %s %s do not fit Windows' limits", ShutdownDeadline, PreShutdownDeadline, StopDeadline)
	}
	if defaultTiming.deadline(ctrlShutdown) != ShutdownDeadline || defaultTiming.deadline(ctrlPreShutdown) != PreShutdownDeadline ||
		defaultTiming.deadline(ctrlStop) != StopDeadline {
		t.Error("defaultTiming does not use the documented deadlines")
	}
	if defaultTiming.waitHint <= defaultTiming.tick {
		t.Error("the wait hint must exceed the checkpoint interval, or the SCM thinks the service hung")
	}
}
