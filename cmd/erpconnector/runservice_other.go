//go:build !windows

package main

import (
	"context"
	"errors"

	"erpconnector/connector/config"
)

// runAsService: only Windows has a service manager that starts programs this
// way; systemd runs `erpconnector run` directly (Type=notify).
func runAsService(string, *config.Config, func(context.Context) error) error {
	return errors.New("--service is for the Windows service manager; under systemd run without it")
}
