package kbsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"erpconnector/formats/account"
	"erpconnector/formats/money"
)

// Allowed keys per object (S9's allow-list and COBS v8, kb-batchda.md §5.3).
// Objects the simulator does not model in depth (party identification,
// creditorAgent, whose COBS names carry typos) are checked one level only.
var (
	itemKeys = []string{"paymentIdentification", "paymentTypeInformation", "amount", "requestedExecutionDate",
		"exchangeRateInformation", "chargeBearer", "ultimateDebtor", "debtor", "debtorAccount", "creditorAgent",
		"creditor", "creditorAccount", "ultimateCreditor", "purpose", "remittanceInformation"}
	partyKeys   = []string{"name", "postalAddress", "identification"}
	addressKeys = []string{"streetName", "buildingNumber", "postCode", "townName", "country", "addressLine"}
	accountKeys = []string{"identification", "currency"}
)

var (
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
	countryRE  = regexp.MustCompile(`^[A-Z]{2}$`)
	symbolRE   = regexp.MustCompile(`^(VS|KS|SS):[0-9]{1,10}$`)
)

// itemChecker validates the payments of one batch (§10.2 item 11) and
// remembers the first valid debtor account and currency, which every other
// item must share (ACC_DIFFERENT, CURR_DIFFERENT).
type itemChecker struct {
	s     *Server
	cl    *Client
	today string // Prague date

	refDebtor   string
	refCurrency string
}

// fieldCheck collects the errors of one item.
type fieldCheck struct {
	strict bool
	errs   []APIError
}

func (c *fieldCheck) add(code, scope, format string, args ...any) {
	c.errs = append(c.errs, APIError{Error: code, Scope: scope, Message: fmt.Sprintf(format, args...)})
}

// keys refuses unknown keys in strict mode.
func (c *fieldCheck) keys(o *object, path string, allowed ...string) {
	if !c.strict || o == nil {
		return
	}
	for _, k := range o.keys {
		if !contains(allowed, k) {
			c.add("FIELD_INVALID", path+"."+k, "unknown field")
		}
	}
}

// obj returns the child object, nil when absent (FIELD_MISSING if required)
// or of another type (FIELD_INVALID).
func (c *fieldCheck) obj(o *object, key, path string, required bool) *object {
	if o == nil {
		return nil
	}
	v, ok := o.get(key)
	if !ok || v == nil {
		if required {
			c.add("FIELD_MISSING", path+"."+key, "field is required")
		}
		return nil
	}
	child, ok := v.(*object)
	if !ok {
		c.add("FIELD_INVALID", path+"."+key, "must be an object, not %s", jsonType(v))
		return nil
	}
	return child
}

// str returns a string child of at most max characters (runes; max 0: no
// limit), reporting problems with code (FIELD_MISSING when absent and
// required). ok is false when absent or invalid.
func (c *fieldCheck) str(o *object, key, path string, required bool, max int, code string) (string, bool) {
	if o == nil {
		return "", false
	}
	scope := path + "." + key
	v, present := o.get(key)
	if !present || v == nil {
		if required {
			c.add("FIELD_MISSING", scope, "field is required")
		}
		return "", false
	}
	s, isStr := v.(string)
	switch {
	case !isStr:
		c.add(code, scope, "must be a string, not %s", jsonType(v))
	case s == "":
		c.add(code, scope, "must not be empty")
	case max > 0 && utf8.RuneCountInString(s) > max:
		c.add(code, scope, "%d characters; at most %d", utf8.RuneCountInString(s), max)
	default:
		return s, true
	}
	return "", false
}

func (c *fieldCheck) enum(o *object, key, path, code string, values ...string) {
	if v, ok := c.str(o, key, path, false, 0, code); ok && !contains(values, v) {
		c.add(code, path+"."+key, "%q is not one of %s", v, strings.Join(values, ", "))
	}
}

