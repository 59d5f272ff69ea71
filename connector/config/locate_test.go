package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLocator: every key the locator finds must be on the right line, and
// text inside multi-line values must not be taken for keys or headers.
func TestLocator(t *testing.T) {
	src := `top = 1 # a comment with = and [[route]]
[admin]
listen = "x" # [not] a header
description = """
[[route]]
fake = "inside a multi-line basic string \""" still inside
"""
literal = '''
[[bank]]
fake2 = 1'''
ignore = [
  "*.tmp", "a=b",
  [1, 2],
  { k = "v" },
]
after = 2

[[bank]]
name = "a"
  [[bank.account]]
  number = "1"
  [[bank.account]]
  number = "2"
  [bank.sandbox]
  listen = "y"

[[bank]]
name = "b"
sandbox.listen = "dotted"
  [[bank.account]]
  number = "3"

[ route ]
"quoted key" = 1
[[route]]
name = "r"

[csv.m.columns] # a comment
amount = 3
`
	l := newLocator([]byte(src))
	want := map[string]string{ // path -> unique text of its line
		"top":                           "top = 1",
		"admin":                         "[admin]",
		"admin.listen":                  `listen = "x"`,
		"admin.description":             `description = """`,
		"admin.literal":                 `literal = '''`,
		"admin.ignore":                  `ignore = [`,
		"admin.after":                   "after = 2",
		"bank[0]":                       "\x00bank0",
		"bank[0].name":                  `name = "a"`,
		"bank[0].account[0]":            "\x00acc0",
		"bank[0].account[0].number":     `number = "1"`,
		"bank[0].account[1].number":     `number = "2"`,
		"bank[0].sandbox":               "[bank.sandbox]",
		"bank[0].sandbox.listen":        `listen = "y"`,
		"bank[1].name":                  `name = "b"`,
		"bank[1].sandbox.listen":        `sandbox.listen = "dotted"`,
		"bank[1].account[0].number":     `number = "3"`,
		"route":                         "[ route ]",
		"route.quoted key":              `"quoted key" = 1`,
		"route[0].name":                 `name = "r"`,
		"csv.m.columns":                 "[csv.m.columns]",
		"csv.m.columns.amount":          "amount = 3",
		"admin.description.not-a-key":   "",
		"route[0].fake":                 "",
		"bank[0].fake2":                 "",
		"admin.\"a":                     "",
		"admin.fake":                    "",
		"bank[2]":                       "",
		"bank[0].account[2]":            "",
		"admin.ignore.k":                "",
		"inside a multi-line basic str": "",
	}
	// The real first [[bank]] and [[bank.account]] headers (another
	// "[[bank]]" line sits inside the literal string).
	occurrence := map[string]int{
		"\x00bank0": lineOf(t, src, `name = "a"`) - 1,
		"\x00acc0":  lineOf(t, src, `number = "1"`) - 1,
	}
	for path, text := range want {
		wantLine := 0
		switch {
		case strings.HasPrefix(text, "\x00"):
			wantLine = occurrence[text]
		case text != "":
			wantLine = lineOf(t, src, text)
		}
		got, ok := l.lines[path]
		if text == "" {
			if ok {
				t.Errorf("%q found on line %d; it is not a key", path, got)
			}
			continue
		}
		if got != wantLine {
			t.Errorf("%q on line %d, want %d", path, got, wantLine)
		}
	}
	// The quoted multi-line content must not have started a [[route]] or
	// [[bank]]: the first real [[route]] is route[0].
	if _, ok := l.lines["route[1]"]; ok {
		t.Error("a [[route]] inside a multi-line string was counted")
	}
	if _, ok := l.lines["bank[2]"]; ok {
		t.Error("a [[bank]] inside a multi-line literal string was counted")
	}
	// Enclosing lookups fall back to the nearest table.
	if got, want := l.line("bank[1].account[0].nope"), lineOf(t, src, `number = "3"`)-1; got != want {
		t.Errorf("line of an unknown key in bank[1].account[0] = %d, want its header %d", got, want)
	}
}

// TestLocatorInParse: a problem after multi-line values still gets its line.
func TestLocatorInParse(t *testing.T) {
	src := base + `
[[route]]
name = "r2"
inbox = "in2"
outbox = "out2"
bank = "kb"
ignore = [
  "*.tmp",
  "[[route]]",
]
status = [
  "pain.002",
  "pdf",
]
`
	_, file, err := parse(t, src)
	got := render(t, file, err)
	want := fmt.Sprintf(`%d route[1].status: "pdf" is not one of pain.002, csv, json`, lineOf(t, src, "status = ["))
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzParse: whatever bytes the file holds, Parse does not panic, every
// problem names the file and a line inside it, problems are sorted by line,
// and a clean result parses the same way twice.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("../../config.example.toml"); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		base,
		base + "[[route]]\nname = \"r2\"\nfoo = 1\n[[route]]\nfoo = 2\n",
		"[[bank]]\nname=\"a\"\nsandbox = { listen = \"x\", foo = 1 }\n",
		"[[bank]]\nkind=\"bankintegration\"\nurl=\"http://x\"\napi_key=\"k\"\n[[bank.account]]\nzzz=1\n",
		"[csv.x]\n[csv.x.columns]\namount=0\nbogus=\"b\"\n",
		"a = \"\"\"\n[[route]]\n\"\"\"\nb = [\n[1],\n]\n",
		"[[route]]\nsettle = 5\nmax_file_size = -1\nsweep = \"x\"\n",
		"name = = 1\n",
		"[[bank]]\nmax_items = \"many\"\n",
		"\xff\xfe[",
	} {
		f.Add([]byte(s))
	}
	file := filepath.Join(f.TempDir(), "erpconnector.toml")
	f.Fuzz(func(t *testing.T, src []byte) {
		c, err := Parse(file, src)
		if c == nil {
			t.Fatal("Parse returned no Config")
		}
		nlines := strings.Count(string(src), "\n") + 1
		if err != nil {
			es, ok := err.(Errors)
			if !ok || len(es) == 0 {
				t.Fatalf("error is %T %v, want non-empty Errors", err, err)
			}
			for i, e := range es {
				if e.File != file || e.Line < 0 || e.Line > nlines || e.Msg == "" {
					t.Fatalf("bad problem %#v (%d lines)", e, nlines)
				}
				if i > 0 && es[i-1].Line > e.Line {
					t.Fatalf("problems not sorted by line: %v", es)
				}
			}
			return
		}
		c2, err2 := Parse(file, src)
		if err2 != nil || len(c2.Routes) != len(c.Routes) || len(c2.Banks) != len(c.Banks) {
			t.Fatalf("second parse differs: %v", err2)
		}
		for _, r := range c.Routes {
			if r.Settle.Duration < 0 || r.Sweep.Duration <= 0 || r.MaxFileSize <= 0 {
				t.Fatalf("accepted route with bad timing or size: %+v", r)
			}
		}
	})
}
