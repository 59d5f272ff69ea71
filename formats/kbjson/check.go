package kbjson

import (
	"fmt"
	"strings"

	"erpconnector/formats"
	"erpconnector/formats/account"
	"erpconnector/formats/money"
)

// Item paths (slash-separated, relative to one batchPaymentDataCollectionRequest
// item). Problems carry them so that the encoder can name the KB field and the
// reader can point at the exact place in the JSON.
const (
	pInstrID     = "paymentIdentification/instructionIdentification"
	pE2E         = "paymentIdentification/endToEndIdentification"
	pPriority    = "paymentTypeInformation/instructionPriority"
	pAmount      = "amount/instructedAmount"
	pValue       = "amount/instructedAmount/value"
	pCurrency    = "amount/instructedAmount/currency"
	pDate        = "requestedExecutionDate"
	pCharge      = "chargeBearer"
	pDebtorAgent = "debtorAgent" // no KB field: the debtor's bank is implied by the account
	pDebtorAcct  = "debtorAccount"
	pDebtorCcy   = "debtorAccount/currency"
	pCreditorAcc = "creditorAccount"
	pCreditorCcy = "creditorAccount/currency"
	pCreditor    = "creditor"
	pRemittance  = "remittanceInformation"
	pUnstr       = "remittanceInformation/unstructured"
	pStructured  = "remittanceInformation/structured"
	pReference   = "remittanceInformation/structured/creditorReferenceInformation/reference"
)

// KB's own bank code and BIC: BATCHDA debits only the client's KB accounts.
const (
	kbBankCode = "0100"
	kbBIC      = "KOMBCZPP"
)

// Limits of the payment item (spec §5.3, COBS, S9).
const (
	maxIDLen    = 35
	maxTextLen  = 140
	maxNameLen  = 140
	maxSymbol   = 10
	maxMajor    = 1_000_000_000_000_000 // 10^15 in major units (S9)
	needAccount = "KB needs an IBAN or a Czech account number with bank code"
)

// notProvided is ISO 20022's placeholder for "no end-to-end ID"; it identifies
// nothing, so it is neither sent nor used as an instruction ID.
const notProvided = "NOTPROVIDED"

type fieldProblem struct {
	path string
	msg  string
}

// field is the KB field name for a path: "amount.instructedAmount.value".
func field(path string) string { return strings.ReplaceAll(path, "/", ".") }

// itemData is a payment after the KB rules: everything the item needs,
// resolved (IBANs built, symbols stripped), ready to be written.
type itemData struct {
	instrID, e2e  string
	amount        money.Amount
	date          string
	priority      string // "" for normal
	chargeBearer  string
	debtorIBAN    string
	debtorCcy     string
	creditorIBAN  string
	creditorCcy   string
	creditor      formats.Party
	addressLine   string
	unstructured  string
	refs          []string // "VS:2026001", "KS:308", "SS:1234"
	refsBacking   [3]string
	hasCreditor   bool
	hasPostalAddr bool
}

// checker holds the KB rules and the per-file state they need (instruction
// IDs already used).
type checker struct {
	opts Options
	text textSet
	ids  map[string]formats.Pos
}

func newChecker(opts Options) *checker {
	return &checker{opts: opts, text: newTextSet(opts.ExtraTextChars), ids: make(map[string]formats.Pos)}
}