func (c *fieldCheck) party(o *object, key, path, nameCode string) {
	p := c.obj(o, key, path, false)
	if p == nil {
		return
	}
	pp := path + "." + key
	c.keys(p, pp, partyKeys...)
	c.str(p, "name", pp, false, 140, nameCode)
	if a := c.obj(p, "postalAddress", pp, false); a != nil {
		ap := pp + ".postalAddress"
		c.keys(a, ap, addressKeys...)
		if v, ok := c.str(a, "country", ap, false, 0, "FIELD_INVALID"); ok && !countryRE.MatchString(v) {
			c.add("FIELD_INVALID", ap+".country", "%q is not an ISO 3166 alpha-2 code", v)
		}
	}
	c.obj(p, "identification", pp, false)
}

// accountIBAN reads <key>.identification.iban and <key>.currency, checking
// the IBAN (mod-97 and, for CZ, mod-11) with badCode.
func (c *fieldCheck) accountIBAN(o *object, key, path, badCode string) (iban, ccy string, ok bool) {
	a := c.obj(o, key, path, true)
	if a == nil {
		return "", "", false
	}
	ap := path + "." + key
	c.keys(a, ap, accountKeys...)
	if v, has := c.str(a, "currency", ap, false, 0, "FIELD_INVALID"); has {
		if currencyRE.MatchString(v) {
			ccy = v
		} else {
			c.add("FIELD_INVALID", ap+".currency", "%q is not an ISO 4217 code", v)
		}
	}
	id := c.obj(a, "identification", ap, true)
	if id == nil {
		return "", ccy, false
	}
	ip := ap + ".identification"
	c.keys(id, ip, "iban", "other")
	c.obj(id, "other", ip, false)
	iban, has := c.str(id, "iban", ip, true, 34, badCode)
	if !has {
		return "", ccy, false
	}
	if err := account.ValidateIBAN(iban); err != nil {
		c.add(badCode, ip+".iban", "%v", err)
		return iban, ccy, false
	}
	return iban, ccy, true
}

// check validates item i and returns it (filled as far as it could be read)
// with its errors.
func (ic *itemChecker) check(i int, v any) (*item, []APIError) {
	p := fmt.Sprintf("%s[%d]", rootKey, i)
	it := &item{Index: i}
	c := &fieldCheck{strict: !ic.s.cfg.LenientKeys}
	o, isObj := v.(*object)
	if !isObj {
		c.add("FIELD_INVALID", p, "payment must be an object, not %s", jsonType(v))
		return it, c.errs
	}
	c.keys(o, p, itemKeys...)

	if pid := c.obj(o, "paymentIdentification", p, true); pid != nil {
		pp := p + ".paymentIdentification"
		c.keys(pid, pp, "instructionIdentification", "endToEndIdentification")
		it.InstructionID, _ = c.str(pid, "instructionIdentification", pp, true, 35, "FIELD_INVALID")
		it.EndToEndID, _ = c.str(pid, "endToEndIdentification", pp, false, 35, "FIELD_INVALID")
	}
	if pti := c.obj(o, "paymentTypeInformation", p, false); pti != nil {
		pp := p + ".paymentTypeInformation"
		c.keys(pti, pp, "instructionPriority", "serviceLevel", "categoryPurpose")
		c.enum(pti, "instructionPriority", pp, "FIELD_INVALID", "NORM", "HIGH", "INST")
		if sl := c.obj(pti, "serviceLevel", pp, false); sl != nil {
			c.keys(sl, pp+".serviceLevel", "code")
			c.enum(sl, "code", pp+".serviceLevel", "FIELD_INVALID", "DMCT", "ESCT", "XBCT", "EXCT", "NXCT")
		}
		if cp := c.obj(pti, "categoryPurpose", pp, false); cp != nil {
			c.keys(cp, pp+".categoryPurpose", "code", "proprietary")
			c.str(cp, "proprietary", pp+".categoryPurpose", false, 35, "FIELD_INVALID")
		}
	}
	ic.amount(c, o, p, it)
	ic.date(c, o, p, it)
	if x := c.obj(o, "exchangeRateInformation", p, false); x != nil {
		xp := p + ".exchangeRateInformation"
		c.keys(x, xp, "exchangeRate", "rateType", "contractIdentification")
		c.str(x, "contractIdentification", xp, false, 35, "FIELD_INVALID")
	}
	c.enum(o, "chargeBearer", p, "BE19", "DEBT", "CRED", "SHAR", "SLEV")
	c.party(o, "ultimateDebtor", p, "FIELD_INVALID")
	c.party(o, "debtor", p, "FIELD_INVALID")
	c.party(o, "creditor", p, "RR03")
	c.party(o, "ultimateCreditor", p, "FIELD_INVALID")
	if cr := c.obj(o, "creditor", p, false); cr != nil {
		it.CreditorName, _ = cr.vals["name"].(string)
	}
	if ag := c.obj(o, "creditorAgent", p, false); ag != nil {
		c.keys(ag, p+".creditorAgent", "financialInstitutionIdentification")
	}
	if pu := c.obj(o, "purpose", p, false); pu != nil {
		c.keys(pu, p+".purpose", "code", "proprietary")
	}
	ic.accounts(c, o, p, it)
	ic.remittance(c, o, p, it)
	return it, c.errs
}

