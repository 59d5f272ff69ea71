package csvpay

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

// compiled is a checked Mapping in the form the reader uses per row.
type compiled struct {
	m        Mapping
	delim    rune
	amount   amountFormat
	date     dateLayout
	enc      fileEncoding
	country  string          // account_country: "", "CZ" or "DK"
	debtor   formats.Account // default debtor account, zero when none
	priority map[string]formats.Priority
}

func compile(m *Mapping) (*compiled, error) {
	c := &compiled{m: *m}
	var err error
	if c.delim, err = delimiterRune(m.Delimiter); err != nil {
		return nil, err
	}
	dec, err := decimalRune(m.Decimal)
	if err != nil {
		return nil, err
	}
	c.amount = newAmountFormat(dec, m.Thousands)
	if c.date, err = parseLayout(m.dateLayout()); err != nil {
		return nil, err
	}
	if c.enc, err = lookupEncoding(m.Encoding); err != nil {
		return nil, err
	}
	c.country, _ = m.accountCountry()
	if m.DebtorAccount != "" {
		if c.debtor, err = parseAccount(m.DebtorAccount, "", c.country); err != nil {
			return nil, err
		}
	}
	if len(m.PriorityValues) > 0 {
		c.priority = make(map[string]formats.Priority, len(m.PriorityValues))
		for k, v := range m.PriorityValues {
			p, _ := priorityByName(v)
			c.priority[strings.ToUpper(strings.TrimSpace(k))] = p
		}
	}
	return c, nil
}

// rowCtx is one row being turned into a payment.
type rowCtx struct {
	r        *Reader
	rec      []string
	line     int
	reported [numFields]bool // one problem per field and row: the first is the cause
}

func (x *rowCtx) problem(f field, format string, args ...any) {
	if x.reported[f] {
		return
	}
	x.reported[f] = true
	x.r.addf(x.line, x.r.labels[f], format, args...)
}

// get is the trimmed cell of f, "" when unmapped or missing. Text that is not
// valid in the declared encoding or holds control characters is a problem.
func (x *rowCtx) get(f field) string {
	c := x.r.cols[f]
	if c < 0 || c >= len(x.rec) {
		return ""
	}
	v := strings.TrimSpace(x.rec[c])
	if !utf8.ValidString(v) {
		x.problem(f, "not valid UTF-8; if the ERP writes an 8-bit code page, set encoding (e.g. \"windows-1252\")")
		return ""
	}
	if r, bad := firstControl(v); bad {
		x.problem(f, "contains the control character %U (a line break inside a quoted value?)", r)
		return ""
	}
	return v
}

func (r *Reader) build(rec []string, line int) *formats.Payment {
	x := &rowCtx{r: r, rec: rec, line: line}
	p := &formats.Payment{Index: r.payment, Pos: formats.Pos{Line: line}, Batch: r.batch}
	r.payment++
	if r.batch.Pos.Line == 0 {
		r.batch.Pos.Line = line
	}
	x.checkWidth()

	p.InstructionID = x.get(fInstructionID)
	p.EndToEndID = x.get(fEndToEndID)
	x.amount(p)
	if v := x.get(fRequestedDate); v != "" {
		d, err := r.c.date.parse(v)
		if err != nil {
			x.problem(fRequestedDate, "%v", err)
		}
		p.RequestedDate = d
	}
	x.debtor(p)
	p.Debtor.Name = x.get(fDebtorName)
	x.creditor(p)
	p.Creditor.Name = x.get(fCreditorName)
	p.Creditor.Street = x.get(fCreditorStreet)
	p.Creditor.BuildingNo = x.get(fCreditorBuilding)
	p.Creditor.PostCode = x.get(fCreditorPostcode)
	p.Creditor.Town = x.get(fCreditorTown)
	if v := x.get(fCreditorCountry); v != "" {
		if len(v) != 2 || !isLetter(v[0]) || !isLetter(v[1]) {
			x.problem(fCreditorCountry, "%q is not an ISO 3166 country code (two letters)", v)
		} else {
			p.Creditor.Country = strings.ToUpper(v)
		}
	}
	if v := x.get(fCreditorBIC); v != "" {
		bic := strings.ToUpper(strings.Join(strings.Fields(v), ""))
		if (len(bic) != 8 && len(bic) != 11) || !isAlnum(bic) {
			x.problem(fCreditorBIC, "%q is not a BIC (8 or 11 letters and digits)", v)
		} else {
			p.CreditorAgent.BIC = bic
		}
	}
	p.Remittance.Unstructured = x.get(fMessage)
	p.OwnText = x.get(fOwnText)
	p.Remittance.VS = x.symbol(fVS, "VS", 10)
	p.Remittance.KS = x.symbol(fKS, "KS", 4)
	p.Remittance.SS = x.symbol(fSS, "SS", 10)
	if v := x.get(fReference); v != "" {
		p.Remittance.Reference = v
		p.Remittance.ReferenceType = r.c.m.ReferenceType
		if p.Remittance.ReferenceType == "" && rfReference.MatchString(v) {
			p.Remittance.ReferenceType = "RF"
		}
	}
	x.priority(p)
	return p
}

// rfReference is the shape of an ISO 11649 creditor reference; its check
// digits are validation's business.
var rfReference = regexp.MustCompile(`^RF[0-9]{2}[0-9A-Za-z]{1,21}$`)

