package service

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"testing"
)

// systemdWords reads a setting value back the way systemd 252 does for
// ExecStart= (exec: specifiers, then words with quotes and C escapes, then
// $$ → $ in the arguments) and for ReadWritePaths= (specifiers and words,
// no variables). It is an independent reader: the generator's escaping must
// survive it, and anything it would expand (a stray %x or $VAR) is an error.
func systemdWords(s string, exec bool) ([]string, error) {
	var spec strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			spec.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '%' {
			spec.WriteByte('%')
			i++
			continue
		}
		return nil, fmt.Errorf("unescaped specifier at %d in %q", i, s)
	}
	words, err := splitWords(spec.String())
	if err != nil {
		return nil, err
	}
	if exec {
		for i := 1; i < len(words); i++ {
			w, err := unDollar(words[i])
			if err != nil {
				return nil, err
			}
			words[i] = w
		}
	}
	return words, nil
}

func splitWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	quote, started := byte(0), false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == 0 && (c == ' ' || c == '\t'):
			if started {
				words = append(words, w.String())
				w.Reset()
				started = false
			}
			continue
		case c == '\\':
			if i+1 >= len(s) {
				return nil, errors.New("trailing backslash")
			}
			i++
			switch s[i] {
			case '\\', '"', '\'', ' ':
				w.WriteByte(s[i])
			case 'n':
				w.WriteByte('\n')
			case 't':
				w.WriteByte('\t')
			default:
				return nil, fmt.Errorf("escape \\%c not used by the generator", s[i])
			}
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		case quote != 0 && c == quote:
			quote = 0
		default:
			w.WriteByte(c)
		}
		started = true
	}
	if quote != 0 {
		return nil, errors.New("unterminated quote")
	}
	if started {
		words = append(words, w.String())
	}
	return words, nil
}

func unDollar(w string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		if w[i] != '$' {
			b.WriteByte(w[i])
			continue
		}
		if i+1 < len(w) && w[i+1] == '$' {
			b.WriteByte('$')
			i++
			continue
		}
		return "", fmt.Errorf("unescaped $ in %q would expand a variable", w)
	}
	return b.String(), nil
}

func cleanSlash(p string) string { return path.Clean(p) }

func TestSystemdWordsReader(t *testing.T) {
	// The reader itself must reject what systemd would expand, or the round
	// trip tests could not catch missing escapes.
	for _, bad := range []string{`/a%n`, `"/a`, `/a\`} {
		if _, err := systemdWords(bad, false); err == nil {
			t.Errorf("systemdWords(%q) accepted", bad)
		}
	}
	if _, err := systemdWords(`/bin/x run $HOME`, true); err == nil {
		t.Error("systemdWords accepted $HOME in an argument")
	}
	got, err := systemdWords(`"/a b%%" c\\d "e\"f" $$x`, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/a b%", `c\d`, `e"f`, "$x"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}
