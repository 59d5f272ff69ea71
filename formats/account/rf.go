package account

// ValidateCreditorReference checks an ISO 11649 structured creditor
// reference ("RF18539007547034"): normalised (see NormalizeIBAN), "RF", two
// check digits, 1 to 21 letters or digits, and mod 97-10 as for IBANs.
func ValidateCreditorReference(ref string) error {
	if len(ref) < 5 || len(ref) > 25 {
		return errf(ErrLength, "creditor reference %q must have 5 to 25 characters", ref)
	}
	if ref[:2] != "RF" || !isDigit(ref[2]) || !isDigit(ref[3]) {
		return errf(ErrFormat, "creditor reference %q must start with RF and two check digits", ref)
	}
	for i := 4; i < len(ref); i++ {
		if !isDigit(ref[i]) && !isUpper(ref[i]) {
			return errf(ErrFormat, "creditor reference %q: only A-Z and 0-9 are allowed", ref)
		}
	}
	if ck := ref[2:4]; ck == "00" || ck == "01" || ck == "99" || mod97(ref[4:]+ref[:4]) != 1 {
		return errf(ErrChecksum, "creditor reference %q: check digits do not match (mod 97)", ref)
	}
	return nil
}