// checkWidth reports rows shorter than the mapping needs, and rows whose
// width differs from the header (or the first row) unless ragged_rows is on.
// Fields of missing columns are marked reported, so that "missing" is said
// once per row and not again for each required field.
func (x *rowCtx) checkWidth() {
	r := x.r
	var missing []string
	for f := range numFields {
		if c := r.cols[f]; c >= len(x.rec) {
			missing = append(missing, r.labels[f])
			x.reported[f] = true
		}
	}
	want := ""
	switch {
	case r.c.m.RaggedRows:
	case r.width == 0:
		r.width, r.widthFrom = len(x.rec), "the first row"
	case len(x.rec) != r.width:
		want = fmt.Sprintf(", %s has %d", r.widthFrom, r.width)
	}
	switch {
	case len(missing) > 0:
		r.addf(x.line, "row", "has %d columns%s; no value for %s", len(x.rec), want, strings.Join(missing, ", "))
	case want != "":
		r.addf(x.line, "row", "has %d columns%s (is a delimiter %q inside an unquoted value?)", len(x.rec), want, r.c.delim)
	}
}

func (x *rowCtx) amount(p *formats.Payment) {
	ccy := x.get(fCurrency)
	switch {
	case ccy == "" && x.r.c.m.Currency != "":
		ccy = x.r.c.m.Currency
	case ccy == "":
		x.problem(fCurrency, "missing")
	default:
		up := strings.ToUpper(ccy)
		if _, ok := money.Exponent(up); !ok {
			x.problem(fCurrency, "%q is not an ISO 4217 currency code", ccy)
			ccy = ""
		} else {
			ccy = up
		}
	}
	v := x.get(fAmount)
	if v == "" {
		x.problem(fAmount, "missing")
		return
	}
	if ccy == "" {
		return // already reported; the amount cannot be read without its currency
	}
	a, err := x.r.c.amount.parse(v, ccy)
	if err != nil {
		x.problem(fAmount, "%v", err)
		return
	}
	p.Amount = a
}

func (x *rowCtx) debtor(p *formats.Payment) {
	v := x.get(fDebtorAccount)
	if v == "" {
		if x.r.c.debtor.IsZero() {
			x.problem(fDebtorAccount, "missing")
		}
		p.DebtorAccount = x.r.c.debtor
		return
	}
	a, err := parseAccount(v, "", x.r.c.country)
	if err != nil {
		x.problem(fDebtorAccount, "%v", err)
		return
	}
	p.DebtorAccount = a
}

// creditor reads the account or the FIK line, which may stand in the account
// column (as Danish ERPs and BankIntegration write it) or in its own column.
func (x *rowCtx) creditor(p *formats.Payment) {
	acc, fik := x.get(fCreditorAccount), x.get(fFIK)
	bank := x.get(fCreditorBankCode)
	accField := fCreditorAccount
	if strings.HasPrefix(acc, "+") {
		if fik != "" && fik != acc {
			x.problem(fCreditorAccount, "holds the FIK %q, but the fik column says %q", acc, fik)
			return
		}
		fik, acc = acc, ""
		accField = fFIK
		if x.r.cols[fFIK] < 0 {
			accField = fCreditorAccount
		}
	} else if fik != "" {
		accField = fFIK
	}
	switch {
	case fik != "" && acc != "":
		x.problem(fCreditorAccount, "both an account (%q) and a FIK (%q): a FIK payment goes to the FIK creditor; give one", acc, fik)
		return
	case fik != "":
		if bank != "" {
			x.problem(fCreditorBankCode, "given for a FIK payment")
		}
		f, err := parseFIK(fik)
		if err != nil {
			x.problem(accField, "%v", err)
			return
		}
		p.Remittance.FIK = f
		return
	case acc == "":
		x.problem(fCreditorAccount, "missing (neither an account nor a FIK)")
		return
	}
	if bank != "" && (len(bank) != 4 || !isDigits(bank)) {
		x.problem(fCreditorBankCode, "%q is not a 4-digit Czech bank code", bank)
		return
	}
	if bank == "" && x.r.cols[fCreditorBankCode] >= 0 && !isIBANLike(acc) && !strings.Contains(acc, "/") {
		// With a bank-code column, a domestic number is Czech: never fall back to reading it as Danish.
		x.problem(fCreditorBankCode, "missing for the domestic account %q", acc)
		return
	}
	a, err := parseAccount(acc, bank, x.r.c.country)
	if err != nil {
		x.problem(fCreditorAccount, "%v", err)
		return
	}
	p.CreditorAccount = a
}

func (x *rowCtx) symbol(f field, name string, maxLen int) string {
	v := x.get(f)
	if v == "" {
		return ""
	}
	if !isDigits(v) || len(v) > maxLen {
		x.problem(f, "%q: %s must be 1 to %d digits", v, name, maxLen)
		return ""
	}
	return v
}

func (x *rowCtx) priority(p *formats.Payment) {
	v := x.get(fPriority)
	if v == "" {
		return
	}
	if x.r.c.priority != nil {
		pr, ok := x.r.c.priority[strings.ToUpper(v)]
		if !ok {
			x.problem(fPriority, "%q is not one of the priority_values (%s)", v, strings.Join(sortedKeys(x.r.c.m.PriorityValues), ", "))
			return
		}
		p.Priority = pr
		return
	}
	pr, ok := priorityByName(v)
	if !ok {
		x.problem(fPriority, "%q is not NORM, HIGH or INST (map the ERP's values with priority_values)", v)
		return
	}
	p.Priority = pr
}

var _ formats.PaymentReader = (*Reader)(nil)

func isPrintable(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return utf8.ValidString(s)
}

// firstControl finds a C0 or C1 control character; ASCII text, the common
// case, is scanned byte by byte.
func firstControl(s string) (rune, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			return rune(c), true
		}
		if c >= 0x80 {
			for _, r := range s[i:] {
				if unicode.IsControl(r) {
					return r, true
				}
			}
			return 0, false
		}
	}
	return 0, false
}
