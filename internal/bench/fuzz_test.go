package bench

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// FuzzParseStatCPU: any text gives a non-negative CPU time or an error, and
// a well-formed line gives exactly (utime+stime) ticks whatever the command
// name holds (spaces, parentheses).
func FuzzParseStatCPU(f *testing.F) {
	f.Add("4242 (erpconnector) S 1 2 3 4 5 6 7 8 9 10 150 25 0 0 20 0 1 0", "erpconnector", uint32(150), uint32(25))
	f.Add("1 (a) b) S", "a) (b", uint32(0), uint32(1))
	f.Add("x)", "", uint32(1<<31), uint32(1<<31))
	f.Add("1 (x) S 1 2 3 4 5 6 7 8 9 10 -5 1", "x\ny", uint32(7), uint32(0))
	f.Fuzz(func(t *testing.T, raw, comm string, ut, st uint32) {
		if d, err := parseStatCPU(raw); err == nil && (d < 0 || d%(time.Second/clockTicks) != 0) {
			t.Fatalf("parseStatCPU(%q) = %v: negative or not whole ticks", raw, d)
		}
		line := fmt.Sprintf("4242 (%s) S 1 2 3 4 5 6 7 8 9 10 %d %d 0 0 20 0 1 0\n", comm, ut, st)
		d, err := parseStatCPU(line)
		if err != nil {
			t.Fatalf("parseStatCPU(%q): %v", line, err)
		}
		if want := time.Duration(uint64(ut)+uint64(st)) * (time.Second / clockTicks); d != want {
			t.Fatalf("parseStatCPU(%q) = %v, want %v", line, d, want)
		}
	})
}

// FuzzLineWriter: however the child's output is split into writes, the
// announcement found is the same: the rest of the first complete line that
// contains the marker, never a partial line.
func FuzzLineWriter(f *testing.F) {
	f.Add("BankIntegration sandbox listening on http://127.0.0.1:41234\n", 20)
	f.Add("noise\nmore http://a\nhttp://b\n", 3)
	f.Add("http://unterminated", 5)
	f.Add(strings.Repeat("x", 70<<10)+"http://after-a-long-line\nhttp://next\n", 1000)
	f.Fuzz(func(t *testing.T, out string, split int) {
		split = min(max(split, 0), len(out))
		whole := announce(out, len(out))
		parts := announce(out, split)
		if whole != parts {
			t.Fatalf("split at %d: %q, whole: %q", split, parts, whole)
		}
		if whole == "" {
			return
		}
		if !strings.HasPrefix(whole, "http://") || strings.Contains(whole, "\n") {
			t.Fatalf("announcement %q", whole)
		}
		if !strings.Contains(out, whole) {
			t.Fatalf("announcement %q is not in the output", whole)
		}
	})
}

// announce writes out in two pieces and returns what was announced.
func announce(out string, split int) string {
	w := newLineWriter("http://")
	w.Write([]byte(out[:split]))
	w.Write([]byte(out[split:]))
	select {
	case s := <-w.found:
		return s
	default:
		return ""
	}
}
