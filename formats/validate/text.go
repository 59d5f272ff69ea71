package validate

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"erpconnector/formats"
)

// maxUnstructured is the remittance text limit of every format we write
// (4 × 35 in ABO, Max140Text in ISO 20022).
const maxUnstructured = 140

type textField struct{ name, v string }

// texts checks every free-text field. Control characters are reported, never
// stripped: a tab or line break in a name means the ERP export put something
// there the user did not see, and the bank would reject or mangle it.
func (c *checker) texts() {
	p := c.p
	fs := []textField{
		{"instruction ID", p.InstructionID},
		{"end-to-end ID", p.EndToEndID},
		{"charge bearer", p.ChargeBearer},
		{"creditor reference", p.Remittance.Reference},
		{"creditor reference type", p.Remittance.ReferenceType},
		{"own text", p.OwnText},
		{"debtor bank name", p.DebtorAgent.Name},
		{"creditor bank name", p.CreditorAgent.Name},
		// Account fields have their own rules, but a control character
		// there must be named as such, not as a bad digit.
		{"debtor account", p.DebtorAccount.Number},
		{"creditor account", p.CreditorAccount.Number},
		{"debtor account currency", p.DebtorAccount.Currency},
		{"creditor account currency", p.CreditorAccount.Currency},
	}
	fs = partyTexts(fs, "debtor", &p.Debtor)
	fs = partyTexts(fs, "creditor", &p.Creditor)
	// Remittance text may be several lines, separated by "\n" (the model's
	// multi-line form, see formats.Remittance); each line must be clean text.
	for _, line := range strings.Split(p.Remittance.Unstructured, "\n") {
		fs = append(fs, textField{"remittance information", line})
	}
	for _, f := range fs {
		if msg := badText(f.v); msg != "" {
			c.add(f.name, msg)
		}
	}
	if n := utf8.RuneCountInString(p.Remittance.Unstructured) - strings.Count(p.Remittance.Unstructured, "\n"); n > maxUnstructured {
		c.add("remittance information", fmt.Sprintf("%d characters; at most %d", n, maxUnstructured))
	}
	for _, cc := range []textField{{"debtor country", p.Debtor.Country}, {"creditor country", p.Creditor.Country}} {
		if cc.v != "" && !countryCode(cc.v) {
			c.add(cc.name, fmt.Sprintf("%q is not a 2-letter country code", cc.v))
		}
	}
	switch p.ChargeBearer {
	case "", "DEBT", "CRED", "SHAR", "SLEV":
	default:
		c.add("charge bearer", fmt.Sprintf("%q is not DEBT, CRED, SHAR or SLEV", p.ChargeBearer))
	}
}

func partyTexts(fs []textField, role string, pt *formats.Party) []textField {
	fs = append(fs,
		textField{role + " name", pt.Name},
		textField{role + " street", pt.Street},
		textField{role + " building number", pt.BuildingNo},
		textField{role + " post code", pt.PostCode},
		textField{role + " town", pt.Town},
	)
	for i, l := range pt.AddressLines {
		fs = append(fs, textField{fmt.Sprintf("%s address line %d", role, i+1), l})
	}
	return fs
}

// badText says what is wrong with s as text, or "" if nothing is.
func badText(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8 text (wrong character encoding configured?)"
	}
	for i, r := range s {
		switch {
		case r == '\uFFFD':
			return fmt.Sprintf("contains the replacement character U+FFFD at byte %d: the file was decoded with the wrong character encoding", i)
		case unicode.IsControl(r):
			return fmt.Sprintf("contains the control character U+%04X at byte %d", r, i)
		case r == '\u2028' || r == '\u2029':
			return fmt.Sprintf("contains a line break (U+%04X) at byte %d", r, i)
		}
	}
	return ""
}
