package pain002

import (
	"strings"
	"unicode/utf8"

	"erpconnector/formats/status"
)

// ISO 20022 text lengths, counted in characters as XSD does.
const (
	max35  = 35
	max34  = 34
	max105 = 105
	max140 = 140
)

// truncate shortens s to at most n characters.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
		count++
	}
	return s[:i]
}

// clean35 is a cleaned, truncated MaxNNText value; "" stays "".
func cleanMax(s string, n int) string { return truncate(status.Clean(s), n) }

// splitText cuts s into pieces of at most n characters whose concatenation is
// s again, preferring to end a piece after a space when one falls in its
// second half, so that words stay whole for the person reading.
func splitText(s string, n int, emit func(string)) {
	for s != "" {
		if utf8.RuneCountInString(s) <= n {
			emit(s)
			return
		}
		piece := truncate(s, n)
		if sp := strings.LastIndexByte(piece, ' '); sp >= 0 && utf8.RuneCountInString(piece[:sp]) >= n/2 {
			piece = piece[:sp+1]
		}
		emit(piece)
		s = s[len(piece):]
	}
}

// isIBAN matches IBAN2007Identifier: [A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}.
func isIBAN(s string) bool {
	if len(s) < 5 || len(s) > 34 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		upper, digit := 'A' <= c && c <= 'Z', '0' <= c && c <= '9'
		switch {
		case i < 2:
			if !upper {
				return false
			}
		case i < 4:
			if !digit {
				return false
			}
		default:
			if !upper && !digit && !('a' <= c && c <= 'z') {
				return false
			}
		}
	}
	return true
}

// OriginalMessageID is the OrgnlMsgId written for a file: its own message ID
// (pain.001 GrpHdr/MsgId); for formats without one, the file name when it
// fits in 35 characters, else the first 35 hex digits of its SHA-256 (unique
// and findable with `erpconnector status`); "NOTPROVIDED" when none is known.
func OriginalMessageID(f status.FileRef) string {
	if id := cleanMax(f.OriginalMessageID, max35); id != "" {
		return id
	}
	if name := status.Clean(f.Name); name != "" && utf8.RuneCountInString(name) <= max35 {
		return name
	}
	if h := cleanMax(f.SHA256, max35); h != "" {
		return h
	}
	return notProvided
}

// OriginalMessageNameID is the OrgnlMsgNmId written for a file: the input
// format's name as status.FileRef.OriginalFormat gives it ("pain.001.001.03",
// and for non-ISO inputs "KPC", "CSV", "KB-JSON", "BI-JSON" — ISO does not
// restrict the value, and naming the real format tells the ERP which of its
// exports the report answers), or "UNKNOWN" when the format was not recognised.
func OriginalMessageNameID(f status.FileRef) string {
	if n := cleanMax(f.OriginalFormat, max35); n != "" {
		return n
	}
	return unknownMsgNameID
}

// decimalFits reports whether a plain decimal string fits xs:decimal with
// totalDigits 18 (significant digits, leading zeros not counted).
func decimalFits(d string) bool {
	digits, leading := 0, true
	for i := 0; i < len(d); i++ {
		c := d[i]
		if c < '0' || c > '9' {
			continue
		}
		if leading && c == '0' {
			continue
		}
		leading = false
		digits++
	}
	return digits <= 18
}
