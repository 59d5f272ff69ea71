package kbjson

import (
			"math/rand"
	"os"
	"runtime"
	"testing"
	"time"
)

func TestHangHunt(t *testing.T) {
	seeds := [][]byte{[]byte(specBodyPretty), []byte(specBody)}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 300000; i++ {
		d := append([]byte(nil), seeds[rng.Intn(2)]...)
		for k := rng.Intn(4) + 1; k > 0; k-- {
			switch rng.Intn(3) {
			case 0:
				if len(d) > 0 {
					d[rng.Intn(len(d))] = byte(rng.Intn(256))
				}
			case 1:
				if len(d) > 1 {
					a := rng.Intn(len(d))
					b := a + rng.Intn(len(d)-a)
					d = append(d[:a], d[b:]...)
				}
			case 2:
				a := rng.Intn(len(d) + 1)
				d = append(d[:a], append([]byte{"{}[],:\"0\\"[rng.Intn(9)]}, d[a:]...)...)
			}
		}
		done := make(chan bool)
		go func() {
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				os.WriteFile("/tmp/hang.json", d, 0o644)
				buf := make([]byte, 1<<20)
				n := runtime.Stack(buf, true)
				os.Stderr.Write(buf[:n])
				os.Exit(3)
			}
		}()
		checkReaderInput(t, d)
		close(done)
	}
}
