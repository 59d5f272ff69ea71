package daemon

import (
	"context"
	"errors"
	"fmt"

	"erpconnector/connector/bank/bankintegration"
	"erpconnector/connector/bank/kb"
	"erpconnector/connector/config"
	"erpconnector/connector/sandbox/kbsim"
	"erpconnector/formats"
	"erpconnector/formats/account"
)

const kbADAAURL = "https://api-gateway.kb.cz/adaa/v2"

func (d *Daemon) newStatementBlock(c *config.Statement) (*stmtBlock, error) {
	b := &stmtBlock{cfg: c, key: "stmt/" + c.Bank + "/" + c.Account, bank: d.banks[c.Bank]}
	if b.bank == nil {
		return nil, fmt.Errorf("bank %q is not configured", c.Bank)
	}
	var err error
	if b.outbox, err = d.openFolder(c.Outbox, true); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	switch {
	case b.bank.bi != nil:
		bban, err := biAccount(c.Account)
		if err != nil {
			return nil, fmt.Errorf("account: %w", err)
		}
		if _, ok := b.bank.bi.Codes[bban]; !ok {
			return nil, fmt.Errorf("account %s has no integration code in [[bank.account]]", c.Account)
		}
		b.src = biSource{cl: b.bank.bi, bban: bban}
	case b.bank.kb != nil:
		iban := account.NormalizeIBAN(c.Account)
		if err := account.ValidateIBAN(iban); err != nil {
			return nil, fmt.Errorf("account %s: KB statements need the account's IBAN: %w", c.Account, err)
		}
		base, key := b.bank.cfg.ADAAURL, ""
		if base == "" {
			base = kbADAAURL
		}
		if b.bank.cfg.URL == config.SandboxURL {
			base, key = b.bank.url+"/adaa/v2", kbsim.DefaultADAAAPIKey
		}
		if b.bank.cfg.ADAAAPIKey.IsSet() {
			v, err := b.bank.cfg.ADAAAPIKey.Resolve()
			if err != nil {
				return nil, fmt.Errorf("adaa_api_key: %w", err)
			}
			key = v
		}
		b.src = kbSource{adaa: b.bank.kb.client.ADAA(base, key), iban: iban}
	default:
		return nil, fmt.Errorf("bank %q offers no statements", c.Bank)
	}
	return b, nil
}

// biSource reads BankIntegration /report/account by date range (never
// newOnly: its delivered cursor moves at the bank, and a crash would lose
// entries; de-duplication by entry ID does the same job safely).
type biSource struct {
	cl   *bankintegration.Client
	bban string
}

func (s biSource) Fetch(ctx context.Context, _ string, from, to formats.Date) (*stmtFetch, error) {
	res, err := s.cl.Statement(ctx, s.bban, from, to, false)
	if err != nil {
		return nil, err
	}
	st := res.Statement
	f := &stmtFetch{Account: st.Account, Currency: st.Currency, Owner: st.Owner, Name: st.Name, BIC: st.BIC, Entries: st.Entries}
	if f.Account.IBAN == "" {
		if iban, err := account.DKIBAN(s.bban); err == nil {
			f.Account.IBAN = iban
		}
	}
	switch {
	case res.BalancesKnown:
		o := st.Opening.Minor
		f.Opening = &o
	case len(st.Entries) > 0 && len(res.Balances) > 0:
		// The running balance after the first entry, less that entry.
		o := res.Balances[0] - st.Entries[0].Minor
		f.Opening = &o
	}
	return f, nil
}

// kbSource reads KB ADAA transactions; the opening balance of a first run is
// today's booked closing balance less what was booked in the range.
type kbSource struct {
	adaa *kb.ADAA
	iban string
}

func (s kbSource) Fetch(ctx context.Context, _ string, from, to formats.Date) (*stmtFetch, error) {
	entries, err := s.adaa.Transactions(ctx, s.iban, from, to)
	if err != nil {
		return nil, err
	}
	f := &stmtFetch{Account: formats.Account{IBAN: s.iban}, Currency: "CZK", Entries: entries}
	if len(entries) > 0 {
		f.Currency = entries[0].Currency
	}
	bs, err := s.adaa.Balances(ctx, s.iban)
	if err != nil && !errors.Is(err, kb.ErrBadAnswer) {
		return nil, err
	}
	if b, ok := kb.FindBalance(bs, kb.BalanceClosingBooked); ok {
		o := b.Minor
		for _, e := range entries {
			o -= e.Minor
		}
		f.Opening = &o
	}
	return f, nil
}
