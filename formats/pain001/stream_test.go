package pain001

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"erpconnector/internal/testenv"
)

// readCounting reads a whole document and returns the payment count, the
// total in minor units, the problems, and the largest live heap seen (sampled
// after a GC every sampleEvery payments; 0 disables sampling).
func readCounting(t testing.TB, in io.Reader, sampleEvery int) (n int, total int64, problems int, peak uint64) {
	r := NewReader(in)
	var ms runtime.MemStats
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Index != n {
			t.Fatalf("Index %d, want %d", p.Index, n)
		}
		n++
		total += p.Amount.Minor
		if sampleEvery > 0 && n%sampleEvery == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	return n, total, r.Problems().Len(), peak
}

// TestGenerated checks the generator's files read cleanly and exactly, and
// are valid against the official schema.
func TestGenerated(t *testing.T) {
	var buf bytes.Buffer
	if err := writeDoc(&buf, 2500); err != nil {
		t.Fatal(err)
	}
	n, total, probs, _ := readCounting(t, bytes.NewReader(buf.Bytes()), 0)
	var want int64
	for i := 0; i < 2500; i++ {
		want += int64(i%997+1)*100 + int64(i%100)
	}
	if n != 2500 || total != want || probs != 0 {
		t.Fatalf("n=%d total=%d (want %d) problems=%d", n, total, want, probs)
	}
	small := bytes.Buffer{}
	if err := writeDoc(&small, 3); err != nil {
		t.Fatal(err)
	}
	testenv.ValidateXSD(t, "pain.001.001.03.xsd", small.Bytes())
}

// TestMemoryDoesNotGrow reads 10,000 and 100,000 generated payments from a
// pipe and compares the largest live heap: a reader that kept payments or
// grew per payment would show ten times the memory at 100k.
func TestMemoryDoesNotGrow(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 110,000 payments")
	}
	peaks := map[int]uint64{}
	for _, n := range []int{10_000, 100_000} {
		in := genReader(n)
		got, _, probs, peak := readCounting(t, in, 2000)
		in.Close()
		if got != n || probs != 0 {
			t.Fatalf("n=%d: read %d payments, %d problems", n, got, probs)
		}
		peaks[n] = peak
		t.Logf("%7d payments: peak live heap %d KiB", n, peak>>10)
	}
	// Same order of magnitude, with room for GC and runtime noise.
	if peaks[100_000] > 2*peaks[10_000]+(1<<20) {
		t.Fatalf("live heap grows with payments: %d KiB at 10k, %d KiB at 100k", peaks[10_000]>>10, peaks[100_000]>>10)
	}
}

// benchFile writes a generated document of n payments once per run.
func benchFile(b *testing.B, n int) (string, int64) {
	b.Helper()
	f := filepath.Join(b.TempDir(), "pain001.xml")
	out, err := os.Create(f)
	if err != nil {
		b.Fatal(err)
	}
	if err := writeDoc(out, n); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(f)
	if err != nil {
		b.Fatal(err)
	}
	return f, st.Size()
}

// BenchmarkRead100k is the acceptance benchmark: MB/s and allocations for a
// 100,000-payment file read from disk (page cache).
func BenchmarkRead100k(b *testing.B) {
	f, size := benchFile(b, 100_000)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for b.Loop() {
		in, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		n, _, probs, _ := readCounting(b, in, 0)
		in.Close()
		if n != 100_000 || probs != 0 {
			b.Fatalf("n=%d problems=%d", n, probs)
		}
	}
	reportCPU(b, size, processCPU()-cpu0)
}

// reportCPU adds MB per CPU second (of all threads, GC included).
func reportCPU(b *testing.B, size int64, cpu time.Duration) {
	if cpu > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
	}
}

// BenchmarkXmllintStream100k is the yardstick: libxml2's streaming parser on
// the same file, without validation.
func BenchmarkXmllintStream100k(b *testing.B) {
	xmllint := testenv.Tool(b, "xmllint")
	f, size := benchFile(b, 100_000)
	b.SetBytes(size)
	b.ResetTimer()
	var cpu time.Duration
	for b.Loop() {
		cmd := exec.Command(xmllint, "--stream", "--noout", f)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("xmllint: %v\n%s", err, out)
		}
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	reportCPU(b, size, cpu)
}

// BenchmarkRawTokens is the floor for encoding/xml: the same file through a
// bare RawToken loop that builds nothing.
func BenchmarkRawTokens100k(b *testing.B) {
	f, size := benchFile(b, 100_000)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	defer func() { reportCPU(b, size, processCPU()-cpu0) }()
	for b.Loop() {
		in, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		src := newInput(in)
		d := newRawDecoder(src)
		for {
			src.resetCount()
			if _, err := d.RawToken(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
		in.Close()
	}
}
