package tracefile

import (
	"os"
	"path/filepath"
	"testing"
)

// addFileSeeds seeds f with each file matching pattern, lenient and strict.
func addFileSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, false)
		f.Add(data, true)
	}
}

// addPasteSeeds seeds f with the pastes under testdata/pastes and their strict/lenient edge cases.
func addPasteSeeds(f *testing.F) {
	addFileSeeds(f, filepath.Join("testdata", "pastes", "*.txt"))
	f.Add([]byte("  1 192.0.2.1 [AS 1] [MPLS: Labels 1/2 Exp 9] 4 msec !A ? U\n    x.example 1 msec\n"), false)
	f.Add([]byte("|  a - 1 | 1 | 1 | 1 | 1 | 1 | 1 |\n"), false)
	f.Add([]byte(" Host  Loss% Snt\n 1. a 0.0% 1\n    192.0.2.1\n"), false)
	f.Add([]byte("1   192.0.2.1   *   x\n    n 1.0 ms / * ms\n"), false)
}

func fuzzPaste(f *testing.F, format string) {
	addPasteSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, strict bool) {
		trs, err := ParseWith(data, format, ParseOptions{Strict: strict})
		checkResult(t, format, trs, err)
	})
}

func FuzzCiscoIOS(f *testing.F)  { fuzzPaste(f, FormatCiscoIOS) }
func FuzzCiscoXR(f *testing.F)   { fuzzPaste(f, FormatCiscoXR) }
func FuzzJunos(f *testing.F)     { fuzzPaste(f, FormatJunos) }
func FuzzMTRCurses(f *testing.F) { fuzzPaste(f, FormatMTRCurses) }
func FuzzWinMTR(f *testing.F)    { fuzzPaste(f, FormatWinMTR) }
func FuzzNextTrace(f *testing.F) { fuzzPaste(f, FormatNextTrace) }

// FuzzParseLenient fuzzes detection and the lenient importers together.
func FuzzParseLenient(f *testing.F) { fuzzPaste(f, "") }
