//go:build windows

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"erpconnector/connector/config"
	"erpconnector/connector/service"
)

// serviceCommand manages the Windows service.
func serviceCommand(verb string, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("service "+verb, stderr)
	cfgPath := fs.String("config", "erpconnector.toml", "configuration file (its absolute path is registered)")
	name := fs.String("name", service.DefaultName, "service name")
	user := fs.String("user", "", `account the service runs as: "NT SERVICE\erpconnector" (virtual), ".\name", "DOMAIN\name"; default LocalSystem`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch verb {
	case "install":
		cfg, err := loadConfig(*cfgPath, stderr)
		if err != nil {
			return err
		}
		w := service.WindowsInstall{Name: *name, Config: *cfgPath, Account: *user,
			Password: os.Getenv("ERPCONNECTOR_SERVICE_PASSWORD")} // never a flag: it would show in the process list
		if w, err = w.WithDefaults(filepath.Abs); err != nil {
			return err
		}
		for _, warn := range append(service.CheckPathsForService(cfg), service.CheckAccountForShares(cfg, w.Account)...) {
			fmt.Fprintln(stderr, "warning:", warn)
		}
		if err := service.Install(w); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "installed service %s (%s), starting automatically (delayed) at boot\n", w.Name, w.CommandLine())
		return nil
	case "uninstall":
		return service.Uninstall(*name)
	case "start":
		return service.Start(*name)
	case "stop":
		return service.Stop(*name)
	case "status":
		st, err := service.Status(*name)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, st)
		return nil
	}
	return fmt.Errorf("unknown service command %q", verb)
}

// runAsService runs under the service manager: logs go to a rotating file
// next to the store and, from warnings up, to the Windows event log (a
// service has no console).
func runAsService(name string, cfg *config.Config, run func(context.Context) error) error {
	if ok, err := service.IsWindowsService(); err != nil || !ok {
		return fmt.Errorf("--service: not started by the Windows service manager (%v)", err)
	}
	f, err := service.OpenRotatingFile(filepath.Join(filepath.Dir(cfg.Store.Path), "erpconnector.log"), service.DefaultLogMaxSize, service.DefaultLogKeep)
	if err != nil {
		return err
	}
	defer f.Close()
	var level slog.Level
	level.UnmarshalText([]byte(cfg.Log.Level))
	handlers := []slog.Handler{slog.NewTextHandler(f, &slog.HandlerOptions{Level: level})}
	if el, err := service.OpenEventLog(name); err == nil {
		defer el.Close()
		handlers = append(handlers, service.NewEventLogHandler(el, nil))
	}
	log := slog.New(slog.NewMultiHandler(handlers...))
	slog.SetDefault(log)
	return service.RunService(name, run, log)
}
