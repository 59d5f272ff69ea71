package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ValidateXSD runs the real `xmllint --noout --schema` against one of the
// official schemas in ../shared/xsd (e.g. "pain.002.001.03.xsd") and fails the
// test with xmllint's output if doc is not valid.
func ValidateXSD(t testing.TB, schema string, doc []byte) {
	t.Helper()
	xsd := Shared(t, "xsd", schema)
	xmllint := Tool(t, "xmllint")
	f := filepath.Join(t.TempDir(), "doc.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", xsd, f).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint --schema %s: %v\n%s\ndocument:\n%s", schema, err, out, doc)
	}
}