func (ic *itemChecker) amount(c *fieldCheck, o *object, p string, it *item) {
	am := c.obj(o, "amount", p, true)
	if am == nil {
		return
	}
	ap := p + ".amount"
	c.keys(am, ap, "instructedAmount", "equivalentAmount")
	if eq := c.obj(am, "equivalentAmount", ap, false); eq != nil {
		c.keys(eq, ap+".equivalentAmount", "value", "currency")
	}
	ia := c.obj(am, "instructedAmount", ap, true)
	if ia == nil {
		return
	}
	ip := ap + ".instructedAmount"
	c.keys(ia, ip, "value", "currency")
	ccy, ok := c.str(ia, "currency", ip, true, 0, "AM11")
	if ok {
		if _, known := money.Exponent(ccy); !currencyRE.MatchString(ccy) || !known {
			c.add("AM11", ip+".currency", "%q is not a supported ISO 4217 currency", ccy)
			ok = false
		}
	}
	if ok {
		it.Currency = ccy
		if ic.refCurrency == "" {
			ic.refCurrency = ccy
		} else if ccy != ic.refCurrency {
			c.add("CURR_DIFFERENT", ip+".currency", "%s differs from the batch currency %s", ccy, ic.refCurrency)
		}
	}
	v, present := ia.get("value")
	if !present || v == nil {
		c.add("FIELD_MISSING", ip+".value", "field is required")
		return
	}
	num, isNum := v.(json.Number)
	if !isNum {
		c.add("AM12", ip+".value", "must be a JSON number, not %s", jsonType(v))
		return
	}
	if !ok { // without a currency the number of decimals allowed is unknown
		return
	}
	plain, err := plainDecimal(string(num))
	var amt money.Amount
	if err == nil {
		amt, err = money.Parse(plain, ccy)
	}
	if err != nil {
		msg := err.Error()
		switch {
		case errors.Is(err, money.ErrNotPositive):
			msg = "amount must be greater than zero"
		case errors.Is(err, money.ErrPrecision):
			msg = fmt.Sprintf("%s has more decimal places than %s allows", num, ccy)
		}
		c.add("AM12", ip+".value", "%s", msg)
		return
	}
	it.AmountMinor = amt.Minor
}

func (ic *itemChecker) date(c *fieldCheck, o *object, p string, it *item) {
	d, ok := c.str(o, "requestedExecutionDate", p, !ic.s.cfg.OptionalExecutionDate, 0, "DT01")
	if !ok {
		return
	}
	t, err := time.Parse(dateLayout, d)
	if err != nil || t.Format(dateLayout) != d {
		c.add("DT01", p+".requestedExecutionDate", "%q is not a date YYYY-MM-DD", d)
		return
	}
	if d < ic.today && !ic.s.cfg.AllowPastDates {
		c.add("DT01", p+".requestedExecutionDate", "%s is in the past (today is %s)", d, ic.today)
		return
	}
	it.ExecDate = d
}

