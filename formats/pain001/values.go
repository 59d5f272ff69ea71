package pain001

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"erpconnector/formats"
)

// checkText enforces an ISO MaxNText, 1..n characters (not bytes), on the
// value of the current element. The path string is built only for a problem:
// this runs for every text of every payment.
func (r *Reader) checkText(field, v string, maxLen int) bool {
	n := utf8.RuneCountInString(v)
	switch {
	case n == 0:
		r.add(r.s.pos(), field, "is empty")
		return false
	case n > maxLen:
		r.add(r.s.pos(), field, "is %d characters long, at most %d allowed", n, maxLen)
		return false
	}
	return true
}

// parseISODate reads an xs:date: YYYY-MM-DD with an optional time zone, which
// is ignored (the date is taken as written).
func parseISODate(s string) (formats.Date, error) {
	for _, layout := range []string{"2006-01-02", "2006-01-02Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return formats.DateOf(t), nil
		}
	}
	return formats.Date{}, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", s)
}

// parseISODateTime reads an xs:dateTime with optional fraction and zone, and
// returns the calendar date as written (no conversion between zones).
func parseISODateTime(s string) (formats.Date, error) {
	for _, layout := range []string{"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return formats.DateOf(t), nil
		}
	}
	return formats.Date{}, fmt.Errorf("%q is not a date and time in the form YYYY-MM-DDThh:mm:ss", s)
}

// parseCount reads a Max15NumericText ([0-9]{1,15}).
func parseCount(s string) (int64, error) {
	if len(s) == 0 || len(s) > 15 {
		return 0, fmt.Errorf("%q is not 1 to 15 digits", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%q is not 1 to 15 digits", s)
		}
	}
	return strconv.ParseInt(s, 10, 64)
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isUpper(c) || isDigit(c) }

// validBIC checks the XSD pattern of the version: .03 BICIdentifier
// [A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?, .09 BICFIDec2014Identifier
// [A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?.
func validBIC(version, s string) bool {
	if len(s) != 8 && len(s) != 11 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := isAlnum(c)
		switch {
		case version == V03 && i < 6:
			ok = isUpper(c)
		case version == V03 && i == 6:
			ok = isUpper(c) || c >= '2' && c <= '9'
		case version == V03 && i == 7:
			ok = isAlnum(c) && c != 'O'
		case version == V09 && (i == 4 || i == 5):
			ok = isUpper(c)
		}
		if !ok {
			return false
		}
	}
	return true
}

// normalizeIBAN removes spaces and upper-cases, as the model wants, and checks
// the XSD pattern [A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}. The mod-97 check belongs to
// validation, not to the reader.
func normalizeIBAN(s string) (string, bool) {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if len(s) < 5 || len(s) > 34 || !isUpper(s[0]) || !isUpper(s[1]) || !isDigit(s[2]) || !isDigit(s[3]) {
		return s, false
	}
	for i := 4; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return s, false
		}
	}
	return s, true
}

// validCountry checks [A-Z]{2}.
func validCountry(s string) bool { return len(s) == 2 && isUpper(s[0]) && isUpper(s[1]) }

// validCurrencyCode checks [A-Z]{3}; whether it is a real currency is money's call.
func validCurrencyCode(s string) bool {
	return len(s) == 3 && isUpper(s[0]) && isUpper(s[1]) && isUpper(s[2])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
