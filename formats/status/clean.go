package status

import (
	"strings"
	"unicode/utf8"
)

// Clean makes s safe for every status format: invalid UTF-8 and the
// non-characters U+FFFE/U+FFFF (not allowed in XML 1.0) become U+FFFD, and
// control characters (C0 including TAB/CR/LF, DEL, C1) become a space, so
// that an ID or text stays on one line in CSV and cannot break XML. Czech and
// Danish letters and every other printable character are kept unchanged.
func Clean(s string) string {
	if isClean(s) {
		return s
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
	return b.String()
}

func isControl(r rune) bool { return r < 0x20 || (r >= 0x7F && r <= 0x9F) }

// isClean is the allocation-free fast path for the common case.
func isClean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7F || c >= 0x80 {
			if c < 0x80 {
				return false
			}
			// Non-ASCII: decode the rest properly.
			for _, r := range s[i:] {
				if r == utf8.RuneError || isControl(r) || r == 0xFFFE || r == 0xFFFF {
					// RuneError may be a literal U+FFFD, which is clean,
					// but the slow path handles both correctly.
					return false
				}
			}
			return true
		}
	}
	return true
}
