//go:build windows

package fsutil

import (
	"errors"
	"syscall"

	"golang.org/x/sys/windows"
)

// retryable: ERROR_SHARING_VIOLATION and ERROR_ACCESS_DENIED are what a
// scanner holding the file open produces (golang/go#32188).
func retryable(err error) bool {
	return errors.Is(err, windows.ERROR_SHARING_VIOLATION) || errors.Is(err, windows.ERROR_ACCESS_DENIED) ||
		errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}

// crossDevice: ERROR_NOT_SAME_DEVICE.
func crossDevice(err error) bool { return errors.Is(err, syscall.Errno(windows.ERROR_NOT_SAME_DEVICE)) }
