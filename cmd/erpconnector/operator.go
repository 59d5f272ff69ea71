package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/user"
	"time"

	"erpconnector/connector/admin"
	"erpconnector/connector/config"
	"erpconnector/connector/daemon"
	"erpconnector/connector/store"
)

func init() {
	register("retry", "run a rejected file again after its cause was fixed: retry FILE-ID", cmdRetry)
	register("cancel", "ask BankIntegration to cancel payments not yet executed: cancel FILE-ID[/INDEX]", cmdCancel)
	register("reload", "make the running daemon re-read its configuration (a broken one is refused)", cmdReload)
}

// operator names the person acting, for the audit log.
func operator() string {
	who := "operator"
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	if h, err := os.Hostname(); err == nil {
		who += "@" + h
	}
	return who
}

// postAdmin sends an operator action to the running daemon, with the
// per-process CSRF token and, when configured, the admin bearer token. It
// returns errNotRunning when no daemon answers.
func postAdmin(cfg *config.Config, path string, body any) ([]byte, error) {
	if cfg.Admin.Listen == "off" {
		return nil, errNotRunning
	}
	bearer := ""
	if cfg.Admin.Token.IsSet() {
		v, err := cfg.Admin.Token.Resolve()
		if err != nil {
			return nil, fmt.Errorf("admin.token: %w", err)
		}
		bearer = v
	}
	c := &http.Client{Timeout: 60 * time.Second}
	resp, err := admin.PostAction(c, "http://"+cfg.Admin.Listen, path, body, bearer)
	if err != nil {
		return nil, errNotRunning
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s", bytes.TrimSpace(msg))
	}
	return msg, nil
}

var errNotRunning = errors.New("no running daemon answered on the admin address")

func operatorArgs(name string, args []string, stderr io.Writer) (*config.Config, string, error) {
	fs := newFlags(name, stderr)
	cfgPath := fs.String("config", "erpconnector.toml", "configuration file")
	if err := fs.Parse(args); err != nil {
		return nil, "", err
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "usage: erpconnector %s [--config FILE] TARGET\n", name)
		return nil, "", exitError(2)
	}
	cfg, err := loadConfig(*cfgPath, stderr)
	return cfg, fs.Arg(0), err
}

func cmdRetry(args []string, stdout, stderr io.Writer) error {
	cfg, id, err := operatorArgs("retry", args, stderr)
	if err != nil {
		return err
	}
	msg, err := postAdmin(cfg, "/api/retry", map[string]string{"file": id})
	if err == nil {
		fmt.Fprintf(stdout, "retried through the running daemon: %s", msg)
		return nil
	}
	if !errors.Is(err, errNotRunning) {
		return err
	}
	st, err := store.Open(cfg.Store.Path)
	if errors.Is(err, store.ErrLocked) {
		return errors.New("the daemon holds the store but its admin endpoint did not answer")
	}
	if err != nil {
		return err
	}
	defer st.Close()
	if err := daemon.Retry(st, id, operator()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s will be processed again when the daemon starts\n", id)
	return nil
}

func cmdCancel(args []string, stdout, stderr io.Writer) error {
	cfg, target, err := operatorArgs("cancel", args, stderr)
	if err != nil {
		return err
	}
	msg, err := postAdmin(cfg, "/api/cancel", map[string]string{"target": target, "who": operator()})
	if errors.Is(err, errNotRunning) {
		return errors.New("cancel needs the running daemon (it talks to the bank): start it first")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s", msg)
	return nil
}

func cmdReload(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("reload", stderr)
	cfgPath := fs.String("config", "erpconnector.toml", "configuration file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// Check first, so that the operator sees the problems here too. Secrets
	// are not read: they live in the daemon's environment, which checks them.
	cfg, err := loadConfig(*cfgPath, stderr)
	if err != nil {
		return err
	}
	msg, err := postAdmin(cfg, "/api/reload", map[string]string{})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s", msg)
	return nil
}
