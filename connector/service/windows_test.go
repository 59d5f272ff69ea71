//go:build windows

package service

import (
	"testing"

	"golang.org/x/sys/windows/svc/mgr"
)

func TestToMgrActions(t *testing.T) {
	got := toMgrActions(RecoveryActions())
	if len(got) != 3 {
		t.Fatalf("%d actions", len(got))
	}
	for i, a := range got {
		if a.Type != mgr.ServiceRestart || a.Delay != RecoveryActions()[i].Delay {
			t.Errorf("action %d = %+v", i, a)
		}
	}
	if int(RecoveryNone) != mgr.NoAction || int(RecoveryReboot) != mgr.ComputerReboot || int(RecoveryCommand) != mgr.RunCommand {
		t.Error("RecoveryKind values differ from mgr's")
	}
}
