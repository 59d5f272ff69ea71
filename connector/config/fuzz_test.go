package config

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// secFuzzValue is what every env: reference the fuzzer can reach resolves to;
// a problem that quoted it would be a secret leaking into check-config output.
const secFuzzValue = "fuzz-secret-value-4b1d9e0c7a"

// FuzzParseSecrets complements FuzzParse (locate_test.go): whatever the file
// holds, the loader is deterministic (two parses give deeply equal configs and
// problem lists), every problem points into the file and says something, and
// for a config that loads cleanly CheckSecrets is idempotent, its problems
// point into the file and name references, never the values behind them.
func FuzzParseSecrets(f *testing.F) {
	for _, p := range []string{"../../config.example.toml", "../../testdata/convert/bi.toml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	// Full [csv.NAME] tables as shipped with the CSV reader's tests.
	mappings, _ := filepath.Glob("../../formats/csvpay/testdata/*.toml")
	for _, p := range mappings {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(append([]byte(base), b...))
		}
	}
	// FuzzParse's corpus: inputs it found interesting are interesting here too.
	corpus, _ := filepath.Glob("testdata/fuzz/FuzzParse/*")
	for _, p := range corpus {
		if b, ok := secReadCorpusBytes(p); ok {
			f.Add(b)
		}
	}
	for _, s := range []string{
		base + "[admin]\ntoken = \"env:FUZZ_SECRET\"\n",
		base + "[admin]\ntoken = \"env:FUZZ_MISSING\"\n",
		base + "[admin]\ntoken = \"file:secret.key\"\n",
		base + "[admin]\ntoken = \"" + secFuzzValue + "\"\n",
		"[[bank]]\nname = \"dk\"\nkind = \"bankintegration\"\nurl = \"sandbox\"\napi_key = \"env:FUZZ_SECRET\"\n" +
			"  [[bank.account]]\n  number = \"52470021527478\"\n  integration_code = \"file:secret.key\"\n" +
			"[[route]]\nname = \"r\"\ninbox = \"in\"\noutbox = \"out\"\nbank = \"dk\"\n",
		withURL(`"https://api.example"`) + "oauth_api_key = \"env:FUZZ_SECRET\"\nbatch_api_key = \"file:nope.key\"\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	file := filepath.Join(dir, "erpconnector.toml")
	// One readable secret file; FUZZ_SECRET set, FUZZ_MISSING not.
	if err := os.WriteFile(filepath.Join(dir, "secret.key"), []byte(secFuzzValue+"\n"), 0o600); err != nil {
		f.Fatal(err)
	}
	f.Setenv("FUZZ_SECRET", secFuzzValue)

	f.Fuzz(func(t *testing.T, src []byte) {
		c1, err1 := Parse(file, src)
		c2, err2 := Parse(file, src)
		if !reflect.DeepEqual(err1, err2) {
			// Each top-level key is decoded on its own, in name order, so
			// wrong types under different keys are all reported, the same
			// every time (seed 32abc9232c749636 once got one of two at
			// random). Inside one table the TOML decoder still stops at the
			// first wrong type its map order meets (seed c5252a0f07be7761).
			if secSameTableTypes(err1, err2) {
				t.Skipf("KNOWN LIMIT: two wrong types in one table, the decoder names one: %v / %v", err1, err2)
			}
			t.Fatalf("two parses of the same bytes report different problems:\n%v\n%v", err1, err2)
		}
		// Only a clean config must come out identical: after a problem the
		// TOML decoder's map order decides how much of the rest it filled
		// in (an empty or a nil csv map), which nothing uses.
		if err1 == nil && !reflect.DeepEqual(c1, c2) {
			t.Fatalf("two parses of the same bytes differ:\n%#v\n%#v", c1, c2)
		}
		nlines := bytes.Count(src, []byte("\n")) + 1
		if err1 != nil {
			es, ok := err1.(Errors)
			if !ok {
				t.Fatalf("error is %T, want Errors", err1)
			}
			if len(es) == 0 {
				t.Fatal("Parse returned an empty Errors as its error")
			}
			secCheckErrors(t, "Parse", es, file, nlines)
			// A secret pasted into the file is refused without being quoted
			// (the value appears once, so nothing else can have quoted it).
			if bytes.Count(src, []byte(secFuzzValue)) == 1 && secPasted(c1) && strings.Contains(es.Error(), secFuzzValue) {
				t.Fatalf("a pasted secret is shown in the problems: %v", es)
			}
			return
		}
		// CheckSecrets reads the file for line numbers and resolves
		// references; only references confined to the test folder are
		// resolved (a fuzzed "file:/dev/stdin" would block: see the report).
		if !secConfined(c1) {
			return
		}
		if err := os.WriteFile(file, src, 0o600); err != nil {
			t.Fatal(err)
		}
		s1, s2 := c1.CheckSecrets(), c1.CheckSecrets()
		if !reflect.DeepEqual(s1, s2) {
			t.Fatalf("CheckSecrets is not idempotent:\n%v\n%v", s1, s2)
		}
		secCheckErrors(t, "CheckSecrets", s1, file, nlines)
		for _, e := range s1 {
			if strings.Contains(e.Error(), secFuzzValue) {
				t.Fatalf("CheckSecrets shows a secret's value: %v", e)
			}
		}
	})
}

// secCheckErrors asserts what check-config prints is usable: each problem
// names the file, a line inside it (0: unknown) and says something.
func secCheckErrors(t *testing.T, what string, es Errors, file string, nlines int) {
	t.Helper()
	for _, e := range es {
		if e.File != file || e.Line < 0 || e.Line > nlines || strings.TrimSpace(e.Msg) == "" {
			t.Fatalf("%s: bad problem %#v (source has %d lines)", what, e, nlines)
		}
	}
}

// secSameTableTypes reports whether two parses differ only in which of the
// decoder's type errors they name, each the same number per top-level key.
func secSameTableTypes(err1, err2 error) bool {
	e1, ok1 := err1.(Errors)
	e2, ok2 := err2.(Errors)
	if !ok1 || !ok2 || len(e1) != len(e2) {
		return false
	}
	for i := range e1 {
		typeErr := func(e Error) bool {
			return strings.Contains(e.Msg, "incompatible types") || strings.Contains(e.Msg, "type mismatch")
		}
		top := func(k string) string {
			return strings.FieldsFunc(k, func(r rune) bool { return r == '.' || r == '[' })[0]
		}
		if e1[i] != e2[i] && (!typeErr(e1[i]) || !typeErr(e2[i]) || e1[i].Key == "" || e2[i].Key == "" || top(e1[i].Key) != top(e2[i].Key)) {
			return false
		}
	}
	return true
}

// secRefs is every secret reference of c.
func secRefs(c *Config) []Secret {
	refs := []Secret{c.Admin.Token}
	for _, b := range c.Banks {
		refs = append(refs, b.APIKey, b.ClientSecret, b.OAuthAPIKey, b.BatchAPIKey, b.ADAAAPIKey)
		for _, a := range b.Accounts {
			refs = append(refs, a.IntegrationCode)
		}
	}
	return refs
}

// secPasted reports whether a secret key holds secFuzzValue in plain text.
func secPasted(c *Config) bool {
	for _, s := range secRefs(c) {
		if strings.Contains(s.Ref, secFuzzValue) {
			return true
		}
	}
	return false
}

// secConfined reports whether every file: reference is a plain name in the
// config's folder (env: references only read the environment).
func secConfined(c *Config) bool {
	for _, s := range secRefs(c) {
		if name, ok := strings.CutPrefix(s.Ref, "file:"); ok && (strings.ContainsAny(name, `/\:`) || strings.HasPrefix(name, ".")) {
			return false
		}
	}
	return true
}

// secReadCorpusBytes reads a one-[]byte "go test fuzz v1" corpus file.
func secReadCorpusBytes(path string) ([]byte, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	_, lit, ok := strings.Cut(strings.TrimSpace(string(b)), "\n")
	lit, ok2 := strings.CutPrefix(lit, "[]byte(")
	lit, ok3 := strings.CutSuffix(lit, ")")
	if !ok || !ok2 || !ok3 {
		return nil, false
	}
	s, err := strconv.Unquote(lit)
	return []byte(s), err == nil
}
