//go:build !unix

package service

import "testing"

func stderrID(*testing.T) (string, bool) { return "", false }
