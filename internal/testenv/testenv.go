// Package testenv finds what tests need outside the repository (../shared,
// xmllint, sshd, chromium) and decides what happens when it is missing: a skip
// on a developer's machine, a failure when ERPCONNECTOR_STRICT=1 (CI sets it),
// so that nothing silently goes untested there.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// StrictEnv is the variable CI sets to turn missing prerequisites into failures.
const StrictEnv = "ERPCONNECTOR_STRICT"

// Strict reports whether missing prerequisites must fail tests.
func Strict() bool { return os.Getenv(StrictEnv) == "1" }

// Missing skips the test, or fails it in strict mode.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if Strict() {
		t.Fatalf("prerequisite missing ("+StrictEnv+"=1): "+format, args...)
	}
	t.Skipf("skipped, prerequisite missing: "+format, args...)
}

// RepoRoot is the directory holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate testenv source")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Shared returns the path of ../shared/<elem...> next to the repository, or
// skips (fails in strict mode) when it is absent.
func Shared(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{RepoRoot(t), "..", "shared"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		Missing(t, "%s not found: the shared specs, schemas and corpora live beside the repository", p)
	}
	return p
}

// Tool returns the path of an executable on PATH, or skips (fails in strict mode).
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s is not installed (.ci/run installs it)", name)
	}
	return p
}
