package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Table writes the results as an aligned table headed by the machine.
func Table(w io.Writer, results []Result) error {
	if _, err := fmt.Fprintf(w, "erpconnector bench on %s\n\n", Machine()); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MEASURE\tVALUE\tBASELINE (same run)\tRATIO")
	for _, r := range results {
		base, ratio := r.Note, ""
		if r.Baseline != nil {
			base = fmt.Sprintf("%s %s (%s)", fmtNum(r.Baseline.Value), r.Baseline.Unit, r.Baseline.Name)
			if r.Note != "" {
				base += "; " + r.Note
			}
		}
		if r.Ratio != nil {
			ratio = fmtRatio(*r.Ratio)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, strings.TrimSpace(fmtNum(r.Value)+" "+r.Unit), base, ratio)
	}
	return tw.Flush()
}

// Report is what JSON writes.
type Report struct {
	Machine string   `json:"machine"`
	Results []Result `json:"results"`
}

// JSON writes the results, headed by the machine, as indented JSON.
func JSON(w io.Writer, results []Result) error {
	if results == nil {
		results = []Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "→" and "<" stay readable
	return enc.Encode(Report{Machine: Machine(), Results: results})
}

// Machine names the CPU model, the core count, the Go version and platform.
func Machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s %s/%s", model, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// fmtNum writes whole numbers from 100, one decimal from 1, three below:
// 12500, 170, 4.0, 0.383.
func fmtNum(v float64) string {
	switch a := max(v, -v); {
	case a >= 100 || v == 0:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// fmtRatio keeps small ratios (idle CPU against a busy core) visible.
func fmtRatio(r float64) string {
	if r != 0 && max(r, -r) < 0.01 {
		return strconv.FormatFloat(r, 'g', 2, 64)
	}
	return strconv.FormatFloat(r, 'f', 2, 64)
}
