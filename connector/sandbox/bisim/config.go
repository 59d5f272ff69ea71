package bisim

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"erpconnector/formats/money"
)

// Account is a customer bank account linked to one or more ERP vendors.
type Account struct {
	BBAN            string // 14 digits: 4-digit reg. no. + 10-digit account no.; the header "account"
	IntegrationCode string // the customer's per-account secret ("integrationskode")
	Currency        string // ISO 4217 account currency
	Name            string
	OpeningBalance  int64  // minor units of Currency; for the statement endpoints
	Owner           string // account holder, the statement's owner.name (optional)
	BIC             string // servicing bank, the statement's bic (optional)
	// ERPs lists the serviceProviders this account is linked to. Empty links it
	// to every ERP in Config.ERPs. (An addition to the brief's struct: the real
	// service links accounts to ERP vendors and rejects the others.)
	ERPs []string
}

// Config describes the simulated bank. Zero values select the documented defaults.
type Config struct {
	ERPs     map[string]string // serviceProvider -> API key (GUID)
	Accounts []Account
	Now      func() time.Time // the simulator's clock; default time.Now
	// MaxSkew is the allowed |time - now| of the Authorization "time"; default
	// 10m. The real tolerance is unknown.
	MaxSkew time.Duration
	// StepAfter is how long a payment stays in each state before advancing
	// (Created→Pending→[Waiting]→Accepted→Succeeded); default 2s.
	StepAfter time.Duration
	// ApprovalRequired stops payments in 512 Waiting until approved via the
	// control API.
	ApprovalRequired bool
	// StatePath, when set, persists the ledger as JSON after every change and
	// is loaded by New when present.
	StatePath string

	// CancelledStatus is the final status a cancelled payment resolves to one
	// StepAfter after 256 Cancelling. The real value is unknown; default 16
	// Rejected with error DS02.
	CancelledStatus int
	// Holidays are extra non-bank days ("yyyy-MM-dd") besides weekends.
	Holidays []string
	// AllowUnknownTypes accepts transaction types whose account format is not
	// known (2, 9, 10, …) with any non-empty account, instead of 32 AG03.
	AllowUnknownTypes bool
	// LenientFI skips the FIK71/FIK04 check-digit test on FI payment strings.
	LenientFI bool

	// Credits invents incoming payments on every account (off when
	// Credits.Every is 0, the default).
	Credits Credits
	// OverlapEntries makes every newOnly statement repeat this many entries
	// delivered before (a bank whose cursor lags), to exercise the
	// client's de-duplication. /_sim/redeliver arms the same once.
	OverlapEntries int
	// MaxReportDays bounds the from..to range of /report/balance (whose
	// answer has one line per day); default 366.
	MaxReportDays int
}

// Config errors callers may branch on.
var ErrConfig = errors.New("bisim: invalid config")

func (c *Config) applyDefaults() {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.MaxSkew <= 0 {
		c.MaxSkew = 10 * time.Minute
	}
	if c.StepAfter <= 0 {
		c.StepAfter = 2 * time.Second
	}
	if c.MaxReportDays <= 0 {
		c.MaxReportDays = 366
	}
	if c.CancelledStatus == 0 {
		c.CancelledStatus = StatusRejected
	}
}

// compiled is the validated, indexed form of a Config.
type compiled struct {
	keys     map[string][]byte // serviceProvider -> HMAC key bytes
	accounts map[string]*Account
	holidays map[string]bool
}

func compile(c Config) (compiled, error) {
	out := compiled{keys: map[string][]byte{}, accounts: map[string]*Account{}, holidays: map[string]bool{}}
	for erp, key := range c.ERPs {
		if erp == "" {
			return out, fmt.Errorf("%w: empty serviceProvider", ErrConfig)
		}
		b, err := guidKey(key)
		if err != nil {
			return out, fmt.Errorf("%w: ERP %q: %v", ErrConfig, erp, err)
		}
		out.keys[erp] = b
	}
	for i := range c.Accounts {
		a := c.Accounts[i]
		if !isBBAN(a.BBAN) {
			return out, fmt.Errorf("%w: account %d: BBAN %q is not 14 digits", ErrConfig, i, a.BBAN)
		}
		if _, dup := out.accounts[a.BBAN]; dup {
			return out, fmt.Errorf("%w: account %s listed twice", ErrConfig, a.BBAN)
		}
		if a.IntegrationCode == "" {
			return out, fmt.Errorf("%w: account %s: empty integration code", ErrConfig, a.BBAN)
		}
		if _, ok := money.Exponent(a.Currency); !ok {
			return out, fmt.Errorf("%w: account %s: currency %q", ErrConfig, a.BBAN, a.Currency)
		}
		for _, e := range a.ERPs {
			if _, ok := c.ERPs[e]; !ok {
				return out, fmt.Errorf("%w: account %s: linked ERP %q is not configured", ErrConfig, a.BBAN, e)
			}
		}
		a.ERPs = append([]string(nil), a.ERPs...)
		out.accounts[a.BBAN] = &a
	}
	for _, h := range c.Holidays {
		if _, err := time.Parse(dateLayout, h); err != nil {
			return out, fmt.Errorf("%w: holiday %q: want yyyy-MM-dd", ErrConfig, h)
		}
		out.holidays[h] = true
	}
	if c.Credits.Every < 0 || c.Credits.MinMinor < 0 || c.Credits.MaxMinor < 0 || c.OverlapEntries < 0 {
		return out, fmt.Errorf("%w: Credits and OverlapEntries must not be negative", ErrConfig)
	}
	if c.Credits.MaxMinor > 0 && c.Credits.MaxMinor < c.Credits.MinMinor {
		return out, fmt.Errorf("%w: Credits.MaxMinor below MinMinor", ErrConfig)
	}
	if c.CancelledStatus != StatusRejected && c.CancelledStatus != StatusFailed && c.CancelledStatus != StatusSucceeded {
		return out, fmt.Errorf("%w: CancelledStatus %d must be 16, 32 or 8", ErrConfig, c.CancelledStatus)
	}
	return out, nil
}

// linked reports whether the account may be used by the ERP.
func (a *Account) linked(erp string) bool {
	if len(a.ERPs) == 0 {
		return true
	}
	for _, e := range a.ERPs {
		if e == erp {
			return true
		}
	}
	return false
}

// guidKey converts a GUID string to its .NET Guid.ToByteArray() bytes, the
// HMAC key every working client uses: the first three groups byte-reversed.
func guidKey(guid string) ([]byte, error) {
	s := strings.TrimSpace(guid)
	if len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}' {
		s = s[1 : len(s)-1]
	}
	if len(s) == 36 {
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return nil, fmt.Errorf("API key is not a GUID")
		}
		s = strings.ReplaceAll(s, "-", "")
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 16 {
		return nil, fmt.Errorf("API key is not a GUID")
	}
	return []byte{b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6],
		b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]}, nil
}

func isBBAN(s string) bool { return len(s) == 14 && allDigits(s) }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
