package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"erpconnector/connector/admin"
	"erpconnector/connector/config"
	"erpconnector/connector/daemon"
	"erpconnector/connector/service"
)

func init() {
	register("run", "run the daemon in the foreground (what the service runs)", cmdRun)
}

func loadConfig(path string, stderr io.Writer) (*config.Config, error) {
	cfg, err := config.Load(path)
	var errs config.Errors
	if errors.As(err, &errs) {
		for _, e := range errs {
			fmt.Fprintln(stderr, e.Error())
		}
		return nil, exitError(1)
	}
	return cfg, err
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if service.UnderJournal() && cfg.Log.Format != "json" {
		// journald adds its own timestamps; priorities make journalctl -p work.
		return slog.New(service.NewJournalHandler(w, opts))
	}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func cmdRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", stderr)
	cfgPath := fs.String("config", "erpconnector.toml", "configuration file")
	asService := fs.Bool("service", false, "run under the Windows service manager (set by `service install`)")
	svcName := fs.String("name", service.DefaultName, "service name (with --service)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	slog.SetDefault(log)

	reload := make(chan struct{}, 1)
	notifyReload(reload)
	// Each pass runs one configuration. A reload (SIGHUP, or `erpconnector
	// reload` through the admin API) checks the new file first: a broken one
	// is refused with its problems logged, and the running one goes on.
	run := func(ctx context.Context) error {
		for {
			next, err := runOnce(ctx, cfg, log, reload, *cfgPath)
			if err != nil || next == nil {
				return err
			}
			cfg = next
			log = newLogger(cfg, stderr)
			slog.SetDefault(log)
			log.Info("configuration reloaded", "config", cfg.File)
		}
	}
	if *asService {
		return runAsService(*svcName, cfg, run)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx)
}

// runOnce runs the daemon on cfg until ctx ends (returns nil, nil) or a
// valid new configuration arrives (returns it).
func runOnce(ctx context.Context, cfg *config.Config, log *slog.Logger, reload chan struct{}, cfgPath string) (*config.Config, error) {
	d, err := daemon.New(cfg, log, daemon.Options{})
	if err != nil {
		return nil, err
	}
	defer d.Close()
	if cfg.Admin.Listen != "off" {
		ln, err := net.Listen("tcp", cfg.Admin.Listen)
		if err != nil {
			return nil, fmt.Errorf("admin listen %s: %w (is another erpconnector running?)", cfg.Admin.Listen, err)
		}
		h, err := adminHandler(d, cfg, reload)
		if err != nil {
			return nil, err
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		log.Info("admin endpoint", "url", "http://"+ln.Addr().String())
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- d.Run(runCtx) }()
	// systemd (Type=notify): ready once the store is open and the routes run;
	// the watchdog pings while this configuration runs.
	notifier := service.NewNotifier()
	notifier.Ready()
	service.MarkRunning(ctx) // Windows: report "running" to the service manager
	go notifier.Watchdog(runCtx)
	defer notifier.Stopping()
	for {
		select {
		case err := <-done:
			return nil, err
		case <-reload:
			next, err := config.Load(cfgPath)
			var errs config.Errors
			if errors.As(err, &errs) || (err == nil && len(next.CheckSecrets()) > 0) {
				if err == nil {
					errs = next.CheckSecrets()
				}
				for _, e := range errs {
					log.Error("reload refused: the new configuration has a problem; the running one is kept", "problem", e.Error())
				}
				continue
			}
			if err != nil {
				log.Error("reload refused; the running configuration is kept", "err", err)
				continue
			}
			log.Info("reloading: finishing in-flight work first")
			cancel()
			if err := <-done; err != nil {
				return nil, err
			}
			return next, nil
		}
	}
}

// adminHandler serves the admin endpoint with the operator actions of this
// daemon; the admin package guards every action (JSON only, per-process CSRF
// token, bearer token off loopback).
func adminHandler(d *daemon.Daemon, cfg *config.Config, reload chan struct{}) (http.Handler, error) {
	token := ""
	if cfg.Admin.Token.IsSet() {
		v, err := cfg.Admin.Token.Resolve()
		if err != nil {
			return nil, fmt.Errorf("admin.token: %w", err)
		}
		token = v
	}
	act := admin.Actions{
		Resolve: func(target string, submitted bool, who string) ([]string, error) {
			qs, err := daemon.Resolve(d.Store(), target, submitted, who)
			var keys []string
			for _, q := range qs {
				keys = append(keys, q.Key)
				d.Wake(q.FileID)
			}
			return keys, err
		},
		Retry: func(fileID string) error {
			if err := daemon.Retry(d.Store(), fileID, "admin API"); err != nil {
				return err
			}
			d.Wake(fileID)
			return nil
		},
		Cancel: func(target, who string) ([]string, error) { return d.Cancel(context.Background(), target, who) },
		Reload: func() error {
			select {
			case reload <- struct{}{}:
			default:
			}
			return nil
		},
		Health:     d.BankHealth,
		Routes:     d.RoutesInfo,
		Metrics:    d.Metrics(),
		AdminToken: token,
	}
	return admin.Handler(d.Store(), act), nil
}
