package kbjson

import "unicode/utf8"

// A tiny JSON writer: the body's field order is fixed by the spec and must be
// byte-for-byte reproducible, which encoding/json's struct order would also
// give, but only with floats or custom marshalers for amounts and with HTML
// escaping of '&', '<', '>'. Appending by hand keeps amounts as integer text
// and the output exactly what KB's own examples look like.

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. The checker has rejected invalid
// UTF-8 before anything is written; should some reach here anyway it becomes
// U+FFFD, as encoding/json does, so the output is always valid JSON.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			// Valid JSON, but not valid JavaScript; escaped like encoding/json.
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendKey appends "key": after an optional comma.
func appendKey(dst []byte, comma bool, key string) []byte {
	if comma {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, key...)
	return append(dst, '"', ':')
}

// appendField appends "key":"value".
func appendField(dst []byte, comma bool, key, value string) []byte {
	return appendString(appendKey(dst, comma, key), value)
}
