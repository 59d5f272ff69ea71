package kbjson

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The Czech payment character set. The ČNB clearing set is referenced but not
// published in text (abo-kpc-gpc.md §1); Czech banks differ on the rest (ČS
// warns about '|', '@' and '&', and '|' splits the message at some banks). So
// the default is what every Czech bank accepts: the SWIFT "x" set
//
//	a-z A-Z 0-9 space / - ? : ( ) . , ' +
//
// plus the letters with Czech and Slovak diacritics. Options.ExtraTextChars
// widens it for banks and ERPs known to work with more.
const (
	swiftPunct   = "/-?:().,'+ "
	czechLetters = "áäčďéěíĺľňóôŕřšťúůýžÁÄČĎÉĚÍĹĽŇÓÔŔŘŠŤÚŮÝŽ"
)

// textSet decides which characters remittance text and IDs may hold.
type textSet struct {
	extra string
	desc  string // for problem messages
}

func newTextSet(extra string) textSet {
	desc := "letters (Czech diacritics allowed), digits, space and / - ? : ( ) . , ' +"
	if extra != "" {
		desc += " " + strings.Join(strings.Split(extra, ""), " ")
	}
	return textSet{extra: extra, desc: desc}
}

func (t textSet) allows(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	case r < utf8.RuneSelf:
		return strings.IndexByte(swiftPunct, byte(r)) >= 0 || strings.ContainsRune(t.extra, r)
	}
	return strings.ContainsRune(czechLetters, r) || strings.ContainsRune(t.extra, r)
}

// checkText checks a remittance text or ID: valid UTF-8, at most max
// characters, every character in the set. It names the first offending
// character and its 1-based position.
func (t textSet) checkText(s string, max int) string {
	if msg := checkUTF8(s); msg != "" {
		return msg
	}
	n := 0
	for _, r := range s {
		n++
		if !t.allows(r) {
			return fmt.Sprintf("character %s at position %d is not in the Czech payment character set (%s) (RF01)", quoteRune(r), n, t.desc)
		}
	}
	if n > max {
		return fmt.Sprintf("%d characters long; KB allows at most %d", n, max)
	}
	return ""
}

// checkPlain checks a name or address part: any printable text (company names
// carry '&' and the like, and they do not pass through the clearing), at most
// max characters.
func checkPlain(s string, max int) string {
	if msg := checkUTF8(s); msg != "" {
		return msg
	}
	n := 0
	for _, r := range s {
		n++
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return fmt.Sprintf("control character %s at position %d is not allowed", quoteRune(r), n)
		}
	}
	if n > max {
		return fmt.Sprintf("%d characters long; at most %d allowed", n, max)
	}
	return ""
}

func checkUTF8(s string) string {
	if utf8.ValidString(s) {
		return ""
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return fmt.Sprintf("not valid UTF-8 (byte %d)", i+1)
		}
		i += size
	}
	return "not valid UTF-8"
}

// quoteRune shows a character so that a person can find it: 'x' for printable
// ones, U+0009 for the rest.
func quoteRune(r rune) string {
	if unicode.IsPrint(r) && r != ' ' {
		return "'" + string(r) + "'"
	}
	return fmt.Sprintf("U+%04X", r)
}
