package validate

import (
	"fmt"
	"strings"
	"time"

	"erpconnector/formats"
	"erpconnector/formats/account"
	"erpconnector/formats/money"
)

func (c *checker) amount() {
	a := c.p.Amount
	if a.IsZero() {
		if !c.r.ReaderHadProblems {
			c.add("amount", "missing")
		}
		return
	}
	if a.Currency == "" {
		c.add("currency", "missing")
	} else if _, ok := money.Exponent(a.Currency); !ok {
		c.add("currency", fmt.Sprintf("%q is not an ISO 4217 currency code", a.Currency))
		return // the amount cannot be written without the exponent
	}
	if a.Minor <= 0 {
		c.add("amount", fmt.Sprintf("must be greater than zero, got %s", a.Decimal()))
	}
}

const dateField = "requested execution date"

func (c *checker) date() {
	d := c.p.RequestedDate
	if c.r.Today.IsZero() || !exists(c.r.Today) {
		c.add(dateField, "cannot be checked: today's date was not given (program error)")
		return
	}
	if d.IsZero() {
		if !c.r.ReaderHadProblems {
			c.add(dateField, "missing")
		}
		return
	}
	if !exists(d) {
		c.add(dateField, fmt.Sprintf("%04d-%02d-%02d is not a date", d.Year, int(d.Month), d.Day))
		return
	}
	if d.Before(c.r.Today) {
		if c.r.PastDates == MoveToToday {
			c.p.RequestedDate = c.r.Today
			return
		}
		c.add(dateField, fmt.Sprintf("%s is in the past (today is %s)", d, c.r.Today))
		return
	}
	if n := c.r.MaxDaysAhead; n > 0 && days(c.r.Today, d) > n {
		c.add(dateField, fmt.Sprintf("%s is more than %d days after today (%s)", d, n, c.r.Today))
	}
}

// exists reports whether d is a real calendar date (not 31 February).
func exists(d formats.Date) bool {
	return d.Month >= 1 && d.Month <= 12 && d.Year >= 1 && d.Year <= 9999 && formats.DateOf(d.Time()) == d
}

// days is the number of whole days from a to b.
func days(a, b formats.Date) int { return int(b.Time().Sub(a.Time()) / (24 * time.Hour)) }

func (c *checker) bic(ag *formats.Agent, role string) {
	if ag.BIC == "" {
		return
	}
	validate := account.ValidateBIC
	if c.r.LenientBIC {
		validate = account.ValidateBIC2014
	}
	if err := validate(ag.BIC); err != nil {
		c.add(role+" BIC", err.Error())
	}
}

func (c *checker) fik() {
	f := c.p.Remittance.FIK
	if f == nil {
		return
	}
	if err := account.ValidateFIK(*f); err != nil {
		c.add("FIK", err.Error())
	}
}

func (c *checker) symbols() {
	rm := &c.p.Remittance
	for _, s := range []struct{ name, v string }{{"VS", rm.VS}, {"KS", rm.KS}, {"SS", rm.SS}} {
		switch {
		case s.v == "":
		case !digits(s.v):
			c.add(s.name, fmt.Sprintf("%q must contain digits only", s.v))
		case len(s.v) > 10:
			c.add(s.name, fmt.Sprintf("%q has %d digits; at most 10", s.v, len(s.v)))
		}
	}
}

func (c *checker) reference() {
	rm := &c.p.Remittance
	switch strings.ToUpper(rm.ReferenceType) {
	case "SCOR", "RF", "ISO11649":
		if rm.Reference == "" {
			c.add("creditor reference", "missing although a reference type "+rm.ReferenceType+" is given")
			return
		}
		// SCOR is any structured creditor reference; only an ISO 11649 one
		// (starting RF) has check digits to verify. Issuer-specific schemes
		// (SCOR with another Issr, which the model does not carry) pass as given.
		if strings.EqualFold(rm.ReferenceType, "SCOR") && !strings.HasPrefix(strings.ToUpper(rm.Reference), "RF") {
			return
		}
		if err := account.ValidateCreditorReference(rm.Reference); err != nil {
			c.add("creditor reference", err.Error())
		}
	}
}

// creditorName: a cross-border transfer must name the payee (the banks'
// screening requires it); domestic CZ/DK transfers and FIK slips do not.
func (c *checker) creditorName(debtorCC, creditorCC string) {
	if strings.TrimSpace(c.p.Creditor.Name) != "" || c.p.Remittance.FIK != nil {
		return
	}
	switch {
	case c.r.RequireCreditorName:
		c.add("creditor name", "missing")
	case creditorCC != "" && debtorCC != "" && creditorCC != debtorCC:
		c.add("creditor name", fmt.Sprintf("missing; required for a payment from %s to %s", debtorCC, creditorCC))
	}
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
