package main

import (
	"errors"
	"fmt"
	"io"

	"erpconnector/connector/config"
	"erpconnector/connector/daemon"
)

func init() {
	register("check-config", "check the configuration file and print every problem", cmdCheckConfig)
}

func cmdCheckConfig(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check-config", stderr)
	cfgPath := fs.String("config", "erpconnector.toml", "configuration file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath)
	var errs config.Errors
	if err == nil {
		errs = cfg.CheckSecrets()
		errs = append(errs, daemon.CheckSFTP(cfg)...)
	}
	if errors.As(err, &errs) || len(errs) > 0 {
		for _, e := range errs {
			fmt.Fprintln(stderr, e.Error())
		}
		fmt.Fprintf(stderr, "%d problem(s)\n", len(errs))
		return exitError(1)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok\n", *cfgPath)
	return nil
}
