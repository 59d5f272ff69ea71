package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"erpconnector/internal/testenv"
)

// TestParseSection runs the cheapest part of the benchmark, the parse
// section, on a small file: both with xmllint as the yardstick and without
// it, where the row must still be there, with the reason instead of a ratio.
func TestParseSection(t *testing.T) {
	cases := []struct {
		name    string
		xmllint func(t *testing.T) string
	}{
		{"with xmllint", func(t *testing.T) string { return testenv.Tool(t, "xmllint") }},
		{"xmllint not installed", func(t *testing.T) string { return "" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newBench(nil)
			b.work, b.xmllint = t.TempDir(), tc.xmllint(t)
			if err := b.parseSection(context.Background(), 500, 2); err != nil {
				t.Fatal(err)
			}
			ids := map[string]Result{}
			for _, r := range b.results {
				ids[r.ID] = r
			}
			wall, ok := ids["parse.mb_per_s"]
			if !ok {
				t.Fatalf("no parse.mb_per_s row in %+v", b.results)
			}
			rows := []Result{wall}
			if cpu, ok := ids["parse.mb_per_cpu_s"]; ok {
				rows = append(rows, cpu)
			}
			if len(b.results) != len(rows) {
				t.Errorf("unexpected rows: %+v", b.results)
			}
			for _, r := range rows {
				if r.Value <= 0 || !strings.Contains(r.Name, "500 payments") || !strings.HasPrefix(r.Unit, "MB/") {
					t.Errorf("%s: value %v %q, name %q", r.ID, r.Value, r.Unit, r.Name)
				}
				if b.xmllint == "" {
					if r.Baseline != nil || r.Ratio != nil || r.Note != xmllintMissing {
						t.Errorf("%s without xmllint: baseline %v ratio %v note %q", r.ID, r.Baseline, r.Ratio, r.Note)
					}
					continue
				}
				if r.Baseline == nil || r.Ratio == nil {
					t.Fatalf("%s: baseline %v ratio %v", r.ID, r.Baseline, r.Ratio)
				}
				if !strings.Contains(r.Baseline.Name, "xmllint --stream") || r.Baseline.Unit != r.Unit || r.Baseline.Value <= 0 {
					t.Errorf("%s: baseline %+v", r.ID, *r.Baseline)
				}
				if *r.Ratio != r.Value/r.Baseline.Value {
					t.Errorf("%s: ratio %v, want value/baseline %v", r.ID, *r.Ratio, r.Value/r.Baseline.Value)
				}
			}
			if b.xmllint != "" && ids["parse.mb_per_s"].Baseline == nil {
				t.Error("wall-clock row lost its baseline")
			}
		})
	}
}

// TestReadPain001Checks makes sure the parse timing cannot count a reader
// that skipped or misread payments as fast.
func TestReadPain001Checks(t *testing.T) {
	b := newBench(nil)
	dir := t.TempDir()
	path := filepath.Join(dir, "p.xml")
	if _, err := b.writeFile(path, 1, 50); err != nil {
		t.Fatal(err)
	}
	if err := readPain001(path, 50); err != nil {
		t.Fatalf("the generated file does not read back: %v", err)
	}
	if err := readPain001(path, 51); err == nil || !strings.Contains(err.Error(), "50 payments") {
		t.Errorf("count mismatch not reported: %v", err)
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// One amount changed by one øre: the reader's CtrlSum check and our
	// total check must both notice.
	bad := bytes.Replace(doc, []byte(">10.00<"), []byte(">10.01<"), 1)
	if bytes.Equal(bad, doc) {
		t.Fatal("test file lacks the amount 10.00")
	}
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := readPain001(path, 50); err == nil {
		t.Error("a changed amount was not noticed")
	}
}

// TestGeneratedFileIsValid checks the generator against the official schema:
// the daemon sections would otherwise measure rejections.
func TestGeneratedFileIsValid(t *testing.T) {
	var buf bytes.Buffer
	b := newBench(nil)
	if err := b.writePain001(&buf, 7, 3, executionDate()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "<NbOfTxs>3</NbOfTxs><CtrlSum>30.03</CtrlSum>") {
		t.Errorf("header does not carry 3 payments of 10.00+10.01+10.02:\n%s", buf.String())
	}
	testenv.ValidateXSD(t, "pain.001.001.03.xsd", buf.Bytes())
	if err := b.writePain001(io.Discard, 7, 0, executionDate()); err == nil {
		t.Error("an empty file was written")
	}
}

func TestTotalMinor(t *testing.T) {
	for _, n := range []int{1, 2, 3, 10, 1000, 100_000} {
		var want int64
		for i := 0; i < n; i++ {
			want += minorOf(i)
		}
		if got := totalMinor(n); got != want {
			t.Errorf("totalMinor(%d) = %d, want %d", n, got, want)
		}
	}
}

func ptr(v float64) *float64 { return &v }

// TestReports checks what a user reads: the table shows baseline, ratio and
// notes; JSON carries exactly the results and omits absent baselines.
func TestReports(t *testing.T) {
	results := []Result{
		{ID: "a", Name: "with baseline", Value: 50, Unit: "MB/s", Baseline: &Baseline{"yardstick", 200, "MB/s"}, Ratio: ptr(0.25)},
		{ID: "b", Name: "plain", Value: 0, Unit: ""},
		{ID: "c", Name: "missing yardstick", Value: 3.5, Unit: "MB/s", Note: xmllintMissing},
		{ID: "d", Name: "tiny ratio", Value: 0.02, Unit: "% of one core", Baseline: &Baseline{"one busy core", 100, "% of one core"}, Ratio: ptr(0.0002)},
	}
	var tab bytes.Buffer
	if err := Table(&tab, results); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(tab.String(), "\n"), "\n")
	if !strings.HasPrefix(lines[0], "erpconnector bench on ") || len(lines) != 3+len(results) {
		t.Fatalf("table:\n%s", tab.String())
	}
	want := []string{
		"with baseline  50.0 MB/s  200 MB/s (yardstick)",
		"plain  0",
		"missing yardstick  3.5 MB/s  xmllint not installed",
		"tiny ratio  0.020 % of one core  100 % of one core (one busy core)",
	}
	ratios := []string{"0.25", "", "", "0.0002"}
	for i, w := range want {
		got := strings.Join(strings.Fields(lines[3+i]), " ")
		wf := strings.Join(strings.Fields(w), " ")
		if ratios[i] != "" {
			wf += " " + ratios[i]
		}
		if got != wf {
			t.Errorf("row %d: %q, want %q", i, got, wf)
		}
	}

	var js bytes.Buffer
	if err := JSON(&js, results); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Machine != Machine() || len(back.Results) != len(results) {
		t.Fatalf("JSON: %s", js.String())
	}
	for i := range results {
		g, w := back.Results[i], results[i]
		if g.ID != w.ID || g.Value != w.Value || g.Note != w.Note || (g.Baseline == nil) != (w.Baseline == nil) || (g.Ratio == nil) != (w.Ratio == nil) {
			t.Errorf("JSON result %d: %+v, want %+v", i, g, w)
		}
		if w.Ratio != nil && *g.Ratio != *w.Ratio {
			t.Errorf("JSON result %d ratio %v, want %v", i, *g.Ratio, *w.Ratio)
		}
	}
	if strings.Contains(js.String(), `"baseline": null`) || strings.Contains(js.String(), `"ratio": null`) {
		t.Errorf("absent baselines must be left out:\n%s", js.String())
	}
}

