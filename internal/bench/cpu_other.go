//go:build !unix

package bench

import "time"

// processCPU is not measured off Unix; the per-CPU-second row is then left out.
func processCPU() time.Duration { return 0 }
