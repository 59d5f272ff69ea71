package config

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
)

// locator maps a key path to the line that defines it, so that every problem
// check-config reports can say file:line. BurntSushi/toml keeps key positions
// private, so this re-reads the text: table headers set the current path
// (arrays of tables counted so "route[1]" is the second [[route]]), and
// "key = value" lines define path.key. Values spanning lines (multi-line
// strings and arrays) are skipped; a key not found is reported with the line
// of its nearest enclosing table, or without a line.
type locator struct {
	lines map[string]int
}

func newLocator(src []byte) *locator {
	l := &locator{lines: map[string]int{}}
	counts := map[string]int{} // array-of-tables name -> occurrences so far
	var table string
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	n := 0
	var val valueScanner // inside a value that spans lines (string, array)
	for sc.Scan() {
		n++
		if val.open() {
			val.feed(sc.Text())
			continue
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		switch {
		case strings.HasPrefix(line, "[["):
			name := normKey(strings.TrimSuffix(cutComment(line)[2:], "]]"))
			// Nested arrays ([[bank.account]]) are counted per parent occurrence.
			parent, child, nested := strings.Cut(name, ".")
			if nested {
				name = parent + "[" + strconv.Itoa(counts[parent]-1) + "]." + child
			}
			idx := counts[name]
			counts[name]++
			table = name + "[" + strconv.Itoa(idx) + "]"
			l.set(table, n)
			continue
		case line[0] == '[':
			name := normKey(strings.TrimSuffix(cutComment(line)[1:], "]"))
			if parent, rest, ok := strings.Cut(name, "."); ok && counts[parent] > 0 {
				name = parent + "[" + strconv.Itoa(counts[parent]-1) + "]." + rest
			}
			table = name
			l.set(table, n)
			continue
		}
		key, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		full := normKey(key)
		if table != "" {
			full = table + "." + full
		}
		l.set(full, n)
		val.feed(v)
	}
	return l
}

// valueScanner follows a TOML value across lines, far enough to know whether
// it ends on this line: strings (with escapes and the multi-line forms),
// comments, and the nesting of arrays and inline tables. Lines inside such a
// value are neither keys nor table headers ("[1, 2]," in an array of arrays,
// "[[route]]" in a multi-line string).
type valueScanner struct {
	depth int    // open [ and {
	multi string // closing delimiter of a multi-line string, or ""
}

func (v *valueScanner) open() bool { return v.depth > 0 || v.multi != "" }

func (v *valueScanner) feed(s string) {
	for i := 0; i < len(s); i++ {
		if v.multi != "" {
			if v.multi == `"""` && s[i] == '\\' {
				i++ // escaped character, possibly a quote
				continue
			}
			if strings.HasPrefix(s[i:], v.multi) {
				// Up to two quotes may directly precede the closing three.
				i += 2
				for i+1 < len(s) && s[i+1] == v.multi[0] {
					i++
				}
				v.multi = ""
			}
			continue
		}
		switch c := s[i]; c {
		case '#':
			return // comment to the end of the line
		case '[', '{':
			v.depth++
		case ']', '}':
			if v.depth > 0 {
				v.depth--
			}
		case '"', '\'':
			d := s[i : i+1]
			if strings.HasPrefix(s[i:], strings.Repeat(d, 3)) {
				v.multi = strings.Repeat(d, 3)
				i += 2
				continue
			}
			// A one-line string: skip to its closing quote.
			for i++; i < len(s) && s[i] != c; i++ {
				if c == '"' && s[i] == '\\' {
					i++
				}
			}
		}
	}
}

func (l *locator) set(path string, line int) {
	if _, dup := l.lines[path]; !dup {
		l.lines[path] = line
	}
}

// line finds path, or the closest enclosing table that was found.
func (l *locator) line(path string) int {
	return l.lines[l.enclosing(path)]
}

// enclosing returns path or its closest enclosing key that was found; "" if
// none was.
func (l *locator) enclosing(path string) string {
	for p := path; p != ""; {
		if _, ok := l.lines[p]; ok {
			return p
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return ""
}

func cutComment(s string) string {
	if i := strings.Index(s, "#"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// normKey turns `a . "b-c" ` into a.b-c.
func normKey(k string) string {
	parts := strings.Split(k, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

// keyAt names the key the decoder reported (dotted, without array indexes)
// as the locator knows it at line, with indexes: bank.max_items on the line
// of the second bank's max_items is bank[1].max_items. "" when the key is not
// defined on that line (a syntax error's last key may be an earlier one).
func (l *locator) keyAt(key string, line int) string {
	if key == "" || line <= 0 {
		return ""
	}
	want := normKey(key)
	for p, n := range l.lines {
		if n == line && stripIndexes(p) == want {
			return p
		}
	}
	return ""
}

func stripIndexes(p string) string {
	var b strings.Builder
	depth := 0
	for _, r := range p {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}