// check applies every KB rule to p that does not depend on other payments.
func (c *checker) check(p *formats.Payment, d *itemData) []fieldProblem {
	var probs []fieldProblem
	bad := func(path, format string, args ...any) {
		probs = append(probs, fieldProblem{path, fmt.Sprintf(format, args...)})
	}

	// Identification: the ERP's instruction ID, else its end-to-end ID; the
	// encoder derives one when both are missing.
	if p.InstructionID != "" {
		if msg := c.text.checkText(p.InstructionID, maxIDLen); msg != "" {
			bad(pInstrID, "%q: %s", p.InstructionID, msg)
		} else {
			d.instrID = p.InstructionID
		}
	}
	if p.EndToEndID != "" && p.EndToEndID != notProvided {
		if msg := c.text.checkText(p.EndToEndID, maxIDLen); msg != "" {
			bad(pE2E, "%q: %s", p.EndToEndID, msg)
		} else {
			d.e2e = p.EndToEndID
			if p.InstructionID == "" {
				d.instrID = p.EndToEndID
			}
		}
	}

	c.checkAmount(p.Amount, d, bad)

	switch {
	case p.RequestedDate.IsZero():
		bad(pDate, "missing: KB needs the requested execution date")
	case !validDate(p.RequestedDate):
		bad(pDate, "%04d-%02d-%02d is not a calendar date (DT01)", p.RequestedDate.Year, int(p.RequestedDate.Month), p.RequestedDate.Day)
	case !c.opts.NotBefore.IsZero() && p.RequestedDate.Before(c.opts.NotBefore):
		bad(pDate, "%s is in the past (earliest %s) (DT01)", p.RequestedDate, c.opts.NotBefore)
	default:
		d.date = p.RequestedDate.String()
	}

	switch p.Priority {
	case formats.PriorityNormal:
	case formats.PriorityHigh, formats.PriorityInstant:
		d.priority = p.Priority.String()
	default:
		bad(pPriority, "unknown priority %d", p.Priority)
	}

	switch p.ChargeBearer {
	case "", "DEBT", "CRED", "SHAR", "SLEV":
		d.chargeBearer = p.ChargeBearer
	default:
		bad(pCharge, "%q must be DEBT, CRED, SHAR or SLEV (BE19)", p.ChargeBearer)
	}

	c.checkDebtor(p, d, bad)
	c.checkCreditor(p, d, bad)
	if d.debtorIBAN != "" && d.debtorIBAN == d.creditorIBAN {
		bad(pCreditorAcc, "%s is the debtor's own account: payer and payee must differ (REC_SEND)", d.creditorIBAN)
	}
	c.checkRemittance(&p.Remittance, d, bad)
	return probs
}

func (c *checker) checkAmount(a money.Amount, d *itemData, bad func(string, string, ...any)) {
	if a.IsZero() {
		bad(pAmount, "missing: KB needs an amount and its currency")
		return
	}
	exp, ok := money.Exponent(a.Currency)
	if !ok || !isCurrencyCode(a.Currency) {
		bad(pCurrency, "%q is not an ISO 4217 currency code (AM11)", a.Currency)
		return
	}
	if exp > 2 {
		bad(pCurrency, "%s has %d decimal places; KB accepts amounts with at most 2 (AM12)", a.Currency, exp)
		return
	}
	if a.Minor <= 0 {
		bad(pValue, "%s must be greater than zero (AM12)", a.Decimal())
		return
	}
	limit := int64(maxMajor)
	for range exp {
		limit *= 10
	}
	if a.Minor > limit {
		bad(pValue, "%s is more than KB's maximum of %d (AM12)", a.Decimal(), int64(maxMajor))
		return
	}
	d.amount = a
}

