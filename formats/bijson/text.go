package bijson

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanLine prepares a one-line text field: it must be valid UTF-8 and hold
// no control character other than white space; line breaks and tabs become
// single spaces (an ERP's pretty-printed XML must not put a newline into a
// bank text); the ends are trimmed. Text that needs no change is returned
// unchanged, so values that came from a BankIntegration body round-trip.
func cleanLine(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("is not valid UTF-8")
	}
	layout := false
	for _, r := range s {
		switch r {
		case '\t', '\n', '\r', '\v', '\f':
			layout = true
		default:
			if unicode.IsControl(r) {
				return "", fmt.Errorf("contains the control character %U", r)
			}
		}
	}
	if layout {
		return strings.Join(strings.Fields(s), " "), nil
	}
	return strings.TrimSpace(s), nil
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// remittance turns the model's free text into creditorText and
// creditorMessage lines. Two forms:
//
//   - One line (no line break): the text as the ERP wrote it, e.g. a
//     pain.001 Ustrd. If it fits creditorText it is sent there alone.
//     Otherwise creditorText is its beginning cut at a word boundary and the
//     whole text is also sent as creditorMessage (see messageLines).
//   - Several lines: line 1 is creditorText (it must fit; it is not cut),
//     the other lines are creditorMessage lines. This is the form the
//     BankIntegration reader produces, so that a passthrough body re-encodes
//     to the same fields.
//
// field names the field a returned error is about.
func remittance(u string, l Limits) (ctext string, msg []string, field string, err error) {
	first, rest, multi := strings.Cut(strings.ReplaceAll(strings.ReplaceAll(u, "\r\n", "\n"), "\r", "\n"), "\n")
	ctext, err = cleanLine(first)
	if err != nil {
		return "", nil, "creditorText", err
	}
	n := runes(ctext)
	switch {
	case n <= l.CreditorText && !multi:
		return ctext, nil, "", nil
	case n > l.CreditorText && multi:
		return "", nil, "creditorText", fmt.Errorf("%q has %d characters; at most %d are allowed", ctext, n, l.CreditorText)
	case !multi:
		rest, ctext = ctext, cutWords(ctext, l.CreditorText)
	}
	msg, err = messageLines(rest, l)
	if err != nil {
		return "", nil, "creditorMessage", err
	}
	return ctext, msg, "", nil
}

// messageLines makes creditorMessage lines of all of u. Each line of u is
// word-wrapped to MessageLine characters; empty lines are dropped. A single
// line that word wrapping spreads over too many lines is filled up to
// MessageLine characters per line instead, cutting words, so that 140
// characters always fit 4 × 35. A line that fits is kept as it is.
func messageLines(u string, l Limits) ([]string, error) {
	var msg []string
	lines := strings.Split(u, "\n")
	for _, line := range lines {
		t, err := cleanLine(line)
		if err != nil {
			return nil, err
		}
		if t == "" {
			continue
		}
		var w []string
		switch {
		case runes(t) <= l.MessageLine:
			w = []string{t} // as given: a line read back from a body stays the same
		case len(lines) == 1:
			if w = wrap(t, l.MessageLine); len(w) > l.MessageLines {
				w = fill(t, l.MessageLine)
			}
		default:
			w = wrap(t, l.MessageLine)
		}
		msg = append(msg, w...)
	}
	if len(msg) > l.MessageLines {
		return nil, fmt.Errorf("the message needs %d lines of at most %d characters; BankIntegration takes at most %d (%d characters)",
			len(msg), l.MessageLine, l.MessageLines, l.MessageLine*l.MessageLines)
	}
	return msg, nil
}

// wrap breaks t at spaces into lines of at most width runes. A word longer
// than width is split. Runs of spaces between words become one.
func wrap(t string, width int) []string {
	var lines []string
	var cur strings.Builder
	n := 0
	for _, w := range strings.Fields(t) {
		wn := runes(w)
		if n > 0 && n+1+wn <= width {
			cur.WriteByte(' ')
			cur.WriteString(w)
			n += 1 + wn
			continue
		}
		if n > 0 {
			lines = append(lines, cur.String())
			cur.Reset()
			n = 0
		}
		for wn > width {
			part := cut(w, width)[0]
			lines = append(lines, part)
			w = w[len(part):]
			wn -= width
		}
		cur.WriteString(w)
		n = wn
	}
	if n > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// fill cuts t into lines of at most width runes, filling each line: a space
// at a cut is dropped (it would be lost at the line's end anyway), so that no
// line starts or ends with one and a line read back is unchanged.
func fill(t string, width int) []string {
	var out []string
	for t = strings.TrimLeft(t, " "); t != ""; t = strings.TrimLeft(t, " ") {
		piece := cut(t, width)[0]
		t = t[len(piece):]
		out = append(out, strings.TrimRight(piece, " "))
	}
	return out
}

// cut splits t into pieces of exactly width runes (the last may be shorter).
func cut(t string, width int) []string {
	var out []string
	for t != "" {
		i, k := 0, 0
		for i < len(t) && k < width {
			_, size := utf8.DecodeRuneInString(t[i:])
			i += size
			k++
		}
		out = append(out, t[:i])
		t = t[i:]
	}
	return out
}

// cutWords returns the longest beginning of t of at most width runes that
// ends at a word boundary, or the first width runes if the first word is
// longer than that.
func cutWords(t string, width int) string {
	if runes(t) <= width {
		return t
	}
	head := cut(t, width+1)[0] // one rune more: is the cut point a space?
	if i := strings.LastIndexByte(head, ' '); i > 0 {
		if s := strings.TrimRight(head[:i], " "); s != "" {
			return s
		}
	}
	return cut(t, width)[0]
}
