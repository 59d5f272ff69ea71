//go:build !linux && !windows

package main

import (
	"errors"
	"io"
)

func serviceCommand(string, []string, io.Writer, io.Writer) error {
	return errors.New("service installation is supported on Linux (systemd) and Windows")
}