func TestAddVs(t *testing.T) {
	b := newBench(nil)
	b.addVs("x", "x", 30, "ms", Baseline{"b", 0.5, "ms"})
	b.addVs("z", "z", 30, "ms", Baseline{"b", 0, "ms"})
	if r := b.results[0]; r.Ratio == nil || *r.Ratio != 60 {
		t.Errorf("ratio %v, want 60", r.Ratio)
	}
	if r := b.results[1]; r.Ratio != nil || r.Note == "" || r.Baseline == nil {
		t.Errorf("zero baseline: %+v", r)
	}
}

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // unsorted on purpose
	}
	cases := []struct {
		in   []time.Duration
		p    int
		want time.Duration
	}{
		{nil, 50, 0},
		{ms(7), 99, 7 * time.Millisecond},
		{ms(3, 1, 2), 50, 2 * time.Millisecond},
		{ms(hundred...), 50, 50 * time.Millisecond},
		{ms(hundred...), 99, 99 * time.Millisecond},
		{ms(hundred...), 100, 100 * time.Millisecond},
		{ms(1, 2, 3, 4, 1000), 99, 1000 * time.Millisecond},
	}
	for _, c := range cases {
		if got := percentile(c.in, c.p); got != c.want {
			t.Errorf("percentile(%v, %d) = %v, want %v", c.in, c.p, got, c.want)
		}
	}
}

func TestParseStatCPU(t *testing.T) {
	rest := "S 1 2 3 4 5 6 7 8 9 10 %s %s 0 0 20 0 1 0"
	line := func(comm, ut, st string) string {
		return "4242 (" + comm + ") " + strings.Replace(strings.Replace(rest, "%s", ut, 1), "%s", st, 1)
	}
	cases := []struct {
		stat    string
		want    time.Duration
		wantErr bool
	}{
		{line("erpconnector", "150", "25"), 1750 * time.Millisecond, false},
		{line("we ird) (name", "1", "0"), 10 * time.Millisecond, false},
		{line("x", "-1", "0"), 0, true},
		{line("x", "99999999999999999999", "0"), 0, true},
		{"4242 (x) S 1 2", 0, true},
		{"no parenthesis", 0, true},
		{"4242 (x)", 0, true},
	}
	for _, c := range cases {
		got, err := parseStatCPU(c.stat)
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("parseStatCPU(%q) = %v, %v; want %v, error %v", c.stat, got, err, c.want, c.wantErr)
		}
	}
}

// TestLineWriter feeds the simulator's announcement in pieces: the address
// is found however the pipe splits it, and only once complete.
func TestLineWriter(t *testing.T) {
	out := "BankIntegration sandbox listening on http://127.0.0.1:41234\n  erp = \"x\"\nKB http://no\n"
	for split := 0; split <= len(out); split++ {
		w := newLineWriter("http://")
		w.Write([]byte(out[:split]))
		select {
		case got := <-w.found:
			if split < strings.Index(out, "\n")+1 {
				t.Fatalf("split %d: announced %q before the line was complete", split, got)
			}
			if got != "http://127.0.0.1:41234" {
				t.Fatalf("split %d: %q", split, got)
			}
			continue
		default:
		}
		w.Write([]byte(out[split:]))
		if got := <-w.found; got != "http://127.0.0.1:41234" {
			t.Fatalf("split %d: %q", split, got)
		}
	}
}

func TestPerSecond(t *testing.T) {
	if v, err := perSecond("x", 10, 2*time.Second); err != nil || v != 5 {
		t.Errorf("perSecond(10, 2s) = %v, %v", v, err)
	}
	if _, err := perSecond("x", 10, 0); err == nil {
		t.Error("a zero span gave a rate")
	}
}

func TestRunNeedsBinary(t *testing.T) {
	_, err := Run(context.Background(), Options{})
	if err == nil {
		t.Fatal("Run without a binary succeeded")
	}
}
