package csvpay

import (
	"fmt"
	"strings"
	"time"

	"erpconnector/formats"
)

// dateLayout is an administrator's date pattern ("DD.MM.YYYY") compiled into
// tokens. It is parsed by hand rather than through time.Parse so that "YY"
// means 20YY (time.Parse puts 69..99 in the 1900s) and the messages can quote
// the pattern the administrator wrote.
type dateLayout struct {
	text   string
	tokens []dateToken
}

type dateToken struct {
	kind byte // 'Y' year, 'y' two-digit year, 'M', 'D', or 0 for a literal
	min  int  // digits
	max  int
	lit  byte
}

func parseLayout(s string) (dateLayout, error) {
	l := dateLayout{text: s}
	var seen [3]int // year, month, day
	for i := 0; i < len(s); {
		c := s[i]
		run := 1
		for i+run < len(s) && s[i+run] == c {
			run++
		}
		var t dateToken
		switch {
		case c == 'Y' && run == 4:
			t, seen[0] = dateToken{kind: 'Y', min: 4, max: 4}, seen[0]+1
		case c == 'Y' && run == 2:
			t, seen[0] = dateToken{kind: 'y', min: 2, max: 2}, seen[0]+1
		case (c == 'M' || c == 'D') && run <= 2:
			t = dateToken{kind: c, min: run, max: 2}
			if c == 'M' {
				seen[1]++
			} else {
				seen[2]++
			}
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			if c >= '0' && c <= '9' {
				for i+run < len(s) && s[i+run] >= '0' && s[i+run] <= '9' {
					run++ // quote "2006" whole when a Go layout is given
				}
			}
			return dateLayout{}, fmt.Errorf("%q: %q is not one of YYYY, YY, MM, M, DD, D", s, s[i:i+run])
		case c >= 0x80:
			return dateLayout{}, fmt.Errorf("%q: separators must be ASCII", s)
		default:
			for range run {
				l.tokens = append(l.tokens, dateToken{lit: c})
			}
			i += run
			continue
		}
		l.tokens = append(l.tokens, t)
		i += run
	}
	if seen != [3]int{1, 1, 1} {
		return dateLayout{}, fmt.Errorf("%q must contain the year (YYYY or YY), month (MM or M) and day (DD or D) once each", s)
	}
	// A one-or-two-digit token directly followed by another number would be ambiguous ("DM").
	for i, t := range l.tokens {
		if t.kind != 0 && t.min != t.max && i+1 < len(l.tokens) && l.tokens[i+1].kind != 0 {
			return dateLayout{}, fmt.Errorf("%q: a one-digit token (M, D) needs a separator after it", s)
		}
	}
	return l, nil
}

func (l dateLayout) parse(s string) (formats.Date, error) {
	var y, m, d int
	i := 0
	for _, t := range l.tokens {
		if t.kind == 0 {
			if i >= len(s) || s[i] != t.lit {
				return formats.Date{}, l.errorf(s)
			}
			i++
			continue
		}
		n, v := 0, 0
		for n < t.max && i+n < len(s) && s[i+n] >= '0' && s[i+n] <= '9' {
			v = v*10 + int(s[i+n]-'0')
			n++
		}
		if n < t.min {
			return formats.Date{}, l.errorf(s)
		}
		i += n
		switch t.kind {
		case 'Y':
			y = v
		case 'y':
			y = 2000 + v
		case 'M':
			m = v
		case 'D':
			d = v
		}
	}
	if i != len(s) {
		return formats.Date{}, l.errorf(s)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < 1 || t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return formats.Date{}, fmt.Errorf("%q is not a calendar date", s)
	}
	return formats.Date{Year: y, Month: time.Month(m), Day: d}, nil
}

func (l dateLayout) errorf(s string) error {
	return fmt.Errorf("%q is not a date in the form %s", s, strings.TrimSpace(l.text))
}
