package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestBenchHelp: `erpconnector bench --help` lists its flags and exits 0;
// a stray argument is a usage error. The benchmark itself is not run here.
func TestBenchHelp(t *testing.T) {
	cases := []struct {
		args     []string
		wantCode int
	}{
		{[]string{"bench", "--help"}, 0},
		{[]string{"bench", "-h"}, 0},
		{[]string{"bench", "now"}, 2},
		{[]string{"bench", "--fast"}, 1},
	}
	for _, c := range cases {
		var stdout, stderr bytes.Buffer
		code := runMain(c.args, &stdout, &stderr)
		if code != c.wantCode {
			t.Errorf("%v: exit %d, want %d\n%s", c.args, code, c.wantCode, stderr.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("%v: wrote to stdout: %q", c.args, stdout.String())
		}
		for _, want := range []string{"usage: erpconnector bench", "-quick", "-json", "-keep"} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("%v: usage lacks %q:\n%s", c.args, want, stderr.String())
			}
		}
	}
	var stderr bytes.Buffer
	runMain([]string{"help"}, &bytes.Buffer{}, &stderr)
	if !strings.Contains(stderr.String(), "  bench ") {
		t.Errorf("bench is not among the commands:\n%s", stderr.String())
	}
}