func (ic *itemChecker) accounts(c *fieldCheck, o *object, p string, it *item) {
	debtor, dccy, dok := c.accountIBAN(o, "debtorAccount", p, "AC02")
	dscope := p + ".debtorAccount.identification.iban"
	it.DebtorIBAN = debtor
	if dok {
		acc, consented := ic.cl.account(debtor)
		if consented && ic.refDebtor == "" {
			ic.refDebtor = debtor
		}
		switch {
		case !consented:
			c.add("AC02", dscope, "%s is not an account the client has consented to", debtor)
		case debtor != ic.refDebtor:
			c.add("ACC_DIFFERENT", dscope, "%s differs from the batch's debtor account %s", debtor, ic.refDebtor)
		case dccy != "" && dccy != acc.Currency:
			c.add("AC10", p+".debtorAccount.currency", "%s is not the account currency %s", dccy, acc.Currency)
		}
	}
	creditor, _, cok := c.accountIBAN(o, "creditorAccount", p, "AC03")
	it.CreditorIBAN = creditor
	if dok && cok && debtor == creditor {
		c.add("REC_SEND", p+".creditorAccount.identification.iban", "payer and payee accounts are the same")
	}
}

func (ic *itemChecker) remittance(c *fieldCheck, o *object, p string, it *item) {
	ri := c.obj(o, "remittanceInformation", p, false)
	if ri == nil {
		return
	}
	rp := p + ".remittanceInformation"
	c.keys(ri, rp, "unstructured", "structured")
	if u, ok := c.str(ri, "unstructured", rp, false, 140, "FIELD_INVALID"); ok {
		if bad, found := firstBadRune(u); found && !ic.s.cfg.AllowAnyText {
			c.add("RF01", rp+".unstructured", "character %q is outside the Czech payment character set", bad)
		} else {
			it.Unstructured = u
		}
	}
	st := c.obj(ri, "structured", rp, false)
	if st == nil {
		return
	}
	sp := rp + ".structured"
	c.keys(st, sp, "creditorReferenceInformation")
	cri := c.obj(st, "creditorReferenceInformation", sp, false)
	if cri == nil {
		return
	}
	cp := sp + ".creditorReferenceInformation"
	c.keys(cri, cp, "reference")
	v, present := cri.get("reference")
	if !present || v == nil {
		return
	}
	scope := cp + ".reference"
	var refs []any
	switch v := v.(type) {
	case string: // COBS v8 schema: a single string
		refs = []any{v}
	case []any: // COBS example and S9: an array
		refs = v
	default:
		c.add("FIELD_INVALID", scope, "must be a string or an array of strings, not %s", jsonType(v))
		return
	}
	seen := map[string]bool{}
	for j, r := range refs {
		rs, isStr := r.(string)
		sc := scope
		if _, arr := v.([]any); arr {
			sc = fmt.Sprintf("%s[%d]", scope, j)
		}
		switch {
		case !isStr:
			c.add("FIELD_INVALID", sc, "must be a string, not %s", jsonType(r))
		case !symbolRE.MatchString(rs):
			c.add("FIELD_INVALID", sc, "%q is not VS:, KS: or SS: followed by 1 to 10 digits", rs)
		case seen[rs[:2]]:
			c.add("FIELD_INVALID", sc, "%s given more than once", rs[:2])
		default:
			seen[rs[:2]] = true
			it.References = append(it.References, rs)
		}
	}
}

// czechLetters are the letters with diacritics of the Czech (and Slovak)
// alphabet, which domestic payment messages may carry.
const czechLetters = "áäčďéěíĺľňóôŕřšťúůýžÁÄČĎÉĚÍĹĽŇÓÔŔŘŠŤÚŮÝŽ"

// firstBadRune finds a character outside the set the simulator allows in a
// payment message: printable ASCII plus Czech/Slovak letters. The ČNB
// clearing set itself is not published in text form (abo-kpc-gpc.md §1);
// this is its safe core.
func firstBadRune(s string) (rune, bool) {
	for _, r := range s {
		if (r >= 0x20 && r <= 0x7e) || strings.ContainsRune(czechLetters, r) {
			continue
		}
		return r, true
	}
	return 0, false
}
