package kbsim

import (
	"os"
	"runtime"
	"time"
)

func init() {
	if os.Getenv("KBSIM_DEBUG") == "" {
		return
	}
	go func() {
		time.Sleep(15 * time.Second)
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		os.WriteFile("/tmp/kbsim-stack-"+time.Now().Format("150405.000"), buf[:n], 0o644)
	}()
}
