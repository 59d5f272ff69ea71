package mt940

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// parsed is what a simple MT940 importer reads back; the tests compare it
// with the statement that was written.
type parsed struct {
	Ref, Account, Seq string
	Opening, Closing  bal
	Available         bal
	Entries           []pentry
}

type bal struct {
	Minor int64
	Date  string // YYMMDD
	Ccy   string
}

type pentry struct {
	Value, Booking, Mark string
	Minor                int64 // signed as it affects the balance
	Code, CustRef, Bank  string
	Supp                 string
	Info                 []string
}

var (
	balRe = regexp.MustCompile(`^([CD])(\d{6})([A-Z]{3})(\d{1,14},\d*)$`)
	l61Re = regexp.MustCompile(`^(\d{6})(\d{4})?(RC|RD|C|D)(\d{1,14},\d*)N([A-Z0-9]{3})([^/]*(?:/[^/]+)*?)(?://(.*))?$`)
)

// parseAmount reads "1234,56" with exactly exp decimals into minor units.
func parseAmount(s string, exp int) (int64, error) {
	i := strings.IndexByte(s, ',')
	if i < 0 || len(s)-i-1 != exp {
		return 0, fmt.Errorf("amount %q: want a comma and %d decimals", s, exp)
	}
	return strconv.ParseInt(s[:i]+s[i+1:], 10, 64)
}

// checkLines enforces the physical rules: CRLF, at most 65 characters, SWIFT
// X only, no continuation line starting with ':' or '-', "-" at the end.
func checkLines(out string) ([]string, error) {
	if !strings.HasSuffix(out, "\r\n") {
		return nil, fmt.Errorf("output does not end in CRLF")
	}
	lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	for i, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			return nil, fmt.Errorf("line %d: bare CR or LF", i+1)
		}
		if len(l) > 65 {
			return nil, fmt.Errorf("line %d has %d characters: %q", i+1, len(l), l)
		}
		for _, c := range l {
			if !isX(c) {
				return nil, fmt.Errorf("line %d: %q is not in SWIFT X: %q", i+1, c, l)
			}
		}
		if l == "" {
			return nil, fmt.Errorf("line %d is empty", i+1)
		}
	}
	if lines[len(lines)-1] != "-" {
		return nil, fmt.Errorf("block does not end with -")
	}
	return lines, nil
}

// parse reads one message as written by Write.
func parse(out string, exp int) (*parsed, error) {
	lines, err := checkLines(out)
	if err != nil {
		return nil, err
	}
	lines = lines[:len(lines)-1]
	p := &parsed{}
	readBal := func(v string) (bal, error) {
		m := balRe.FindStringSubmatch(v)
		if m == nil {
			return bal{}, fmt.Errorf("balance %q", v)
		}
		n, err := parseAmount(m[4], exp)
		if err != nil {
			return bal{}, err
		}
		if m[1] == "D" {
			n = -n
		}
		return bal{n, m[2], m[3]}, nil
	}
	var cur *pentry
	var tag string
	for i, l := range lines {
		if strings.HasPrefix(l, ":") {
			j := strings.IndexByte(l[1:], ':')
			if j < 0 {
				return nil, fmt.Errorf("line %d: bad tag %q", i+1, l)
			}
			tag, l = l[1:j+1], l[j+2:]
			switch tag {
			case "20":
				p.Ref = l
			case "25":
				p.Account = l
			case "28C":
				p.Seq = l
			case "60F":
				if p.Opening, err = readBal(l); err != nil {
					return nil, err
				}
			case "62F":
				if p.Closing, err = readBal(l); err != nil {
					return nil, err
				}
			case "64":
				if p.Available, err = readBal(l); err != nil {
					return nil, err
				}
			case "61":
				m := l61Re.FindStringSubmatch(l)
				if m == nil {
					return nil, fmt.Errorf("line %d: :61: %q", i+1, l)
				}
				n, err := parseAmount(m[4], exp)
				if err != nil {
					return nil, err
				}
				if m[3] == "D" || m[3] == "RC" {
					n = -n
				}
				p.Entries = append(p.Entries, pentry{Value: m[1], Booking: m[2], Mark: m[3], Minor: n, Code: m[5], CustRef: m[6], Bank: m[7]})
				cur = &p.Entries[len(p.Entries)-1]
			case "86":
				if cur == nil || len(cur.Info) > 0 {
					return nil, fmt.Errorf("line %d: :86: without its :61:", i+1)
				}
				cur.Info = append(cur.Info, l)
			default:
				return nil, fmt.Errorf("line %d: unexpected tag %s", i+1, tag)
			}
			continue
		}
		switch tag {
		case "61":
			if cur.Supp != "" {
				return nil, fmt.Errorf("line %d: second supplementary line", i+1)
			}
			cur.Supp = l
		case "86":
			cur.Info = append(cur.Info, l)
			if len(cur.Info) > 6 {
				return nil, fmt.Errorf("line %d: :86: has more than 6 lines", i+1)
			}
		default:
			return nil, fmt.Errorf("line %d: continuation of :%s:", i+1, tag)
		}
	}
	return p, nil
}
