//go:build unix

package service

import (
	"fmt"
	"os"
	"syscall"
)

// sameStream compares "device:inode" with f's.
func sameStream(devIno string, f *os.File) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	return devIno == fmt.Sprintf("%d:%d", st.Dev, st.Ino)
}
