//go:build !windows

package main

import (
	"os"
	"os/signal"
	"syscall"
)

// notifyReload turns SIGHUP into a reload request.
func notifyReload(reload chan struct{}) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGHUP)
	go func() {
		for range c {
			select {
			case reload <- struct{}{}:
			default:
			}
		}
	}()
}
