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
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func cmdRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", stderr)
	cfgPath := fs.String("config", "erpconnector.toml", "configuration file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	slog.SetDefault(log)
	d, err := daemon.New(cfg, log, daemon.Options{})
	if err != nil {
		return err
	}
	defer d.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if cfg.Admin.Listen != "off" {
		ln, err := net.Listen("tcp", cfg.Admin.Listen)
		if err != nil {
			return fmt.Errorf("admin listen %s: %w (is another erpconnector running?)", cfg.Admin.Listen, err)
		}
		act := admin.Actions{Resolve: func(target string, submitted bool, who string) ([]string, error) {
			qs, err := daemon.Resolve(d.Store(), target, submitted, who)
			var keys []string
			for _, q := range qs {
				keys = append(keys, q.Key)
				d.Wake(q.FileID)
			}
			return keys, err
		}, Health: d.BankHealth}
		srv := &http.Server{Handler: admin.Handler(d.Store(), act), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		log.Info("admin endpoint", "url", "http://"+ln.Addr().String())
	}
	return d.Run(ctx)
}