func (c *checker) checkDebtor(p *formats.Payment, d *itemData, bad func(string, string, ...any)) {
	if ag := p.DebtorAgent; ag.BankCode != "" && ag.BankCode != kbBankCode {
		bad(pDebtorAgent, "the debtor's bank code is %s, but KB can only debit Komerční banka accounts (bank code %s) (AC02)", ag.BankCode, kbBankCode)
	} else if bic := strings.ToUpper(ag.BIC); bic != "" && !strings.HasPrefix(bic, kbBIC) {
		bad(pDebtorAgent, "the debtor's bank is %s, but KB can only debit Komerční banka accounts (BIC %s) (AC02)", ag.BIC, kbBIC)
	}
	iban, msg := resolveIBAN(p.DebtorAccount, p.DebtorAgent)
	if msg != "" {
		bad(pDebtorAcct, "%s (AC02)", msg)
	} else if account.IBANCountry(iban) != "CZ" || iban[4:8] != kbBankCode {
		bad(pDebtorAcct, "%s is not a Komerční banka account (bank code %s): KB can only debit its clients' own accounts (AC02)", iban, kbBankCode)
	} else {
		d.debtorIBAN = iban
	}
	if ccy := p.DebtorAccount.Currency; ccy != "" && !d.amount.IsZero() && ccy != d.amount.Currency {
		bad(pDebtorCcy, "the account currency %q differs from the payment currency %s; a KB batch is in the debtor account's currency (CURR_DIFFERENT)", ccy, d.amount.Currency)
		return
	}
	d.debtorCcy = d.amount.Currency
}

func (c *checker) checkCreditor(p *formats.Payment, d *itemData, bad func(string, string, ...any)) {
	iban, msg := resolveIBAN(p.CreditorAccount, p.CreditorAgent)
	switch {
	case msg != "":
		bad(pCreditorAcc, "%s (AC03)", msg)
	case account.IBANCountry(iban) != "CZ" && !c.opts.AllowForeignCreditor:
		bad(pCreditorAcc, "%s is not a Czech account: KB BATCHDA is only known to carry domestic payments (set AllowForeignCreditor to send it anyway)", iban)
	default:
		d.creditorIBAN = iban
	}
	switch ccy := p.CreditorAccount.Currency; {
	case ccy == "":
		d.creditorCcy = d.amount.Currency
	case !isCurrencyCode(ccy):
		bad(pCreditorCcy, "%q is not an ISO 4217 currency code (AM11)", ccy)
	default:
		if _, ok := money.Exponent(ccy); !ok {
			bad(pCreditorCcy, "%q is not an ISO 4217 currency code (AM11)", ccy)
		}
		d.creditorCcy = ccy
	}

	cr := p.Creditor
	d.creditor = cr
	plain := func(path, v string, max int) {
		if v == "" {
			return
		}
		if msg := checkPlain(v, max); msg != "" {
			bad(path, "%q: %s", v, msg)
		}
	}
	plain("creditor/name", cr.Name, maxNameLen)
	plain("creditor/postalAddress/streetName", cr.Street, 70)
	plain("creditor/postalAddress/buildingNumber", cr.BuildingNo, 16)
	plain("creditor/postalAddress/postCode", cr.PostCode, 16)
	plain("creditor/postalAddress/townName", cr.Town, 35)
	if cr.Country != "" && !isUpperAlpha(cr.Country, 2) {
		bad("creditor/postalAddress/country", "%q is not an ISO 3166 alpha-2 country code", cr.Country)
	}
	// COBS has one addressLine string; several ERP lines are joined with ", ".
	d.addressLine = strings.Join(nonEmpty(cr.AddressLines), ", ")
	plain("creditor/postalAddress/addressLine", d.addressLine, maxTextLen)
	d.hasPostalAddr = cr.Street != "" || cr.BuildingNo != "" || cr.PostCode != "" || cr.Town != "" || cr.Country != "" || d.addressLine != ""
	d.hasCreditor = cr.Name != "" || d.hasPostalAddr
}

