package gpc

import (
	"unicode"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// translit covers letters Windows-1250 lacks where stripping the accent
// would mislead (å is not a) and symbols with an accepted spelling.
var translit = map[rune]string{
	'æ': "ae", 'Æ': "AE", 'ø': "oe", 'Ø': "OE", 'å': "aa", 'Å': "AA",
	'œ': "oe", 'Œ': "OE", 'þ': "th", 'Þ': "TH", 'ð': "d", 'Ð': "D", 'ı': "i",
}

// encodeText appends s to dst as Windows-1250, transliterated, with control
// characters as spaces; it stops after n bytes and pads with spaces to n.
func encodeText(dst []byte, s string, n int) []byte {
	start := len(dst)
	put := func(c byte) bool {
		if len(dst)-start >= n {
			return false
		}
		dst = append(dst, c)
		return true
	}
loop:
	for _, r := range s {
		if unicode.IsControl(r) {
			r = ' '
		}
		if c, ok := encodeRune(r); ok {
			if !put(c) {
				break
			}
			continue
		}
		alt := translit[r]
		if alt == "" {
			alt = stripMarks(r)
		}
		for _, a := range alt {
			c, ok := encodeRune(a)
			if !ok {
				c = '?'
			}
			if !put(c) {
				break loop
			}
		}
	}
	for len(dst)-start < n {
		dst = append(dst, ' ')
	}
	return dst
}

// encodeRune is the Windows-1250 byte of r, refusing control characters so
// that a record never holds one.
func encodeRune(r rune) (byte, bool) {
	if unicode.IsControl(r) {
		return 0, false
	}
	return charmap.Windows1250.EncodeRune(r)
}

// stripMarks is r without its combining marks ("ŀ" → "l"), or "?" when
// nothing encodable is left.
func stripMarks(r rune) string {
	var out []rune
	for _, d := range norm.NFD.String(string(r)) {
		if _, ok := encodeRune(d); ok && !unicode.Is(unicode.Mn, d) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}
