package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"

	"erpconnector/connector/daemon"
	"erpconnector/connector/store"
)

func init() {
	register("resolve", "settle an unknown outcome: --submitted or --not-submitted REQUEST-KEY|FILE-ID", cmdResolve)
}

func cmdResolve(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("resolve", stderr)
	cfgPath := fs.String("config", "erpconnector.toml", "configuration file")
	submitted := fs.Bool("submitted", false, "the bank has the batch (seen in internet banking)")
	notSubmitted := fs.Bool("not-submitted", false, "the bank does not have it: send the identical request again")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: erpconnector resolve --submitted|--not-submitted [--config FILE] REQUEST-KEY|FILE-ID")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *submitted == *notSubmitted {
		fs.Usage()
		return exitError(2)
	}
	cfg, err := loadConfig(*cfgPath, stderr)
	if err != nil {
		return err
	}
	who := "operator"
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	if h, err := os.Hostname(); err == nil {
		who += "@" + h
	}
	target := fs.Arg(0)
	// Through the running daemon when there is one; else on the store.
	msg, err := postAdmin(cfg, "/api/resolve", map[string]any{"target": target, "submitted": *submitted, "who": who})
	if err == nil {
		fmt.Fprintf(stdout, "resolved through the running daemon: %s", msg)
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
	qs, err := daemon.Resolve(st, target, *submitted, who)
	if err != nil {
		return err
	}
	for _, q := range qs {
		fmt.Fprintf(stdout, "%s: %s\n", q.Key, q.State)
	}
	return nil
}
