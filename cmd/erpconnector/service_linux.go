//go:build linux

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"

	"erpconnector/connector/service"
)

// serviceCommand manages the systemd unit.
func serviceCommand(verb string, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("service "+verb, stderr)
	cfgPath := fs.String("config", "erpconnector.toml", "configuration file (its absolute path goes into the unit)")
	name := fs.String("name", service.DefaultName, "unit name")
	user := fs.String("user", service.DefaultUser, "dedicated system user the service runs as")
	print := fs.Bool("print", false, "print the unit instead of installing it")
	root := fs.String("root", "/", "install into this root (a test or image build); systemctl is then run with --root")
	if err := fs.Parse(args); err != nil {
		return err
	}
	systemctl := func(name string, args ...string) error {
		cmd := exec.Command(name, args...)
		cmd.Stdout, cmd.Stderr = stdout, stderr
		return cmd.Run()
	}
	switch verb {
	case "install":
		cfg, err := loadConfig(*cfgPath, stderr)
		if err != nil {
			return err
		}
		bin, err := os.Executable()
		if err != nil {
			return err
		}
		unit, err := service.SystemdUnit(service.UnitOptions{Binary: bin, Config: cfg.File, User: *user,
			ReadWritePaths: service.ReadWritePaths(cfg)})
		if err != nil {
			return err
		}
		if *print {
			_, err := io.WriteString(stdout, unit)
			return err
		}
		// systemd refuses to start a unit whose ReadWritePaths are missing,
		// and ProtectSystem=strict keeps the service from creating them.
		for _, p := range service.MissingPaths(*root, service.ReadWritePaths(cfg)) {
			if *root != "/" {
				fmt.Fprintf(stdout, "note: %s does not exist yet; create it on the target system\n", p)
				continue
			}
			if err := os.MkdirAll(p, 0o750); err != nil {
				return fmt.Errorf("creating %s: %w", p, err)
			}
			fmt.Fprintf(stdout, "created %s: give it to the service user (chown %s %s)\n", p, *user, p)
		}
		if err := service.InstallSystemd(*root, unit, *name, systemctl); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "installed %s\n", service.UnitPath(*root, *name))
		fmt.Fprintf(stdout, "the service runs as %q: create it first if needed (useradd --system --no-create-home %s)\n", *user, *user)
		return nil
	case "uninstall":
		_ = systemctl("systemctl", "disable", "--now", *name+".service")
		if err := os.Remove(service.UnitPath(*root, *name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return systemctl("systemctl", "daemon-reload")
	case "start", "stop", "status":
		return systemctl("systemctl", verb, *name+".service")
	}
	return fmt.Errorf("unknown service command %q", verb)
}
