package abo

import (
	"bytes"
	"io"
	"runtime"
	"strconv"
	"testing"
)

// BenchmarkReader reads a valid bulk file of 10,000 and 100,000 items from
// memory. Besides MB/s and allocs/op it reports B/item and allocs/item,
// which stay flat as N grows, and retained-B: the heap a Reader still holds
// after its last payment, beyond the input (flat too: the reader keeps
// nothing per payment).
func BenchmarkReader(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		data, err := io.ReadAll(&genKPC{n: n, groupSize: 1000})
		if err != nil {
			b.Fatal(err)
		}
		b.Run("items="+strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			retained := retainedAfterRead(b, data)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for b.Loop() {
				rd := NewReader(bytes.NewReader(data), Options{})
				got := 0
				for {
					_, err := rd.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					got++
				}
				if got != n || rd.Problems().Len() != 0 {
					b.Fatalf("%d payments, %d problems", got, rd.Problems().Len())
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			items := float64(b.N) * float64(n)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/items, "B/item")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/items, "allocs/item")
			b.ReportMetric(float64(retained), "retained-B")
		})
	}
}

// retainedAfterRead reads data once, untimed, and measures the live heap
// with the exhausted Reader still reachable, minus the heap before it.
func retainedAfterRead(b *testing.B, data []byte) uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	rd := NewReader(bytes.NewReader(data), Options{})
	for {
		if _, err := rd.Next(); err != nil {
			break
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(rd)
	if ms.HeapAlloc < base {
		return 0
	}
	return ms.HeapAlloc - base
}
