package pain001

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"erpconnector/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden JSON files in testdata/golden")

// TestGolden reads each of our own testdata/golden/*.xml files and compares
// the full dump (payments and problems) with the .json next to it. Files
// whose name does not start with "problems" must be schema-valid and read
// without a single problem.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".xml")
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := readAll(t, bytes.NewReader(in))
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(got); err != nil {
				t.Fatal(err)
			}
			b := buf.Bytes()
			want := strings.TrimSuffix(f, ".xml") + ".json"
			if *update {
				if err := os.WriteFile(want, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			w, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(b, w) {
				t.Errorf("dump differs from %s (go test -update rewrites it):\n%s", want, b)
			}
			if !strings.HasPrefix(name, "problems") {
				if len(got.Problems) != 0 {
					t.Errorf("valid file has problems: %q", got.Problems)
				}
				schema := "pain.001.001.03.xsd"
				if got.Version == V09 {
					schema = "pain.001.001.09.xsd"
				}
				testenv.ValidateXSD(t, schema, in)
			}
		})
	}
}
