//go:build failpoints && windows

package daemon

import "os"

func die() { os.Exit(137) }
