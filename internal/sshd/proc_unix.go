//go:build !windows

package sshd

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

func procGroup() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// killTree kills pid, its process group, and every descendant (sshd's
// per-connection processes start their own sessions).
func killTree(pid int) {
	for _, c := range children(pid) {
		killTree(c)
	}
	syscall.Kill(-pid, syscall.SIGKILL)
	syscall.Kill(pid, syscall.SIGKILL)
}

func children(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, st := range stats {
		b, err := os.ReadFile(st)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may contain spaces; split after ')'.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			c, _ := strconv.Atoi(filepath.Base(filepath.Dir(st)))
			out = append(out, c)
		}
	}
	return out
}
