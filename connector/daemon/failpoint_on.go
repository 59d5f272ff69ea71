//go:build failpoints

package daemon

import (
	"os"
	"strconv"
	"strings"
	"sync/atomic"
)

// With -tags failpoints, ERPCONNECTOR_FAILPOINT=name[:n] kills the process
// (no cleanup, no deferred functions, as SIGKILL) the n-th time (default the
// first) the named point is reached. Crash tests use it to stop the daemon at
// exact steps: after-hold (a read-once server's file read into the held
// folder, no claim yet), after-claim (claimed and planned, inbox file not yet moved),
// after-intent, after-bank-call, mid-status-write (bytes written, file not
// yet renamed into place), after-status-write, after-statement-entries,
// after-statement-file, token-save (before an OAuth token call's journal
// entry or its answer is stored).
func init() {
	spec := os.Getenv("ERPCONNECTOR_FAILPOINT")
	if spec == "" {
		return
	}
	name, nth, _ := strings.Cut(spec, ":")
	want := int64(1)
	if n, err := strconv.ParseInt(nth, 10, 64); err == nil && n > 0 {
		want = n
	}
	var hits atomic.Int64
	hook = func(point string) {
		if point == name && hits.Add(1) == want {
			die()
		}
	}
}
