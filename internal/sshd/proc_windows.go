package sshd

import (
	"os"
	"syscall"
)

func procGroup() *syscall.SysProcAttr { return nil }

func killTree(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill()
	}
}
