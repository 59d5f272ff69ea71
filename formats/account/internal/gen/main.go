// Command gen writes the IBAN country table (iban_table.go) from the SWIFT
// IBAN registry as php-iban publishes it (pipe-separated, one country a row,
// header in the first line). It runs at development time only:
//
//	go generate ./formats/account
//
// The registry itself stays in ../shared and is not committed; the generated
// table is. The generator refuses rows that are inconsistent in themselves
// (segment lengths that do not add up, an example that does not match its own
// pattern or fails mod-97), so a bad registry update cannot slip in quietly.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"math/big"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

type segment struct {
	n     int
	class byte // 'n' digits, 'a' upper-case letters, 'c' letters and digits
}

type row struct {
	cc       string
	name     string
	segs     []segment
	bbanLen  int
	ibanLen  int
	example  string
	sepa     bool
	official bool
}

func main() {
	in := flag.String("registry", "../../../shared/corpora/iban/php-iban.registry.txt", "php-iban registry.txt")
	out := flag.String("o", "iban_table.go", "output Go file")
	excl := flag.String("exclude", "AA", "comma-separated registry rows to leave out")
	flag.Parse()
	clear(exclude)
	for _, cc := range strings.Split(*excl, ",") {
		exclude[strings.TrimSpace(cc)] = true
	}

	rows, err := read(*in)
	if err != nil {
		log.Fatal(err)
	}
	src, err := render(rows)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

var (
	segRE   = regexp.MustCompile(`^(\d+)!([nac])`)
	regexRE = regexp.MustCompile(`^\(?(\\d|\[0-9\]|\[A-Z\]|\[A-Za-z\]|\[A-Z0-9\]|\[A-Za-z0-9\])\{(\d+)\}\)?`)
)

// parseRegex reads the registry's bban_format_regex, the second description
// of the same structure; some rows' SWIFT notation is wrong (KM says 13!n
// where its length and example say 11).
func parseRegex(f string) ([]segment, error) {
	rest := strings.TrimSuffix(strings.TrimPrefix(f, "^"), "$")
	var segs []segment
	for rest != "" {
		m := regexRE.FindStringSubmatch(rest)
		if m == nil {
			return nil, fmt.Errorf("unsupported BBAN regex element at %q in %q", rest, f)
		}
		n, _ := strconv.Atoi(m[2])
		class := byte('c')
		switch m[1] {
		case `\d`, "[0-9]":
			class = 'n'
		case "[A-Z]", "[A-Za-z]": // lower case is upper-cased by NormalizeIBAN
			class = 'a'
		}
		segs = append(segs, segment{n: n, class: class})
		rest = rest[len(m[0]):]
	}
	return segs, nil
}

// pickStructure returns the SWIFT-notation structure when it is consistent
// with the row's BBAN length and example, else the regex one, else an error.
func pickStructure(r row, swift, regex string) ([]segment, error) {
	var errs []string
	for i, parse := range []func(string) ([]segment, error){parseSWIFT, parseRegex} {
		src := []string{swift, regex}[i]
		segs, err := parse(src)
		if err == nil {
			r.segs = segs
			err = checkExample(r)
		}
		if err == nil {
			if i == 1 {
				log.Printf("%s: SWIFT notation %q inconsistent (%s); using the regex %q", r.cc, swift, errs[0], regex)
			}
			return segs, nil
		}
		errs = append(errs, err.Error())
	}
	return nil, fmt.Errorf("no consistent BBAN structure: %s", strings.Join(errs, "; "))
}

func parseSWIFT(f string) ([]segment, error) {
	var segs []segment
	for rest := f; rest != ""; {
		m := segRE.FindStringSubmatch(rest)
		if m == nil {
			return nil, fmt.Errorf("unsupported BBAN format element at %q in %q", rest, f)
		}
		n, _ := strconv.Atoi(m[1])
		segs = append(segs, segment{n: n, class: m[2][0]})
		rest = rest[len(m[0]):]
	}
	return segs, nil
}

// exclude holds rows that are in the registry but must not validate: "AA" is
// the experimental "IIBAN (Internet)" entry, not a country.
var exclude = map[string]bool{"AA": true}

func read(path string) ([]row, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	if !sc.Scan() {
		return nil, fmt.Errorf("%s: empty", path)
	}
	col := map[string]int{}
	for i, h := range strings.Split(sc.Text(), "|") {
		col[h] = i
	}
	for _, need := range []string{"country_code", "country_name", "bban_format_swift", "bban_length", "iban_example", "iban_length", "country_sepa", "swift_official"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%s: header lacks column %q", path, need)
		}
	}
	var rows []row
	seen := map[string]bool{}
	for line := 2; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		if text == "" {
			continue
		}
		f := strings.Split(text, "|")
		get := func(name string) string {
			if i := col[name]; i < len(f) {
				return f[i]
			}
			return ""
		}
		r := row{cc: get("country_code"), name: get("country_name"), example: get("iban_example"),
			sepa: get("country_sepa") == "1", official: get("swift_official") == "1"}
		where := fmt.Sprintf("%s:%d (%s)", path, line, r.cc)
		if len(r.cc) != 2 || seen[r.cc] {
			return nil, fmt.Errorf("%s: bad or duplicate country code", where)
		}
		seen[r.cc] = true
		if r.bbanLen, err = strconv.Atoi(get("bban_length")); err != nil {
			return nil, fmt.Errorf("%s: bban_length: %v", where, err)
		}
		if r.ibanLen, err = strconv.Atoi(get("iban_length")); err != nil {
			return nil, fmt.Errorf("%s: iban_length: %v", where, err)
		}
		if exclude[r.cc] {
			log.Printf("%s: excluded (%s is not a country; no bank routes to it)", r.cc, r.name)
			continue
		}
		if r.ibanLen != r.bbanLen+4 {
			// MA lists bban_length 26 with a 28-character IBAN whose
			// structure adds up to 24: the IBAN length and example win.
			log.Printf("%s: bban_length %d disagrees with iban_length %d; using %d", r.cc, r.bbanLen, r.ibanLen, r.ibanLen-4)
			r.bbanLen = r.ibanLen - 4
		}
		if r.segs, err = pickStructure(r, get("bban_format_swift"), get("bban_format_regex")); err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(rows, func(a, b row) int { return strings.Compare(a.cc, b.cc) })
	return rows, nil
}

