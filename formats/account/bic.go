package account

// ValidateBIC checks a BIC (ISO 9362) in the form the pain.001.001.03 schema
// and both target banks accept, BICIdentifier:
//
//	[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?
//
// i.e. 8 or 11 characters, upper case, no spaces: 4-letter institution,
// 2-letter country, location (second character not 'O', which ISO reserves),
// optional 3-character branch. This is the strict form: a BIC accepted here is
// accepted by every schema we write. The looser 2014 form (digits allowed in
// the institution code, pain.001.001.09 BICFI) is ValidateBIC2014; use it
// only where the output format is .09 and the bank is known to take it.
//
// Wrong length is ErrLength, anything else ErrFormat. Whether the country
// exists is not checked: the ISO 3166 list is not the registry's concern and
// the bank rejects unknown BICs anyway.
func ValidateBIC(bic string) error {
	if err := bicShape(bic); err != nil {
		return err
	}
	for i := 0; i < 6; i++ {
		if !isUpper(bic[i]) {
			return errf(ErrFormat, "BIC %q: characters 1-6 must be letters A-Z (bank and country code)", bic)
		}
	}
	if c := bic[6]; !(isUpper(c) || c >= '2' && c <= '9') {
		return errf(ErrFormat, "BIC %q: character 7 must be A-Z or 2-9", bic)
	}
	if c := bic[7]; c == 'O' {
		return errf(ErrFormat, "BIC %q: character 8 must not be the letter O", bic)
	}
	return nil
}

// ValidateBIC2014 checks the ISO 9362:2014 form of pain.001.001.09
// (BICFIDec2014Identifier): [A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?.
func ValidateBIC2014(bic string) error {
	if err := bicShape(bic); err != nil {
		return err
	}
	if !isUpper(bic[4]) || !isUpper(bic[5]) {
		return errf(ErrFormat, "BIC %q: characters 5-6 must be a country code A-Z", bic)
	}
	return nil
}

// bicShape checks length and the [A-Z0-9] alphabet common to both forms.
func bicShape(bic string) error {
	if len(bic) != 8 && len(bic) != 11 {
		return errf(ErrLength, "BIC %q has %d characters; a BIC has 8 or 11", bic, len(bic))
	}
	for i := 0; i < len(bic); i++ {
		if c := bic[i]; !isUpper(c) && !isDigit(c) {
			return errf(ErrFormat, "BIC %q: only A-Z and 0-9 are allowed (no spaces, upper case)", bic)
		}
	}
	return nil
}
