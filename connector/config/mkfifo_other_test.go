//go:build !unix

package config

import "errors"

func mkfifo(p string) error { return errors.New("no FIFOs here") }
