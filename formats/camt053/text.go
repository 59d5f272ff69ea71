package camt053

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ISO 20022 text lengths, counted in characters as XSD counts them.
const (
	max16  = 16
	max34  = 34
	max35  = 35
	max70  = 70
	max140 = 140
	max500 = 500
)

// clean makes a free text safe for XML 1.0 and for one-line readers: invalid
// UTF-8 and the non-characters U+FFFE/U+FFFF (which XML 1.0 cannot carry)
// become U+FFFD, every control character (C0 including TAB/CR/LF, DEL, C1)
// becomes a space, and surrounding spaces are trimmed. All printable
// characters — Czech and Danish letters included — are kept unchanged.
func clean(s string) string {
	if isClean(s) {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteRune(utf8.RuneError)
		case isControl(r):
			b.WriteByte(' ')
		case r == 0xFFFE || r == 0xFFFF:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return strings.TrimSpace(b.String())
}

func isControl(r rune) bool { return r < 0x20 || (r >= 0x7F && r <= 0x9F) }

// isClean is the allocation-free check that clean has nothing to replace.
func isClean(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7F {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n <= 1) || isControl(r) || r == 0xFFFE || r == 0xFFFF {
			return false
		}
		i += n
	}
	return true
}

// cut shortens s to at most n characters, never inside a UTF-8 sequence, and
// drops the spaces the cut leaves at the end. This is the one rule for every
// name and text longer than its element allows; IDs are never cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
		count++
	}
	return strings.TrimRight(s[:i], " ")
}

// text is a cleaned free text cut to n characters; "" means omit the element.
func text(s string, n int) string { return cut(clean(s), n) }

// splitText cuts s into pieces of at most n characters whose concatenation is
// s again, preferring to end a piece after a space when one falls in its
// second half, so that words stay whole for the person reading.
func splitText(s string, n int, emit func(string)) {
	for s != "" {
		if utf8.RuneCountInString(s) <= n {
			emit(s)
			return
		}
		piece := prefix(s, n)
		if sp := strings.LastIndexByte(piece, ' '); sp >= 0 && utf8.RuneCountInString(piece[:sp]) >= n/2 {
			piece = piece[:sp+1]
		}
		emit(piece)
		s = s[len(piece):]
	}
}

// prefix is the first n characters of s.
func prefix(s string, n int) string {
	i, count := 0, 0
	for i < len(s) && count < n {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
		count++
	}
	return s[:i]
}

// remittanceText is the one line written as Ustrd: the model's lines joined
// by a space, cleaned. Splitting into 140-character Ustrd pieces happens on
// writing, so nothing of a longer text is lost.
func remittanceText(s string) string {
	return clean(strings.ReplaceAll(s, "\n", " "))
}

// checkID reports why s cannot be written unchanged as a MaxNText
// identifier: IDs are matched by machines, so they are never cleaned or cut.
func checkID(s string, n int) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%q is not valid UTF-8", s)
	}
	count := 0
	for _, r := range s {
		if isControl(r) || r == 0xFFFE || r == 0xFFFF {
			return fmt.Errorf("%q contains the control character %U", s, r)
		}
		count++
	}
	if count > n {
		return fmt.Errorf("%q has %d characters, at most %d fit", s, count, n)
	}
	return nil
}

// isIBAN matches IBAN2007Identifier: [A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}.
func isIBAN(s string) bool {
	if len(s) < 5 || len(s) > 34 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i < 2:
			if !isUpper(c) {
				return false
			}
		case i < 4:
			if !isDigit(c) {
				return false
			}
		default:
			if !isUpper(c) && !isDigit(c) && !('a' <= c && c <= 'z') {
				return false
			}
		}
	}
	return true
}

// isBIC02 matches the .02 BICIdentifier: [A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?.
func isBIC02(s string) bool {
	if len(s) != 8 && len(s) != 11 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i < 6:
			if !isUpper(c) {
				return false
			}
		case i == 6:
			if !isUpper(c) && !('2' <= c && c <= '9') {
				return false
			}
		case i == 7:
			if !(isUpper(c) && c != 'O') && !isDigit(c) {
				return false
			}
		default:
			if !isUpper(c) && !isDigit(c) {
				return false
			}
		}
	}
	return true
}

// isBIC08 matches the .08 BICFIDec2014Identifier:
// [A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?.
func isBIC08(s string) bool {
	if len(s) != 8 && len(s) != 11 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 4 || i == 5 {
			if !isUpper(c) {
				return false
			}
		} else if !isUpper(c) && !isDigit(c) {
			return false
		}
	}
	return true
}

// isCountry matches CountryCode: [A-Z]{2}.
func isCountry(s string) bool { return len(s) == 2 && isUpper(s[0]) && isUpper(s[1]) }

// isCode matches the external code lists (bank transaction domain, family,
// sub-family): 1 to 4 characters. We also require letters and digits only,
// which every published code is, so that a stray space cannot slip through.
func isCode(s string) bool {
	if len(s) < 1 || len(s) > 4 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isUpper(s[i]) && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
