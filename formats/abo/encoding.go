package abo

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Encoding is the character encoding of a KPC file. Banks specify
// Windows-1250; CP852 comes from DOS-era ERPs; UTF-8 from newer ones (ČS
// accepts it when the file has no diacritics). The encoding cannot be
// detected reliably from the bytes, so it is configured per folder.
type Encoding int

const (
	Windows1250 Encoding = iota // the default and what every bank documents
	CP852                       // IBM/DOS code page 852 ("Latin 2" for DOS)
	UTF8                        // a leading byte-order mark is skipped
)

func (e Encoding) String() string {
	switch e {
	case Windows1250:
		return "windows-1250"
	case CP852:
		return "cp852"
	case UTF8:
		return "utf-8"
	}
	return fmt.Sprintf("Encoding(%d)", int(e))
}

// ParseEncoding reads an encoding name as an administrator writes it in the
// configuration, case-insensitively. The empty string is the default,
// Windows-1250.
func ParseEncoding(name string) (Encoding, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "windows-1250", "windows1250", "cp1250", "cp-1250":
		return Windows1250, nil
	case "cp852", "cp-852", "ibm852", "ibm-852":
		return CP852, nil
	case "utf-8", "utf8":
		return UTF8, nil
	}
	return 0, fmt.Errorf("abo: unknown encoding %q (want windows-1250, cp852 or utf-8)", name)
}

// charmapOf is the single-byte table of e, or nil for UTF-8.
func (e Encoding) charmapOf() *charmap.Charmap {
	switch e {
	case Windows1250:
		return charmap.Windows1250
	case CP852:
		return charmap.CodePage852
	}
	return nil
}

// decodeLine turns one raw line into UTF-8 and reports bytes the encoding
// cannot represent. The ASCII fast path keeps the common case at one copy.
func (r *Reader) decodeLine(raw []byte) string {
	ascii := true
	for _, c := range raw {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return string(raw)
	}
	cm := r.opts.Encoding.charmapOf()
	if cm == nil {
		if utf8.Valid(raw) {
			return string(raw)
		}
		bad := raw
		for len(bad) > 0 {
			ru, n := utf8.DecodeRune(bad)
			if ru == utf8.RuneError && n <= 1 {
				break
			}
			bad = bad[n:]
		}
		r.add(r.line, "encoding", "byte 0x%02X at column %d is not valid UTF-8 (is the file really UTF-8? KPC files are normally windows-1250)",
			bad[0], len(raw)-len(bad)+1)
		return strings.ToValidUTF8(string(raw), "\uFFFD")
	}
	if !r.opts.NoUTF8Check && !r.utf8Reported {
		if ru, col := utf8Letter(raw); ru != 0 {
			r.utf8Reported = true
			r.add(r.line, "encoding", "column %d holds %q written in UTF-8, but the file is read as %s, which would turn it into %q: "+
				"set the folder's encoding to utf-8 or export the file in %s (later lines are not reported again)",
				col, ru, r.opts.Encoding, mojibake(cm, ru), r.opts.Encoding)
		}
	}
	var b strings.Builder
	b.Grow(len(raw) + len(raw)/2)
	for i, c := range raw {
		ru := cm.DecodeByte(c)
		if ru == utf8.RuneError {
			r.add(r.line, "encoding", "byte 0x%02X at column %d is not a %s character", c, i+1, r.opts.Encoding)
		}
		b.WriteRune(ru)
	}
	return b.String()
}

// utf8Letter finds a two-byte UTF-8 sequence for a Latin letter with a
// diacritic (U+00C0–U+017F: á, č, ř, ž, …) in a line that is supposed to be in
// a single-byte encoding. In Windows-1250 those bytes read as "Ă", "Ä" or "Ĺ"
// followed by punctuation or a caron letter ("Ĺ™" for "ř"), and in CP852 as
// box-drawing characters, neither of which a real payment text contains; so a
// hit means the file is UTF-8 and would reach the payee as mojibake.
// Options.NoUTF8Check turns this off. It returns the letter and its 1-based
// byte column, or 0.
func utf8Letter(raw []byte) (rune, int) {
	for i := 0; i+1 < len(raw); i++ {
		c := raw[i]
		if c < 0xC3 || c > 0xC5 {
			continue
		}
		ru, n := utf8.DecodeRune(raw[i:])
		if n == 2 && ru >= 0xC0 && ru <= 0x17F && ru != 0xD7 && ru != 0xF7 { // × and ÷ are not letters
			return ru, i + 1
		}
	}
	return 0, 0
}

// mojibake shows what the UTF-8 bytes of ru become in cm, for the message.
func mojibake(cm *charmap.Charmap, ru rune) string {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], ru)
	var b strings.Builder
	for _, c := range buf[:n] {
		b.WriteRune(cm.DecodeByte(c))
	}
	return b.String()
}
