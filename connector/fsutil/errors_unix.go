//go:build !windows

package fsutil

import (
	"errors"
	"syscall"
)

func retryable(error) bool { return false }

func crossDevice(err error) bool { return errors.Is(err, syscall.EXDEV) }
