//go:build unix

package service

import (
	"fmt"
	"os"
	"syscall"
	"testing"
)

func stderrID(t *testing.T) (string, bool) {
	fi, err := os.Stderr.Stat()
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("%d:%d", st.Dev, st.Ino), true
}
