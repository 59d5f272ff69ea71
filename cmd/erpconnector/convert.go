package main

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"erpconnector/connector/config"
	"erpconnector/formats"
	"erpconnector/formats/abo"
	"erpconnector/formats/csvpay"
	"erpconnector/formats/input"
	"erpconnector/formats/plan"
	"erpconnector/formats/validate"
)

func init() {
	register("convert", "print the exact bank requests for payment files; nothing is sent", cmdConvert)
}

func cmdConvert(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("convert", stderr)
	to := fs.String("to", "", "target bank API: kb or bankintegration (required)")
	from := fs.String("from", "auto", "input format: auto, pain.001, abo, csv or json")
	cfgPath := fs.String("config", "", "configuration file for CSV mappings, route and bank options")
	routeName := fs.String("route", "", "take input and bank options from this route of --config")
	csvName := fs.String("csv", "", "CSV mapping name ([csv.NAME] in --config); default: the only one defined")
	encoding := fs.String("encoding", "", "ABO/KPC encoding: windows-1250 (default), cp852, utf-8")
	today := fs.String("today", "", "validate execution dates against this date (YYYY-MM-DD) instead of today")
	pastDates := fs.String("past-dates", "", "past execution dates: reject (default) or today")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: erpconnector convert --to kb|bankintegration [flags] FILE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *to == "" || fs.NArg() == 0 {
		fs.Usage()
		return exitError(2)
	}
	bank, err := plan.ParseBank(*to)
	if err != nil {
		return err
	}
	opts, inOpts, err := convertOptions(bank, *cfgPath, *routeName, *csvName, *encoding, *pastDates, *today)
	if err != nil {
		return err
	}
	format := input.Format(*from)

	out := []plan.Request{}
	failed := false
	for _, file := range fs.Args() {
		reqs, problems, err := convertFile(file, format, inOpts, opts)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", file, err)
			failed = true
			continue
		}
		if problems.Len() > 0 {
			for _, p := range problems.List() {
				fmt.Fprintln(stderr, p.Format(file))
			}
			if n := problems.Dropped(); n > 0 {
				fmt.Fprintf(stderr, "%s: %d more problems not shown\n", file, n)
			}
			failed = true
			continue
		}
		out = append(out, reqs...)
	}
	if failed {
		// A partial result would invite sending half a batch: print nothing.
		return exitError(1)
	}
	// Bodies are shown exactly: no HTML escaping of <, > and & (FIK lines
	// such as "+71<…+…<" would otherwise read as \u003c).
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func convertFile(file string, format input.Format, inOpts input.Options, opts plan.Options) ([]plan.Request, *formats.Problems, error) {
	content, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, err
	}
	src := plan.Source{SHA256: sha256.Sum256(content), Name: filepath.Base(file)}
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	rd, _, err := input.Open(format, f, inOpts)
	if err != nil {
		return nil, nil, err
	}
	res, err := plan.Run(rd, src, opts, nil)
	if err != nil {
		return nil, nil, err
	}
	return res.Requests, &res.Problems, nil
}

// convertOptions merges defaults, the optional config file and flags.
func convertOptions(bank plan.Bank, cfgPath, routeName, csvName, encoding, pastDates, today string) (plan.Options, input.Options, error) {
	opts := plan.Options{Bank: bank}
	var inOpts input.Options
	day := formats.DateOf(time.Now())
	if today != "" {
		d, err := formats.ParseDate("2006-01-02", today)
		if err != nil {
			return opts, inOpts, fmt.Errorf("--today: %v", err)
		}
		day = d
	}
	opts.Validate = validate.Rules{Today: day}

	var cfg *config.Config
	var route *config.Route
	var bankCfg *config.Bank
	if cfgPath != "" {
		c, err := config.Load(cfgPath)
		var errs config.Errors
		if errors.As(err, &errs) {
			return opts, inOpts, fmt.Errorf("the configuration has problems (run check-config):\n%v", errs)
		}
		if err != nil {
			return opts, inOpts, err
		}
		cfg = c
	}
	if routeName != "" {
		if cfg == nil {
			return opts, inOpts, errors.New("--route needs --config")
		}
		r, ok := cfg.Route(routeName)
		if !ok {
			return opts, inOpts, fmt.Errorf("--route: no route %q in %s", routeName, cfg.File)
		}
		route = r
		bankCfg, _ = cfg.Bank(r.Bank)
	} else if cfg != nil {
		for i := range cfg.Banks {
			if cfg.Banks[i].Kind == string(bank) {
				bankCfg = &cfg.Banks[i]
				break
			}
		}
	}
	if route != nil {
		if csvName == "" {
			csvName = route.CSV
		}
		if encoding == "" {
			encoding = route.Encoding
		}
		if pastDates == "" {
			pastDates = route.PastDates
		}
		if route.DebtorAccount != "" {
			inOpts.BIDebtor = debtorAccount(route.DebtorAccount)
		}
	}
	if cfg != nil && len(cfg.CSV) > 0 {
		if csvName == "" && len(cfg.CSV) == 1 {
			for n := range cfg.CSV {
				csvName = n
			}
		}
		if csvName != "" {
			m, ok := cfg.CSV[csvName]
			if !ok {
				names := make([]string, 0, len(cfg.CSV))
				for n := range cfg.CSV {
					names = append(names, n)
				}
				sort.Strings(names)
				return opts, inOpts, fmt.Errorf("no CSV mapping %q in %s (have %v)", csvName, cfg.File, names)
			}
			inOpts.CSV = &m
		}
	} else if csvName != "" {
		return opts, inOpts, errors.New("--csv needs --config with [csv.NAME] mappings")
	}
	if encoding != "" {
		e, err := abo.ParseEncoding(encoding)
		if err != nil {
			return opts, inOpts, err
		}
		inOpts.ABOEncoding = e
	}
	switch pastDates {
	case "", "reject":
		opts.Validate.PastDates = validate.RejectPast
	case "today":
		opts.Validate.PastDates = validate.MoveToToday
	default:
		return opts, inOpts, fmt.Errorf("--past-dates: %q is not reject or today", pastDates)
	}
	applyBankOptions(&opts, bankCfg)
	return opts, inOpts, nil
}

// applyBankOptions copies what the encoders need from a [[bank]] block.
func applyBankOptions(opts *plan.Options, b *config.Bank) {
	opts.KB.MaxItems = 100
	opts.KB.ProcessingMode = "ONLINE"
	opts.KB.EndToEndFromInstruction = true // as the daemon sends it
	opts.BI.ERP = "erpconnector"
	opts.BI.MaxTransactions = 500
	if b == nil {
		return
	}
	opts.KB.MaxItems = b.MaxItems
	opts.KB.ProcessingMode = b.ProcessingMode
	if b.ERP != "" {
		opts.BI.ERP = b.ERP
	}
	opts.BI.MaxTransactions = b.MaxTransactions
}

// debtorAccount reads a route's debtor_account: an IBAN or a domestic number.
func debtorAccount(s string) formats.Account {
	if len(s) > 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' {
		return formats.Account{IBAN: s}
	}
	return formats.Account{Number: s, Country: "DK"}
}

var _ = csvpay.Mapping{}