// checkExample is an independent (big.Int) implementation of the checks the
// package makes, so the table cannot be generated from a broken registry.
func checkExample(r row) error {
	e := r.example
	sum := 0
	for _, s := range r.segs {
		sum += s.n
	}
	if sum != r.bbanLen {
		return fmt.Errorf("segments add up to %d, bban_length is %d", sum, r.bbanLen)
	}
	if len(e) != r.ibanLen || e[:2] != r.cc {
		return fmt.Errorf("example %q does not fit country/length", e)
	}
	pos := 4
	for _, s := range r.segs {
		for _, c := range []byte(e[pos : pos+s.n]) {
			ok := false
			switch s.class {
			case 'n':
				ok = c >= '0' && c <= '9'
			case 'a':
				ok = c >= 'A' && c <= 'Z'
			case 'c':
				ok = c >= '0' && c <= '9' || c >= 'A' && c <= 'Z'
			}
			if !ok {
				return fmt.Errorf("example %q: %q does not match %d!%c", e, c, s.n, s.class)
			}
		}
		pos += s.n
	}
	var digits strings.Builder
	for _, c := range e[4:] + e[:4] {
		if c >= 'A' && c <= 'Z' {
			digits.WriteString(strconv.Itoa(int(c-'A') + 10))
		} else {
			digits.WriteRune(c)
		}
	}
	n, _ := new(big.Int).SetString(digits.String(), 10)
	if new(big.Int).Mod(n, big.NewInt(97)).Int64() != 1 {
		return fmt.Errorf("example %q fails mod-97", e)
	}
	return nil
}

func render(rows []row) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated by formats/account/internal/gen from the SWIFT IBAN registry (php-iban registry.txt); DO NOT EDIT.\n\n")
	b.WriteString("package account\n\n")
	b.WriteString("// ibanCountries holds, per country, the IBAN length, the BBAN structure\n")
	b.WriteString("// (segments of n digits 'n', upper-case letters 'a' or alphanumerics 'c'),\n")
	b.WriteString("// SEPA membership, whether SWIFT publishes the format officially, and the\n")
	b.WriteString("// registry's example IBAN.\n")
	b.WriteString("var ibanCountries = map[string]ibanCountry{\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "\t%q: {name: %q, length: %d, bban: []bbanSegment{", r.cc, r.name, r.ibanLen)
		for i, s := range r.segs {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "{%d, '%c'}", s.n, s.class)
		}
		fmt.Fprintf(&b, "}, sepa: %t, official: %t, example: %q},\n", r.sepa, r.official, r.example)
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}
