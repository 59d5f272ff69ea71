//go:build windows

package main

// notifyReload: Windows has no SIGHUP; `erpconnector reload` asks through the
// admin API.
func notifyReload(chan struct{}) {}
