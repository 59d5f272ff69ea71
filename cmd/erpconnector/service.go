package main

import (
	"fmt"
	"io"
)

func init() {
	register("service", "install|uninstall|start|stop|status the Windows service or systemd unit", cmdService)
}

func cmdService(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: erpconnector service install|uninstall|start|stop|status [flags]")
		return exitError(2)
	}
	return serviceCommand(args[0], args[1:], stdout, stderr)
}
