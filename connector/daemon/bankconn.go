package daemon

import (
	"erpconnector/connector/bank"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"erpconnector/connector/bank/bankintegration"
	"erpconnector/connector/config"
	"erpconnector/connector/folder"
	"erpconnector/connector/sandbox"
	"erpconnector/connector/sandbox/bisim"
	"erpconnector/formats"
	"erpconnector/formats/abo"
	"erpconnector/formats/account"
	"erpconnector/formats/bijson"
	"erpconnector/formats/input"
	"erpconnector/formats/kbjson"
	"erpconnector/formats/plan"
)

// bankConn is one configured bank with its client.
type bankConn struct {
	cfg *config.Bank
	url string
	bi  *bankintegration.Client
	kb  *kbConn

	// pausedUntil: the bank answered 429/503 with a Retry-After; no call of
	// any kind goes to it before then.
	mu          sync.Mutex
	pausedUntil time.Time
}

// paused reports until when the bank asked us to wait, if that is after now.
func (b *bankConn) paused(now time.Time) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.pausedUntil, b.pausedUntil.After(now)
}

// after is when a call that failed with err may be tried again: base from
// now, or later if the bank said so in a Retry-After, which then holds back
// every other call to this bank too.
func (b *bankConn) after(now time.Time, base time.Duration, err error) time.Time {
	t := now.Add(base)
	if ra := bank.RetryAfter(err); ra > 0 {
		until := now.Add(ra)
		b.mu.Lock()
		if until.After(b.pausedUntil) {
			b.pausedUntil = until
		}
		b.mu.Unlock()
		t = notBefore(t, until)
	}
	return t
}

func (d *Daemon) connectBank(b *config.Bank) (*bankConn, error) {
	c := &bankConn{cfg: b, url: b.URL}
	switch b.Kind {
	case config.KindBankIntegration:
		cl := &bankintegration.Client{HTTP: httpClient(b.Timeout.Duration), ERP: b.ERP, Codes: map[string]string{}, Now: d.opts.Now}
		if b.URL == config.SandboxURL {
			simCfg := sandbox.BIConfig()
			simCfg.ERPs = map[string]string{b.ERP: sandbox.BIAPIKey}
			simCfg.StepAfter = b.Sandbox.StepAfter.Duration
			simCfg.ApprovalRequired = b.Sandbox.Approval
			simCfg.StatePath = filepath.Join(filepath.Dir(d.cfg.Store.Path), "sandbox-"+b.Name+".json")
			listen := b.Sandbox.Listen
			if listen == "" {
				listen = "127.0.0.1:0"
			}
			run, err := bisim.Start(listen, simCfg)
			if err != nil {
				return nil, fmt.Errorf("starting the BankIntegration sandbox: %w", err)
			}
			d.closer = append(d.closer, run.Close)
			c.url = run.URL
			cl.APIKey = sandbox.BIAPIKey
			for _, a := range sandbox.BIAccounts {
				cl.Codes[a.BBAN] = a.IntegrationCode
			}
			d.log.Info("BankIntegration sandbox started", "bank", b.Name, "url", run.URL, "control", run.URL+"/_sim/ledger")
		}
		if b.APIKey.IsSet() {
			key, err := b.APIKey.Resolve()
			if err != nil {
				return nil, fmt.Errorf("api_key: %w", err)
			}
			cl.APIKey = key
		}
		for _, a := range b.Accounts {
			bban, err := biAccount(a.Number)
			if err != nil {
				return nil, fmt.Errorf("account %s: %w", a.Number, err)
			}
			if !a.IntegrationCode.IsSet() {
				if code, ok := sandbox.BICode(bban); ok && b.URL == config.SandboxURL {
					cl.Codes[bban] = code
					continue
				}
				return nil, fmt.Errorf("account %s: integration_code is missing", a.Number)
			}
			code, err := a.IntegrationCode.Resolve()
			if err != nil {
				return nil, fmt.Errorf("account %s: integration_code: %w", a.Number, err)
			}
			cl.Codes[bban] = code
		}
		cl.BaseURL = c.url
		c.bi = cl
	case config.KindKB:
		k, url, err := d.connectKB(b)
		if err != nil {
			return nil, err
		}
		c.kb, c.url = k, url
	}
	return c, nil
}

// biAccount normalises a configured BankIntegration account to the 14-digit BBAN.
func biAccount(s string) (string, error) {
	if n := account.NormalizeIBAN(s); len(n) > 2 && n[0] >= 'A' && n[0] <= 'Z' {
		return account.DKFromIBAN(n)
	}
	return account.ParseDK(s)
}

// pollEvery is how often a bank's payment states are asked for.
func (d *Daemon) pollEvery(bankName string) time.Duration {
	if b := d.banks[bankName]; b != nil {
		return b.cfg.PollEvery.Duration
	}
	return 30 * time.Second
}

func (d *Daemon) newRoute(rc *config.Route) (*route, error) {
	r := &route{cfg: rc, format: input.Format(rc.Format)}
	r.bank = d.banks[rc.Bank]
	if r.bank == nil {
		return nil, fmt.Errorf("bank %q is not configured", rc.Bank)
	}
	var err error
	if r.inbox, err = d.openFolder(rc.Inbox, true); err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	if r.outbox, err = d.openFolder(rc.Outbox, true); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	if r.archive, err = d.openFolder(rc.Archive, false); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if r.errDir, err = d.openFolder(rc.Error, false); err != nil {
		return nil, fmt.Errorf("error: %w", err)
	}
	r.work = r.inbox
	if r.remote = sftpServer(r.inbox); r.remote != nil && !r.remote.NoRename {
		r.work = r.inbox.(*folder.SFTP).Sub("processing")
	}
	if r.remote != nil && r.remote.ReadOnce {
		r.held = &folder.Local{Dir: filepath.Join(d.spool.Dir, "held", rc.Name)}
	}
	r.settler = folder.Settler{Settle: rc.Settle.Duration, Ignore: append(rc.Ignore, "*.error.txt"), Marker: rc.ReadyMarker}
	planOptions(r)
	switch r.bank.cfg.Kind {
	case config.KindBankIntegration:
		r.planOpts.Bank = plan.BankIntegration
		o := bijson.DefaultOptions(r.bank.cfg.ERP)
		o.MaxTransactions = r.bank.cfg.MaxTransactions
		o.RequestOptions.MoveToNextBankDate = r.bank.cfg.MoveToNextBankDate
		o.RequireBICForIBAN = !r.bank.cfg.AllowIBANWithoutBIC
		r.planOpts.BI = o
	case config.KindKB:
		r.planOpts.Bank = plan.KB
		r.planOpts.KB = kbjson.Options{MaxItems: r.bank.cfg.MaxItems, ProcessingMode: r.bank.cfg.ProcessingMode, EndToEndFromInstruction: true}
	}
	if rc.Format == "csv" || rc.CSV != "" {
		m, ok := d.cfg.CSV[rc.CSV]
		if !ok {
			return nil, fmt.Errorf("csv mapping %q is not defined", rc.CSV)
		}
		r.inOpts.CSV = &m
	}
	if r.inOpts.ABOEncoding, err = abo.ParseEncoding(rc.Encoding); err != nil {
		return nil, err
	}
	if rc.DebtorAccount != "" {
		if bban, err := biAccount(rc.DebtorAccount); err == nil {
			r.inOpts.BIDebtor = formats.Account{Number: bban, Country: "DK"}
		} else {
			r.inOpts.BIDebtor = formats.Account{IBAN: account.NormalizeIBAN(rc.DebtorAccount)}
		}
	}
	return r, nil
}