func (c *checker) checkRemittance(r *formats.Remittance, d *itemData, bad func(string, string, ...any)) {
	if r.Unstructured != "" {
		if msg := c.text.checkText(r.Unstructured, maxTextLen); msg != "" {
			bad(pUnstr, "%s", msg)
		} else {
			d.unstructured = r.Unstructured
		}
	}
	if r.Reference != "" {
		bad(pStructured, "creditor reference %q cannot be sent: KB carries only VS, KS and SS as structured references", r.Reference)
	}
	if r.FIK != nil {
		bad(pRemittance, "a Danish FIK payment (%s) cannot be sent through KB", r.FIK)
	}
	d.refs = d.refsBacking[:0]
	for _, s := range [...]struct{ name, v string }{{"VS", r.VS}, {"KS", r.KS}, {"SS", r.SS}} {
		if s.v == "" {
			continue
		}
		if !isDigits(s.v) {
			bad(pReference, "%s %q must be digits only", s.name, s.v)
			continue
		}
		v := strings.TrimLeft(s.v, "0")
		if len(v) > maxSymbol {
			bad(pReference, "%s %q has more than %d digits", s.name, s.v, maxSymbol)
			continue
		}
		if v != "" { // zero means "no symbol": omitted, as S9 does
			d.refs = append(d.refs, s.name+":"+v)
		}
	}
}

// resolveIBAN gives the IBAN KB needs for an account: the IBAN itself, or one
// built from a Czech number and bank code. The bank code may come from the
// agent (pain.001 ClrSysMmbId). Both given: they must name the same account.
func resolveIBAN(acc formats.Account, agent formats.Agent) (string, string) {
	agentBank := ""
	if isDigits(agent.BankCode) && len(agent.BankCode) == 4 {
		agentBank = agent.BankCode
	}
	if acc.IBAN != "" {
		iban := account.NormalizeIBAN(acc.IBAN)
		if err := account.ValidateIBAN(iban); err != nil {
			return "", err.Error()
		}
		if account.IBANCountry(iban) != "CZ" {
			return iban, ""
		}
		bank := iban[4:8]
		if agentBank != "" && agentBank != bank {
			return "", fmt.Sprintf("IBAN %s is at bank %s, but the bank code given is %s", iban, bank, agentBank)
		}
		if acc.Number != "" && (acc.Country == "" || acc.Country == "CZ") {
			other, msg := czIBAN(acc, agentBank)
			if msg == "" && other != iban {
				return "", fmt.Sprintf("IBAN %s and account %q name different accounts (its IBAN is %s)", iban, acc.Number, other)
			}
		}
		return iban, ""
	}
	if acc.Number == "" {
		return "", "missing: " + needAccount
	}
	if acc.Country != "" && acc.Country != "CZ" {
		return "", fmt.Sprintf("account %q (%s): %s", acc.Number, acc.Country, needAccount)
	}
	return czIBAN(acc, agentBank)
}

// czIBAN builds a Czech IBAN from a domestic number and bank code.
func czIBAN(acc formats.Account, agentBank string) (string, string) {
	prefix, number, bank, err := account.ParseCZ(acc.Number)
	if err != nil {
		if acc.Country == "CZ" {
			return "", err.Error()
		}
		return "", fmt.Sprintf("account %q: %s (%v)", acc.Number, needAccount, err)
	}
	for _, b := range []string{acc.BankCode, agentBank} {
		switch {
		case b == "":
		case bank == "":
			bank = b
		case b != bank:
			return "", fmt.Sprintf("account %q: bank codes %s and %s disagree", acc.Number, bank, b)
		}
	}
	if bank == "" {
		return "", fmt.Sprintf("account %q has no bank code: %s", acc.Number, needAccount)
	}
	iban, err := account.CZIBAN(prefix, number, bank)
	if err != nil {
		return "", err.Error()
	}
	return iban, ""
}

// claimID records an instruction ID, or says which payment used it first.
// KB would reject or double-book a batch with repeated IDs (AM05).
func (c *checker) claimID(id string, pos formats.Pos) string {
	if first, dup := c.ids[id]; dup {
		return fmt.Sprintf("%q is already used by the payment at %s (AM05)", id, where(first))
	}
	c.ids[id] = pos
	return ""
}

func where(p formats.Pos) string {
	if p.Path != "" {
		return p.Path
	}
	return fmt.Sprintf("line %d", p.Line)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isUpperAlpha(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func isCurrencyCode(s string) bool { return isUpperAlpha(s, 3) }

func nonEmpty(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}
