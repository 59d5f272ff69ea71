package mt940

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// translit holds the replacements that stripping accents would get wrong
// (ø has no decomposition; å would become a, which Danes read as a different
// word) or that have an accepted look-alike in SWIFT X.
var translit = map[rune]string{
	'æ': "ae", 'Æ': "AE", 'ø': "oe", 'Ø': "OE", 'å': "aa", 'Å': "AA",
	'ä': "ae", 'Ä': "AE", 'ö': "oe", 'Ö': "OE", 'ü': "ue", 'Ü': "UE",
	'ß': "ss", 'œ': "oe", 'Œ': "OE", 'ł': "l", 'Ł': "L", 'đ': "d", 'Đ': "D",
	'þ': "th", 'Þ': "TH", 'ð': "d", 'Ð': "D", 'ı': "i",
	'&': "+", '_': "-", '"': "'", '`': "'", '´': "'", '‘': "'", '’': "'", '„': "'", '“': "'", '”': "'",
	'–': "-", '—': "-", '€': "EUR", '[': "(", ']': ")", '{': "(", '}': ")", '<': "(", '>': ")",
	'\u00a0': " ", '\t': " ", '\n': " ", '\r': " ",
}

// isX reports whether c is in the SWIFT X character set.
func isX(c rune) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.ContainsRune("/-?:().,'+ ", c)
}

// toX transliterates s into the SWIFT X character set (see the package doc).
// The result is ASCII, so its byte length is its character count.
func toX(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if !isX(rune(s[i])) {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case isX(r):
			b.WriteRune(r)
		case translit[r] != "":
			b.WriteString(translit[r])
		case r == utf8.RuneError, unicode.IsControl(r):
			b.WriteByte(' ')
		default:
			b.WriteString(stripMarks(r))
		}
	}
	return b.String()
}

// stripMarks decomposes r and keeps the base letters that are in X, so
// "ř" becomes "r"; a character with no such base becomes ".".
func stripMarks(r rune) string {
	var out []byte
	for _, d := range norm.NFD.String(string(r)) {
		if isX(d) {
			out = append(out, byte(d))
		}
	}
	if len(out) == 0 {
		return "."
	}
	return string(out)
}

// oneLine is toX with runs of spaces collapsed and the ends trimmed: for
// names and texts that must fit on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(toX(s)), " ")
}

// cut shortens an ASCII string to at most n characters.
func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// wrap splits an ASCII line into pieces of at most width characters,
// breaking at the last space when there is one.
func wrap(s string, width int) []string {
	var out []string
	for len(s) > width {
		i := strings.LastIndexByte(s[:width+1], ' ')
		if i <= 0 {
			out = append(out, s[:width])
			s = s[width:]
		} else {
			out = append(out, s[:i])
			s = s[i+1:]
		}
		s = strings.TrimLeft(s, " ")
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// continuation makes a line safe to follow another line of a field: a line
// that starts with ':' or '-' would read as a new tag or the end of the block.
func continuation(s string) string {
	if s != "" && (s[0] == ':' || s[0] == '-') {
		return "." + s[1:]
	}
	return s
}

// isReference reports whether s can stand as a SWIFT 16x reference: 1 to 16
// X characters without spaces, not starting or ending with '/', no "//".
func isReference(s string) bool {
	if s == "" || len(s) > 16 || s[0] == '/' || s[len(s)-1] == '/' || strings.Contains(s, "//") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isX(rune(s[i])) || s[i] == ' ' {
			return false
		}
	}
	return true
}
