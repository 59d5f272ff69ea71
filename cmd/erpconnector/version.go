package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at release build time with -ldflags "-X main.version=1.2.3".
var version = "dev"

func init() {
	register("version", "print the version and build information", func(args []string, stdout, _ io.Writer) error {
		fmt.Fprintln(stdout, versionString())
		return nil
	})
}

func versionString() string {
	s := "erpconnector " + version
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, dirty string
		for _, kv := range bi.Settings {
			switch kv.Key {
			case "vcs.revision":
				rev = kv.Value
			case "vcs.modified":
				if kv.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			s += " (" + rev + dirty + ")"
		}
	}
	return s + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}
