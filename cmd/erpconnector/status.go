package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"erpconnector/connector/admin"
	"erpconnector/connector/daemon"
	"erpconnector/connector/store"
)

func init() {
	register("status", "show files and payments with their states", cmdStatus)
}

func cmdStatus(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("status", stderr)
	cfgPath := fs.String("config", "erpconnector.toml", "configuration file")
	limit := fs.Int("n", 20, "number of recent files to show")
	asJSON := fs.Bool("json", false, "print JSON")
	fileID := fs.String("file", "", "show every payment of this file ID")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, stderr)
	if err != nil {
		return err
	}
	n := *limit
	if *fileID != "" {
		n = 100000
	}
	s, err := statusFromDaemon(cfg.Admin.Listen, n, *fileID != "")
	if err != nil {
		// Not running (or admin off): read the store directly. A running
		// daemon holds the store's lock, and this fails fast rather than wait.
		st, oerr := store.Open(cfg.Store.Path)
		if oerr != nil {
			if errors.Is(oerr, store.ErrLocked) {
				return fmt.Errorf("the daemon holds the store but its admin endpoint did not answer (%v)", err)
			}
			return oerr
		}
		defer st.Close()
		if s, err = admin.Snapshot(st, n, *fileID != ""); err != nil {
			return err
		}
		s.Source = "store"
	}
	if *fileID != "" {
		var keep []admin.FileStatus
		for _, f := range s.Files {
			if f.ID == *fileID {
				keep = append(keep, f)
			}
		}
		if len(keep) == 0 {
			return fmt.Errorf("no file %s", *fileID)
		}
		s.Files = keep
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	printStatus(stdout, s, *fileID != "")
	return nil
}

func statusFromDaemon(listen string, limit int, payments bool) (*admin.Status, error) {
	if listen == "off" {
		return nil, errors.New("admin endpoint is off")
	}
	c := &http.Client{Timeout: 5 * time.Second}
	url := fmt.Sprintf("http://%s/api/status?limit=%d", listen, limit)
	if payments {
		url += "&payments=1"
	}
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("admin endpoint: %s", resp.Status)
	}
	var s admin.Status
	return &s, json.NewDecoder(resp.Body).Decode(&s)
}

func printStatus(w io.Writer, s *admin.Status, detail bool) {
	fmt.Fprintf(w, "erpconnector status (from the %s, %s)\n\n", s.Source, s.Time.Local().Format("2006-01-02 15:04:05"))
	if len(s.Files) == 0 {
		fmt.Fprintln(w, "no files yet")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tROUTE\tNAME\tSTATE\tPAYMENTS\tTOTAL\tRECEIVED")
	for _, f := range s.Files {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.ID, f.Route, f.Name, f.State, paymentSummary(f),
			strings.Join(f.Totals, " + "), f.Received.Local().Format("2006-01-02 15:04:05"))
	}
	tw.Flush()
	printBanksAndStatements(w, s)
	for _, f := range s.Files {
		var notes []string
		switch {
		case f.DuplicateOf != "":
			notes = append(notes, "duplicate of "+f.DuplicateOf)
		case len(f.Problems) > 0:
			notes = append(notes, f.Problems...)
		}
		for _, q := range f.Requests {
			if q.LastError != "" {
				notes = append(notes, fmt.Sprintf("request %s %s (attempt %d): %s", q.Key, q.State, q.Attempts, q.LastError))
			}
		}
		if len(notes) > 0 {
			fmt.Fprintf(w, "\n%s %s:\n", f.ID, f.Name)
			for _, n := range notes {
				fmt.Fprintf(w, "  %s\n", n)
			}
		}
		if detail {
			fmt.Fprintf(w, "\n%s payments:\n", f.ID)
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "  #\tPAYMENT ID\tAMOUNT\tDATE\tCREDITOR\tSTATE\tREASON")
			for _, p := range f.Payments {
				fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Index, p.PaymentID, formatAmount(p.Minor, p.Currency), p.Date,
					p.Creditor, p.State, strings.TrimSpace(p.ReasonCode+" "+p.ReasonText))
			}
			tw.Flush()
		}
	}
}

func printBanksAndStatements(w io.Writer, s *admin.Status) {
	for _, b := range s.Banks {
		switch {
		case b.NeedsReauth || !b.Authorized:
			fmt.Fprintf(w, "\nbank %s: re-authorisation needed (%s): run erpconnector kb authorize\n", b.Bank, b.Reason)
		case b.ExpiresSoon:
			fmt.Fprintf(w, "\nbank %s: authorisation expires %s: renew it with erpconnector kb authorize\n", b.Bank, b.RefreshExpiry.Format("2006-01-02"))
		default:
			fmt.Fprintf(w, "\nbank %s: authorised until %s\n", b.Bank, b.RefreshExpiry.Format("2006-01-02"))
		}
	}
	if len(s.Statements) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATEMENT\tLAST RUN\tNEXT RUN\tCOVERED TO\tSTATEMENTS\tENTRIES\tBALANCE\tERROR")
	for _, raw := range s.Statements {
		var c daemon.StmtCursor
		if json.Unmarshal(raw, &c) != nil {
			continue
		}
		when := func(t time.Time) string {
			if t.IsZero() {
				return "-"
			}
			return t.Local().Format("01-02 15:04:05")
		}
		fmt.Fprintf(tw, "%s/%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", c.Bank, c.Account, when(c.LastRun), when(c.NextRun), c.LastTo,
			c.Seq, c.Written, formatAmount(c.Closing, c.Currency), c.LastError)
	}
	tw.Flush()
}

func paymentSummary(f admin.FileStatus) string {
	if len(f.PaymentStates) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(f.PaymentStates))
	for k := range f.PaymentStates {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", f.PaymentStates[k], k)
	}
	return strings.Join(parts, ", ")
}
