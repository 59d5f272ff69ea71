//go:build !unix

package pain001

import "time"

// processCPU is not measured off Unix; the CPU metric is then omitted.
func processCPU() time.Duration { return 0 }
