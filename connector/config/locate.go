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
// "key = value" lines define path.key. Multi-line values are skipped over
// well enough for locating keys; a key not found is reported without a line.
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
	inMulti := "" // closing delimiter of a multi-line string being skipped
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if inMulti != "" {
			if strings.Contains(line, inMulti) {
				inMulti = ""
			}
			continue
		}
		if line == "" || line[0] == '#' {
			continue
		}
		switch {
		case strings.HasPrefix(line, "[["):
			name := normKey(strings.TrimSuffix(strings.TrimPrefix(cutComment(line), "[["), "]]"))
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
			name := normKey(strings.TrimSuffix(strings.TrimPrefix(cutComment(line), "["), "]"))
			if parent, rest, ok := strings.Cut(name, "."); ok && counts[parent] > 0 {
				name = parent + "[" + strconv.Itoa(counts[parent]-1) + "]." + rest
			}
			table = name
			l.set(table, n)
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		full := normKey(key)
		if table != "" {
			full = table + "." + full
		}
		l.set(full, n)
		v := strings.TrimSpace(val)
		for _, d := range []string{`"""`, `'''`} {
			if strings.HasPrefix(v, d) && !strings.Contains(v[3:], d) {
				inMulti = d
			}
		}
	}
	return l
}

func (l *locator) set(path string, line int) {
	if _, dup := l.lines[path]; !dup {
		l.lines[path] = line
	}
}

// line finds path, or the closest enclosing table that was found.
func (l *locator) line(path string) int {
	for p := path; p != ""; {
		if n, ok := l.lines[p]; ok {
			return n
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return 0
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
