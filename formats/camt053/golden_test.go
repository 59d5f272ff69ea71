package camt053

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"erpconnector/formats/statement"
	"erpconnector/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var versions = []struct {
	v      Version
	suffix string
	xsd    string
}{
	{V02, "v02", "camt.053.001.02.xsd"},
	{V08, "v08", "camt.053.001.08.xsd"},
}

// writeValid writes s with o, fails on error, and validates the document
// against the official schema of its version.
func writeValid(t testing.TB, st *statement.Statement, o Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteOptions(&buf, st, o); err != nil {
		t.Fatalf("WriteOptions(%s): %v", o.Version, err)
	}
	testenv.ValidateXSD(t, xsdOf(o.Version), buf.Bytes())
	return buf.Bytes()
}

func xsdOf(v Version) string {
	if v == V08 {
		return "camt.053.001.08.xsd"
	}
	return "camt.053.001.02.xsd"
}

func TestGolden(t *testing.T) {
	for _, fx := range fixtures {
		for _, ver := range versions {
			t.Run(fx.name+"_"+ver.suffix, func(t *testing.T) {
				got := writeValid(t, fx.make(), Options{Version: ver.v})
				path := filepath.Join("testdata", fx.name+"_"+ver.suffix+".xml")
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the golden file (go test -update rewrites it after review)\ngot:\n%s", path, got)
				}
			})
		}
	}
}

// TestBigStatementValid checks the benchmark's statement shape (which the
// benchmark itself cannot afford to run through xmllint) on a smaller size.
func TestBigStatementValid(t *testing.T) {
	s := bigStatement(300)
	for _, ver := range versions {
		o := Options{Version: ver.v}
		checkReadBack(t, s, o, writeValid(t, s, o))
	}
}
