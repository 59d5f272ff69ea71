package validate

import (
	"errors"
	"fmt"
	"strings"

	"erpconnector/formats"
	"erpconnector/formats/account"
	"erpconnector/formats/money"
)

// account checks one side's account and returns its country as far as it
// can be told ("" when not), for the cross-border name rule. required says
// whether a missing account is a problem.
func (c *checker) account(a *formats.Account, ag *formats.Agent, role string, required bool) string {
	if a.IBAN != "" {
		a.IBAN = account.NormalizeIBAN(a.IBAN) // first: an IBAN of blanks is no IBAN
	}
	if a.IsZero() {
		if required {
			c.add(role+" account", "missing")
		}
		return ""
	}
	if a.Country != "" && !countryCode(a.Country) {
		c.add(role+" account country", fmt.Sprintf("%q is not a 2-letter country code", a.Country))
		return ""
	}
	if a.Currency != "" {
		if _, ok := money.Exponent(a.Currency); !ok {
			c.add(role+" account currency", fmt.Sprintf("%q is not an ISO 4217 currency code", a.Currency))
		}
	}
	if a.IBAN == "" {
		return c.domestic(a, ag, role)
	}
	if err := account.ValidateIBAN(a.IBAN); err != nil {
		c.add(role+" IBAN", err.Error())
		if cc := account.IBANCountry(a.IBAN); countryCode(cc) && !errors.Is(err, account.ErrCountry) {
			return cc
		}
		return ""
	}
	cc := account.IBANCountry(a.IBAN)
	if a.Number != "" {
		c.ibanMatchesNumber(a, ag, role, cc)
	}
	return cc
}

// ibanMatchesNumber: when a file gives both an IBAN and a domestic number,
// which one the bank uses depends on the encoder; they must be the same
// account or the payment is ambiguous.
func (c *checker) ibanMatchesNumber(a *formats.Account, ag *formats.Agent, role, cc string) {
	if a.Country != "" && a.Country != cc {
		c.add(role+" account", fmt.Sprintf("IBAN %s is from %s but the account number %s is given as %s", a.IBAN, cc, a.Number, a.Country))
		return
	}
	switch cc {
	case "CZ":
		p, n, bank, _ := account.CZFromIBAN(a.IBAN)
		dp, dn, dbank, err := account.ParseCZ(a.Number)
		if dbank == "" {
			dbank = a.BankCode
		}
		if err != nil || dp != p || dn != n || (dbank != "" && dbank != bank) {
			c.add(role+" account", fmt.Sprintf("IBAN %s and account number %s disagree", a.IBAN, a.String()))
		}
	case "DK", "FO", "GL":
		bban, _ := account.DKFromIBAN(a.IBAN)
		if dbban, err := account.ParseDK(a.Number); err != nil || dbban != bban {
			c.add(role+" account", fmt.Sprintf("IBAN %s and account number %s disagree", a.IBAN, a.Number))
		}
	}
}

// domestic checks an account given as Number; see Payment for how the
// country is decided.
func (c *checker) domestic(a *formats.Account, ag *formats.Agent, role string) string {
	cc := a.Country
	switch {
	case cc != "":
	case a.BankCode != "" || strings.Contains(a.Number, "/"):
		cc = "CZ" // the model keeps BankCode, and "number/bank" is the Czech notation
	case c.r.DefaultCountry != "":
		cc = c.r.DefaultCountry
	default:
		c.add(role+" account", fmt.Sprintf("%q: cannot tell which country this account number is from; give an IBAN", a.Number))
		return ""
	}
	switch cc {
	case "CZ":
		c.czech(a, ag, role)
	case "DK":
		c.danish(a, ag, role)
	default:
		// No national rules here: the bank needs the BIC to route it.
		if ag.BIC == "" {
			c.add(role+" BIC", fmt.Sprintf("missing; required for account number %s in %s (or give an IBAN)", a.Number, cc))
		}
	}
	return cc
}

func (c *checker) czech(a *formats.Account, ag *formats.Agent, role string) {
	p, n, bank, err := account.ParseCZ(a.Number)
	if err != nil {
		c.add(role+" account", err.Error())
		return
	}
	// The bank code may sit in Number ("…/0100"), in the account, or in the
	// agent's clearing code; wherever it is given, it must be the same.
	for _, other := range []string{a.BankCode, ag.BankCode} {
		switch {
		case other == "":
		case bank == "":
			bank = other
		case other != bank:
			c.add(role+" bank code", fmt.Sprintf("account %s is given with two bank codes, %s and %s", a.Number, bank, other))
			return
		}
	}
	if bank == "" {
		c.add(role+" bank code", fmt.Sprintf("missing for Czech account %s", account.FormatCZ(p, n)))
		return
	}
	if err := account.ValidateCZBankCode(bank); err != nil {
		c.add(role+" bank code", err.Error())
		return
	}
	a.Number, a.BankCode, a.Country = account.FormatCZ(p, n), bank, "CZ"
}

func (c *checker) danish(a *formats.Account, ag *formats.Agent, role string) {
	if a.BankCode != "" {
		c.add(role+" bank code", fmt.Sprintf("%q: a Danish reg. no. belongs in the account number (reg. no. + account no.)", a.BankCode))
		return
	}
	bban, err := account.ParseDK(a.Number)
	if err != nil && len(a.Number) <= 10 && digits(a.Number) && ag.BankCode != "" {
		// Number holds the account no. alone and the agent's clearing code
		// the reg. no. (pain.001 ClrSysMmbId).
		bban, err = account.DKBBAN(ag.BankCode, a.Number)
	}
	if err != nil {
		c.add(role+" account", err.Error())
		return
	}
	if ag.BankCode != "" && ag.BankCode != bban[:4] {
		c.add(role+" bank code", fmt.Sprintf("reg. no. %s of the bank differs from %s in account %s", ag.BankCode, bban[:4], bban))
		return
	}
	a.Number, a.Country = bban, "DK"
}

func countryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
